#include <map>
#include <set>
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "index_helpers.hpp"
#include "test_support.hpp"
#include "wiredesk/common/schema.hpp"

using wiredesk::test::TempDir;

namespace {

/// 120 words of wire-report vocabulary drawn by @p random, in sentences of 15.
std::string random_report_text(std::mt19937& random) {
    const char* words[] = {"harbor", "strike", "council", "vote", "flood", "river", "bank",
                           "rate",   "drought", "aid",    "talks", "envoy", "market", "grain"};
    std::string text;
    for (int word = 0; word < 120; ++word) {
        text += words[random() % std::size(words)];
        text += word % 15 == 14 ? ". " : " ";
    }
    return text;
}

/// 3,000 articles in 150 JSON Lines files: enough for many batches of 100. With
/// @p spread_months, each file's articles are dated in one of six months (six shards of a
/// month-sharded archive), else all on one day.
void write_archive(const std::filesystem::path& root, bool spread_months = false) {
    std::mt19937 random(42);
    wiredesk::test::write_feeds(root, 0, 150, 20, [&](int file, int article) {
        return wiredesk::test::FeedArticle{
            "a-" + std::to_string(file) + "-" + std::to_string(article),
            random_report_text(random),
            spread_months ? "2026-0" + std::to_string(1 + file % 6) + "-24" : "2026-01-24"};
    });
}

/// 3,000 articles in one JSON Lines file: thirty batches of 100, so the file is committed in
/// parts.
void write_one_large_file(const std::filesystem::path& root) {
    std::mt19937 random(11);
    wiredesk::test::write_feeds(root, 0, 1, 3000, [&](int, int article) {
        return wiredesk::test::FeedArticle{"big-" + std::to_string(article),
                                           random_report_text(random)};
    });
}

/// Checks that @p db holds the articles of @p archive and their groups, under the same ids,
/// as one uninterrupted run into a fresh database.
void check_same_as_uninterrupted(const wiredesk::test::TempDir& dir, const std::string& db,
                                 const std::string& archive, bool sharded) {
    const std::string clean = (dir / "clean").string();
    wiredesk::indexer::IndexOptions options;
    if (sharded) options.shards.shard_by = wiredesk::indexer::ShardBy::kMonth;
    wiredesk::test::index_into(clean, {archive}, options);
    const auto interrupted_articles = wiredesk::test::stored_articles(db);
    const auto clean_articles = wiredesk::test::stored_articles(clean);
    CHECK(interrupted_articles.size() == clean_articles.size());
    for (const auto& [id, article] : clean_articles) {
        REQUIRE(interrupted_articles.count(id) == 1);
        CHECK(interrupted_articles.at(id).body == article.body);
    }
    const auto interrupted_groups = wiredesk::test::article_groups(db);
    const auto clean_groups = wiredesk::test::article_groups(clean);
    std::size_t same_copy = 0;
    std::size_t same_story = 0;
    for (const auto& [id, labels] : clean_groups) {
        same_copy += interrupted_groups.at(id).first == labels.first ? 1 : 0;
        same_story += interrupted_groups.at(id).second == labels.second ? 1 : 0;
    }
    std::set<std::string> stories;
    for (const auto& [id, labels] : clean_groups) stories.insert(labels.second);
    MESSAGE("same copy group " << same_copy << ", same story group " << same_story << " of "
                               << clean_groups.size() << " (" << stories.size() << " stories)");
    CHECK(same_copy == clean_groups.size());
    CHECK(same_story == clean_groups.size());
}

/// Starts wiredesk-index over @p archive into @p db, sharded by month if @p shard_by_month.
pid_t start_indexer(const std::string& db, const std::string& archive, bool shard_by_month) {
    const pid_t child = fork();
    if (child == 0) {
        const std::string program = (wiredesk::test::bin_dir() / "wiredesk-index").string();
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        if (shard_by_month) {
            execl(program.c_str(), program.c_str(), "--db", db.c_str(), "--batch", "100",
                  "--threads", "2", "--shard-by", "month", archive.c_str(),
                  static_cast<char*>(nullptr));
        } else {
            execl(program.c_str(), program.c_str(), "--db", db.c_str(), "--batch", "100",
                  "--threads", "2", archive.c_str(), static_cast<char*>(nullptr));
        }
        _exit(127);
    }
    return child;
}

/// Articles committed in @p db so far (0 when it does not exist yet).
std::size_t committed_articles(const std::string& db) {
    try {
        return Xapian::Database(db).get_doccount();
    } catch (const Xapian::Error&) {
        return 0;
    }
}

/// Waits until @p db holds more than @p before articles or @p child exits (then returns true
/// with its @p status); gives up waiting after a minute.
bool wait_for_commit(pid_t child, const std::string& db, std::size_t before, int& status) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(child, &status, WNOHANG) == child) return true;
        if (committed_articles(db) > before) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

/// Kills an indexer four times at random moments after a commit, checks what each kill left,
/// then lets a run finish and compares with one uninterrupted run. @p sharded: a month-sharded
/// archive, whose batches commit shard by shard, meta last.
void kill_and_complete(bool sharded) {
    TempDir dir;
    write_archive(dir / "archive", sharded);
    const std::string db = (dir / "db").string();
    const std::string archive = (dir / "archive").string();

    std::mt19937 random(7);
    int killed_mid_run = 0;
    int partial_states = 0;  // kills that left some, but not all, articles committed
    for (int attempt = 0; attempt < 4; ++attempt) {
        const std::size_t before = committed_articles(db);
        const pid_t child = start_indexer(db, archive, sharded);
        // Kill once a new batch is committed (plus a random moment), whatever the machine's
        // speed: a fixed delay would, on a slow or sanitized build, always strike too early.
        int status = 0;
        const bool exited = wait_for_commit(child, db, before, status);
        if (!exited) {
            std::this_thread::sleep_for(std::chrono::milliseconds(random() % 80));
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
        }
        if (WIFSIGNALED(status)) ++killed_mid_run;
        // An archive killed between the commits of one batch holds articles whose files'
        // states are not recorded yet; the next run reads those files again.
        if (!sharded) wiredesk::test::check_holds_whole_files(db);
        const auto count = Xapian::Database(db).get_doccount();
        if (count > 0 && count < 3000) ++partial_states;
    }
    MESSAGE("killed mid-run " << killed_mid_run << " of 4 times; " << partial_states
                              << " kills left a partial, consistent database");
    // The test means something only if a kill landed between committed batches.
    CHECK(partial_states >= 1);

    const auto run = wiredesk::test::run(wiredesk::test::bin_dir() / "wiredesk-index",
                                         {"--db", db, "--json", archive});
    CAPTURE(run.err);
    CHECK(run.exit_code == 0);
    wiredesk::test::check_holds_whole_files(db);
    CHECK(Xapian::Database(db).get_doccount() == 3000);

    // Same articles and groups as one uninterrupted run.
    check_same_as_uninterrupted(dir, db, archive, sharded);
}

}  // namespace

TEST_CASE("an indexer killed with SIGKILL leaves whole committed batches and a re-run completes") {
    kill_and_complete(/*sharded=*/false);
}

TEST_CASE("a sharded archive's indexer killed with SIGKILL: a re-run completes with the same "
          "articles and groups as an uninterrupted run") {
    kill_and_complete(/*sharded=*/true);
}

TEST_CASE("a new file larger than a batch killed between its parts: the next run clears them and "
          "reads it again") {
    TempDir dir;
    write_one_large_file(dir / "archive");
    const std::string db = (dir / "db").string();
    const std::string archive = (dir / "archive").string();

    const pid_t child = start_indexer(db, archive, /*shard_by_month=*/false);
    int status = 0;
    const bool exited = wait_for_commit(child, db, 0, status);
    if (!exited) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
    }
    // The test means something only if the kill struck between two parts of the file.
    REQUIRE(WIFSIGNALED(status));
    {
        Xapian::Database database(db);
        const auto committed = database.get_doccount();
        MESSAGE(committed << " of 3000 articles committed before the kill");
        CHECK(committed > 0);
        CHECK(committed < 3000);
        // The file's state comes with its last part: none is recorded yet.
        const std::string prefix(wiredesk::schema::kFileStateKeyPrefix);
        CHECK(database.metadata_keys_begin(prefix) == database.metadata_keys_end(prefix));
    }

    const auto run = wiredesk::test::run(wiredesk::test::bin_dir() / "wiredesk-index",
                                         {"--db", db, "--json", archive});
    CAPTURE(run.err);
    REQUIRE(run.exit_code == 0);
    const auto summary = nlohmann::json::parse(run.out);
    CHECK(summary["files"]["new"] == 1);
    CHECK(summary["articles"]["added"] == 3000);
    wiredesk::test::check_holds_whole_files(db);
    check_same_as_uninterrupted(dir, db, archive, /*sharded=*/false);
}

TEST_CASE("Ctrl-C stops after the current file, commits, and exits 130") {
    TempDir dir;
    write_archive(dir / "archive");
    const std::string db = (dir / "db").string();
    const pid_t child = start_indexer(db, (dir / "archive").string(), /*shard_by_month=*/false);
    int status = 0;
    if (!wait_for_commit(child, db, 0, status)) {  // running, its handler installed: interrupt
        kill(child, SIGINT);
        waitpid(child, &status, 0);
    }
    REQUIRE(WIFEXITED(status));
    // 130 when caught mid-run; 0 if the machine was fast enough to finish first.
    CHECK((WEXITSTATUS(status) == 130 || WEXITSTATUS(status) == 0));
    wiredesk::test::check_holds_whole_files(db);
}
