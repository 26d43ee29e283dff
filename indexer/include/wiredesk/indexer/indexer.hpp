/// @file indexer.hpp
/// @brief Indexing a directory tree into a Wiredesk database, incrementally.
///
/// Workers read, parse and analyze files in parallel, a bounded number of articles ahead; one
/// writer (the calling thread) adds the documents in file order and commits in batches, each
/// batch a Xapian transaction holding whole files together with their file state (a new file
/// larger than a batch goes in parts, its state with the last). An interrupted run therefore
/// loses at most the open batch, and the next run completes the job: it clears the parts of a
/// file whose state was never recorded, and reads the file again.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/indexer/archive.hpp"
#include "wiredesk/indexer/grouping.hpp"
#include "wiredesk/indexer/metadata.hpp"

namespace wiredesk::indexer {

struct IndexOptions {
    std::string database;                      ///< created if absent: a database or an archive
    ShardOptions shards;                       ///< sharded archives (archive.hpp)
    std::vector<std::filesystem::path> inputs;  ///< directories (walked recursively) or files
    /// Glob patterns (fnmatch) matched against each file's path relative to its input root
    /// and against its name: matching files and directories are left out.
    std::vector<std::string> excludes;
    unsigned threads = 0;                ///< workers; 0 means one per core
    /// How much lower the workers' scheduling priority is than the writer's (added to their
    /// nice value; Linux). The writer bounds a run and the workers analyze ahead of it, so when
    /// the cores are all busy it should be the one to run; 0 leaves them equal.
    int worker_niceness = 10;
    /// Commit after at least this many articles; a new file larger than that is committed in
    /// parts of this many (its state with the last part). Unset: auto_batch_articles() of the
    /// database's size, chosen afresh for each batch.
    std::optional<std::size_t> batch_articles;
    std::size_t max_file_bytes = std::size_t{1} << 30;    ///< largest file, decompressed
    std::size_t max_article_bytes = std::size_t{16} << 20; ///< largest one-article file
    bool strict = false;                 ///< the first problem is fatal (StrictModeError)
    MetadataOptions metadata;
    GroupingOptions grouping;            ///< copy and story groups (docs/GROUPING.md)
};

/// Where the writer spent its time, in seconds: the figures that say whether a run was bound by
/// the writer or by the workers analyzing ahead of it. With grouping the writer is two threads,
/// the calling one (waiting, spelling, grouping) and one for Xapian's writing.
struct WriterTimes {
    double waiting = 0;     ///< for the workers to read and analyze the next articles
    double writing = 0;     ///< Xapian: adding, replacing and deleting documents
    double spelling = 0;    ///< Xapian: the "did you mean" word list
    double committing = 0;  ///< Xapian: flushing batches to disk
    /// With grouping, Xapian's writing runs on a thread of its own: the time the grouper waited
    /// for it (a full queue of writes, or the writes before a commit or a read).
    double waiting_for_writes = 0;
};

/// What a run did. Article counts: `added` were new ids, `updated` replaced an article of the
/// same id, `removed` were deleted with their file (or vanished from a changed file),
/// `unchanged` sit in files that were not read again.
struct IndexSummary {
    std::size_t files_seen = 0;
    std::size_t files_new = 0;
    std::size_t files_changed = 0;
    std::size_t files_unchanged = 0;
    std::size_t files_deleted = 0;
    std::size_t files_failed = 0;  ///< not indexed at all (binary, empty, truncated...)
    std::size_t articles_added = 0;
    std::size_t articles_updated = 0;
    std::size_t articles_removed = 0;
    std::size_t articles_unchanged = 0;
    std::size_t problems = 0;        ///< every reported problem, whole files and single records
    std::size_t bytes_read = 0;      ///< decompressed bytes of the files read
    std::size_t commits = 0;
    std::size_t documents_total = 0; ///< articles in the database at the end
    double seconds = 0;
    bool interrupted = false;        ///< stopped early by the stop flag; committed work kept
    GroupingStats grouping;          ///< what grouping did, and what it cost the writer
    WriterTimes writer;              ///< the rest of the writer's time
    std::vector<ShardInfo> shards;   ///< a sharded archive's shards at the end; empty otherwise
};

/// Progress of a run, reported after each file is written and every few hundred articles
/// within a large one.
struct IndexProgress {
    std::size_t files_done = 0;
    std::size_t files_total = 0;     ///< files to read (new and changed)
    std::size_t articles_done = 0;
    /// Bytes on disk (compressed sizes) of the files to read, and of the part written so far
    /// (a file's share counted by the articles written): the basis of a fair ETA when a few
    /// files hold most of the articles.
    std::uintmax_t bytes_total = 0;
    std::uintmax_t bytes_done = 0;
    double seconds = 0;
};

/// Callbacks of a run; each is optional. They are called on the calling thread.
struct IndexEvents {
    std::function<void(const InputError&)> on_problem;
    std::function<void(const IndexProgress&)> on_progress;
    /// Set (from a signal handler, say) to stop after the current file and commit.
    const std::atomic<bool>* stop = nullptr;
};

/// Thrown under IndexOptions::strict for the first problem; batches committed before stay.
class StrictModeError : public InputError {
public:
    explicit StrictModeError(const InputError& cause) : InputError(cause) {}
};

/// The batch a run commits after when IndexOptions::batch_articles is unset, for a database
/// that holds @p documents when the batch begins: from about 1,150 articles (empty) up to
/// 5,000 (about 250,000 articles on). Two costs pull apart: Xapian's writing of each article
/// grows with the changes the open batch holds (its postings are kept in memory until the
/// commit), and each commit costs a fixed part plus a part that grows with the database. The
/// batch that makes their sum smallest grows as the square root of the database's size
/// (bench/RESULTS.md, "Batches sized by the database"); the cap keeps memory where a fixed
/// batch of 5,000 had it.
std::size_t auto_batch_articles(std::size_t documents);

/// Indexes @p options.inputs into @p options.database: new and changed files are read, their
/// articles replace the old ones; articles of files deleted under an input root are removed.
/// @throws DatabaseError / SchemaMismatch (nothing written), UsageError for an input that
///         does not exist, StrictModeError under strict.
IndexSummary index_tree(const IndexOptions& options, const IndexEvents& events = {});

}  // namespace wiredesk::indexer
