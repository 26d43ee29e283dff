#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include <xapian.h>

#include "index_helpers.hpp"
#include "test_support.hpp"
#include "wiredesk/common/schema.hpp"

using wiredesk::test::index_into;
using wiredesk::test::stored_articles;
using wiredesk::test::TempDir;
using wiredesk::test::write_file;

namespace {

std::string story(const std::string& headline, const std::string& body) {
    return headline + "\n\n" + body + "\n";
}

std::string jsonl_line(const std::string& id, const std::string& title, const std::string& text) {
    return R"({"id": ")" + id + R"(", "title": ")" + title + R"(", "text": ")" + text +
           R"(", "date": "2026-01-24", "source": "Harbor Wire"})" + "\n";
}

/// A tree of three files: two one-article texts and a JSON Lines file of three articles.
void write_tree(const TempDir& dir) {
    write_file(dir / "archive/a.txt", story("Port strike ends", "Dock workers returned on Monday after a week-long strike."));
    write_file(dir / "archive/sub/b.txt", story("Rates held", "The central bank held its rate at 3.5 per cent."));
    write_file(dir / "archive/feed.jsonl",
               jsonl_line("hw-1", "Flood warning", "Rivers rose across the valley overnight.") +
                   jsonl_line("hw-2", "Chess final", "The final game was drawn after six hours.") +
                   jsonl_line("hw-3", "Drought relief", "Aid convoys reached the northern districts."));
}

/// Makes sure a rewritten file gets a new modification time even on coarse clocks.
void touch_later(const std::filesystem::path& path) {
    const auto now = std::filesystem::last_write_time(path);
    std::filesystem::last_write_time(path, now + std::chrono::seconds(2));
}

}  // namespace

TEST_CASE("a second run over an unchanged tree reads nothing and adds nothing") {
    TempDir dir;
    write_tree(dir);
    const std::string db = (dir / "db").string();
    const auto first = index_into(db, {(dir / "archive").string()});
    CHECK(first.summary.articles_added == 5);
    CHECK(first.summary.files_new == 3);
    CHECK(first.problems.empty());

    const auto second = index_into(db, {(dir / "archive").string()});
    CHECK(second.summary.articles_added == 0);
    CHECK(second.summary.articles_updated == 0);
    CHECK(second.summary.articles_removed == 0);
    CHECK(second.summary.articles_unchanged == 5);
    CHECK(second.summary.files_unchanged == 3);
    CHECK(second.summary.bytes_read == 0);  // not a single file was opened again
    CHECK(Xapian::Database(db).get_doccount() == 5);
}

TEST_CASE("an edited file's articles are replaced, never duplicated") {
    TempDir dir;
    write_tree(dir);
    const std::string db = (dir / "db").string();
    index_into(db, {(dir / "archive").string()});

    // hw-2 is rewritten, hw-3 is dropped, hw-4 is new.
    write_file(dir / "archive/feed.jsonl",
               jsonl_line("hw-1", "Flood warning", "Rivers rose across the valley overnight.") +
                   jsonl_line("hw-2", "Chess final decided", "The champion won the tiebreak.") +
                   jsonl_line("hw-4", "Harvest begins", "Farmers began the harvest early."));
    touch_later(dir / "archive/feed.jsonl");
    const auto run = index_into(db, {(dir / "archive").string()});
    CHECK(run.summary.files_changed == 1);
    CHECK(run.summary.files_unchanged == 2);
    CHECK(run.summary.articles_updated == 2);  // hw-1 (same text, re-read) and hw-2
    CHECK(run.summary.articles_added == 1);    // hw-4
    CHECK(run.summary.articles_removed == 1);  // hw-3

    const auto articles = stored_articles(db);
    CHECK(articles.size() == 5);
    CHECK(articles.count("hw-3") == 0);
    CHECK(articles.at("hw-2").title == "Chess final decided");
    CHECK(Xapian::Database(db).get_termfreq(wiredesk::schema::id_term("hw-2")) == 1);
}

TEST_CASE("a deleted file's articles are removed and a new file's are added") {
    TempDir dir;
    write_tree(dir);
    const std::string db = (dir / "db").string();
    index_into(db, {(dir / "archive").string()});

    std::filesystem::remove(dir / "archive/feed.jsonl");
    write_file(dir / "archive/c.txt", story("Election called", "The mayor called an early election."));
    const auto run = index_into(db, {(dir / "archive").string()});
    CHECK(run.summary.files_deleted == 1);
    CHECK(run.summary.articles_removed == 3);
    CHECK(run.summary.articles_added == 1);
    const auto articles = stored_articles(db);
    CHECK(articles.size() == 3);
    CHECK(articles.count("hw-1") == 0);
}

TEST_CASE("files outside the indexed roots are left alone by deletion") {
    TempDir dir;
    write_file(dir / "one/a.txt", story("First", "Text of the first archive."));
    write_file(dir / "two/b.txt", story("Second", "Text of the second archive."));
    const std::string db = (dir / "db").string();
    index_into(db, {(dir / "one").string()});
    const auto run = index_into(db, {(dir / "two").string()});
    CHECK(run.summary.articles_added == 1);
    CHECK(run.summary.articles_removed == 0);
    CHECK(Xapian::Database(db).get_doccount() == 2);
}

TEST_CASE("a file that becomes unreadable keeps the articles indexed from it") {
    TempDir dir;
    write_tree(dir);
    const std::string db = (dir / "db").string();
    index_into(db, {(dir / "archive").string()});
    write_file(dir / "archive/a.txt", std::string("\x00\x01\x02 binary now", 14));
    touch_later(dir / "archive/a.txt");
    const auto run = index_into(db, {(dir / "archive").string()});
    CHECK(run.summary.files_failed == 1);
    REQUIRE(run.problems.size() == 1);
    CHECK(run.problems[0].find("a.txt: ") != std::string::npos);
    CHECK(Xapian::Database(db).get_doccount() == 5);
}

TEST_CASE("excluded and hidden files are not indexed") {
    TempDir dir;
    write_tree(dir);
    write_file(dir / "archive/.hidden/x.txt", story("Hidden", "Not to be indexed."));
    write_file(dir / "archive/skip/y.txt", story("Skipped", "Not to be indexed either."));
    const std::string db = (dir / "db").string();
    wiredesk::indexer::IndexOptions options;
    options.excludes = {"skip"};
    const auto run = index_into(db, {(dir / "archive").string()}, options);
    CHECK(run.summary.articles_added == 5);
}

TEST_CASE("the same articles are stored whatever the thread count") {
    TempDir dir;
    write_tree(dir);
    for (int i = 0; i < 40; ++i) {
        write_file(dir / ("archive/many/" + std::to_string(i) + ".txt"),
                   story("Report " + std::to_string(i), "Body of report number " + std::to_string(i) + "."));
    }
    wiredesk::indexer::IndexOptions one_thread;
    one_thread.threads = 1;
    wiredesk::indexer::IndexOptions four_threads;
    four_threads.threads = 4;
    four_threads.batch_articles = 7;
    index_into((dir / "db1").string(), {(dir / "archive").string()}, one_thread);
    const auto run = index_into((dir / "db4").string(), {(dir / "archive").string()}, four_threads);
    CHECK(run.summary.commits > 3);
    const auto a = stored_articles((dir / "db1").string());
    const auto b = stored_articles((dir / "db4").string());
    REQUIRE(a.size() == 45);
    REQUIRE(b.size() == 45);
    for (const auto& [id, article] : a) {
        REQUIRE(b.count(id) == 1);
        CHECK(b.at(id).title == article.title);
        CHECK(b.at(id).body == article.body);
    }
}

TEST_CASE("a new file larger than a batch is committed in parts, a changed one in one piece") {
    TempDir dir;
    const auto write_feed = [&](int articles) {
        wiredesk::test::write_feeds(dir / "archive", 0, 1, articles, [](int, int article) {
            return wiredesk::test::FeedArticle{
                "part-" + std::to_string(article),
                "Harbor report number " + std::to_string(article) + " on the dock strike."};
        });
    };
    const std::string db = (dir / "db").string();
    wiredesk::indexer::IndexOptions options;
    options.batch_articles = 10;

    write_feed(45);
    const auto first = index_into(db, {(dir / "archive").string()}, options);
    CHECK(first.summary.articles_added == 45);
    // Parts of 10 after articles 10, 20, 30 and 40; the last 5 with the final commit.
    CHECK(first.summary.commits == 5);
    wiredesk::test::check_holds_whole_files(db);

    // Its old articles go with the first part of a changed file: it is written whole.
    write_feed(46);
    const auto second = index_into(db, {(dir / "archive").string()}, options);
    CHECK(second.summary.files_changed == 1);
    CHECK(second.summary.articles_updated == 45);
    CHECK(second.summary.articles_added == 1);
    // The whole file when it ends (46 articles), then the run's closing commit; in parts it
    // would take five.
    CHECK(second.summary.commits == 2);
    wiredesk::test::check_holds_whole_files(db);
    CHECK(stored_articles(db).size() == 46);
}

TEST_CASE("without a set batch, batches grow with the database, up to 5,000 articles") {
    using wiredesk::indexer::auto_batch_articles;
    // An empty database commits after about a thousand articles; the batch grows with the
    // database's size, never shrinks, and stops at 5,000 (memory as with the old fixed batch).
    CHECK(auto_batch_articles(0) >= 1000);
    CHECK(auto_batch_articles(0) < 1500);
    std::size_t previous = 0;
    for (std::size_t documents = 0; documents <= 2'000'000; documents += 10'000) {
        const std::size_t batch = auto_batch_articles(documents);
        CHECK(batch >= previous);
        CHECK(batch <= 5000);
        previous = batch;
    }
    CHECK(auto_batch_articles(300'000) == 5000);

    // A new file of 2,500 articles on an empty database: a part after the first batch, one
    // after the second (chosen for the database as the first left it), the rest at the end.
    TempDir dir;
    wiredesk::test::write_feeds(dir / "archive", 0, 1, 2500, [](int, int article) {
        return wiredesk::test::FeedArticle{"grow-" + std::to_string(article),
                                           "Harbor note " + std::to_string(article) + "."};
    });
    const std::size_t first = auto_batch_articles(0);
    const std::size_t second = auto_batch_articles(first);
    REQUIRE(first + second < 2500);
    const auto run = index_into((dir / "db").string(), {(dir / "archive").string()}, {});
    CHECK(run.summary.articles_added == 2500);
    CHECK(run.summary.commits == 3);
    wiredesk::test::check_holds_whole_files((dir / "db").string());
}

TEST_CASE("the help and the docs give the batch rule's first and largest batch as it computes them") {
    // The rule's figures are repeated where users and maintainers read them: a change to the
    // rule fails here until each place says the new ones.
    using wiredesk::indexer::auto_batch_articles;
    const auto with_comma = [](std::size_t n) {
        std::string digits = std::to_string(n);
        for (auto at = static_cast<std::ptrdiff_t>(digits.size()) - 3; at > 0; at -= 3) {
            digits.insert(static_cast<std::size_t>(at), ",");
        }
        return digits;
    };
    // "About" the empty database's batch: to the nearest 50.
    const std::string first = with_comma((auto_batch_articles(0) + 25) / 50 * 50);
    const std::string largest = with_comma(auto_batch_articles(100'000'000));
    const auto help = wiredesk::test::run(wiredesk::test::bin_dir() / "wiredesk-index", {"--help"});
    REQUIRE(help.exit_code == 0);
    const std::map<std::string, std::string> places = {
        {"wiredesk-index --help", help.out},
        {"README.md", wiredesk::test::read_file(wiredesk::test::source_dir() / "README.md")},
        {"docs/RELIABILITY.md",
         wiredesk::test::read_file(wiredesk::test::source_dir() / "docs/RELIABILITY.md")},
        {"docs/ARCHITECTURE.md",
         wiredesk::test::read_file(wiredesk::test::source_dir() / "docs/ARCHITECTURE.md")},
        {"indexer.hpp", wiredesk::test::read_file(wiredesk::test::source_dir() /
                                                  "indexer/include/wiredesk/indexer/indexer.hpp")}};
    for (const auto& entry : places) {
        // Named, not structured bindings: clang 14 (the sanitizer build) cannot capture those.
        const std::string& place = entry.first;
        const std::string& text = entry.second;
        CHECK_MESSAGE(text.find("about " + first) != std::string::npos, place << ": about " << first);
        CHECK_MESSAGE(text.find(largest) != std::string::npos, place << ": " << largest);
    }
}
