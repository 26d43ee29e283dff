# Runs tests/web/browser/browser_test.mjs (ctest's web.browser). Inputs: SOURCE_DIR, TEST_DIR
# (this folder), WORK_DIR (in the build tree), BIN_DIR, NODE, NPM, CHROMIUM.
cmake_minimum_required(VERSION 3.25)

foreach(tool NODE NPM CHROMIUM)
  if(NOT ${tool} OR NOT EXISTS "${${tool}}")
    message(FATAL_ERROR "web.browser needs ${tool} (node, npm and Debian's chromium: "
                        "scripts/setup.sh installs them); found '${${tool}}'")
  endif()
endforeach()

file(MAKE_DIRECTORY "${WORK_DIR}")
foreach(name package.json package-lock.json browser_test.mjs)
  file(COPY_FILE "${TEST_DIR}/${name}" "${WORK_DIR}/${name}" ONLY_IF_DIFFERENT)
endforeach()

# Install the locked packages once (again when the lock file changes). playwright-core has no
# install step and never downloads a browser: the test uses /usr/bin/chromium.
set(stamp "${WORK_DIR}/node_modules/.wiredesk-lock")
set(installed_lock "")
if(EXISTS "${stamp}")
  file(READ "${stamp}" installed_lock)
endif()
file(READ "${TEST_DIR}/package-lock.json" wanted_lock)
if(NOT EXISTS "${WORK_DIR}/node_modules/playwright-core/package.json"
   OR NOT installed_lock STREQUAL wanted_lock)
  message(STATUS "npm ci in ${WORK_DIR}")
  set(ENV{PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD} 1)
  execute_process(COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error
                  WORKING_DIRECTORY "${WORK_DIR}"
                  RESULT_VARIABLE npm_result
                  TIMEOUT 300)
  if(NOT npm_result EQUAL 0)
    message(FATAL_ERROR "npm ci failed (${npm_result})")
  endif()
  file(WRITE "${stamp}" "${wanted_lock}")
endif()

set(ENV{WIREDESK_SOURCE_DIR} "${SOURCE_DIR}")
set(ENV{WIREDESK_BIN_DIR} "${BIN_DIR}")
set(ENV{WIREDESK_CHROMIUM} "${CHROMIUM}")
set(ENV{WIREDESK_SCREENSHOT_DIR} "${WORK_DIR}/screenshots")
execute_process(COMMAND "${NODE}" browser_test.mjs
                WORKING_DIRECTORY "${WORK_DIR}"
                RESULT_VARIABLE test_result
                TIMEOUT 480)
if(NOT test_result EQUAL 0)
  message(FATAL_ERROR "browser test failed (${test_result})")
endif()
