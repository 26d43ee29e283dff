/// @file article.hpp
/// @brief One news article as the readers extract it, before analysis.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "wiredesk/common/dates.hpp"

namespace wiredesk {

/// What a reader found in its input. Every field but `body` may be empty: the indexer fills the
/// id, source and language from fallbacks (URL, path, `--source`, detection) and never invents a
/// date. All strings are valid UTF-8.
struct Article {
    std::string id;        ///< the input's own id, if it has one
    std::string title;     ///< headline
    std::string body;      ///< paragraphs separated by "\n"
    std::string source;    ///< outlet name as the input spells it ("ETV Bharat")
    std::string url;       ///< canonical URL
    std::string language;  ///< ISO 639-1 code if the input declares one ("en")
    /// The publication date exactly as the input wrote it ("Jan. 24, 2026"); the indexer parses
    /// it with parse_date() (one place, one set of rules) and reports what it cannot parse.
    std::string date_text;
    std::optional<UnixTime> date;  ///< filled by the indexer from date_text, in UTC
    std::string path;                ///< file the article came from
    std::optional<std::size_t> line; ///< 1-based line, for formats with one article per line
};

}  // namespace wiredesk
