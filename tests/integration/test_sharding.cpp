// Sharded archives (docs/SCALING.md): one database per period behind a stub, written by the
// indexer as one, searched as one. The pin: an archive answers exactly as one database holding
// the same articles would, and incremental runs, moves, size caps and compaction keep it so.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "index_helpers.hpp"
#include "test_support.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/indexer/archive.hpp"
#include "wiredesk/searcher/json.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace fs = std::filesystem;
namespace indexer = wiredesk::indexer;
namespace search = wiredesk::searcher;
using wiredesk::test::bin_dir;
using wiredesk::test::index_into;
using wiredesk::test::TempDir;

namespace {

indexer::IndexOptions sharded(indexer::ShardBy by, std::size_t max_articles = 0) {
    indexer::IndexOptions options;
    options.shards.shard_by = by;
    options.shards.max_articles = max_articles;
    return options;
}

/// The shard names the archive's stub lists, in order.
std::vector<std::string> stub_lines(const fs::path& archive) {
    std::ifstream in(archive / "XAPIANDB");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}


/// Article id -> the shard holding it.
std::map<std::string, std::string> shard_of_each(const fs::path& archive) {
    std::map<std::string, std::string> where;
    for (const std::string& line : stub_lines(archive)) {
        const std::string name = line.substr(line.find(' ') + 1);
        Xapian::Database shard((archive / name).string());
        for (auto it = shard.postlist_begin(""); it != shard.postlist_end(""); ++it) {
            const auto data = nlohmann::json::parse(shard.get_document(*it).get_data());
            where[data.at("id").get<std::string>()] = name;
        }
    }
    return where;
}

/// A response as JSON without what may differ between two equal answers: timings, the
/// query's description (it names documents by position), and the order of hits of equal score
/// (Xapian breaks ties by document id, and ids are numbered per layout). Hits are kept in rank
/// order, with each run of equal scores sorted by id.
nlohmann::json comparable(const search::Response& response, bool scores = true) {
    nlohmann::json json = search::to_json(response);
    json.erase("timing");
    json.erase("query_description");
    auto& results = json.at("results");
    std::vector<nlohmann::json> hits(results.begin(), results.end());
    for (auto& hit : hits) {
        hit.erase("rank");
        if (!scores) hit["score"] = 0.0;
    }
    const auto key = [](const nlohmann::json& hit) {
        return std::llround(hit.at("score").get<double>() * 1e6);
    };
    std::stable_sort(hits.begin(), hits.end(), [&](const nlohmann::json& a, const nlohmann::json& b) {
        if (key(a) != key(b)) return key(a) > key(b);
        return a.at("id").get<std::string>() < b.at("id").get<std::string>();
    });
    // The page's last score may tie with hits beyond the page: which of them made the page
    // depends on ids. Those hits are compared by score only.
    const auto last = hits.empty() ? 0 : key(hits.back());
    for (auto& hit : hits) {
        if (response.results.size() == 10 && key(hit) == last) hit = {{"score_only", key(hit)}};
    }
    results = hits;
    return json;
}

/// The first @p count records of each shared corpus file named, as JSON Lines files in @p dir.
void write_shared_sample(const fs::path& shared, const fs::path& dir,
                         const std::vector<std::string>& names, std::size_t count) {
    for (const std::string& name : names) {
        wiredesk::test::write_file(dir / (name.substr(0, name.size() - 3)),
                                   wiredesk::test::gzip_head_lines(shared / "corpus" / name, count));
    }
}

std::string jsonl_article(const std::string& id, const std::string& date,
                          const std::string& title, const std::string& text) {
    return nlohmann::json{{"id", id}, {"date", date}, {"title", title}, {"text", text},
                          {"source", "Harbor Wire"}}
               .dump() +
           "\n";
}

const std::string kStrikeText =
    "Dock workers in Rotterdam walked out on Monday over pay, halting container traffic at "
    "Europe's largest port for the first time in a decade. The union said the strike would "
    "last at least three days unless the port operators improved their offer. Shipping lines "
    "diverted vessels to Antwerp and Hamburg while talks resumed at the city hall.";

}  // namespace

TEST_CASE("a month-sharded archive: one database per month, the stub lists meta first, each "
          "article in its month's shard") {
    TempDir dir;
    const fs::path archive = dir / "archive";
    const auto run = index_into(archive.string(), {wiredesk::test::source_dir() / "corpus"},
                                sharded(indexer::ShardBy::kMonth));
    REQUIRE(indexer::is_archive(archive.string()));
    const auto lines = stub_lines(archive);
    REQUIRE(lines.size() >= 3);
    CHECK(lines.front() == "auto meta");
    CHECK(Xapian::Database((archive / "meta").string()).get_doccount() == 0);

    const auto where = shard_of_each(archive);
    const auto stored = wiredesk::test::stored_articles(archive.string());
    CHECK(where.size() == stored.size());
    CHECK(stored.size() == run.summary.documents_total);
    std::size_t dated = 0;
    for (const auto& entry : stored) {
        // Not a structured binding: clang 14 (the sanitizer build) cannot capture one.
        const std::string& id = entry.first;
        const wiredesk::Article& article = entry.second;
        CAPTURE(id);
        REQUIRE(where.count(id) == 1);
        const std::string expected = indexer::shard_period(indexer::ShardBy::kMonth, article.date);
        CHECK(where.at(id) == expected);
        if (article.date) ++dated;
    }
    CHECK(dated > 0);
    CHECK(dated < stored.size());  // corpus/ has undated articles: they have a shard of their own
    std::size_t listed = 0;
    for (const auto& shard : run.summary.shards) listed += shard.articles;
    CHECK(listed == stored.size());
    wiredesk::test::check_holds_whole_files(archive.string());
}

TEST_CASE("a sharded archive answers as one database would: results, totals, facets, snippets, "
          "spelling and groups") {
    const auto shared = wiredesk::test::require_shared("comparing an archive with one database");
    TempDir dir;
    // Months of 1987 (Reuters), undated articles (BBC) and months of 2005-2011 (timeline17):
    // ten shards, with copies and stories across them.
    write_shared_sample(shared, dir / "input",
                        {"reuters21578.jsonl.gz", "bbc_fulltext.jsonl.gz", "timeline17.jsonl.gz"},
                        700);
    const std::string single = (dir / "single.db").string();
    const std::string archive = (dir / "archive").string();
    // Groups do not depend on where commits fall (docs/GROUPING.md): the single database is
    // written in one batch, the archive commits whenever a file opens new shards.
    const auto one = index_into(single, {(dir / "input").string()});
    const auto many = index_into(archive, {(dir / "input").string()}, sharded(indexer::ShardBy::kMonth));
    REQUIRE(one.problems.empty());
    REQUIRE(many.problems.empty());
    CHECK(many.summary.shards.size() >= 8);
    CHECK(many.summary.documents_total == one.summary.documents_total);

    // Grouping saw the same candidates: every article has the same copy and story group.
    const auto groups_single = wiredesk::test::article_groups(single);
    const auto groups_archive = wiredesk::test::article_groups(archive);
    REQUIRE(groups_single.size() == groups_archive.size());
    std::size_t differing = 0;
    for (const auto& [id, groups] : groups_single) {
        if (groups_archive.at(id) != groups) {
            ++differing;
            MESSAGE("groups differ for " << id);
        }
    }
    CHECK(differing == 0);

    search::Searcher from_single({single});
    search::Searcher from_archive({archive});
    const std::vector<std::string> queries = {
        "oil prices",       "\"interest rates\"", "bank OR dollar",   "title:election",
        "economy -china",   "stocks NEAR market", "footbal",          "tradde deficit",
        "date:1987-03-01..1987-04-30 wheat",      "source:reuters coffee",
    };
    for (const std::string& text : queries) {
        for (const auto group : {search::GroupLevel::kStory, search::GroupLevel::kCopy,
                                 search::GroupLevel::kNone}) {
            for (const auto counting :
                 {search::FacetCounting::kReports, search::FacetCounting::kGroups}) {
                search::Request request;
                request.query = text;
                request.group = group;
                request.facet_counting = counting;
                CAPTURE(text);
                CAPTURE(static_cast<int>(group));
                CAPTURE(static_cast<int>(counting));
                CHECK(comparable(from_archive.search(request)).dump(1) ==
                      comparable(from_single.search(request)).dump(1));
            }
        }
        search::Request newest;
        newest.query = text;
        newest.sort = search::SortOrder::kNewest;
        CAPTURE(text);
        CHECK(comparable(from_archive.search(newest)).dump(1) ==
              comparable(from_single.search(newest)).dump(1));
    }
    // A wildcard's words are weighed as one (OP_SYNONYM), whose statistics Xapian estimates
    // shard by shard: scores differ a little, what matches and every count do not.
    search::Request wildcard;
    wildcard.query = "minister resign*";
    wildcard.group = search::GroupLevel::kNone;
    wildcard.limit = 100;
    CHECK(comparable(from_archive.search(wildcard), false).dump(1) ==
          comparable(from_single.search(wildcard), false).dump(1));
    wildcard.group = search::GroupLevel::kStory;  // which member stands for a story may differ
    const auto archive_stories = from_archive.search(wildcard);
    const auto single_stories = from_single.search(wildcard);
    CHECK(archive_stories.total == single_stories.total);
    CHECK(archive_stories.total_reports == single_stories.total_reports);
    CHECK(search::to_json(archive_stories).at("facets") == search::to_json(single_stories).at("facets"));
    // The misspelt queries above did get a suggestion (the comparison is not empty-equal).
    search::Request misspelt;
    misspelt.query = "tradde deficit";
    CHECK(from_archive.search(misspelt).suggestion.value_or("") == "trade deficit");
}

TEST_CASE("incremental runs across shards: changes replace, deletions remove, and a changed "
          "date moves an article to its new month's shard") {
    TempDir dir;
    const fs::path input = dir / "input";
    const std::string archive = (dir / "archive").string();
    wiredesk::test::write_file(input / "a.jsonl",
                               jsonl_article("a1", "2026-01-10", "Port strike", kStrikeText) +
                                   jsonl_article("a2", "2026-02-03", "Ferry fares", "Ferry fares rise in February across the islands."));
    wiredesk::test::write_file(input / "b.jsonl",
                               jsonl_article("b1", "2026-03-05", "Harbour dredging", "The harbour will be dredged in March to admit larger ships."));
    index_into(archive, {input.string()}, sharded(indexer::ShardBy::kMonth));
    auto where = shard_of_each(archive);
    CHECK(where.at("a1") == "2026-01");
    CHECK(where.at("a2") == "2026-02");
    CHECK(where.at("b1") == "2026-03");

    // a1 is re-dated into March, a2 is gone from its file, a3 is new; b.jsonl is deleted.
    wiredesk::test::write_file(input / "a.jsonl",
                               jsonl_article("a1", "2026-03-20", "Port strike", kStrikeText) +
                                   jsonl_article("a3", "2026-01-15", "Canal closure", "The canal closes for repairs in January."));
    fs::remove(input / "b.jsonl");
    // No --shard-by: the archive remembers its split.
    const auto second = index_into(archive, {input.string()});
    CHECK(second.summary.files_changed == 1);
    CHECK(second.summary.files_deleted == 1);
    CHECK(second.summary.articles_removed == 2);  // a2 and b1
    where = shard_of_each(archive);
    CHECK(where.size() == 2);
    CHECK(where.at("a1") == "2026-03");
    CHECK(where.at("a3") == "2026-01");
    CHECK(where.count("a2") == 0);
    CHECK(where.count("b1") == 0);
    wiredesk::test::check_holds_whole_files(archive);

    const auto third = index_into(archive, {input.string()});
    CHECK(third.summary.files_unchanged == 1);
    CHECK(third.summary.articles_added + third.summary.articles_updated == 0);
}

TEST_CASE("articles a killed archive run committed without their file's state are cleared by the "
          "next run: read again if the file is there, gone with it if not") {
    TempDir dir;
    const fs::path input = dir / "input";
    const fs::path archive = dir / "archive";
    wiredesk::test::write_file(input / "a.jsonl",
                               jsonl_article("a1", "2026-01-10", "Port strike", kStrikeText));
    wiredesk::test::write_file(input / "b.jsonl",
                               jsonl_article("b1", "2026-03-05", "Harbour dredging", "The harbour will be dredged in March to admit larger ships."));
    index_into(archive.string(), {input.string()}, sharded(indexer::ShardBy::kMonth));
    // What a kill between a batch's shard commits and meta's leaves: the articles are in their
    // shards, their files' states (in meta) are not.
    {
        Xapian::WritableDatabase meta((archive / "meta").string(), Xapian::DB_OPEN);
        for (const char* name : {"a.jsonl", "b.jsonl"}) {
            const std::string key = wiredesk::schema::file_state_key((input / name).string());
            REQUIRE(!meta.get_metadata(key).empty());
            meta.set_metadata(key, "");
        }
    }
    fs::remove(input / "b.jsonl");

    const auto rerun = index_into(archive.string(), {input.string()});
    CHECK(rerun.problems.empty());
    const auto where = shard_of_each(archive);
    CHECK(where.size() == 1);
    CHECK(where.count("a1") == 1);
    CHECK(where.count("b1") == 0);  // its file is gone: before, it stayed searchable for good
    CHECK(wiredesk::test::stored_articles(archive.string()).size() == 1);
    wiredesk::test::check_holds_whole_files(archive.string());
}

TEST_CASE("a copy published in another month lands in that month's shard and still joins its "
          "copy group") {
    TempDir dir;
    const fs::path input = dir / "input";
    const std::string archive = (dir / "archive").string();
    wiredesk::test::write_file(input / "wire.jsonl",
                               jsonl_article("jan", "2026-01-31T22:00:00Z", "Rotterdam dockers strike", kStrikeText));
    index_into(archive, {input.string()}, sharded(indexer::ShardBy::kMonth));
    // Published again two hours later, in February, with a new headline and a dateline.
    wiredesk::test::write_file(
        input / "reprint.jsonl",
        jsonl_article("feb", "2026-02-01T00:30:00Z", "Strike shuts Rotterdam port",
                      "ROTTERDAM (Harbor Wire) - " + kStrikeText));
    index_into(archive, {input.string()});
    const auto where = shard_of_each(archive);
    CHECK(where.at("jan") == "2026-01");
    CHECK(where.at("feb") == "2026-02");
    const auto groups = wiredesk::test::article_groups(archive);
    CHECK_FALSE(groups.at("jan").first.empty());
    CHECK(groups.at("feb").first == groups.at("jan").first);
    CHECK(groups.at("feb").second == groups.at("jan").second);
}

TEST_CASE("a size cap continues a full period in numbered shards, none over the cap") {
    TempDir dir;
    const std::string archive = (dir / "archive").string();
    const auto run = index_into(archive, {(wiredesk::test::source_dir() / "corpus").string()},
                                sharded(indexer::ShardBy::kNone, 20));
    const std::size_t total = run.summary.documents_total;
    REQUIRE(total > 40);
    const std::size_t expected_shards = (total + 19) / 20;
    REQUIRE(run.summary.shards.size() == expected_shards);
    CHECK(run.summary.shards[0].name == "all");
    CHECK(run.summary.shards[1].name == "all.2");
    std::size_t sum = 0;
    for (const auto& shard : run.summary.shards) {
        CHECK(shard.articles <= 20);
        sum += shard.articles;
    }
    CHECK(sum == total);
    CHECK(Xapian::Database(archive).get_doccount() == total);
}

TEST_CASE("compaction keeps group ids, file states and answers, shard by shard") {
    TempDir dir;
    const std::string archive = (dir / "archive").string();
    const std::string corpus = (wiredesk::test::source_dir() / "corpus").string();
    index_into(archive, {corpus}, sharded(indexer::ShardBy::kMonth));
    const auto groups_before = wiredesk::test::article_groups(archive);
    search::Request request;
    request.query = "strike port";
    const auto answer_before = comparable(search::Searcher({archive}).search(request));

    const auto compacted = wiredesk::test::run(
        bin_dir() / "wiredesk-index", {"--db", archive, "--compact", "--json"});
    CHECK(compacted.exit_code == 0);
    const auto report = nlohmann::json::parse(compacted.out);
    CHECK(report.at("compacted").at("databases").get<std::size_t>() == stub_lines(archive).size());
    for (const auto& entry : fs::directory_iterator(archive)) {
        CHECK(entry.path().filename().string().find("compacting") == std::string::npos);
    }

    CHECK(wiredesk::test::article_groups(archive) == groups_before);
    CHECK(comparable(search::Searcher({archive}).search(request)).dump(1) == answer_before.dump(1));
    const auto again = index_into(archive, {corpus});
    CHECK(again.summary.files_new == again.summary.files_failed);  // failed files have no state
    CHECK(again.summary.files_changed == 0);
    CHECK(again.summary.articles_added == 0);
}

TEST_CASE("wiredesk-index refuses --shard-by on a plain database and another split of an "
          "archive, naming the path") {
    TempDir dir;
    const std::string corpus = (wiredesk::test::source_dir() / "corpus" / "wire").string();
    const std::string plain = (dir / "plain.db").string();
    const std::string archive = (dir / "archive").string();
    const auto index = bin_dir() / "wiredesk-index";
    CHECK(wiredesk::test::run(index, {"--db", plain, "-q", corpus}).exit_code == 0);
    const auto refused = wiredesk::test::run(index, {"--db", plain, "--shard-by", "month", corpus});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find(plain) != std::string::npos);
    CHECK(refused.err.find("not a sharded archive") != std::string::npos);

    CHECK(wiredesk::test::run(index, {"--db", archive, "-q", "--shard-by", "year", corpus})
              .exit_code == 0);
    const auto other = wiredesk::test::run(index, {"--db", archive, "--shard-by", "month", corpus});
    CHECK(other.exit_code == 1);
    CHECK(other.err.find("sharded by year, not by month") != std::string::npos);
    const auto bad = wiredesk::test::run(index, {"--db", archive, "--shard-by", "week", corpus});
    CHECK(bad.exit_code != 0);
    CHECK(bad.exit_code != 1);  // a usage error
}
