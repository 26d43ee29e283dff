# Every dependency is a Debian 12 package (see README, "Dependencies"). Each is wrapped once in an
# IMPORTED or namespaced target so the rest of the build links targets, never raw variables.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# Debian's Xapian CMake config only sets variables: wrap it in a target.
find_package(xapian REQUIRED CONFIG)
if(NOT TARGET Xapian::xapian)
  add_library(Xapian::xapian INTERFACE IMPORTED)
  set_target_properties(Xapian::xapian PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${XAPIAN_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${XAPIAN_LIBRARIES}")
endif()

find_package(ICU 72 REQUIRED COMPONENTS uc i18n data)
find_package(ZLIB REQUIRED)
find_package(fmt REQUIRED CONFIG)
find_package(nlohmann_json 3.10 REQUIRED CONFIG)
find_package(simdjson 3 REQUIRED CONFIG)
find_package(CLI11 QUIET CONFIG)
if(NOT TARGET CLI11::CLI11)
  pkg_check_modules(CLI11 REQUIRED IMPORTED_TARGET CLI11)
  add_library(CLI11::CLI11 ALIAS PkgConfig::CLI11)
endif()
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)

# CLD2 ships no pkg-config file or CMake config: find its header and library directly.
find_path(CLD2_INCLUDE_DIR cld2/public/compact_lang_det.h REQUIRED)
find_library(CLD2_LIBRARY NAMES cld2 REQUIRED)
add_library(CLD2::cld2 UNKNOWN IMPORTED)
set_target_properties(CLD2::cld2 PROPERTIES
  IMPORTED_LOCATION "${CLD2_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CLD2_INCLUDE_DIR}")

if(WIREDESK_BUILD_TESTS)
  find_package(doctest REQUIRED CONFIG)
endif()
