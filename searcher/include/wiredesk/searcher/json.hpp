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
/// The same plus "copy_group" and "story_group" (null when empty).
nlohmann::json article_json(const Article& article, const std::string& copy_group,
                            const std::string& story_group);

/// A hit's group block: {"level", "id", "size", "other_outlets", "other_outlet_count",
/// "earliest": {report}, "is_earliest"} (docs/SEARCH_JSON.md).
nlohmann::json group_json(const GroupInfo& group);
/// One report of a group: {"id", "title", "source", "date", "datetime", "url", "lang"}.
nlohmann::json report_json(const GroupReport& report);
/// A group's members: {"level", "id", "size", "members": [report, ...]} (earliest first): the
/// body of the web API's /api/group/{id} and of --expand in --json.
nlohmann::json members_json(const GroupMembers& members);

/// @p highlights (byte ranges of @p text) as [[begin, end], ...] in code points.
nlohmann::json highlights_json(std::string_view text, const std::vector<Highlight>& highlights);

/// @p text HTML-escaped, with <mark>...</mark> around @p highlights.
std::string html_marked(std::string_view text, const std::vector<Highlight>& highlights);

}  // namespace wiredesk::searcher
