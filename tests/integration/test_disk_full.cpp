// wiredesk-index when writes fail, as on a full disk: the child process runs under a file size
// limit (RLIMIT_FSIZE, SIGXFSZ ignored), so a write that would grow a database file past it
// fails with EFBIG. No root and no special file system needed.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "index_helpers.hpp"
#include "test_support.hpp"
#include "wiredesk/common/schema.hpp"

namespace fs = std::filesystem;
using wiredesk::test::TempDir;

namespace {

constexpr int kArticlesPerFile = 20;

/// Writes files [first, first + count) of feed-NNNN.jsonl, each kArticlesPerFile articles of
/// @p words_per_article random words (distinct texts: nothing collapses into groups).
void write_feeds(const fs::path& root, int first, int count, int words_per_article) {
    std::mt19937 random(static_cast<unsigned>(first));
    const char* words[] = {"harbor", "strike", "council", "vote", "flood", "river", "bank",
                           "rate",   "drought", "aid",    "talks", "envoy", "market", "grain"};
    wiredesk::test::write_feeds(root, first, count, kArticlesPerFile, [&](int file, int article) {
        std::string text;
        for (int word = 0; word < words_per_article; ++word) {
            text += words[random() % std::size(words)];
            text += std::to_string(random() % 1000);  // many distinct terms: big postings
            text += word % 15 == 14 ? ". " : " ";
        }
        return wiredesk::test::FeedArticle{"f" + std::to_string(file) + "-" + std::to_string(article),
                                           text};
    });
}

/// The largest file in the database directory: a limit just above it leaves room for a little
/// growth only.
std::uintmax_t largest_file(const fs::path& db) {
    std::uintmax_t largest = 0;
    for (const auto& entry : fs::directory_iterator(db)) {
        if (entry.is_regular_file()) largest = std::max(largest, entry.file_size());
    }
    return largest;
}


}  // namespace

TEST_CASE("a disk that fills up mid-run fails the run with a clear message and keeps every "
          "committed batch") {
    TempDir dir;
    const fs::path archive = dir / "archive";
    const fs::path first_db = dir / "first.db";
    const auto index = wiredesk::test::bin_dir() / "wiredesk-index";

    // First run, no limit: 10 files, 200 articles.
    write_feeds(archive, 0, 10, 60);
    const auto first =
        wiredesk::test::run(index, {"--db", first_db.string(), "--quiet", archive.string()});
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    REQUIRE(Xapian::Database(first_db.string()).get_doccount() == 200);

    // Second run over 40 more files (800 articles, 6 MB of text), committing every
    // file (--batch 20), each time from a copy of the first run's database with room for a
    // little more in any database file: some batches fit (none with 768 KB), then a write
    // fails. Several sizes, so that writes fail at different stages of a commit: Xapian 1.4.22
    // calls std::terminate from inside some of them (here, with 2816 KB of room), and
    // wiredesk-index must report those the same way.
    write_feeds(archive, 10, 40, 200);
    std::string last_db;
    for (const std::uintmax_t room : {768U << 10, 1792U << 10, 2816U << 10}) {
        const std::string db = (dir / ("room-" + std::to_string(room) + ".db")).string();
        fs::copy(first_db, db);
        const auto limit = largest_file(db) + room;
        const auto second = wiredesk::test::run_with_file_size_limit(
            index, {"--db", db, "--quiet", "--batch", "20", archive.string()}, limit);
        CAPTURE(room);
        INFO("stderr of the limited run: " << second.err);
        CHECK(second.exit_code == 1);
        // The message names the database, what failed and why, and what was kept.
        CHECK(second.err.starts_with("wiredesk-index: " + db + ": cannot write the database"));
        CHECK(second.err.find("disk is full") != std::string::npos);
        CHECK(second.err.find("File too large") != std::string::npos);
        CHECK(second.err.find("committed before this are kept") != std::string::npos);

        // The database opens and holds the first run plus whole committed batches: whole
        // files, a multiple of one file's articles, not everything.
        wiredesk::test::check_holds_whole_files(db);
        const auto kept = Xapian::Database(db).get_doccount();
        MESSAGE("with " << (room >> 10) << " KB of room the run kept " << kept - 200
                        << " of 800 new articles");
        CHECK(kept >= 200);
        CHECK(kept < 1000);
        CHECK((kept - 200) % kArticlesPerFile == 0);
        for (int article = 0; article < kArticlesPerFile; ++article) {
            const std::string id = "f0-" + std::to_string(article);
            CHECK(Xapian::Database(db).term_exists(wiredesk::schema::id_term(id)));
        }

        last_db = db;
    }

    // With the room back, a run completes the job.
    const auto third = wiredesk::test::run(index, {"--db", last_db, "--quiet", archive.string()});
    INFO(third.err);
    CHECK(third.exit_code == 0);
    wiredesk::test::check_holds_whole_files(last_db);
    CHECK(Xapian::Database(last_db).get_doccount() == 1000);
}
