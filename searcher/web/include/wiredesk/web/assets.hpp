/// @file assets.hpp
/// @brief The page's files (index.html, app.js, style.css, favicon.svg), compiled into the
/// server at build time, and the only files it ever serves.
///
/// The set is closed: a request names an asset by its exact file name, and nothing outside the
/// set can be reached, with or without `--assets-dir` (which re-reads the same names from a
/// folder on each request while the page is being developed).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wiredesk::web {

/// One embedded file: its name in searcher/web/assets/ and its bytes.
struct EmbeddedFile {
    std::string_view name;
    std::string_view content;
};

/// Every embedded file (generated from searcher/web/assets/ by embed_assets.cmake).
std::span<const EmbeddedFile> embedded_files() noexcept;

/// An asset ready to send.
struct Asset {
    std::string name;
    std::string content_type;
    std::string content;
};

/// The asset called @p name ("app.js"), from the embedded set, or read from @p assets_dir when
/// that is not empty (development). Names outside the embedded set give nullopt whatever
/// @p assets_dir holds, so "../" and the like can never reach a file.
/// @throws Error when @p assets_dir is set and the file cannot be read.
std::optional<Asset> find_asset(std::string_view name, const std::string& assets_dir = {});

/// The Content-Type for a file name, by extension (text types with charset=utf-8).
std::string_view content_type_for(std::string_view name) noexcept;

}  // namespace wiredesk::web
