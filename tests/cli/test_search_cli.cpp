// wiredesk-search as a script sees it: the --json schema, --dump, plain-text output and the
// documented exit codes.

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using wiredesk::test::bin_dir;
using wiredesk::test::run;
using wiredesk::test::TempDir;
using wiredesk::test::write_file;

namespace {

constexpr int kExitResults = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadQuery = 2;
constexpr int kExitNoResults = 3;

/// A three-article archive indexed with wiredesk-index.
struct Archive {
    TempDir dir;
    std::string db = (dir / "news.db").string();

    Archive() {
        write_file(dir / "in" / "a.jsonl",
                   R"({"id": "a1", "title": "Peace talks in Abu Dhabi", "text": "Ukraine and Russia held peace talks in Abu Dhabi.", "date": "2026-01-24", "source": "AFP", "url": "https://afp.example/a1", "lang": "en"})"
                   "\n"
                   R"({"id": "a2", "title": "Talks resume", "text": "The talks resumed in February.", "date": "2026-02-04", "source": "Reuters", "lang": "en"})"
                   "\n"
                   R"({"id": "a3", "title": "Hafen", "text": "Der Hafen von Rotterdam steht still.", "source": "dpa", "lang": "de"})"
                   "\n");
        const auto result =
            run(bin_dir() / "wiredesk-index", {"--db", db, "--quiet", (dir / "in").string()});
        REQUIRE(result.exit_code == 0);
    }

    [[nodiscard]] wiredesk::test::CommandResult search(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--db", db});
        return run(bin_dir() / "wiredesk-search", args);
    }
};

}  // namespace

TEST_CASE("--json prints one object with the documented schema") {
    Archive archive;
    const auto result = archive.search({"--json", "talks"});
    REQUIRE(result.exit_code == kExitResults);
    const json out = json::parse(result.out);
    CHECK(out["query"] == "talks");
    CHECK(out["total"] == 2);
    CHECK(out["total_exact"] == true);
    CHECK(out["offset"] == 0);
    CHECK(out["limit"] == 10);
    REQUIRE(out["results"].is_array());
    REQUIRE(out["results"].size() == 2);
    for (const auto& hit : out["results"]) {
        for (const char* key : {"id", "title", "source", "url", "path", "lang", "snippet",
                                "snippet_html"}) {
            CAPTURE(key);
            CHECK(hit[key].is_string());
        }
        CHECK((hit["date"].is_string() || hit["date"].is_null()));
        CHECK(hit["score"].is_number());
        CHECK(hit["rank"].is_number_integer());
        CHECK(hit["highlights"].is_array());
        CHECK(hit["title_highlights"].is_array());
    }
    const auto& first = out["results"][0]["id"] == "a1" ? out["results"][0] : out["results"][1];
    CHECK(first["id"] == "a1");
    CHECK(first["date"] == "2026-01-24");
    CHECK(first["url"] == "https://afp.example/a1");
    CHECK(first["snippet_html"].get<std::string>().find("<mark>talks</mark>") != std::string::npos);
    const auto range = first["highlights"][0];
    const std::string snippet = first["snippet"];
    CHECK(snippet.substr(range[0].get<std::size_t>(),
                         range[1].get<std::size_t>() - range[0].get<std::size_t>()) == "talks");

    const auto& facets = out["facets"];
    CHECK(facets["exact"] == true);
    CHECK(facets["sources"].size() == 2);
    CHECK(facets["sources"][0]["count"] == 1);
    CHECK(facets["other_sources"]["count"] == 0);
    CHECK(facets["languages"][0] == json({{"lang", "en"}, {"count", 2}}));
    CHECK(facets["dates"]["bucket"] == "day");
    CHECK(facets["dates"]["first"] == "2026-01-24");
    CHECK(facets["dates"]["buckets"].size() == 12);  // 2026-01-24 .. 2026-02-04
    CHECK(facets["dates"]["undated"] == 0);
    CHECK(out["suggestion"].is_null());
    CHECK(out["warnings"].is_array());
    CHECK(out["timing"]["total_ms"].is_number());
}

TEST_CASE("--json carries warnings and the suggestion") {
    Archive archive;
    const auto result = archive.search({"--json", "tlaks", "foo:bar"});
    CHECK(result.exit_code == kExitNoResults);
    const json out = json::parse(result.out);
    CHECK(out["total"] == 0);
    CHECK(out["suggestion"] == "talks foo:bar");
    CHECK(out["warnings"][0].get<std::string>().find("unknown field") != std::string::npos);
}

TEST_CASE("exit codes: 0 with results, 3 without, 2 for a bad query, 1 for a bad database") {
    Archive archive;
    CHECK(archive.search({"rotterdam"}).exit_code == kExitResults);
    CHECK(archive.search({"zanzibar"}).exit_code == kExitNoResults);

    const auto empty = archive.search({""});
    CHECK(empty.exit_code == kExitBadQuery);
    CHECK(empty.err.find("empty query") != std::string::npos);
    CHECK(archive.search({}).exit_code == kExitBadQuery);

    const auto huge = archive.search({std::string(100 * 1024, 'x')});
    CHECK(huge.exit_code == kExitBadQuery);
    CHECK(huge.err.find("limit") != std::string::npos);

    const auto since = archive.search({"talks", "--since", "soon"});
    CHECK(since.exit_code == kExitBadQuery);

    const auto missing = run(bin_dir() / "wiredesk-search",
                             {"--db", (archive.dir / "missing.db").string(), "talks"});
    CHECK(missing.exit_code == kExitFailure);
    CHECK(missing.err.find("missing.db") != std::string::npos);
    CHECK(missing.out.empty());

    fs::create_directories(archive.dir / "foreign");
    write_file(archive.dir / "foreign" / "x.txt", "x");
    const auto foreign = run(bin_dir() / "wiredesk-search",
                             {"--db", (archive.dir / "foreign").string(), "talks"});
    CHECK(foreign.exit_code == kExitFailure);
    CHECK(foreign.err.find("foreign") != std::string::npos);

    // A malformed query is not an error.
    CHECK(archive.search({"(talks AND"}).exit_code == kExitResults);
}

TEST_CASE("filters as options and in the query agree") {
    Archive archive;
    const auto in_query = json::parse(archive.search({"--json", "talks source:Reuters"}).out);
    const auto as_option = json::parse(archive.search({"--json", "--source", "Reuters", "talks"}).out);
    CHECK(in_query["total"] == 1);
    CHECK(as_option["total"] == 1);
    CHECK(as_option["results"][0]["id"] == "a2");
    const auto dated = json::parse(
        archive.search({"--json", "--since", "2026-02-01", "--until", "2026-02-28", "talks"}).out);
    CHECK(dated["total"] == 1);
    const auto filter_only = archive.search({"--json", "--lang", "de"});
    CHECK(filter_only.exit_code == kExitResults);
    CHECK(json::parse(filter_only.out)["results"][0]["id"] == "a3");
}

TEST_CASE("--dump writes one JSON line per indexed article") {
    Archive archive;
    const auto result = archive.search({"--dump"});
    REQUIRE(result.exit_code == kExitResults);
    std::istringstream lines(result.out);
    std::set<std::string> ids;
    for (std::string line; std::getline(lines, line);) {
        const json article = json::parse(line);
        for (const char* key : {"id", "title", "source", "url", "lang"}) {
            CAPTURE(key);
            CHECK(article.contains(key));
        }
        CHECK(article.contains("date"));
        ids.insert(article["id"]);
    }
    CHECK(ids == std::set<std::string>{"a1", "a2", "a3"});
}

TEST_CASE("text output: headline, source, date, marked snippet, no colour in a pipe") {
    Archive archive;
    const auto result = archive.search({"--group", "none", "rotterdam"});
    REQUIRE(result.exit_code == kExitResults);
    CHECK(result.out.find("1 match for rotterdam") != std::string::npos);
    CHECK(result.out.find("Hafen") != std::string::npos);
    CHECK(result.out.find("dpa · undated · de") != std::string::npos);
    CHECK(result.out.find("[Rotterdam]") != std::string::npos);
    CHECK(result.out.find("Sources: dpa 1") != std::string::npos);
    CHECK(result.out.find('\033') == std::string::npos);
    const auto coloured = archive.search({"--color", "always", "rotterdam"});
    CHECK(coloured.out.find('\033') != std::string::npos);
}

TEST_CASE("--variants adds a user's spellings") {
    Archive archive;
    write_file(archive.dir / "variants.txt", "hafen, harbour\n");
    CHECK(archive.search({"harbour"}).exit_code == kExitNoResults);
    CHECK(archive.search({"--variants", (archive.dir / "variants.txt").string(), "harbour"})
              .exit_code == kExitResults);
}

TEST_CASE("the example program embeds the library") {
    Archive archive;
    const auto result = run(bin_dir() / "wiredesk-search-example", {archive.db, "abu dhabi"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("1 matches") != std::string::npos);
    CHECK(result.out.find("[Abu] [Dhabi]") != std::string::npos);
}

namespace {

/// corpus/ indexed with wiredesk-index (its wire-copy groups: corpus/README.md).
struct CorpusArchive {
    TempDir dir;
    std::string db = (dir / "news.db").string();

    CorpusArchive() {
        const auto result = run(bin_dir() / "wiredesk-index",
                                {"--db", db, "--quiet", (wiredesk::test::source_dir() / "corpus").string(),
                                 "--exclude", "malformed", "--exclude", "README.md"});
        REQUIRE(result.exit_code == 0);
    }

    [[nodiscard]] wiredesk::test::CommandResult search(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--db", db, "--no-facets"});
        return run(bin_dir() / "wiredesk-search", args);
    }
};

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

const char* const kAfpHeadline = "Rotterdam dockworkers strike over pay, halting container traffic";
const char* const kMetroHeadline = "Rotterdam strike: 38 ships stuck as dockers demand 6 percent raise";

}  // namespace

TEST_CASE("--group copy shows the AFP copies once with a group line, and --group none shows them all") {
    CorpusArchive archive;
    const auto none = archive.search({"--group", "none", "--limit", "50", "rotterdam strike"});
    REQUIRE(none.exit_code == kExitResults);
    // Hit titles come with the query's words marked: [Rotterdam] [strike]...
    std::string unmarked = none.out;
    std::erase_if(unmarked, [](char c) { return c == '[' || c == ']'; });
    CHECK(unmarked.find(kMetroHeadline) != std::string::npos);
    CHECK(unmarked.find(kAfpHeadline) != std::string::npos);
    CHECK(none.out.find("also in") == std::string::npos);

    const auto copy = archive.search({"--group", "copy", "--limit", "50", "rotterdam strike"});
    REQUIRE(copy.exit_code == kExitResults);
    CHECK(copy.out.find("copy groups (") != std::string::npos);
    // One line names the group: its size, the earliest report (AFP) and other outlets.
    CHECK(count_of(copy.out, "6 copies") == 1);
    CHECK(copy.out.find("AFP, 10 Feb 2026") != std::string::npos);
    CHECK(copy.out.find("other outlets") != std::string::npos);
    CHECK(count_of(copy.out, "score") + 5 == count_of(none.out, "score"));

    // story is the default.
    const auto story = archive.search({"--limit", "50", "rotterdam strike"});
    CHECK(story.out.find("stories (") != std::string::npos);
}

TEST_CASE("--expand lists each shown group's members under its hit, earliest first") {
    CorpusArchive archive;
    const auto result =
        archive.search({"--group", "copy", "--expand", "--limit", "1", "rotterdam strike"});
    REQUIRE(result.exit_code == kExitResults);
    const auto afp = result.out.find(std::string("2026-02-10 · AFP · ") + kAfpHeadline);
    const auto metro = result.out.find(kMetroHeadline);
    REQUIRE(afp != std::string::npos);
    REQUIRE(metro != std::string::npos);
    CHECK(afp < metro);  // AFP's original is the earliest report
    // All six members, the hit itself marked with '*'.
    CHECK(count_of(result.out, "\n       - ") == 5);
    CHECK(count_of(result.out, "\n       * ") == 1);
}

TEST_CASE("--json gives each hit its group block, and --expand adds the members") {
    CorpusArchive archive;
    const auto result = archive.search(
        {"--json", "--group", "copy", "--expand", "--limit", "50", "rotterdam strike"});
    REQUIRE(result.exit_code == kExitResults);
    const json out = json::parse(result.out);
    CHECK(out["group"] == "copy");
    CHECK(out["total"] == out["results"].size());
    CHECK(out["total_reports"].get<int>() >= out["total"].get<int>() + 5);
    int large = 0;
    for (const auto& hit : out["results"]) {
        REQUIRE(hit.contains("group"));
        if (!hit["group"].is_object()) continue;
        const json& group = hit["group"];
        CHECK(group["level"] == "copy");
        CHECK(group["id"].get<std::string>().size() == 16);
        CHECK(group["members"].size() == group["size"]);
        CHECK(group["earliest"]["id"] == group["members"][0]["id"]);
        CHECK(group["other_outlet_count"].get<std::size_t>() >= group["other_outlets"].size());
        CHECK(group["is_earliest"] == (group["earliest"]["id"] == hit["id"]));
        if (group["size"] == 6) {
            ++large;
            CHECK(group["earliest"]["source"] == "AFP");
            CHECK(group["earliest"]["title"] == kAfpHeadline);
            CHECK(group["earliest"]["date"] == "2026-02-10");
        }
    }
    CHECK(large == 1);
}

TEST_CASE("--dump gives each article's copy_group and story_group") {
    CorpusArchive archive;
    const auto result = archive.search({"--dump"});
    REQUIRE(result.exit_code == kExitResults);
    std::istringstream lines(result.out);
    std::map<std::string, int> copy_sizes;
    int articles = 0;
    for (std::string line; std::getline(lines, line);) {
        const json article = json::parse(line);
        REQUIRE(article.contains("copy_group"));
        REQUIRE(article.contains("story_group"));
        ++articles;
        if (article["copy_group"].is_string()) ++copy_sizes[article["copy_group"]];
    }
    CHECK(articles == 53);
    std::multiset<int> sizes;
    for (const auto& [group, size] : copy_sizes) sizes.insert(size);
    CHECK(sizes.count(6) == 1);  // the AFP Rotterdam strike
    CHECK(sizes.count(4) == 1);  // the AP chess championship
}
