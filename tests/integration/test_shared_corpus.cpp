#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>


#include <xapian.h>

#include "index_helpers.hpp"
#include "test_support.hpp"

using wiredesk::test::index_into;
using wiredesk::test::TempDir;

namespace {

/// The article files of the shared corpus (the *_pairs files hold id pairs, not articles).
const char* const kArticleFiles[] = {
    "reuters21578.jsonl.gz",      "timeline17.jsonl.gz",       "bbc_fulltext.jsonl.gz",
    "basil_triplets.jsonl.gz",    "ecbplus_sentences.jsonl.gz", "uci_news_aggregator_prefix.jsonl.gz",
};

constexpr std::size_t kArticlesPerFile = 2000;

/// The first @p count lines of a gzip-compressed JSON Lines file; @p ids collects their ids.
/// The first @p count records of @p path, their ids added to @p ids.
std::string head_lines(const std::filesystem::path& path, std::size_t count,
                       std::set<std::string>& ids) {
    std::string lines = wiredesk::test::gzip_head_lines(path, count);
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line);) {
        ids.insert(nlohmann::json::parse(line).at("id").get<std::string>());
    }
    return lines;
}

}  // namespace

TEST_CASE("2,000 articles of every shared corpus file index with zero errors, as gzip") {
    const auto shared = wiredesk::test::require_shared("indexing the shared news corpus");
    TempDir dir;
    // Ids, not lines: the data repeats a few ids (basil-empty four times), and a later record
    // replaces an earlier one of the same id.
    std::set<std::string> ids;
    for (const char* name : kArticleFiles) {
        const std::string lines = head_lines(shared / "corpus" / name, kArticlesPerFile, ids);
        wiredesk::test::write_gzip_file(dir / "archive" / name, lines);
    }
    const std::size_t expected = ids.size();
    const auto run = index_into((dir / "db").string(), {(dir / "archive").string()});
    for (const auto& problem : run.problems) MESSAGE(problem);
    CHECK(run.problems.empty());
    CHECK(run.summary.articles_added == expected);
    CHECK(Xapian::Database((dir / "db").string()).get_doccount() == expected);
}

TEST_CASE("the shared corpus files index as they are, languages and dates included") {
    const auto shared = wiredesk::test::require_shared("indexing the shared news corpus");
    TempDir dir;
    // basil_triplets is small and whole: dates, titles, URLs and three outlets.
    const auto run = index_into((dir / "db").string(),
                                {(shared / "corpus" / "basil_triplets.jsonl.gz").string()});
    CHECK(run.problems.empty());
    CHECK(run.summary.articles_added == 297);  // 300 lines, "basil-empty" four times
    Xapian::Database database((dir / "db").string());
    CHECK(database.get_termfreq("Len") >= 295);
    CHECK(database.get_termfreq("XUNDATED") == 0);
    CHECK(database.get_termfreq("XSRCfox news") == 100);
}
