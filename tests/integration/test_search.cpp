// The search library over archives indexed at test time by wiredesk-index: the seeds, the
// sample corpus, and small fixtures written for one behaviour each.

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <utime.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "wiredesk/common/dates.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace fs = std::filesystem;
namespace search = wiredesk::searcher;
using wiredesk::test::bin_dir;
using wiredesk::test::run;
using wiredesk::test::TempDir;
using wiredesk::test::write_file;

namespace {

/// Indexes @p inputs into a new database with wiredesk-index; returns the database path.
std::string index(const TempDir& dir, const std::vector<std::string>& inputs,
                  const std::vector<std::string>& extra = {}) {
    const std::string db = (dir / "news.db").string();
    std::vector<std::string> args = {"--db", db, "--quiet"};
    // Inputs before options: wiredesk-index's repeatable --exclude takes every argument
    // after it as another pattern.
    args.insert(args.end(), inputs.begin(), inputs.end());
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run(bin_dir() / "wiredesk-index", args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return db;
}

/// One JSONL line of a fixture article.
std::string article(const std::string& id, const std::string& title, const std::string& text,
                    const std::string& date = "", const std::string& source = "",
                    const std::string& lang = "en") {
    nlohmann::json j = {{"id", id}, {"title", title}, {"text", text}, {"lang", lang}};
    if (!date.empty()) j["date"] = date;
    if (!source.empty()) j["source"] = source;
    return j.dump() + "\n";
}

std::string fmt_two(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

std::vector<std::string> ids_of(const search::Response& response) {
    std::vector<std::string> ids;
    for (const auto& hit : response.results) ids.push_back(hit.id);
    return ids;
}

std::set<std::string> id_set(const search::Response& response) {
    const auto ids = ids_of(response);
    return {ids.begin(), ids.end()};
}

search::Response find(const search::Searcher& searcher, const std::string& query,
                      std::size_t limit = 100) {
    search::Request request;
    request.group = search::GroupLevel::kNone;  // report-level behaviour
    request.query = query;
    request.limit = limit;
    return searcher.search(request);
}

bool has_warning(const search::Response& response, const std::string& fragment) {
    return std::any_of(response.warnings.begin(), response.warnings.end(),
                       [&](const std::string& w) { return w.find(fragment) != std::string::npos; });
}

/// The seeds copied with modification times of their rounds (000-002 late January, 003 in
/// February), so that --date-from-mtime dates the undated ones.
std::string seeds_with_dates(const TempDir& dir) {
    const fs::path seeds = wiredesk::test::require_shared("the Abu Dhabi seed reports") / "seeds";
    const fs::path copy = dir / "seeds";
    fs::create_directories(copy);
    for (const auto& entry : fs::directory_iterator(seeds)) {
        const fs::path target = copy / entry.path().filename();
        fs::copy_file(entry.path(), target);
        const bool later = entry.path().filename().string().starts_with("003");
        const auto when = *wiredesk::parse_date(later ? "2026-02-05T12:00:00Z"
                                                      : "2026-01-24T12:00:00Z");
        const struct utimbuf times{static_cast<time_t>(when), static_cast<time_t>(when)};
        REQUIRE(utime(target.c_str(), &times) == 0);
    }
    return copy.string();
}

std::string seed_name(const std::string& path) { return fs::path(path).filename().string().substr(0, 3); }

std::set<std::string> seed_names(const search::Response& response) {
    std::set<std::string> names;
    for (const auto& hit : response.results) names.insert(seed_name(hit.path));
    return names;
}

}  // namespace

TEST_CASE("zelensky finds all four seeds, quoted only the exact spelling") {
    TempDir dir;
    const auto db = index(dir, {seeds_with_dates(dir)}, {"--date-from-mtime"});
    const search::Searcher searcher({db});
    CHECK(seed_names(find(searcher, "zelensky")) == std::set<std::string>{"000", "001", "002", "003"});
    CHECK(seed_names(find(searcher, "Zelenskyy")) == std::set<std::string>{"000", "001", "002", "003"});
    CHECK(seed_names(find(searcher, "\"zelensky\"")) == std::set<std::string>{"000", "001", "002"});
    CHECK(seed_names(find(searcher, "\"zelenskyy\"")) == std::set<std::string>{"003"});
}

TEST_CASE("a date range excludes the later round of talks") {
    TempDir dir;
    const auto db = index(dir, {seeds_with_dates(dir)}, {"--date-from-mtime"});
    const search::Searcher searcher({db});
    CHECK(seed_names(find(searcher, "abu dhabi talks date:2026-01-20..2026-01-31")) ==
          std::set<std::string>{"000", "001", "002"});
    CHECK(seed_names(find(searcher, "abu dhabi talks date:2026-02-01..")) ==
          std::set<std::string>{"003"});
    search::Request request;
    request.group = search::GroupLevel::kNone;  // report-level behaviour
    request.query = "abu dhabi talks";
    request.since = "2026-01-20";
    request.until = "2026-01-31";
    CHECK(seed_names(searcher.search(request)) == std::set<std::string>{"000", "001", "002"});
}

TEST_CASE("a source filter finds exactly that outlet's reports") {
    TempDir dir;
    const auto db = index(dir, {(wiredesk::test::source_dir() / "corpus").string()},
                          {"--exclude=malformed", "--exclude=README.md"});
    const search::Searcher searcher({db});
    std::map<std::string, std::set<std::string>> by_source;
    std::size_t articles = 0;
    searcher.for_each_article([&](const wiredesk::Article& a) {
        ++articles;
        if (!a.source.empty()) by_source[a.source].insert(a.id);
    });
    REQUIRE(by_source.size() >= 5);
    for (const auto& entry : by_source) {
        // Named variables, not structured bindings: clang 14 cannot capture those (CAPTURE).
        const std::string& source = entry.first;
        const std::set<std::string>& ids = entry.second;
        CAPTURE(source);
        search::Request request;
        request.group = search::GroupLevel::kNone;  // report-level behaviour
        request.query = "source:\"" + source + "\"";
        request.limit = 1000;
        const auto response = searcher.search(request);
        CHECK(id_set(response) == ids);
        CHECK(response.total == ids.size());
        // The same filter given as a request field.
        search::Request by_field;
        by_field.group = search::GroupLevel::kNone;  // report-level behaviour
        by_field.sources = {source};
        by_field.limit = 1000;
        CHECK(id_set(searcher.search(by_field)) == ids);
    }
    CHECK(searcher.document_count() == articles);
}

TEST_CASE("facets count the whole match set, not just the page") {
    TempDir dir;
    const auto db = index(dir, {(wiredesk::test::source_dir() / "corpus").string()},
                          {"--exclude=malformed", "--exclude=README.md"});
    const search::Searcher searcher({db});
    search::Request request;
    request.group = search::GroupLevel::kNone;  // report-level behaviour
    request.query = "the OR la OR der OR и";
    request.limit = 1;
    const auto response = searcher.search(request);
    REQUIRE(response.total > 10);
    REQUIRE(response.facets);
    const auto& facets = *response.facets;
    CHECK(facets.exact);
    std::size_t sources = facets.other_sources + facets.unknown_source;
    for (const auto& value : facets.sources) sources += value.count;
    CHECK(sources == response.total);
    std::size_t languages = 0;
    for (const auto& value : facets.languages) languages += value.count;
    CHECK(languages == response.total);
    CHECK(facets.languages.size() >= 3);
    std::size_t dated = facets.dates.undated;
    for (const auto& bucket : facets.dates.buckets) dated += bucket.count;
    CHECK(dated == response.total);
    CHECK(response.results.size() == 1);

    SUBCASE("top N sources and other") {
        request.facet_top_sources = 2;
        const auto top = searcher.search(request);
        CHECK(top.facets->sources.size() == 2);
        CHECK(top.facets->other_source_values > 0);
    }
    SUBCASE("a chosen bucket") {
        request.date_bucket = search::DateBucket::kMonth;
        const auto months = searcher.search(request);
        CHECK(months.facets->dates.bucket == search::DateBucket::kMonth);
        CHECK(months.facets->dates.buckets.front().value.size() == 7);  // 2026-01
    }
}

TEST_CASE("fast counting marks the total or the facets as estimates") {
    TempDir dir;
    // Strong matches first, then many weak ones: once the page is full of strong matches
    // Xapian can skip the weak ones, so a bounded count must say it is an estimate.
    std::string lines;
    for (int i = 0; i < 40; ++i) {
        lines += article("s" + std::to_string(i), "Harbour harbour",
                         "Harbour harbour harbour. Cranes.", "2026-01-" + fmt_two(i % 28 + 1),
                         i % 2 ? "AFP" : "Reuters");
    }
    for (int i = 0; i < 400; ++i) {
        lines += article("w" + std::to_string(i), "Weather " + std::to_string(i),
                         "Cranes stood still in the wind and the rain for many long hours.",
                         "2026-02-" + fmt_two(i % 28 + 1), "dpa");
    }
    write_file(dir / "in" / "a.jsonl", lines);
    const search::Searcher searcher({index(dir, {(dir / "in").string()})});
    search::Request request;
    request.group = search::GroupLevel::kNone;  // report-level behaviour
    request.query = "harbour OR cranes";
    request.limit = 5;
    request.exact_counts = true;
    const auto exact = searcher.search(request);
    CHECK(exact.total == 440);
    CHECK(exact.total_exact);
    CHECK(exact.facets->exact);
    std::size_t sources = 0;
    for (const auto& value : exact.facets->sources) sources += value.count;
    CHECK(sources == 440);

    request.exact_counts = false;
    request.check_at_least = 10;
    const auto fast = searcher.search(request);
    REQUIRE(fast.facets);
    CHECK_FALSE(fast.facets->exact);
    CHECK(ids_of(fast) == ids_of(exact));  // the page itself is the same
}

TEST_CASE("a headline match ranks above a body match (BM25, headline weighted)") {
    TempDir dir;
    write_file(dir / "in" / "a.jsonl",
               article("body", "Port news", "Cranes idle. The strike at the port continues.") +
                   article("head", "Strike at the port", "Cranes idle. Work continues slowly."));
    const search::Searcher searcher({index(dir, {(dir / "in").string()})});
    CHECK(ids_of(find(searcher, "strike")) == std::vector<std::string>{"head", "body"});
}

TEST_CASE("an exact spelling ranks a little above its variant") {
    TempDir dir;
    write_file(dir / "in" / "a.jsonl",
               article("variant", "Statement", "Zelenskyy spoke to reporters on Monday.") +
                   article("exact", "Statement", "Zelensky spoke to reporters on Monday."));
    const search::Searcher searcher({index(dir, {(dir / "in").string()})});
    const auto response = find(searcher, "zelensky");
    REQUIRE(response.results.size() == 2);
    CHECK(response.results[0].id == "exact");
    CHECK(response.results[0].score > response.results[1].score);
    CHECK(response.results[1].score > 0.5 * response.results[0].score);
}

TEST_CASE("automatic folding keeps a different name apart: Zelenska is not Zelensky") {
    TempDir dir;
    write_file(dir / "in" / "a.jsonl",
               article("wife", "Visit", "Olena Zelenska visited a school.") +
                   article("him", "Visit", "Zelenskiy visited a school."));
    const search::Searcher searcher({index(dir, {(dir / "in").string()})});
    CHECK(id_set(find(searcher, "zelensky")) == std::set<std::string>{"him"});
    CHECK(id_set(find(searcher, "zelenska")) == std::set<std::string>{"wife"});
}

TEST_CASE("sort orders: newest, oldest (undated last both ways) and recency") {
    TempDir dir;
    write_file(dir / "in" / "a.jsonl",
               article("old", "Ferry", "The ferry sailed.", "2025-01-10") +
                   article("undated", "Ferry", "The ferry sailed.") +
                   article("new", "Ferry", "The ferry sailed.", "2026-02-10") +
                   article("mid", "Ferry", "The ferry sailed.", "2026-01-10"));
    const search::Searcher searcher({index(dir, {(dir / "in").string()})});
    search::Request request;
    request.group = search::GroupLevel::kNone;  // report-level behaviour
    request.query = "ferry";
    request.sort = search::SortOrder::kNewest;
    CHECK(ids_of(searcher.search(request)) ==
          std::vector<std::string>{"new", "mid", "old", "undated"});
    request.sort = search::SortOrder::kOldest;
    CHECK(ids_of(searcher.search(request)) ==
          std::vector<std::string>{"old", "mid", "new", "undated"});
    request.sort = search::SortOrder::kRecency;
    request.recency_half_life_days = 14;
    const auto recency = searcher.search(request);
    CHECK(ids_of(recency).front() == "new");
    CHECK(recency.results[0].score > recency.results[1].score);
}

TEST_CASE("pagination is stable: pages put together are the full list") {
    TempDir dir;
    std::string lines;
    for (int i = 0; i < 25; ++i) {
        lines += article("p" + std::to_string(i), "Storm " + std::to_string(i),
                         std::string(static_cast<std::size_t>(i % 5 + 1), 'x') + " storm warning");
    }
    write_file(dir / "in" / "a.jsonl", lines);
    const search::Searcher searcher({index(dir, {(dir / "in").string()})});
    search::Request request;
    request.group = search::GroupLevel::kNone;  // report-level behaviour
    request.query = "storm";
    request.limit = 25;
    const auto all = ids_of(searcher.search(request));
    REQUIRE(all.size() == 25);
    std::vector<std::string> paged;
    request.limit = 7;
    for (request.offset = 0; request.offset < 25; request.offset += 7) {
        const auto page = searcher.search(request);
        CHECK(page.total == 25);
        CHECK(page.results.front().rank == request.offset + 1);
        for (const auto& id : ids_of(page)) paged.push_back(id);
    }
    CHECK(paged == all);
}

TEST_CASE("did you mean: a misspelt word is corrected from the archive's own words") {
    TempDir dir;
    write_file(dir / "in" / "a.jsonl",
               article("n", "Negotiations", "Negotiations in Abu Dhabi continued."));
    const search::Searcher searcher({index(dir, {(dir / "in").string()})});
    const auto response = find(searcher, "negotiatons abu");
    CHECK(response.total == 0);
    REQUIRE(response.suggestion);
    CHECK(*response.suggestion == "negotiations abu");
    CHECK_FALSE(find(searcher, "negotiations").suggestion);
}

TEST_CASE("did you mean leaves alone a word the archive has only in another form") {
    TempDir dir;
    // "zelensky" is only here as "Zelensky's"; "Zelenskyy" is a frequent spelling nearby.
    write_file(dir / "in" / "a.jsonl",
               article("a", "Talks", "Zelensky's envoy arrived.") +
                   article("b", "Grid", "Zelenskyy spoke. Zelenskyy left. Zelenskyy returned."));
    const search::Searcher searcher({index(dir, {(dir / "in").string()})});
    const auto response = find(searcher, "zelensky");
    CHECK(response.total >= 1);
    CHECK_FALSE(response.suggestion);
}

TEST_CASE("results carry id, headline, source, date, URL or path, snippet and score") {
    TempDir dir;
    write_file(dir / "in" / "a.jsonl",
               article("r1", "Flood warning in Valencia", "Rain fell on Valencia all night.",
                       "2026-01-20T08:00:00Z", "Iberia Today", "es"));
    const search::Searcher searcher({index(dir, {(dir / "in").string()})});
    const auto response = find(searcher, "valencia");
    REQUIRE(response.results.size() == 1);
    const auto& hit = response.results[0];
    CHECK(hit.id == "r1");
    CHECK(hit.title == "Flood warning in Valencia");
    CHECK(hit.source == "Iberia Today");
    CHECK(hit.date == "2026-01-20");
    CHECK(hit.language == "es");
    CHECK_FALSE(hit.path.empty());
    CHECK(search::mark_highlights(hit.snippet, hit.snippet_highlights, "[", "]") ==
          "Rain fell on [Valencia] all night.");
    CHECK(search::mark_highlights(hit.title, hit.title_highlights, "[", "]") ==
          "Flood warning in [Valencia]");
    CHECK(hit.score > 0);
}

TEST_CASE("bad input gives a clear message, never a crash or a hang") {
    TempDir dir;
    write_file(dir / "in" / "a.jsonl", article("x", "Title", "Some text about ports."));
    const auto db = index(dir, {(dir / "in").string()});
    const search::Searcher searcher({db});

    SUBCASE("empty query") {
        CHECK_THROWS_WITH_AS(find(searcher, "  "), doctest::Contains("empty query"),
                             wiredesk::QueryError);
    }
    SUBCASE("a 100 KB query") {
        const auto start = std::chrono::steady_clock::now();
        CHECK_THROWS_WITH_AS(find(searcher, std::string(100 * 1024, 'a')),
                             doctest::Contains("limit"), wiredesk::QueryError);
        std::string words;
        while (words.size() < 15 * 1024) words += "ports text ";
        CHECK(find(searcher, words).total == 1);  // under the byte limit: words capped
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    }
    SUBCASE("a wildcard matching much of the vocabulary") {
        const auto response = find(searcher, "s*");
        CHECK(response.total == 1);
    }
    SUBCASE("a reversed date range") {
        CHECK(has_warning(find(searcher, "ports date:2026-02-01..2026-01-01"), "reversed"));
        search::Request request;
        request.group = search::GroupLevel::kNone;  // report-level behaviour
        request.query = "ports";
        request.since = "2026-02-01";
        request.until = "2026-01-01";
        CHECK(has_warning(searcher.search(request), "swapped"));
    }
    SUBCASE("an unknown prefix") {
        CHECK(has_warning(find(searcher, "colour:red ports"), "unknown field 'colour:'"));
    }
    SUBCASE("a --since that is not a date") {
        search::Request request;
        request.group = search::GroupLevel::kNone;  // report-level behaviour
        request.query = "ports";
        request.since = "last tuesday";
        CHECK_THROWS_AS((void)searcher.search(request), wiredesk::QueryError);
    }
    SUBCASE("a missing database") {
        CHECK_THROWS_WITH_AS(search::Searcher({(dir / "nope.db").string()}),
                             doctest::Contains("nope.db"), wiredesk::DatabaseError);
    }
    SUBCASE("a directory that is not a database") {
        fs::create_directories(dir / "plain");
        write_file(dir / "plain" / "notes.txt", "not a database");
        CHECK_THROWS_WITH_AS(search::Searcher({(dir / "plain").string()}),
                             doctest::Contains("plain"), wiredesk::DatabaseError);
    }
    SUBCASE("a database of another schema version") {
        {
            Xapian::WritableDatabase foreign((dir / "foreign.db").string(), Xapian::DB_CREATE);
            foreign.add_document(Xapian::Document());
            foreign.set_metadata("wiredesk:schema", "999");
            foreign.commit();
        }
        CHECK_THROWS_WITH_AS(search::Searcher({(dir / "foreign.db").string()}),
                             doctest::Contains("schema version 999"), wiredesk::SchemaMismatch);
    }
}

TEST_CASE("several databases are searched as one") {
    TempDir one;
    TempDir two;
    write_file(one / "in" / "a.jsonl", article("one", "Tram strike", "Trams stopped."));
    write_file(two / "in" / "b.jsonl", article("two", "Tram fares", "Trams cost more."));
    const search::Searcher searcher(
        {index(one, {(one / "in").string()}), index(two, {(two / "in").string()})});
    CHECK(id_set(find(searcher, "trams")) == std::set<std::string>{"one", "two"});
}

TEST_CASE("threads search while an indexer commits, and new articles show without a restart") {
    TempDir dir;
    write_file(dir / "in" / "batch0" / "a.jsonl", article("b0", "Bridge", "The bridge opened."));
    const auto db = index(dir, {(dir / "in").string()});
    const search::Searcher searcher({db});
    REQUIRE(find(searcher, "bridge").total == 1);

    std::atomic<bool> indexing{true};
    std::atomic<int> failures{0};
    std::atomic<int> searches{0};
    std::thread indexer([&] {
        for (int batch = 1; batch <= 4; ++batch) {
            std::string lines;
            for (int i = 0; i < 50; ++i) {
                lines += article("b" + std::to_string(batch) + "-" + std::to_string(i),
                                 "Bridge " + std::to_string(i), "The bridge carries traffic.");
            }
            write_file(dir / "in" / ("batch" + std::to_string(batch)) / "a.jsonl", lines);
            const auto result = run(bin_dir() / "wiredesk-index",
                                    {"--db", db, "--quiet", "--batch", "10", (dir / "in").string()});
            if (result.exit_code != 0) ++failures;
        }
        indexing = false;
    });
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t) {
        readers.emplace_back([&] {
            std::size_t last = 0;
            while (indexing) {
                try {
                    const auto response = find(searcher, "bridge", 5);
                    // Commits only add: a reader never sees the count go down.
                    if (response.total < last) ++failures;
                    last = response.total;
                    ++searches;
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    }
    indexer.join();
    for (auto& reader : readers) reader.join();
    CHECK(failures == 0);
    CHECK(searches > 0);
    CHECK(find(searcher, "bridge").total == 201);
    CHECK(searcher.document_count() == 201);
}
