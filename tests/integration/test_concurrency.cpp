// Readers and writers at the same time, as real processes on a real database: searches while
// wiredesk-index commits batches, and a second wiredesk-index while one is writing.

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "index_helpers.hpp"
#include "test_support.hpp"
#include "wiredesk/common/database.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace fs = std::filesystem;
namespace search = wiredesk::searcher;
using wiredesk::test::bin_dir;
using wiredesk::test::TempDir;

namespace {

constexpr std::size_t kArticlesPerFile = 20;

/// Writes @p files JSON Lines files of kArticlesPerFile articles; every article has the word
/// "quay", so a search for it counts the articles. Ids start with @p prefix.
void write_archive(const fs::path& root, int files, const std::string& prefix) {
    const char* words[] = {"harbor", "strike", "council", "vote", "flood", "river", "bank",
                           "rate",   "drought", "aid",    "talks", "envoy", "market", "grain"};
    unsigned state = 42;
    wiredesk::test::write_feeds(
        root, 0, files, static_cast<int>(kArticlesPerFile), [&](int file, int article) {
            std::string text = "quay ";
            for (int word = 0; word < 60; ++word) {
                state = state * 1103515245U + 12345U;
                text += words[(state >> 16) % std::size(words)];
                text += word % 15 == 14 ? ". " : " ";
            }
            return wiredesk::test::FeedArticle{
                prefix + std::to_string(file) + "-" + std::to_string(article), text};
        });
}

/// Articles committed in @p db so far (0 while it cannot be opened yet).
std::size_t committed_articles(const std::string& db) {
    try {
        return Xapian::Database(db).get_doccount();
    } catch (const Xapian::Error&) {
        return 0;
    }
}

/// What the readers saw, from many threads: the counts, and every violation in words.
class Observations {
public:
    Observations(std::size_t batch, std::size_t final_count)
        : m_batch(batch), m_final(final_count) {}

    /// Checks one count seen by @p reader after @p last (updated): a committed state is a
    /// whole number of batches, never more than the final count, never below an earlier one.
    void saw(const std::string& reader, std::size_t count, std::size_t& last) {
        const std::lock_guard lock(m_mutex);
        ++m_reads;
        m_counts.insert(count);
        if (count % m_batch != 0 || count > m_final) {
            m_errors.push_back(reader + " saw " + std::to_string(count) +
                               " articles: not a committed state");
        }
        if (count < last) {
            m_errors.push_back(reader + " saw the count go down from " + std::to_string(last) +
                               " to " + std::to_string(count));
        }
        last = count;
    }

    void error(const std::string& message) {
        const std::lock_guard lock(m_mutex);
        m_errors.push_back(message);
    }

    [[nodiscard]] std::vector<std::string> errors() const {
        const std::lock_guard lock(m_mutex);
        return m_errors;
    }
    [[nodiscard]] std::set<std::size_t> counts() const {
        const std::lock_guard lock(m_mutex);
        return m_counts;
    }
    [[nodiscard]] std::size_t reads() const {
        const std::lock_guard lock(m_mutex);
        return m_reads;
    }

private:
    mutable std::mutex m_mutex;
    std::size_t m_batch;
    std::size_t m_final;
    std::size_t m_reads = 0;
    std::set<std::size_t> m_counts;
    std::vector<std::string> m_errors;
};

/// The articles matching "quay" as the library counts them.
std::size_t library_count(const search::Searcher& searcher) {
    search::Request request;
    request.query = "quay";
    request.group = search::GroupLevel::kNone;
    request.limit = 1;
    request.facets = false;
    request.spelling = false;
    const auto response = searcher.search(request);
    return response.total;
}

/// The articles matching "quay" as one wiredesk-search process counts them; throws with its
/// stderr when it fails.
std::size_t process_count(const std::string& db) {
    const auto result = wiredesk::test::run(
        bin_dir() / "wiredesk-search",
        {"--db", db, "--json", "--group", "none", "--limit", "1", "--no-facets", "quay"});
    if (result.exit_code != 0 && result.exit_code != 3) {
        throw std::runtime_error("wiredesk-search exited " + std::to_string(result.exit_code) +
                                 ": " + result.err);
    }
    return nlohmann::json::parse(result.out).at("total_reports").get<std::size_t>();
}

}  // namespace

/// Regression test: wiredesk-search failed with "cannot open the database:
/// DatabaseModifiedError" when the indexer committed twice while it was opening the database
/// (found by the test below).
TEST_CASE("opening a database for reading never fails while a writer commits") {
    TempDir dir;
    const std::string db = (dir / "news.db").string();
    auto writer = wiredesk::open_database_for_writing(db);
    std::atomic<bool> writing{true};
    std::thread commits([&] {
        for (int i = 0; i < 300; ++i) {
            Xapian::Document document;
            document.add_term(wiredesk::schema::id_term("a" + std::to_string(i)));
            document.set_data(std::string(2000, 'x'));
            writer.add_document(document);
            writer.commit();
        }
        writing = false;
    });
    std::size_t opens = 0;
    std::vector<std::string> errors;
    while (writing) {
        try {
            (void)wiredesk::open_database_for_reading({db});
            ++opens;
        } catch (const wiredesk::DatabaseError& error) {
            errors.emplace_back(error.what());
        }
    }
    commits.join();
    MESSAGE(opens << " opens during 300 commits");
    for (const auto& error : errors) FAIL_CHECK(error);
    CHECK(wiredesk::open_database_for_reading({db}).get_doccount() == 300);
}

TEST_CASE("searches in threads and processes while wiredesk-index commits see only whole "
          "batches, never going back, and the final count at the end") {
    TempDir dir;
    const fs::path archive = dir / "archive";
    const std::string db = (dir / "news.db").string();
    fs::create_directories(archive);
    // An empty database first, so that the readers are searching before the indexer starts.
    const auto create = wiredesk::test::run(bin_dir() / "wiredesk-index",
                                            {"--db", db, "--quiet", archive.string()});
    REQUIRE(create.exit_code == 0);

    // 50 files of 20 articles, committed every 100 articles (5 whole files): the committed
    // states are 0, 100, ..., 1000.
    constexpr std::size_t kBatch = 100;
    constexpr std::size_t kTotal = 1000;
    write_archive(archive, 50, "a");
    const search::Searcher searcher({db});
    Observations seen(kBatch, kTotal);
    std::atomic<bool> indexing{true};

    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&, t] {
            const std::string name = "library thread " + std::to_string(t);
            std::size_t last = 0;
            std::size_t last_documents = 0;
            try {
                while (indexing) {
                    seen.saw(name, library_count(searcher), last);
                    seen.saw(name + " (document_count)", searcher.document_count(),
                             last_documents);
                    // Leave the indexer some CPU: on two cores, five busy readers starve it.
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                }
                // After the indexer has exited: the same Searcher sees its last commit.
                const std::size_t final_count = library_count(searcher);
                if (final_count != kTotal) {
                    seen.error(name + " still saw " + std::to_string(final_count) +
                               " articles after the indexer finished");
                }
            } catch (const std::exception& error) {
                seen.error(name + ": " + error.what());
            }
        });
    }
    for (int p = 0; p < 2; ++p) {
        readers.emplace_back([&, p] {
            const std::string name = "wiredesk-search loop " + std::to_string(p);
            std::size_t last = 0;
            try {
                while (indexing) seen.saw(name, process_count(db), last);
                const std::size_t final_count = process_count(db);
                if (final_count != kTotal) {
                    seen.error(name + " saw " + std::to_string(final_count) +
                               " articles after the indexer finished");
                }
            } catch (const std::exception& error) {
                seen.error(name + ": " + error.what());
            }
        });
    }

    const auto indexer = wiredesk::test::run(
        bin_dir() / "wiredesk-index",
        {"--db", db, "--quiet", "--batch", std::to_string(kBatch), "--threads", "2",
         archive.string()});
    indexing = false;
    for (auto& reader : readers) reader.join();

    INFO(indexer.err);
    CHECK(indexer.exit_code == 0);
    for (const auto& error : seen.errors()) FAIL_CHECK(error);
    CHECK(committed_articles(db) == kTotal);
    std::string states;
    for (const auto count : seen.counts()) states += " " + std::to_string(count);
    MESSAGE(seen.reads() << " reads saw these committed states:" << states);
}

TEST_CASE("a second wiredesk-index on a database being written exits 1 naming the lock, and "
          "the first finishes intact") {
    TempDir dir;
    const fs::path first_archive = dir / "first";
    const fs::path second_archive = dir / "second";
    const std::string db = (dir / "news.db").string();
    write_archive(first_archive, 60, "first-");
    write_archive(second_archive, 5, "second-");

    const pid_t first = wiredesk::test::spawn(
        bin_dir() / "wiredesk-index",
        {"--db", db, "--batch", "100", "--threads", "2", first_archive.string()});
    // Once it has committed a batch, pause it mid-run: it holds the lock for as long as the
    // test needs, however fast the machine.
    int status = 0;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (committed_articles(db) == 0 && std::chrono::steady_clock::now() < give_up) {
        REQUIRE_MESSAGE(waitpid(first, &status, WNOHANG) == 0,
                        "the first indexer ended before it could be paused");
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    kill(first, SIGSTOP);
    REQUIRE(waitpid(first, &status, WUNTRACED) == first);
    REQUIRE_MESSAGE(WIFSTOPPED(status), "the first indexer ended before it could be paused");
    const std::size_t before = committed_articles(db);

    const auto second = wiredesk::test::run(bin_dir() / "wiredesk-index",
                                            {"--db", db, second_archive.string()});
    INFO("stderr of the second indexer: " << second.err);
    CHECK(second.exit_code == 1);
    CHECK(second.err.find(db) != std::string::npos);
    CHECK(second.err.find("another indexer is writing to this database") != std::string::npos);
    CHECK(second.out.empty());  // no summary: it did nothing
    CHECK(committed_articles(db) == before);

    kill(first, SIGCONT);
    REQUIRE(waitpid(first, &status, 0) == first);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    // Every article of the first indexer, none of the second's.
    Xapian::Database database(db);
    CHECK(database.get_doccount() == 60 * kArticlesPerFile);
    CHECK(database.get_termfreq(wiredesk::schema::id_term("first-59-19")) == 1);
    CHECK(database.get_termfreq(wiredesk::schema::id_term("second-0-0")) == 0);
}

namespace {

/// The nice value of each thread of this process, by thread id (Linux: /proc/self/task).
std::map<int, int> nice_values_of_threads() {
    std::map<int, int> nice;
    for (const auto& task : fs::directory_iterator("/proc/self/task")) {
        std::ifstream stat(task.path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) continue;  // the thread ended meanwhile
        // The name (field 2) is in parentheses and may hold spaces: fields 3... follow it.
        std::istringstream fields(line.substr(line.rfind(')') + 1));
        std::vector<std::string> field{std::istream_iterator<std::string>(fields), {}};
        nice[std::stoi(task.path().filename().string())] = std::stoi(field.at(16));  // field 19
    }
    return nice;
}

}  // namespace

TEST_CASE("the analysis workers run below the writer's priority, by --worker-nice levels") {
    TempDir dir;
    write_archive(dir.path() / "in", 6, "a");
    const int writer_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    if (writer_nice >= 19) {
        MESSAGE("(Skipped) the tests run at nice 19: no lower priority to give the workers");
        return;
    }
    for (const int niceness : {10, 0}) {
        CAPTURE(niceness);
        wiredesk::indexer::IndexOptions options;
        options.database = (dir.path() / ("db" + std::to_string(niceness))).string();
        options.inputs = {dir.path() / "in"};
        options.threads = 2;
        options.worker_niceness = niceness;
        std::set<int> seen;  // the nice values of other threads while files were written
        int writer_during_run = writer_nice;
        wiredesk::indexer::IndexEvents events;
        events.on_progress = [&](const wiredesk::indexer::IndexProgress&) {
            writer_during_run = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
            for (const auto& [thread, nice] : nice_values_of_threads()) {
                if (thread != static_cast<int>(gettid())) seen.insert(nice);
            }
        };
        const auto summary = wiredesk::indexer::index_tree(options, events);
        CHECK(summary.articles_added == 6 * kArticlesPerFile);
        CHECK(writer_during_run == writer_nice);
        if (niceness == 0) {
            CHECK(seen == std::set<int>{writer_nice});
        } else {
            CHECK(seen.count(std::min(writer_nice + niceness, 19)) == 1);
        }
    }
}
