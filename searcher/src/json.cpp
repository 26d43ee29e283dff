#include "wiredesk/searcher/json.hpp"

#include "wiredesk/common/dates.hpp"
#include "wiredesk/searcher/facets.hpp"

namespace wiredesk::searcher {
namespace {

/// Code points in text[0, byte).
std::size_t code_points(std::string_view text, std::size_t byte) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
    }
    return n;
}

void escape_html(std::string& out, std::string_view text) {
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
}

nlohmann::json facet_values(const std::vector<FacetValue>& values, const char* key) {
    nlohmann::json out = nlohmann::json::array();
    for (const FacetValue& value : values) out.push_back({{key, value.value}, {"count", value.count}});
    return out;
}

nlohmann::json optional_text(const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace

nlohmann::json report_json(const GroupReport& report) {
    return {
        {"id", report.id},
        {"title", report.title},
        {"source", report.source},
        {"date", optional_text(report.date)},
        {"datetime", optional_text(report.datetime)},
        {"url", report.url},
        {"lang", report.language},
    };
}

nlohmann::json group_json(const GroupInfo& group) {
    return {
        {"level", group_level_name(group.level)},
        {"id", group.id},
        {"size", group.size},
        {"other_outlets", group.other_outlets},
        {"other_outlet_count", group.other_outlet_count},
        {"earliest", report_json(group.earliest)},
        {"is_earliest", group.is_earliest},
    };
}

nlohmann::json members_json(const GroupMembers& members) {
    nlohmann::json list = nlohmann::json::array();
    for (const GroupReport& report : members.members) list.push_back(report_json(report));
    nlohmann::json json = {
        {"level", group_level_name(members.level)},
        {"id", members.id},
        {"size", members.members.size()},
        {"members", list},
    };
    if (members.partial) {
        json["partial"] = true;
        json["missing_shards"] = members.missing_shards;
    }
    return json;
}

nlohmann::json highlights_json(std::string_view text, const std::vector<Highlight>& highlights) {
    nlohmann::json out = nlohmann::json::array();
    for (const Highlight& h : highlights) {
        out.push_back({code_points(text, h.begin), code_points(text, h.end)});
    }
    return out;
}

std::string html_marked(std::string_view text, const std::vector<Highlight>& highlights) {
    std::string out;
    std::size_t at = 0;
    for (const Highlight& h : highlights) {
        if (h.begin < at || h.end > text.size()) continue;
        escape_html(out, text.substr(at, h.begin - at));
        out += "<mark>";
        escape_html(out, text.substr(h.begin, h.end - h.begin));
        out += "</mark>";
        at = h.end;
    }
    escape_html(out, text.substr(at));
    return out;
}

nlohmann::json to_json(const Response& response) {
    nlohmann::json results = nlohmann::json::array();
    for (const Hit& hit : response.results) {
        results.push_back({
            {"rank", hit.rank},
            {"id", hit.id},
            {"title", hit.title},
            {"title_highlights", highlights_json(hit.title, hit.title_highlights)},
            {"source", hit.source},
            {"date", hit.date.empty() ? nlohmann::json(nullptr) : nlohmann::json(hit.date)},
            {"datetime",
             hit.datetime.empty() ? nlohmann::json(nullptr) : nlohmann::json(hit.datetime)},
            {"url", hit.url},
            {"path", hit.path},
            {"lang", hit.language},
            {"snippet", hit.snippet},
            {"highlights", highlights_json(hit.snippet, hit.snippet_highlights)},
            {"snippet_html", html_marked(hit.snippet, hit.snippet_highlights)},
            {"score", hit.score},
            {"group", hit.group ? group_json(*hit.group) : nlohmann::json(nullptr)},
        });
    }
    nlohmann::json out = {
        {"total", response.total},
        {"total_exact", response.total_exact},
        {"total_reports", response.total_reports},
        {"group", group_level_name(response.group)},
        {"offset", response.offset},
        {"results", results},
        {"suggestion",
         response.suggestion ? nlohmann::json(*response.suggestion) : nlohmann::json(nullptr)},
        {"warnings", response.warnings},
        {"partial", response.partial},
        {"missing_shards", response.missing_shards},
        {"timing",
         {{"parse_ms", response.timing.parse_ms},
          {"search_ms", response.timing.search_ms},
          {"fetch_ms", response.timing.fetch_ms},
          {"total_ms", response.timing.total_ms},
          {"values_in_memory", response.timing.values_in_memory}}},
    };
    if (response.facets) {
        const Facets& f = *response.facets;
        nlohmann::json buckets = nlohmann::json::array();
        for (const FacetValue& b : f.dates.buckets) buckets.push_back({{"key", b.value}, {"count", b.count}});
        out["facets"] = {
            {"exact", f.exact},
            {"counted", f.counting == FacetCounting::kReports
                            ? std::string("reports")
                            : std::string(f.counting_level == GroupLevel::kCopy ? "copies"
                                                                                : "stories")},
            {"sources", facet_values(f.sources, "source")},
            {"other_sources", {{"count", f.other_sources}, {"sources", f.other_source_values}}},
            {"unknown_source", f.unknown_source},
            {"languages", facet_values(f.languages, "lang")},
            {"dates",
             {{"bucket", bucket_name(f.dates.bucket)},
              {"first", f.dates.first.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.dates.first)},
              {"last", f.dates.last.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.dates.last)},
              {"buckets", buckets},
              {"undated", f.dates.undated}}},
        };
    } else {
        out["facets"] = nullptr;
    }
    return out;
}

nlohmann::json article_json(const Article& article, const std::string& copy_group,
                            const std::string& story_group) {
    nlohmann::json out = article_json(article);
    out["copy_group"] = optional_text(copy_group);
    out["story_group"] = optional_text(story_group);
    return out;
}

nlohmann::json article_json(const Article& article) {
    return {
        {"id", article.id},
        {"title", article.title},
        {"source", article.source},
        {"date", article.date ? nlohmann::json(format_iso8601(*article.date)) : nlohmann::json(nullptr)},
        {"url", article.url},
        {"lang", article.language},
        {"path", article.path},
    };
}

}  // namespace wiredesk::searcher
