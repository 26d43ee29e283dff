/// @file api.hpp
/// @brief The JSON API's request parsing and response bodies (docs/API.md), free of HTTP so
/// they can be tested alone. The server (server.hpp) maps ParameterError to HTTP 400.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "wiredesk/common/article.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace wiredesk::web {

/// Query-string parameters, name -> value, a name repeated for each value (httplib::Params).
using Params = std::multimap<std::string, std::string>;

/// The parameters of a URL's query string (the part after "?"), as HTML forms and
/// URLSearchParams write them: `&`-separated `name=value` pairs, "+" for a space, %XX escapes
/// (a malformed escape is kept as typed). Empty names are skipped.
[[nodiscard]] Params parse_query_string(std::string_view query);

/// A request parameter the API cannot accept; parameter() names it (the 400 body says which).
class ParameterError : public Error {
public:
    ParameterError(std::string parameter, const std::string& problem)
        : Error(parameter + " " + problem), m_parameter(std::move(parameter)) {}

    [[nodiscard]] const std::string& parameter() const noexcept { return m_parameter; }

private:
    std::string m_parameter;
};

/// Bounds on what one request may ask for.
struct ApiLimits {
    std::size_t max_query_bytes = 1024;   ///< q
    std::size_t max_limit = 100;          ///< results per page
    std::size_t max_offset = 10000;       ///< deepest page start
    std::size_t max_filter_values = 20;   ///< values of source (and of lang)
    std::size_t max_filter_bytes = 200;   ///< length of one source or lang value
};

/// The `group` parameter: the searcher library's levels (story, copy, none).
using GroupLevel = searcher::GroupLevel;

/// Whether this build's searcher library can group results (copy/story groups): it can, so
/// `group` collapses results and /api/group/{id} lists a group's members.
[[nodiscard]] constexpr bool grouping_available() noexcept { return true; }

/// A parsed /api/search request.
struct SearchParams {
    searcher::Request request;
    GroupLevel group = GroupLevel::kStory;  ///< also in request.group
};

/// Reads the /api/search parameters (q, source, lang, from, to, group, facets, sort, offset,
/// limit, histogram); unknown names are ignored.
/// @throws ParameterError naming the first parameter that is malformed, out of bounds, not
///         UTF-8, or given more than once where one value is expected.
[[nodiscard]] SearchParams parse_search_params(const Params& params, const ApiLimits& limits = {});

/// The /api/search body: searcher::to_json() plus "query" and "limit", as wiredesk-search
/// --json prints it (docs/SEARCH_JSON.md).
[[nodiscard]] nlohmann::json search_json(const searcher::Response& response,
                                         const SearchParams& params);

/// Reads the /api/group/{id} parameters: `level` (copy or story, default story).
/// @throws ParameterError for another level, or one given twice.
[[nodiscard]] GroupLevel parse_group_params(const Params& params);

/// The /api/article/{id} body: every stored field, the body whole.
[[nodiscard]] nlohmann::json full_article_json(const Article& article);

/// An error body: {"error": message} plus {"parameter": name} when one is given.
[[nodiscard]] nlohmann::json error_json(std::string_view message, std::string_view parameter = {});

/// @p value serialized for an HTTP body; invalid UTF-8 in stored text becomes U+FFFD rather
/// than an exception.
[[nodiscard]] std::string dump_json(const nlohmann::json& value);

}  // namespace wiredesk::web
