#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include <xapian.h>

#include "index_helpers.hpp"
#include "test_support.hpp"
#include "wiredesk/common/schema.hpp"

using wiredesk::test::index_into;
using wiredesk::test::source_dir;
using wiredesk::test::stored_articles;
using wiredesk::test::TempDir;

namespace {

/// The bundled sample corpus, as the demo indexes it.
wiredesk::test::IndexRun index_sample_corpus(const std::string& db) {
    wiredesk::indexer::IndexOptions options;
    options.excludes = {"malformed", "README.md"};
    return index_into(db, {(source_dir() / "corpus").string()}, options);
}

std::string corpus_path(const std::string& relative) {
    return (source_dir() / "corpus" / relative).string();
}

const wiredesk::Article& by_path(const std::map<std::string, wiredesk::Article>& articles,
                                 const std::string& path) {
    for (const auto& [id, article] : articles) {
        if (article.path == path) return article;
    }
    FAIL("no article from " << path);
    throw;  // unreachable: FAIL throws
}

}  // namespace

TEST_CASE("the sample corpus indexes every file with no problems") {
    TempDir dir;
    const auto run = index_sample_corpus((dir / "db").string());
    for (const auto& problem : run.problems) MESSAGE(problem);
    CHECK(run.problems.empty());
    CHECK(run.summary.files_failed == 0);
    CHECK(run.summary.articles_added >= 40);
    CHECK(run.summary.files_seen == run.summary.files_new);

    // Every format contributed, the no-extension HTML page and the gzip files included.
    const auto articles = stored_articles((dir / "db").string());
    std::set<std::string> paths;
    for (const auto& [id, article] : articles) paths.insert(article.path);
    for (const char* file : {"web/saved_page", "web/meridian_post_rotterdam_walkout.html.gz",
                             "wire/polar_ice_core.txt.gz", "feeds/archive_2025.jsonl.gz",
                             "feeds/briefs.json", "feeds/newsdesk.jsonl", "intl/zh_shenzhen_expo.txt"}) {
        CHECK_MESSAGE(paths.count(corpus_path(file)) == 1, file);
    }
}

TEST_CASE("the sample corpus spans the languages we analyze, each detected") {
    TempDir dir;
    index_sample_corpus((dir / "db").string());
    Xapian::Database database((dir / "db").string());
    for (const char* language : {"en", "ru", "uk", "de", "fr", "es", "zh", "ja"}) {
        CHECK_MESSAGE(database.get_termfreq(std::string("L") + language) >= 1, language);
    }
    CHECK(database.get_termfreq("Lru") == 2);
    CHECK(database.get_termfreq("Luk") >= 2);
    // Folded, stemmed Russian and accent-free German terms exist for queries to meet.
    CHECK(database.term_exists("zurich"));
    CHECK(database.term_exists("казани"));
}

TEST_CASE("HTML pages index the article, not scripts, styles, comments or navigation") {
    TempDir dir;
    index_sample_corpus((dir / "db").string());
    Xapian::Database database((dir / "db").string());
    CHECK_FALSE(database.term_exists("xyzzyscript"));
    CHECK_FALSE(database.term_exists("xyzzystyle"));
    CHECK_FALSE(database.term_exists("xyzzycomment"));
    const auto articles = stored_articles((dir / "db").string());
    const auto& page = by_path(articles, corpus_path("web/saved_page"));
    CHECK(page.source == "Iberia Today");
    CHECK(page.url.rfind("https://www.iberiatoday.com/", 0) == 0);
    CHECK(page.id == page.url);  // no id of its own: the URL is the id
    CHECK(page.date);
}

TEST_CASE("metadata falls back: source from the URL's host, undated stays undated") {
    TempDir dir;
    index_sample_corpus((dir / "db").string());
    const auto articles = stored_articles((dir / "db").string());
    CHECK(articles.at("pag-2026-02-20-cycle").source == "portashbygazette.co.uk");
    const auto& storm = by_path(articles, corpus_path("wire/galway_storm.txt"));
    CHECK_FALSE(storm.date);
    CHECK(storm.source.empty());
    CHECK(storm.title.find("Storm Fionnuala") == 0);
    CHECK(storm.id == corpus_path("wire/galway_storm.txt"));  // no id, no URL: the path
    Xapian::Database database((dir / "db").string());
    CHECK(database.get_termfreq("XUNDATED") == 2);
}

TEST_CASE("dates in every form the sample feeds use are stored in UTC") {
    TempDir dir;
    index_sample_corpus((dir / "db").string());
    Xapian::Database database((dir / "db").string());
    // aggregator_export.jsonl: "2026-01-25T09:15:00+04:00" is 05:15 UTC on the 25th.
    const auto articles = stored_articles((dir / "db").string());
    for (const auto& entry : articles) {
        // Not a structured binding: clang 14 cannot capture one (CHECK_MESSAGE's lambda).
        const auto& article = entry.second;
        if (article.path != corpus_path("feeds/aggregator_export.jsonl")) continue;
        CHECK_MESSAGE(article.date, "line " << article.line.value_or(0));
        if (article.line == std::optional<std::size_t>(1)) {
            CHECK(wiredesk::format_iso8601(*article.date) == "2026-01-25T05:15:00Z");
        }
    }
    CHECK(database.get_termfreq("D20260210") >= 5);  // the AFP Rotterdam copies
    CHECK(database.get_termfreq("M202602") >= 15);
}

TEST_CASE("the malformed inputs are each reported with path, line and reason, the rest indexed") {
    TempDir dir;
    const auto run = index_into((dir / "db").string(), {corpus_path("malformed")});
    const auto has = [&](const std::string& prefix, const std::string& reason) {
        return std::any_of(run.problems.begin(), run.problems.end(), [&](const std::string& p) {
            return p.rfind(corpus_path("malformed/") + prefix, 0) == 0 &&
                   p.find(reason) != std::string::npos;
        });
    };
    CHECK(has("binary.bin: ", "not an article format"));
    CHECK(has("empty.txt: ", "empty file"));
    CHECK(has("invalid_utf8.txt:7: ", "invalid UTF-8"));
    CHECK(has("truncated.jsonl.gz: ", "truncated gzip"));
    CHECK(has("bad_lines.jsonl:2: ", "malformed JSON"));
    CHECK(has("bad_lines.jsonl:4: ", "impossible date '2026-02-30'"));
    CHECK(has("bad_lines.jsonl:5: ", "malformed JSON"));
    CHECK(has("no_text.json", "no title or text field"));
    CHECK(has("bad_date.html: ", "no month 13"));
    CHECK(run.summary.problems == run.problems.size());
    // bad_lines.jsonl lines 1, 3 and 6 are good articles.
    CHECK(run.summary.articles_added == 3);
}

TEST_CASE("the Abu Dhabi seeds index with their metadata line, headlines and bodies") {
    const auto shared = wiredesk::test::require_shared("indexing ../shared/seeds");
    TempDir dir;
    const auto run = index_into((dir / "db").string(), {(shared / "seeds").string()});
    CHECK(run.problems.empty());
    CHECK(run.summary.articles_added == 4);
    const auto articles = stored_articles((dir / "db").string());
    const auto seed = [&](const std::string& prefix) -> const wiredesk::Article& {
        for (const auto& [id, article] : articles) {
            if (std::filesystem::path(article.path).filename().string().rfind(prefix, 0) == 0) return article;
        }
        FAIL("no seed " << prefix);
        throw;
    };
    const auto& etv = seed("001_");
    CHECK(etv.source == "ETV Bharat");
    REQUIRE(etv.date);
    CHECK(wiredesk::format_yyyymmdd(*etv.date) == "20260125");
    CHECK(etv.title == "US Says Russia, Ukraine Took 'Big Step', Will Meet Again Next Week");
    CHECK(seed("000_").title.empty());
    CHECK_FALSE(seed("000_").date);
    CHECK(seed("003_").title.rfind("Russia, Ukraine hold US-brokered peace talks in Abu Dhabi", 0) == 0);
    Xapian::Database database((dir / "db").string());
    CHECK(database.get_termfreq("dhabi") == 4);
    CHECK(database.get_termfreq("Len") == 4);
    CHECK(database.get_termfreq("Ztalk") == 4);  // "talks" stems to "talk" in every seed
}
