// wiredesk-search: a thin adapter from the command line to wiredesk::searcher::Searcher.

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <xapian.h>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/version.hpp"
#include "wiredesk/searcher/cli_options.hpp"
#include "wiredesk/searcher/facets.hpp"
#include "wiredesk/searcher/json.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace {

namespace search = wiredesk::searcher;

/// Exit codes, documented in --help.
enum ExitCode : int {
    kExitResults = 0,
    kExitFailure = 1,
    kExitBadQuery = 2,
    kExitNoResults = 3,
};

struct Options {
    std::vector<std::string> databases;
    std::vector<std::string> words;
    search::Request request;
    search::SearcherOptions searcher;
    std::string sort = "relevance";
    std::string bucket = "auto";
    std::string color = "auto";
    std::string group = "story";
    std::string facet_count = "reports";
    bool expand = false;
    bool json = false;
    bool dump = false;
    bool no_facets = false;
    bool any = false;
    bool fast = false;
    bool no_auto_variants = false;
    bool explain = false;
};

/// Bold and dim on a terminal; brackets around highlights otherwise, so that a pipe still
/// shows what matched.
struct Style {
    bool color = false;
    [[nodiscard]] std::string bold(std::string_view s) const {
        return color ? fmt::format("\033[1m{}\033[0m", s) : std::string(s);
    }
    [[nodiscard]] std::string dim(std::string_view s) const {
        return color ? fmt::format("\033[2m{}\033[0m", s) : std::string(s);
    }
    [[nodiscard]] std::string marked(std::string_view text,
                                     const std::vector<search::Highlight>& highlights) const {
        return color ? search::mark_highlights(text, highlights, "\033[1;33m", "\033[0m")
                     : search::mark_highlights(text, highlights, "[", "]");
    }
};

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& word : words) {
        if (!out.empty()) out += ' ';
        out += word;
    }
    return out;
}

/// "10 Feb 2026" from "2026-02-10"; "undated" for "".
std::string short_date(const std::string& day) {
    static constexpr std::array<const char*, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (day.size() != 10) return "undated";
    const int month = std::atoi(day.substr(5, 2).c_str());
    if (month < 1 || month > 12) return day;
    return fmt::format("{} {} {}", std::atoi(day.substr(8, 2).c_str()),
                       kMonths[static_cast<std::size_t>(month - 1)], day.substr(0, 4));
}

/// The group line under a hit: "AFP, 10 Feb 2026 (earliest of 6 copies) · also in Harbor
/// Wire, Metro Pulse and 3 other outlets".
std::string group_line(const search::GroupInfo& group) {
    const char* unit = group.level == search::GroupLevel::kCopy ? "copies" : "reports";
    const std::string earliest =
        fmt::format("{}, {}", group.earliest.source.empty() ? "(unknown source)" : group.earliest.source,
                    short_date(group.earliest.date));
    std::string line =
        group.is_earliest
            ? fmt::format("{} (earliest of {} {})", earliest, group.size, unit)
            : fmt::format("{} {} · earliest: {}, \"{}\"", group.size, unit, earliest,
                          group.earliest.title.empty() ? "(no headline)" : group.earliest.title);
    if (group.other_outlet_count > 0) {
        constexpr std::size_t kNamed = 2;
        std::string names;
        const std::size_t named = std::min(kNamed, group.other_outlets.size());
        for (std::size_t i = 0; i < named; ++i) {
            if (i > 0) names += (i + 1 == named && named == group.other_outlet_count) ? " and " : ", ";
            names += group.other_outlets[i];
        }
        const std::size_t rest = group.other_outlet_count - named;
        if (rest > 0) {
            names += fmt::format(" and {} other outlet{}", rest, rest == 1 ? "" : "s");
        }
        line += " · also in " + names;
    }
    return line;
}

void print_text(const search::Response& response, const std::string& query, const Style& style,
                const std::map<std::string, search::GroupMembers>& expanded) {
    const std::size_t first = response.results.empty() ? 0 : response.offset + 1;
    const std::size_t last = response.offset + response.results.size();
    const bool grouped = response.group != search::GroupLevel::kNone;
    const char* unit = !grouped ? (response.total == 1 ? "match" : "matches")
                       : response.group == search::GroupLevel::kCopy
                           ? (response.total == 1 ? "copy group" : "copy groups")
                           : (response.total == 1 ? "story" : "stories");
    const std::string reports =
        grouped ? fmt::format(" ({} {})", response.total_reports,
                              response.total_reports == 1 ? "report" : "reports")
                : "";
    fmt::print("{}{} {}{} for {}{}", response.total_exact ? "" : "about ", response.total, unit,
               reports, query.empty() ? "(filters only)" : query,
               response.results.empty() ? "" : fmt::format(", showing {}-{}", first, last));
    fmt::print("{}\n", style.dim(fmt::format("  ({:.1f} ms)", response.timing.total_ms)));
    if (response.partial) {
        std::string names;
        for (const std::string& name : response.missing_shards) {
            names += (names.empty() ? "" : ", ") + name;
        }
        fmt::print("{}\n", style.bold("PARTIAL RESULTS: shards not answering: " + names));
    }
    if (response.suggestion) fmt::print("Did you mean: {}\n", style.bold(*response.suggestion));
    for (const std::string& warning : response.warnings) fmt::print("note: {}\n", warning);

    for (const search::Hit& hit : response.results) {
        fmt::print("\n{:>3}. {}\n", hit.rank,
                   style.bold(style.marked(hit.title.empty() ? "(no headline)" : hit.title,
                                           hit.title_highlights)));
        std::string meta = hit.source.empty() ? "(unknown source)" : hit.source;
        meta += " · " + (hit.date.empty() ? std::string("undated") : hit.date);
        meta += " · " + hit.language + fmt::format(" · score {:.2f}", hit.score);
        fmt::print("     {}\n", style.dim(meta));
        fmt::print("     {}\n", hit.url.empty() ? hit.path : hit.url);
        if (!hit.snippet.empty()) {
            fmt::print("     {}\n", style.marked(hit.snippet, hit.snippet_highlights));
        }
        if (hit.group && hit.group->size > 1) {
            fmt::print("     {}\n", style.dim(group_line(*hit.group)));
        }
        if (hit.group) {
            const auto members = expanded.find(hit.group->id);
            if (members == expanded.end()) continue;
            for (const search::GroupReport& member : members->second.members) {
                fmt::print("       {} {} · {} · {}\n", member.id == hit.id ? "*" : "-",
                           member.date.empty() ? std::string("undated   ") : member.date,
                           member.source.empty() ? "(unknown source)" : member.source,
                           member.title.empty() ? "(no headline)" : member.title);
            }
        }
    }
    if (!response.facets || response.total == 0) return;
    const search::Facets& facets = *response.facets;
    std::string estimate = facets.exact ? "" : " (estimates)";
    if (facets.counting == search::FacetCounting::kGroups) {
        estimate += facets.counting_level == search::GroupLevel::kCopy ? " (copy groups)"
                                                                       : " (stories)";
    }
    std::string line;
    for (const auto& source : facets.sources) {
        line += fmt::format("{}{} {}", line.empty() ? "" : " · ", source.value, source.count);
    }
    if (facets.other_sources > 0) {
        line += fmt::format(" · other ({} sources) {}", facets.other_source_values,
                            facets.other_sources);
    }
    if (facets.unknown_source > 0) line += fmt::format(" · unknown {}", facets.unknown_source);
    fmt::print("\n{}{}: {}\n", style.bold("Sources"), estimate, line);
    line.clear();
    for (const auto& language : facets.languages) {
        line += fmt::format("{}{} {}", line.empty() ? "" : " · ", language.value, language.count);
    }
    fmt::print("{}{}: {}\n", style.bold("Languages"), estimate, line);
    const auto& dates = facets.dates;
    fmt::print("{} by {}{}:", style.bold("Dates"), search::bucket_name(dates.bucket), estimate);
    if (dates.buckets.empty()) fmt::print(" none");
    fmt::print("{}\n", dates.undated > 0 ? fmt::format("  (undated {})", dates.undated) : "");
    std::size_t most = 1;
    for (const auto& bucket : dates.buckets) most = std::max(most, bucket.count);
    // A long histogram shows its non-empty bars only.
    const bool sparse = dates.buckets.size() > 40;
    for (const auto& bucket : dates.buckets) {
        if (sparse && bucket.count == 0) continue;
        const std::size_t width = (bucket.count * 30 + most - 1) / most;
        fmt::print("  {:<10} {:>6} {}\n", bucket.value, bucket.count, std::string(width, '#'));
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App app{
        "wiredesk-search: search a Wiredesk news archive.\n\n"
        "Query language (docs/QUERY_SYNTAX.md): words (all must match; stemmed: talks finds\n"
        "talked), \"exact phrases\", AND OR NOT XOR, +word -word, a NEAR b, NEAR/5, ADJ,\n"
        "(parentheses), title:word, source:AFP, source:\"ETV Bharat\", lang:de,\n"
        "date:2026-01-20..2026-01-31, date:2026-01.., date:..2026-02, date:undated, zel*.\n"
        "Names find their spelling variants (zelensky finds Zelenskyy) unless quoted.\n"
        "A malformed query is read leniently and a note says how.\n\n"
        "Examples:\n"
        "  wiredesk-search --db news.db '\"peace talks\" abu dhabi source:AFP "
        "date:2026-01-20..2026-02-10'\n"
        "  wiredesk-search --db news.db --sort newest --since 2026-01-01 zelensky\n"
        "  wiredesk-search --db news.db --json kyiv | jq '.results[].title'\n"
        "  wiredesk-search --db news.db --group copy --expand 'rotterdam strike'\n"
        "  wiredesk-search --db news.db --dump > articles.jsonl\n\n"
        "Grouping: by default each story shows once, its best-matching report standing for it,\n"
        "with the group's size, earliest report and other outlets; --group copy folds only\n"
        "copies of one wire text, --group none shows every report.\n\n"
        "Sharded archives: --db may name a Xapian stub (a file, or a directory holding\n"
        "XAPIANDB) listing shards, local ones ('auto meta', 'auto 2026-01') and remote ones\n"
        "served by xapian-tcpsrv ('remote search2.example:33333'). A remote shard that does\n"
        "not answer within --remote-timeout is an error naming host:port; with --allow-partial\n"
        "the others are searched and the answer is marked partial (docs/SCALING.md).\n\n"
        "Exit codes:\n"
        "  0    results found (--dump: articles written)\n"
        "  1    database problem: missing, unreadable, of another schema version, or a remote\n"
        "       shard not answering (without --allow-partial)\n"
        "  2    bad query: empty, too long, not UTF-8, a --since/--until that is not a date\n"
        "  3    no results\n"
        "  other: usage errors (CLI11's codes)"};
    app.set_version_flag("--version", std::string("wiredesk-search ") + wiredesk::kVersionString);
    // Each repeatable option takes exactly one value per use, so it cannot swallow the query.
    app.add_option("--db", options.databases, "Database directory or stub file (XAPIANDB) listing shards; repeat to search several")
        ->required()
        ->allow_extra_args(false);
    app.add_option("query", options.words, "The query (several arguments are joined by spaces)");
    app.add_flag("--json", options.json,
                 "Print one JSON object (schema: docs/SEARCH_JSON.md) instead of text");
    app.add_flag("--dump", options.dump,
                 "Write one JSON line per indexed article (id, title, source, date, url, lang, "
                 "path) and exit");
    app.add_option("--limit,-n", options.request.limit, "Results per page")->capture_default_str();
    app.add_option("--offset", options.request.offset, "Results to skip (pagination)")
        ->capture_default_str();
    app.add_option("--sort", options.sort, "relevance | newest | oldest | recency")
        ->check(CLI::IsMember({"relevance", "newest", "oldest", "recency"}))
        ->capture_default_str();
    app.add_option("--half-life", options.request.recency_half_life_days,
                   "Days after which the recency boost halves (--sort recency)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--since", options.request.since, "Only articles from this day on (YYYY-MM-DD)");
    app.add_option("--until", options.request.until, "Only articles up to this day (YYYY-MM-DD)");
    app.add_option("--source", options.request.sources, "Only this source; repeatable")
        ->allow_extra_args(false);
    app.add_option("--lang", options.request.languages, "Only this language (ISO code); repeatable")
        ->allow_extra_args(false);
    app.add_flag("--any", options.any, "Match any of the words (OR) instead of all");
    app.add_flag("--no-facets", options.no_facets, "Skip the sources/languages/dates counts");
    app.add_option("--top-sources", options.request.facet_top_sources,
                   "Sources listed by name in the facet; the rest count as other")
        ->capture_default_str();
    app.add_option("--date-bucket", options.bucket, "auto | day | week | month | year")
        ->check(CLI::IsMember({"auto", "day", "week", "month", "year"}))
        ->capture_default_str();
    app.add_flag("--fast", options.fast,
                 "Stop counting after a few thousand matches: total and facets become estimates "
                 "(marked so)");
    app.add_option("--snippet-chars", options.request.snippet_chars, "Snippet length")
        ->capture_default_str();
    app.add_option("--variants", options.searcher.variant_files,
                   "Extra name-variant file (one group per line, comma-separated); repeatable")
        ->allow_extra_args(false)
        ->check(CLI::ExistingFile);
    app.add_flag("--no-auto-variants", options.no_auto_variants,
                 "Only the variant table, no automatic -y/-iy/-yy folding");
    app.add_option("--group", options.group,
                   "story: one result per story (copies and write-ups of one event); copy: one "
                   "per wire text and its copies; none: every report")
        ->check(CLI::IsMember({"story", "copy", "none"}))
        ->capture_default_str();
    app.add_flag("--expand", options.expand,
                 "List the members of each shown group under its hit, earliest first");
    app.add_option("--facet-count", options.facet_count,
                   "reports: facets count articles; groups: they count groups (stories, or copy "
                   "groups under --group copy)")
        ->check(CLI::IsMember({"reports", "groups"}))
        ->capture_default_str();
    app.add_option("--color", options.color, "auto | always | never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    search::add_remote_options(app, options.searcher);
    app.add_flag("--explain", options.explain, "Also print the Xapian query (to stderr)");
    CLI11_PARSE(app, argc, argv);

    auto& request = options.request;
    request.query = join(options.words);
    request.match_all_words = !options.any;
    request.facets = !options.no_facets;
    request.exact_counts = !options.fast;
    request.date_bucket = *search::parse_bucket(options.bucket);
    request.group = *search::parse_group_level(options.group);
    request.facet_counting = options.facet_count == "groups" ? search::FacetCounting::kGroups
                                                             : search::FacetCounting::kReports;
    if (options.sort == "newest") request.sort = search::SortOrder::kNewest;
    if (options.sort == "oldest") request.sort = search::SortOrder::kOldest;
    if (options.sort == "recency") request.sort = search::SortOrder::kRecency;
    options.searcher.automatic_variants = !options.no_auto_variants;

    Style style;
    style.color = options.color == "always" ||
                  (options.color == "auto" && isatty(STDOUT_FILENO) != 0 &&
                   std::getenv("NO_COLOR") == nullptr);

    try {
        const search::Searcher searcher(options.databases, options.searcher);
        if (options.dump) {
            searcher.for_each_article_with_groups([](const wiredesk::Article& article,
                                                     const std::string& copy_group,
                                                     const std::string& story_group) {
                std::cout << search::article_json(article, copy_group, story_group)
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                          << '\n';
            });
            return kExitResults;
        }
        const search::Response response = searcher.search(request);
        if (options.explain) std::cerr << response.query_description << '\n';
        // --expand: each shown group's members, from the library (as the web API lists them).
        std::map<std::string, search::GroupMembers> expanded;
        if (options.expand) {
            for (const search::Hit& hit : response.results) {
                if (!hit.group || expanded.contains(hit.group->id)) continue;
                if (auto members = searcher.group_members(hit.group->level, hit.group->id)) {
                    expanded.emplace(hit.group->id, std::move(*members));
                }
            }
        }
        if (options.json) {
            nlohmann::json out = search::to_json(response);
            out["query"] = request.query;
            out["limit"] = request.limit;
            for (auto& result : out["results"]) {
                if (!result["group"].is_object()) continue;
                const auto members = expanded.find(result["group"]["id"].get<std::string>());
                if (members != expanded.end()) {
                    result["group"]["members"] = search::members_json(members->second)["members"];
                }
            }
            std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        } else {
            print_text(response, request.query, style, expanded);
        }
        if (response.partial) {
            std::cerr << "wiredesk-search: partial results: " << response.missing_shards.size()
                      << " shard(s) did not answer\n";
        }
        return response.total > 0 ? kExitResults : kExitNoResults;
    } catch (const wiredesk::QueryError& error) {
        std::cerr << "wiredesk-search: " << error.what() << '\n';
        return kExitBadQuery;
    } catch (const std::exception& error) {
        std::cerr << "wiredesk-search: " << error.what() << '\n';
        return kExitFailure;
    } catch (const Xapian::Error& error) {
        std::cerr << "wiredesk-search: database error: " << error.get_description() << '\n';
        return kExitFailure;
    }
}
