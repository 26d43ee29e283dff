#include "wiredesk/web/api.hpp"

#include <charconv>

#include "wiredesk/common/dates.hpp"
#include "wiredesk/common/text.hpp"
#include "wiredesk/searcher/facets.hpp"
#include "wiredesk/searcher/json.hpp"

namespace wiredesk::web {
namespace {

namespace search = wiredesk::searcher;

/// The one value of @p name, or nullptr when absent. @throws ParameterError if repeated.
const std::string* single(const Params& params, const std::string& name) {
    const auto [first, last] = params.equal_range(name);
    if (first == last) return nullptr;
    if (std::next(first) != last) throw ParameterError(name, "is given more than once");
    return &first->second;
}

std::size_t parse_count(const std::string& name, const std::string& text, std::size_t low,
                        std::size_t high) {
    std::size_t value = 0;
    const char* end = text.data() + text.size();
    const auto [at, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc() || at != end) {
        throw ParameterError(name, "must be a whole number");
    }
    if (value < low || value > high) {
        throw ParameterError(name, "must be between " + std::to_string(low) + " and " +
                                       std::to_string(high));
    }
    return value;
}

std::vector<std::string> multi(const Params& params, const std::string& name,
                               const ApiLimits& limits) {
    std::vector<std::string> values;
    const auto [first, last] = params.equal_range(name);
    for (auto it = first; it != last; ++it) {
        const std::string_view value = trim(it->second);
        if (value.empty()) continue;
        if (value.size() > limits.max_filter_bytes) {
            throw ParameterError(name, "is longer than " + std::to_string(limits.max_filter_bytes) +
                                           " bytes");
        }
        values.emplace_back(value);
    }
    if (values.size() > limits.max_filter_values) {
        throw ParameterError(name, "is given more than " +
                                       std::to_string(limits.max_filter_values) + " times");
    }
    return values;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string form_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

Params parse_query_string(std::string_view query) {
    Params params;
    while (!query.empty()) {
        const std::size_t end = std::min(query.find('&'), query.size());
        const std::string_view pair = query.substr(0, end);
        query.remove_prefix(std::min(end + 1, query.size()));
        const std::size_t equals = pair.find('=');
        std::string name = form_decode(pair.substr(0, equals));
        if (name.empty()) continue;
        params.emplace(std::move(name), equals == std::string_view::npos
                                            ? std::string()
                                            : form_decode(pair.substr(equals + 1)));
    }
    return params;
}

SearchParams parse_search_params(const Params& params, const ApiLimits& limits) {
    // Everything the searcher sees must be text it can read.
    for (const auto& [name, value] : params) {
        if (find_invalid_utf8(value)) throw ParameterError(name, "is not valid UTF-8");
    }

    SearchParams out;
    search::Request& request = out.request;
    if (const std::string* q = single(params, "q")) {
        if (q->size() > limits.max_query_bytes) {
            throw ParameterError("q", "is longer than " + std::to_string(limits.max_query_bytes) +
                                          " bytes");
        }
        request.query = *q;
    }
    request.sources = multi(params, "source", limits);
    request.languages = multi(params, "lang", limits);
    for (const std::string& lang : request.languages) {
        const bool code = lang.size() <= 8 && std::all_of(lang.begin(), lang.end(), [](char c) {
                              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
                          });
        if (!code) throw ParameterError("lang", "must be a language code such as en or und");
    }
    for (const auto& [name, upper] : {std::pair{"from", false}, std::pair{"to", true}}) {
        const std::string* value = single(params, name);
        if (value == nullptr || trim(*value).empty()) continue;
        if (!search::parse_day_bound(trim(*value), upper)) {
            throw ParameterError(name, "is not a date (YYYY-MM-DD, YYYY-MM or YYYY)");
        }
        (upper ? request.until : request.since) = std::string(trim(*value));
    }
    if (const std::string* group = single(params, "group")) {
        const auto level = search::parse_group_level(*group);
        if (!level) throw ParameterError("group", "must be story, copy or none");
        out.group = *level;
    }
    request.group = out.group;
    if (const std::string* facets = single(params, "facets")) {
        if (*facets == "reports") {
            request.facet_counting = search::FacetCounting::kReports;
        } else if (*facets == "groups") {
            request.facet_counting = search::FacetCounting::kGroups;
        } else {
            throw ParameterError("facets", "must be reports or groups");
        }
    }
    if (const std::string* sort = single(params, "sort")) {
        if (*sort == "relevance") {
            request.sort = search::SortOrder::kRelevance;
        } else if (*sort == "newest") {
            request.sort = search::SortOrder::kNewest;
        } else if (*sort == "oldest") {
            request.sort = search::SortOrder::kOldest;
        } else if (*sort == "recency") {
            request.sort = search::SortOrder::kRecency;
        } else {
            throw ParameterError("sort", "must be relevance, newest, oldest or recency");
        }
    }
    if (const std::string* offset = single(params, "offset")) {
        request.offset = parse_count("offset", *offset, 0, limits.max_offset);
    }
    if (const std::string* limit = single(params, "limit")) {
        request.limit = parse_count("limit", *limit, 0, limits.max_limit);
    }
    if (const std::string* histogram = single(params, "histogram")) {
        const auto bucket = search::parse_bucket(*histogram);
        if (!bucket) throw ParameterError("histogram", "must be auto, day, week, month or year");
        request.date_bucket = *bucket;
    }
    return out;
}

nlohmann::json search_json(const searcher::Response& response, const SearchParams& params) {
    nlohmann::json out = search::to_json(response);
    out["query"] = params.request.query;
    out["limit"] = params.request.limit;
    return out;
}

GroupLevel parse_group_params(const Params& params) {
    const std::string* level = single(params, "level");
    if (level == nullptr || *level == "story") return GroupLevel::kStory;
    if (*level == "copy") return GroupLevel::kCopy;
    throw ParameterError("level", "must be copy or story");
}

nlohmann::json full_article_json(const Article& article) {
    const auto optional = [](const std::optional<UnixTime>& date, auto format) {
        return date ? nlohmann::json(format(*date)) : nlohmann::json(nullptr);
    };
    nlohmann::json out = {
        {"id", article.id},
        {"title", article.title},
        {"source", article.source},
        {"date", optional(article.date,
                          [](UnixTime t) {
                              const std::string day = format_yyyymmdd(t);
                              return day.substr(0, 4) + "-" + day.substr(4, 2) + "-" +
                                     day.substr(6, 2);
                          })},
        {"datetime", optional(article.date, [](UnixTime t) { return format_iso8601(t); })},
        {"url", article.url},
        {"lang", article.language.empty() ? std::string("und") : article.language},
        {"path", article.path},
        {"line", article.line ? nlohmann::json(*article.line) : nlohmann::json(nullptr)},
        {"body", article.body},
    };
    return out;
}

nlohmann::json error_json(std::string_view message, std::string_view parameter) {
    nlohmann::json out = {{"error", message}};
    if (!parameter.empty()) out["parameter"] = parameter;
    return out;
}

std::string dump_json(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace wiredesk::web
