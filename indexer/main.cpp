// wiredesk-index: a thin adapter from the command line to wiredesk::indexer::index_tree().

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <xapian.h>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/version.hpp"
#include "wiredesk/indexer/indexer.hpp"

namespace {

/// Exit codes, documented in --help.
enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,
    kExitStrict = 2,
    kExitWithProblems = 3,
    kExitInterrupted = 130,
};

std::atomic<bool> g_stop_requested{false};

extern "C" void request_stop(int /*signal*/) {
    g_stop_requested.store(true);
    // A second Ctrl-C kills at once; the database still holds every committed batch.
    std::signal(SIGINT, SIG_DFL);
}

/// Whether @p error_text is errno's text for a write that found no room.
bool is_no_room(const char* error_text) {
    if (error_text == nullptr) return false;
    for (const int code : {ENOSPC, EFBIG, EDQUOT}) {
        if (std::strcmp(error_text, std::strerror(code)) == 0) return true;
    }
    return false;
}

/// The message for a Xapian error while indexing into @p database. Xapian's write errors reach
/// main() without context (the indexer adds none on the way up), so this says which database,
/// what it means and what was kept.
std::string database_failure(const std::string& database, const Xapian::Error& error) {
    const bool no_room = is_no_room(error.get_error_string());  // errno's text, if any
    return database +
           (no_room ? ": cannot write the database: the disk is full or a file size limit was "
                      "reached ("
                    : ": database error (") +
           error.get_description() + "). Batches committed before this are kept; " +
           (no_room ? "make room and run again to finish" : "run again to finish");
}

/// The database being written, for on_terminate().
std::string g_database;
std::terminate_handler g_default_terminate = nullptr;

/// Xapian 1.4.22 can end the process through std::terminate when a write fails (a full disk)
/// in some stages of commit_transaction(): the error escapes through a noexcept frame inside
/// libxapian, or libxapian calls std::terminate itself, out of reach of any catch. The
/// committed batches are safe on disk, as after a kill -9 (tests/integration/
/// test_disk_full.cpp), so say so and fail as main() would. Any other way here is a bug of
/// ours: the default handler then aborts as usual.
[[noreturn]] void on_terminate() noexcept {
    const int error_number = errno;  // the failed write's, when libxapian called terminate
    std::string message;
    if (const std::exception_ptr current = std::current_exception()) {
        try {
            std::rethrow_exception(current);
        } catch (const Xapian::Error& error) {
            message = database_failure(g_database, error);
        } catch (...) {
        }
    } else if (is_no_room(std::strerror(error_number))) {
        message = g_database +
                  ": cannot write the database: the disk is full or a file size limit was "
                  "reached (" +
                  std::strerror(error_number) +
                  "). Batches committed before this are kept; make room and run again to finish";
    }
    if (!message.empty()) {
        if (isatty(STDERR_FILENO) != 0) std::cerr << '\n';  // below the progress bar
        std::cerr << "wiredesk-index: " << message << std::endl;
        std::_Exit(kExitFailure);
    }
    g_default_terminate();
    std::abort();
}

/// A one-line progress bar redrawn in place on stderr (only when stderr is a terminal).
class ProgressBar {
public:
    void draw(const wiredesk::indexer::IndexProgress& progress) {
        const double now = progress.seconds;
        if (now - m_last_draw < 0.2 && progress.files_done != progress.files_total) return;
        m_last_draw = now;
        // By bytes, not files: one big feed among small pages would otherwise stall the bar.
        const double fraction =
            progress.bytes_total == 0
                ? 1.0
                : static_cast<double>(progress.bytes_done) / static_cast<double>(progress.bytes_total);
        constexpr int kWidth = 24;
        const int filled = static_cast<int>(fraction * kWidth);
        const double rate = now > 0 ? static_cast<double>(progress.articles_done) / now : 0.0;
        const double eta = fraction > 0 ? now / fraction - now : 0.0;
        fmt::print(stderr, "\r[{}{}] {}/{} files  {} articles  {:.0f} articles/s  ETA {}:{:02}  ",
                   std::string(static_cast<std::size_t>(filled), '#'),
                   std::string(static_cast<std::size_t>(kWidth - filled), '.'),
                   progress.files_done, progress.files_total, progress.articles_done, rate,
                   static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
        std::fflush(stderr);
        m_visible = true;
    }

    /// Ends the bar's line so that a message printed next starts on a line of its own.
    void clear() {
        if (!m_visible) return;
        fmt::print(stderr, "\r\033[K");
        m_visible = false;
    }

private:
    double m_last_draw = -1;
    bool m_visible = false;
};

nlohmann::json summary_json(const wiredesk::indexer::IndexSummary& s) {
    return {
        {"files", {{"seen", s.files_seen}, {"new", s.files_new}, {"changed", s.files_changed},
                   {"unchanged", s.files_unchanged}, {"deleted", s.files_deleted},
                   {"failed", s.files_failed}}},
        {"articles", {{"added", s.articles_added}, {"updated", s.articles_updated},
                      {"removed", s.articles_removed}, {"unchanged", s.articles_unchanged},
                      {"total", s.documents_total}}},
        {"problems", s.problems},
        {"bytes_read", s.bytes_read},
        {"commits", s.commits},
        {"seconds", s.seconds},
        {"interrupted", s.interrupted},
        {"grouping", {{"assigned", s.grouping.articles}, {"copies", s.grouping.copies},
                      {"stories", s.grouping.stories}, {"merges", s.grouping.merges},
                      {"rechecks", s.grouping.rechecks}, {"splits", s.grouping.splits},
                      {"copy_candidates", s.grouping.copy_candidates},
                      {"story_candidates", s.grouping.story_candidates},
                      {"seconds", s.grouping.seconds}}},
        // The writer's time by what it did (grouping's is above): a run whose writer mostly
        // waits is bound by the analysis, one whose writer never waits by Xapian's writing.
        {"writer_seconds", {{"waiting", s.writer.waiting}, {"writing", s.writer.writing},
                            {"spelling", s.writer.spelling}, {"committing", s.writer.committing},
                            {"grouping", s.grouping.seconds},
                            {"waiting_for_writes", s.writer.waiting_for_writes}}},
        {"shards", [&] {
             auto shards = nlohmann::json::array();
             for (const auto& shard : s.shards) {
                 shards.push_back({{"name", shard.name}, {"articles", shard.articles}});
             }
             return shards;
         }()},
    };
}

void print_summary(const wiredesk::indexer::IndexSummary& s, const std::string& database) {
    fmt::print("{}: {} articles added, {} updated, {} removed, {} unchanged; {} in the database\n",
               database, s.articles_added, s.articles_updated, s.articles_removed,
               s.articles_unchanged, s.documents_total);
    fmt::print("files: {} seen, {} new, {} changed, {} unchanged, {} deleted, {} failed; "
               "{} problems; {:.2f} s ({:.0f} articles/s)\n",
               s.files_seen, s.files_new, s.files_changed, s.files_unchanged, s.files_deleted,
               s.files_failed, s.problems, s.seconds,
               s.seconds > 0 ? static_cast<double>(s.articles_added + s.articles_updated) / s.seconds
                             : 0.0);
    if (s.grouping.articles != 0) {
        fmt::print("grouping: {} of {} articles joined a copy group, {} a story group; {} merges; {:.2f} s\n",
                   s.grouping.copies, s.grouping.articles, s.grouping.stories, s.grouping.merges,
                   s.grouping.seconds);
    }
    if (!s.shards.empty()) {
        std::string list;
        for (const auto& shard : s.shards) {
            list += fmt::format("{}{} ({})", list.empty() ? "" : ", ", shard.name, shard.articles);
        }
        fmt::print("shards: {}\n", list);
    }
    if (s.interrupted) fmt::print("interrupted: committed work is kept; run again to finish\n");
}

/// An archive of decades has hundreds of shards, each a handful of open files: lift the soft
/// limit on open files to the hard one.
void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}  // namespace

int main(int argc, char** argv) {
    namespace indexer = wiredesk::indexer;
    indexer::IndexOptions options;
    std::vector<std::string> inputs;
    bool json = false;
    bool quiet = false;
    bool no_progress = false;
    std::size_t max_file_mb = options.max_file_bytes >> 20;
    std::size_t max_article_mb = options.max_article_bytes >> 20;

    CLI::App app{
        "wiredesk-index: index a directory of news articles into a Wiredesk (Xapian) database.\n\n"
        "Walks the given directories recursively and reads plain text (.txt), HTML pages and\n"
        "JSON / JSON Lines files, each also gzip-compressed; formats are recognised by content\n"
        "as well as by name. Runs are incremental: files unchanged since the last run are not\n"
        "read again, changed files replace their articles, deleted files lose theirs.\n\n"
        "Examples:\n"
        "  wiredesk-index --db news.db ~/archive/\n"
        "  wiredesk-index --db news.db --source 'Harbor Wire' --exclude '*.bak' feeds/ wire/\n"
        "  wiredesk-index --db news.db --json ~/archive/ | jq .articles\n"
        "  wiredesk-index --db archive/ --shard-by month ~/feeds/   # one database per month\n"
        "  wiredesk-index --db archive/ --compact                    # compact every shard\n\n"
        "Sharded archives (docs/SCALING.md): --shard-by month|year|none makes --db a directory\n"
        "holding one Xapian database per period plus a stub file that lists them; searching\n"
        "the directory searches them all as one. Later runs need no --shard-by: the archive\n"
        "remembers its split. Articles whose date changes move to their new period's shard.\n\n"
        "Problems with single files or records are printed to stderr as `path[:line]: reason`\n"
        "and skipped; the run goes on.\n\n"
        "Exit codes:\n"
        "  0    indexed, no problems\n"
        "  1    failure: database missing, unwritable, locked (another indexer is writing) or\n"
        "       of another schema version, or a write failed (disk full; committed batches\n"
        "       are kept)\n"
        "  2    --strict: stopped at the first problem (batches committed before it are kept)\n"
        "  3    indexed, but some files or records were skipped (see stderr)\n"
        "  130  interrupted (Ctrl-C): committed batches are kept; run again to finish\n"
        "  other: usage errors (CLI11's codes)"};
    app.set_version_flag("--version", std::string("wiredesk-index ") + wiredesk::kVersionString);
    app.add_option("--db", options.database, "Database directory (created if absent)")
        ->required();
    auto* inputs_option = app.add_option("inputs", inputs, "Directories or files to index");
    std::string shard_by;
    app.add_option("--shard-by", shard_by,
                   "Create (or check) a sharded archive: one database per month, per year, or "
                   "none (one shard, with --shard-max-articles: shards of a fixed size)")
        ->check(CLI::IsMember({"month", "year", "none"}));
    app.add_option("--shard-max-articles", options.shards.max_articles,
                   "A shard's size cap in articles: a full shard's period goes on in a new one "
                   "(2026-01.2); 0 for none. Remembered by the archive");
    bool compact = false;
    app.add_flag("--compact", compact,
                 "Compact the database, or each shard of an archive, in place (Xapian "
                 "compaction: smaller and faster to search; group ids and file states are "
                 "kept), then index the inputs if any are given");
    app.add_option("--threads,-j", options.threads,
                   "Worker threads for reading and analysis (default: one per core)");
    app.add_option("--worker-nice", options.worker_niceness,
                   "How much lower the workers' priority is than the writer's, which bounds the "
                   "run (nice levels, 0-19; 0: equal)")
        ->check(CLI::Range(0, 19))
        ->capture_default_str();
    app.add_option("--batch", options.batch_articles,
                   "Commit after this many articles; an interrupted run loses at most one "
                   "batch (default: by the database's size, from about 1,150 articles when it "
                   "is empty up to 5,000)");
    app.add_option("--exclude", options.excludes,
                   "Leave out files and directories matching this glob (relative path or "
                   "name); repeatable")
        ->allow_extra_args(false);  // one pattern per --exclude: the inputs follow
    app.add_option("--source", options.metadata.default_source,
                   "Source for articles that name none and have no URL");
    app.add_flag("--date-from-mtime", options.metadata.date_from_mtime,
                 "Date undated articles with their file's modification time");
    app.add_flag("--strict", options.strict, "Stop at the first problem (exit code 2)");
    bool no_grouping = false;
    app.add_flag("--no-grouping", no_grouping,
                 "Do not group copies and stories (docs/GROUPING.md); for measuring its cost");
    app.add_option("--max-file-size", max_file_mb, "Largest file read, in MB (decompressed)")
        ->capture_default_str();
    app.add_option("--max-article-size", max_article_mb,
                   "Largest single-article (text or HTML) file, in MB")
        ->capture_default_str();
    app.add_flag("--json", json, "Print the summary as one JSON object on stdout");
    app.add_flag("--quiet,-q", quiet, "Print problems only, no summary or progress");
    app.add_flag("--no-progress", no_progress, "No progress bar (it only shows on a terminal)");
    CLI11_PARSE(app, argc, argv);
    options.grouping.enabled = !no_grouping;
    options.shards.shard_by = indexer::parse_shard_by(shard_by);
    if (inputs_option->count() == 0 && !compact) {
        std::cerr << "wiredesk-index: give directories or files to index (or --compact); see "
                     "--help\n";
        return static_cast<int>(CLI::ExitCodes::RequiredError);
    }
    raise_open_file_limit();

    options.max_file_bytes = max_file_mb << 20;
    options.max_article_bytes = max_article_mb << 20;
    for (const auto& input : inputs) options.inputs.emplace_back(input);

    g_database = options.database;
    g_default_terminate = std::set_terminate(on_terminate);
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);

    ProgressBar bar;
    const bool show_progress = !quiet && !no_progress && !json && isatty(STDERR_FILENO) != 0;
    indexer::IndexEvents events;
    events.stop = &g_stop_requested;
    events.on_problem = [&bar](const wiredesk::InputError& problem) {
        bar.clear();
        std::cerr << problem.what() << '\n';
    };
    if (show_progress) {
        events.on_progress = [&bar](const indexer::IndexProgress& progress) { bar.draw(progress); };
    }

    // Every failure ends the same way: the bar's line cleared, one message, a documented code.
    const auto fail = [&bar](const std::string& message, int code) {
        bar.clear();
        std::cerr << "wiredesk-index: " << message << '\n';
        return code;
    };
    try {
        if (compact) {
            const indexer::CompactionResult result = indexer::compact_archive(options.database);
            if (!quiet && !json) {
                fmt::print("{}: compacted {} database(s): {:.1f} MB -> {:.1f} MB\n",
                           options.database, result.databases,
                           static_cast<double>(result.bytes_before) / 1e6,
                           static_cast<double>(result.bytes_after) / 1e6);
            }
            if (inputs.empty()) {
                if (json) {
                    std::cout << nlohmann::json{{"compacted",
                                                 {{"databases", result.databases},
                                                  {"bytes_before", result.bytes_before},
                                                  {"bytes_after", result.bytes_after}}}}
                                     .dump(2)
                              << '\n';
                }
                return kExitOk;
            }
        }
        const indexer::IndexSummary summary = indexer::index_tree(options, events);
        bar.clear();
        if (json) {
            std::cout << summary_json(summary).dump(2) << '\n';
        } else if (!quiet) {
            print_summary(summary, options.database);
        }
        if (summary.interrupted) return kExitInterrupted;
        return summary.problems == 0 ? kExitOk : kExitWithProblems;
    } catch (const indexer::StrictModeError& error) {
        return fail(std::string("stopped (--strict) at: ") + error.what(), kExitStrict);
    } catch (const std::exception& error) {
        return fail(error.what(), kExitFailure);
    } catch (const Xapian::Error& error) {
        return fail(database_failure(options.database, error), kExitFailure);
    }
}
