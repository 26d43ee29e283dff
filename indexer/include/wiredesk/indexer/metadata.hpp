/// @file metadata.hpp
/// @brief Completing what a reader found: id, source, date and language fallbacks.
#pragma once

#include <optional>
#include <string>

#include "wiredesk/common/article.hpp"

namespace wiredesk::indexer {

struct MetadataOptions {
    /// Source for articles that name none and have no URL (`--source`).
    std::string default_source;
    /// Date undated articles with their file's modification time (`--date-from-mtime`).
    bool date_from_mtime = false;
    /// The file's modification time: the reference for year-less dates, and the date of last
    /// resort under date_from_mtime.
    std::optional<UnixTime> file_mtime;
};

/// Fills the gaps of @p article in place:
///  - id: the input's id, else its URL, else its path (plus `:line` for formats with lines);
///  - source: the input's, else the URL's host (without `www.`), else options.default_source;
///  - date: date_text parsed to UTC; undated stays undated unless options.date_from_mtime;
///  - language: the declared one if recognised, else detected from the text (CLD2).
/// @throws InputError (with the article's path and line) for a date that is impossible or not
///         recognised: the article is skipped rather than indexed with a made-up date.
void resolve_metadata(Article& article, const MetadataOptions& options);

/// The host of an http(s) URL, lower-case and without a leading `www.`; "" if none.
std::string url_host(std::string_view url);

}  // namespace wiredesk::indexer
