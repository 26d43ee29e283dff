/// @file json.hpp
/// @brief The JSON form of search results (docs/SEARCH_JSON.md), shared by the CLI's --json
/// and the web server.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "wiredesk/common/article.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace wiredesk::searcher {

/// @p response as the documented JSON object (without "query", which the caller adds).
/// Highlight ranges are converted to Unicode code point offsets; "snippet_html" is the snippet
/// HTML-escaped with <mark> around the highlights.
nlohmann::json to_json(const Response& response);

/// One line of `--dump`: {"id", "title", "source", "date", "url", "lang"} (+ "path").
nlohmann::json article_json(const Article& article);

/// @p highlights (byte ranges of @p text) as [[begin, end], ...] in code points.
nlohmann::json highlights_json(std::string_view text, const std::vector<Highlight>& highlights);

/// @p text HTML-escaped, with <mark>...</mark> around @p highlights.
std::string html_marked(std::string_view text, const std::vector<Highlight>& highlights);

}  // namespace wiredesk::searcher
