#include "wiredesk/indexer/indexer.hpp"

#include <fnmatch.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "wiredesk/common/database.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/common/text.hpp"
#include "wiredesk/indexer/archive.hpp"
#include "wiredesk/indexer/document_builder.hpp"
#include "wiredesk/indexer/document_terms.hpp"
#include "wiredesk/indexer/input_file.hpp"
#include "wiredesk/indexer/reader.hpp"

namespace wiredesk::indexer {
namespace fs = std::filesystem;

namespace {

/// Articles analyzed per task: big enough to amortise the queue, small enough that one large
/// JSON Lines file keeps every core busy.
constexpr std::size_t kArticlesPerTask = 64;

/// Articles the workers may have analyzed ahead of the writer: enough to keep it fed for
/// seconds, few enough that built documents (tens of kB each) stay a small share of memory
/// whatever the size of the files.
constexpr std::size_t kArticlesAhead = 2048;

/// Bytes of files (as stored) the workers may have read ahead of the writer, beyond the few
/// files always allowed. One-article files are small: a window of a few files let the writer
/// catch up with the workers (which run at a lower priority) and wait. Their articles are then
/// analyzed ahead as far as kArticlesAhead allows.
constexpr std::uintmax_t kBytesReadAhead = std::uintmax_t{8} << 20;

/// Within a large file, progress is reported every this many articles.
constexpr std::size_t kProgressEvery = 256;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Runs @p work and adds the time it took to @p total (exceptions included).
template <typename Work>
decltype(auto) timed(double& total, Work&& work) {
    struct AddElapsed {
        double& total;
        Clock::time_point start = Clock::now();
        ~AddElapsed() { total += seconds_since(start); }
    } add_elapsed{total};
    return work();
}

/// What the database remembers of a file, to tell whether it changed.
struct FileState {
    std::string path;
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
    std::size_t articles = 0;
};

std::string encode_state(const FileState& state) {
    return nlohmann::json{{"path", state.path},
                          {"size", state.size},
                          {"mtime_ns", state.mtime_ns},
                          {"articles", state.articles}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<FileState> decode_state(const std::string& data) {
    const auto json = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("path")) return std::nullopt;
    FileState state;
    state.path = json.value("path", "");
    state.size = json.value("size", std::uintmax_t{0});
    state.mtime_ns = json.value("mtime_ns", std::int64_t{0});
    state.articles = json.value("articles", std::size_t{0});
    return state;
}

std::map<std::string, FileState> load_file_states(const Xapian::Database& database) {
    std::map<std::string, FileState> states;
    const std::string prefix(schema::kFileStateKeyPrefix);
    for (auto key = database.metadata_keys_begin(prefix); key != database.metadata_keys_end(prefix);
         ++key) {
        if (auto state = decode_state(database.get_metadata(*key))) {
            states.emplace(state->path, std::move(*state));
        }
    }
    return states;
}

std::int64_t mtime_ns(const fs::directory_entry& entry) {
    const auto time = entry.last_write_time();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

/// File times are in the file clock's epoch; dates are Unix seconds.
UnixTime to_unix_time(fs::file_time_type time) {
    const auto system = fs::file_time_type::clock::to_sys(time);
    return std::chrono::duration_cast<std::chrono::seconds>(system.time_since_epoch()).count();
}

bool is_excluded(const fs::path& relative, const std::vector<std::string>& excludes) {
    const std::string path = relative.generic_string();
    const std::string name = relative.filename().string();
    for (const auto& pattern : excludes) {
        if (fnmatch(pattern.c_str(), path.c_str(), 0) == 0 ||
            fnmatch(pattern.c_str(), name.c_str(), 0) == 0) {
            return true;
        }
    }
    return false;
}

bool is_hidden(const fs::path& path) {
    const std::string name = path.filename().string();
    return name.size() > 1 && name[0] == '.' && name != "..";
}

/// A file found by the walk.
struct FoundFile {
    std::string path;  ///< absolute, normalised: the file's identity in the database
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
    UnixTime mtime = 0;
};

/// Walks the inputs; problems with directories go to @p on_problem.
std::vector<FoundFile> find_files(const IndexOptions& options,
                                  const std::vector<fs::path>& roots,
                                  const std::function<void(const InputError&)>& on_problem) {
    std::vector<FoundFile> files;
    const auto add = [&](const fs::directory_entry& entry) {
        std::error_code error;
        FoundFile file;
        file.path = entry.path().string();
        file.size = entry.file_size(error);
        if (!error) {
            file.mtime_ns = mtime_ns(entry);
            file.mtime = to_unix_time(entry.last_write_time());
        }
        if (error) {
            on_problem(InputError(file.path, std::nullopt, "cannot stat: " + error.message()));
            return;
        }
        files.push_back(std::move(file));
    };
    for (const fs::path& root : roots) {
        std::error_code error;
        if (fs::is_regular_file(root, error)) {
            add(fs::directory_entry(root));
            continue;
        }
        fs::recursive_directory_iterator walker(
            root, fs::directory_options::skip_permission_denied, error);
        if (error) {
            on_problem(InputError(root.string(), std::nullopt, "cannot read: " + error.message()));
            continue;
        }
        for (auto it = walker; it != fs::recursive_directory_iterator();) {
            const fs::directory_entry& entry = *it;
            const fs::path relative = entry.path().lexically_relative(root);
            const bool skip = is_hidden(entry.path()) || is_excluded(relative, options.excludes);
            if (entry.is_directory(error)) {
                if (skip) it.disable_recursion_pending();
            } else if (!skip && entry.is_regular_file(error)) {
                add(entry);
            }
            it.increment(error);
            if (error) {
                on_problem(InputError(entry.path().string(), std::nullopt,
                                      "cannot read directory: " + error.message()));
                error.clear();
            }
        }
    }
    std::sort(files.begin(), files.end(),
              [](const FoundFile& a, const FoundFile& b) { return a.path < b.path; });
    files.erase(std::unique(files.begin(), files.end(),
                            [](const FoundFile& a, const FoundFile& b) { return a.path == b.path; }),
                files.end());
    return files;
}

bool is_under(const std::string& path, const std::vector<fs::path>& roots) {
    for (const fs::path& root : roots) {
        const std::string prefix = root.string();
        if (path == prefix) return true;
        const std::string directory = prefix.ends_with('/') ? prefix : prefix + "/";
        if (path.rfind(directory, 0) == 0) return true;
    }
    return false;
}

/// Lowers the calling thread's scheduling priority by @p niceness (on Linux a thread has a nice
/// value of its own). Best effort: where it is refused, the thread runs at the priority it has.
void lower_priority(int niceness) {
#ifdef __linux__
    if (niceness <= 0) return;
    const auto thread = static_cast<id_t>(::gettid());
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, thread);
    if (errno == 0) ::setpriority(PRIO_PROCESS, thread, std::min(current + niceness, 19));
#else
    (void)niceness;
#endif
}

/// Names the calling thread @p name (at most 15 characters): what `top -H`, `perf report
/// --sort pid` and debuggers show for it, instead of the program's name on every thread.
void name_thread(const char* name) {
#ifdef __linux__
    ::pthread_setname_np(::pthread_self(), name);
#else
    (void)name;
#endif
}

/// One file on its way through the pipeline: read by one task, analyzed by several.
struct FileWork {
    FoundFile file;
    std::vector<Article> articles;
    std::vector<Xapian::Document> documents;        ///< parallel to articles
    std::vector<DocumentTerms> terms;               ///< parallel to articles: read by the workers
    std::vector<std::optional<InputError>> skipped; ///< parallel to articles: why not indexed
    std::vector<InputError> reader_problems;
    std::optional<InputError> failure;               ///< the whole file could not be read
    std::size_t tasks_left = 0;                      ///< analysis tasks still to finish
    std::size_t analyzed = 0;  ///< articles [0, analyzed) are ready for the writer
    std::size_t passed = 0;    ///< articles [0, passed) are written (or skipped) by the writer
    bool wanted_whole = false; ///< the writer waits for all of it: no limit on analyzing ahead
    std::vector<bool> chunk_done;                    ///< per analysis task
    bool read_done = false;
    bool done = false;
};

/// The worker pool: reads files and analyzes their articles, in parallel, ahead of the writer.
class Pipeline {
public:
    Pipeline(const IndexOptions& options, std::vector<FoundFile> files, unsigned threads)
        : m_options(options), m_readers(make_default_readers()) {
        m_work.reserve(files.size());
        for (auto& file : files) {
            auto work = std::make_unique<FileWork>();
            work->file = std::move(file);
            m_work.push_back(std::move(work));
        }
        // Files always allowed ahead: enough to keep every worker busy, few enough to bound
        // memory when files are large. Small files may go further (kBytesReadAhead).
        m_window = std::max<std::size_t>(4, 2 * static_cast<std::size_t>(threads));
        {
            std::lock_guard lock(m_mutex);
            schedule_reads_locked();
        }
        for (unsigned i = 0; i < threads; ++i) {
            m_threads.emplace_back([this] {
                name_thread("wd-worker");
                lower_priority(m_options.worker_niceness);
                work_loop();
            });
        }
    }

    ~Pipeline() {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
            m_tasks.clear();
            m_analyses.clear();
        }
        m_task_ready.notify_all();
        for (auto& thread : m_threads) thread.join();
    }

    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    [[nodiscard]] std::size_t size() const noexcept { return m_work.size(); }
    [[nodiscard]] std::size_t bytes_read() const noexcept { return m_bytes_read.load(); }

    /// Waits until file @p index is read (its article count known), and lets the workers
    /// read further ahead.
    FileWork& wait_for_read(std::size_t index) {
        std::unique_lock lock(m_mutex);
        m_file_done.wait(lock, [&] { return m_work[index]->read_done; });
        for (; m_consumed <= index; ++m_consumed) {
            if (m_work[m_consumed]) m_bytes_ahead -= m_work[m_consumed]->file.size;
        }
        schedule_reads_locked();
        m_task_ready.notify_all();
        return *m_work[index];
    }

    /// Waits until the first @p count articles of file @p index are analyzed (or the whole file
    /// is), and returns how many are ready. The writer adds a large file's documents while the
    /// workers still analyze the rest of it. Asking for article n says the writer is done with
    /// those before it, which lets the workers analyze that many further ahead.
    std::size_t wait_for_articles(std::size_t index, std::size_t count) {
        std::unique_lock lock(m_mutex);
        FileWork& work = *m_work[index];
        if (count >= work.articles.size() && !work.wanted_whole) {
            work.wanted_whole = true;
            m_task_ready.notify_all();
        }
        // Only analyzed articles count as passed: the workers counted them when they started.
        if (count > 0) pass_locked(work, std::min(count - 1, work.analyzed));
        m_file_done.wait(lock, [&] { return work.done || work.analyzed >= count; });
        return work.done ? work.articles.size() : work.analyzed;
    }

    /// Frees what file @p index holds once it is written.
    void release(std::size_t index) {
        std::lock_guard lock(m_mutex);
        FileWork& work = *m_work[index];
        pass_locked(work, work.articles.size());
        m_work[index].reset();
    }

private:
    using Task = std::function<void(DocumentBuilder&)>;
    /// Analysis tasks by (file, first article): the writer's next articles come first.
    using AnalysisKey = std::pair<std::size_t, std::size_t>;
    struct Analysis {
        std::size_t articles = 0;
        Task task;
    };

    /// Notes that the writer is done with file @p work's articles before @p passed.
    void pass_locked(FileWork& work, std::size_t passed) {
        if (passed <= work.passed) return;
        m_ahead -= passed - work.passed;
        work.passed = passed;
        if (m_ahead < kArticlesAhead && !m_analyses.empty()) m_task_ready.notify_all();
    }

    /// Whether the first analysis task may start: the workers are not too far ahead of the
    /// writer, or the writer waits for that whole file (under --strict, or to place a file's
    /// articles in an archive's shards).
    [[nodiscard]] bool analysis_ready_locked() const {
        if (m_analyses.empty()) return false;
        return m_ahead < kArticlesAhead || m_work[m_analyses.begin()->first.first]->wanted_whole;
    }

    void schedule_reads_locked() {
        while (m_next_read < m_work.size()) {
            const std::size_t ahead = m_next_read - m_consumed;
            const std::uintmax_t size = m_work[m_next_read]->file.size;
            const bool small_enough =
                ahead < kArticlesAhead && m_bytes_ahead + size <= kBytesReadAhead;
            if (ahead >= m_window && !small_enough) break;
            m_bytes_ahead += size;
            const std::size_t index = m_next_read++;
            m_tasks.emplace_back([this, index](DocumentBuilder&) { read_file(index); });
        }
    }

    void work_loop() {
        // One per thread: analyzers are not thread-safe.
        DocumentBuilder builder(m_options.grouping.enabled);
        while (true) {
            Task task;
            {
                std::unique_lock lock(m_mutex);
                m_task_ready.wait(
                    lock, [&] { return m_stopping || analysis_ready_locked() || !m_tasks.empty(); });
                if (m_stopping) return;
                // Analysis first, in file order: it keeps the writer fed and memory bounded.
                if (analysis_ready_locked()) {
                    auto first = m_analyses.begin();
                    m_ahead += first->second.articles;
                    task = std::move(first->second.task);
                    m_analyses.erase(first);
                } else {
                    task = std::move(m_tasks.front());
                    m_tasks.pop_front();
                }
            }
            task(builder);
        }
    }

    void read_file(std::size_t index) {
        FileWork& work = *m_work[index];
        try {
            std::string content = read_input_file(work.file.path, m_options.max_file_bytes);
            SourceText source{work.file.path, source_name(work.file.path), content};
            const Reader* reader = choose_reader(m_readers, source);
            if (reader == nullptr) {
                throw InputError(work.file.path, std::nullopt,
                                 "binary or unrecognised content: not an article format");
            }
            if (reader->name() != "json" && content.size() > m_options.max_article_bytes) {
                throw InputError(work.file.path, std::nullopt,
                                 "a single " + std::string(reader->name()) + " article of " +
                                     std::to_string(content.size() >> 20) +
                                     " MB is over the --max-article-size limit");
            }
            m_bytes_read += content.size();
            reader->read(
                source, [&](Article&& article) { work.articles.push_back(std::move(article)); },
                [&](const InputError& problem) { work.reader_problems.push_back(problem); });
            if (work.articles.empty() && work.reader_problems.empty()) {
                throw InputError(work.file.path, std::nullopt, "no articles found");
            }
        } catch (const InputError& error) {
            work.failure = error;
            work.articles.clear();
        } catch (const std::exception& error) {
            work.failure = InputError(work.file.path, std::nullopt, error.what());
            work.articles.clear();
        }

        const std::size_t count = work.articles.size();
        work.documents.resize(count);
        work.terms.resize(count);
        work.skipped.resize(count);
        std::lock_guard lock(m_mutex);
        work.read_done = true;
        work.tasks_left = (count + kArticlesPerTask - 1) / kArticlesPerTask;
        work.chunk_done.assign(work.tasks_left, false);
        m_file_done.notify_all();
        if (work.tasks_left == 0) {
            work.done = true;
            return;
        }
        for (std::size_t begin = 0; begin < count; begin += kArticlesPerTask) {
            const std::size_t end = std::min(count, begin + kArticlesPerTask);
            m_analyses.emplace(AnalysisKey{index, begin},
                               Analysis{end - begin, [this, index, begin, end](DocumentBuilder& builder) {
                                            analyze(index, begin, end, builder);
                                        }});
        }
        m_task_ready.notify_all();
    }

    void analyze(std::size_t index, std::size_t begin, std::size_t end, DocumentBuilder& builder) {
        FileWork& work = *m_work[index];
        MetadataOptions metadata = m_options.metadata;
        metadata.file_mtime = work.file.mtime;
        for (std::size_t i = begin; i < end; ++i) {
            Article& article = work.articles[i];
            try {
                if (article.path.empty()) article.path = work.file.path;
                resolve_metadata(article, metadata);
                work.documents[i] = builder.build(article);
                work.terms[i] =
                    read_document_terms(work.documents[i], m_options.grouping.enabled);
            } catch (const InputError& error) {
                work.skipped[i] = error;
            } catch (const std::exception& error) {
                work.skipped[i] = InputError(work.file.path, article.line, error.what());
            }
        }
        std::lock_guard lock(m_mutex);
        work.chunk_done[begin / kArticlesPerTask] = true;
        while (work.analyzed < work.articles.size() &&
               work.chunk_done[work.analyzed / kArticlesPerTask]) {
            work.analyzed = std::min(work.articles.size(), work.analyzed + kArticlesPerTask);
        }
        if (--work.tasks_left == 0) work.done = true;
        m_file_done.notify_all();
    }

    static std::string source_name(const std::string& path) {
        std::string name = ascii_lower(fs::path(path).filename().string());
        if (name.ends_with(".gz")) name.resize(name.size() - 3);
        return name;
    }

    const IndexOptions& m_options;
    std::vector<std::unique_ptr<Reader>> m_readers;  // const after construction: shared
    std::vector<std::unique_ptr<FileWork>> m_work;
    std::deque<Task> m_tasks;  ///< reading files
    std::map<AnalysisKey, Analysis> m_analyses;
    /// Articles of the analysis tasks started that the writer has not passed yet.
    std::size_t m_ahead = 0;
    std::mutex m_mutex;
    std::condition_variable m_task_ready;
    std::condition_variable m_file_done;
    std::vector<std::thread> m_threads;
    std::size_t m_next_read = 0;
    std::size_t m_consumed = 0;      ///< files the writer has taken
    std::size_t m_window = 4;
    std::uintmax_t m_bytes_ahead = 0;  ///< sizes of the files read past m_consumed
    bool m_stopping = false;
    std::atomic<std::size_t> m_bytes_read{0};
};

/// The ids of the articles a file contributed, read back from the database.
std::set<std::string> ids_of_file(const Xapian::Database& database, const std::string& path) {
    std::set<std::string> ids;
    const std::string term = schema::file_term(path);
    const std::string id_prefix(schema::prefix::kId);
    for (auto posting = database.postlist_begin(term); posting != database.postlist_end(term);
         ++posting) {
        auto terms = database.termlist_begin(*posting);
        terms.skip_to(id_prefix);
        if (terms != database.termlist_end(*posting) && (*terms).rfind(id_prefix, 0) == 0) {
            ids.insert(*terms);
        }
    }
    return ids;
}

/// The words that feed "did you mean" over one batch, added to the database once per word when
/// the batch commits. Xapian's add_spelling looks its word up (and stores the word's fragments
/// when it is new) on every call; called for each word of each article it took a tenth of the
/// writer's time, for the same sums.
class SpellingBuffer {
public:
    /// Counts a document's exact words (DocumentTerms::words: what a user types; numbers are
    /// left out, as they would only ever "correct" one number into another).
    void add(const PackedTerms& words) {
        words.for_each([&](std::string_view word, Xapian::termcount wdf) {
            m_frequencies[std::string(word)] += wdf;
        });
    }

    /// Adds the counted words to @p database (inside its open transaction) and forgets them.
    void flush(Xapian::WritableDatabase& database) {
        for (const auto& [word, frequency] : m_frequencies) database.add_spelling(word, frequency);
        m_frequencies.clear();
    }

    /// Forgets the counted words: their batch was dropped.
    void clear() noexcept { m_frequencies.clear(); }

private:
    std::unordered_map<std::string, Xapian::termcount> m_frequencies;
};

/// The writer's Xapian calls, run in order on a thread of their own when grouping is on: the
/// grouper, on the calling thread, decides the next article's groups while Xapian writes the
/// last, so the two costs overlap instead of adding up on one thread. The grouper never reads
/// the writable database (it answers from the last commit and its own record of the batch),
/// and the caller reads it only after drain(). Without grouping there is little to overlap,
/// and the calls run at once, on the caller.
class WriteQueue {
public:
    explicit WriteQueue(bool threaded) {
        if (threaded) {
            m_thread = std::thread([this] {
                name_thread("wd-writer");
                run();
            });
        }
    }
    ~WriteQueue() { stop(); }
    WriteQueue(const WriteQueue&) = delete;
    WriteQueue& operator=(const WriteQueue&) = delete;

    /// Queues @p write (unthreaded: runs it). Blocks while the queue is full. Rethrows the
    /// error of a write that failed before, after which nothing more is written.
    void push(std::function<void()> write) {
        if (!m_thread.joinable()) {
            write();
            return;
        }
        std::unique_lock lock(m_mutex);
        if (m_queue.size() >= kCapacity && !m_failure) {
            const auto start = Clock::now();
            m_changed.wait(lock, [&] { return m_queue.size() < kCapacity || m_failure; });
            m_blocked += seconds_since(start);
        }
        if (m_failure) std::rethrow_exception(m_failure);
        m_queue.push_back(std::move(write));
        m_changed.notify_all();
    }

    /// Waits until every queued write has run: the database is then the caller's to read or
    /// commit. Rethrows the first failed write's error.
    void drain() {
        if (!m_thread.joinable()) return;
        std::unique_lock lock(m_mutex);
        const auto start = Clock::now();
        m_changed.wait(lock, [&] { return (m_queue.empty() && !m_busy) || m_failure; });
        m_blocked += seconds_since(start);
        if (m_failure) std::rethrow_exception(m_failure);
    }

    /// Drops what is still queued, lets the write under way end, and stops the thread: before
    /// an open batch is cancelled.
    void stop() noexcept {
        if (!m_thread.joinable()) return;
        {
            const std::lock_guard lock(m_mutex);
            m_stopping = true;
            m_queue.clear();
        }
        m_changed.notify_all();
        m_thread.join();
    }

    /// Time the caller spent waiting for the writes (a full queue, drains).
    [[nodiscard]] double blocked_seconds() const noexcept { return m_blocked; }

private:
    /// Queued writes: enough to ride out an article that is slow to group, few enough that the
    /// documents waiting (tens of kB each) stay small.
    static constexpr std::size_t kCapacity = 256;

    void run() {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_changed.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty()) return;
            std::function<void()> write = std::move(m_queue.front());
            m_queue.pop_front();
            m_busy = true;
            lock.unlock();
            std::exception_ptr failure;
            try {
                write();
            } catch (...) {
                failure = std::current_exception();
            }
            write = nullptr;  // its document is freed here, not under the lock
            lock.lock();
            m_busy = false;
            if (failure) {
                m_failure = failure;
                m_queue.clear();
            }
            m_changed.notify_all();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::function<void()>> m_queue;
    bool m_busy = false;
    bool m_stopping = false;
    std::exception_ptr m_failure;
    double m_blocked = 0;
    std::thread m_thread;
};

/// Commits in batches, each one Xapian transaction (per database of an archive): a crash loses
/// at most the open batch.
class BatchWriter {
public:
    /// @p batch_articles unset: each batch's size is chosen by the database's size when it
    /// begins (auto_batch_articles).
    BatchWriter(ArchiveWriter& archive, std::optional<std::size_t> batch_articles)
        : m_archive(archive), m_fixed_batch(batch_articles) {
        begin();
    }

    /// Feeds the batch's "did you mean" words with @p words, those of a new article
    /// (DocumentTerms::words).
    void add_spellings(const PackedTerms& words) {
        timed(m_spelling_seconds, [&] { m_spellings.add(words); });
    }

    /// Counts @p articles written into the open batch.
    void counted(std::size_t articles) noexcept { m_pending += articles; }

    /// Whether the open batch holds a batch's worth of articles: time to commit.
    [[nodiscard]] bool full() const noexcept { return m_pending >= m_batch; }

    void commit() {
        commit_around([] {});
    }

    /// Commits, runs @p between outside any transaction (adding shards renumbers documents,
    /// which a transaction must not straddle), and opens the next batch.
    void commit_around(const std::function<void()>& between) {
        flush_spellings();
        timed(m_seconds, [&] {
            stamp();
            m_archive.commit_transaction();
        });
        ++m_commits;
        m_pending = 0;
        between();
        begin();
    }

    void finish() {
        commit();
        timed(m_seconds, [&] { m_archive.commit_transaction(); });
    }

    /// Drops the open batch: for errors that may have left a file half-written in it.
    void cancel() noexcept {
        m_spellings.clear();
        try {
            m_archive.cancel_transaction();
        } catch (...) {
            // The database is closing on an error already; the last commit stands.
        }
    }

    [[nodiscard]] std::size_t commits() const noexcept { return m_commits; }
    /// Time spent committing.
    [[nodiscard]] double seconds() const noexcept { return m_seconds; }
    /// Time spent on the "did you mean" words.
    [[nodiscard]] double spelling_seconds() const noexcept { return m_spelling_seconds; }

private:
    void begin() {
        m_batch = std::max<std::size_t>(
            1, m_fixed_batch ? *m_fixed_batch
                             : auto_batch_articles(m_archive.database().get_doccount()));
        m_archive.begin_transaction();
    }

    void flush_spellings() {
        timed(m_spelling_seconds, [&] { m_spellings.flush(m_archive.database()); });
    }

    void stamp() {
        m_archive.database().set_metadata(std::string(schema::kLastCommitKey),
                                format_iso8601(std::chrono::duration_cast<std::chrono::seconds>(
                                                   std::chrono::system_clock::now()
                                                       .time_since_epoch())
                                                   .count()));
    }

    ArchiveWriter& m_archive;
    std::optional<std::size_t> m_fixed_batch;
    std::size_t m_batch = 1;  ///< the open batch commits at this many articles
    std::size_t m_pending = 0;
    std::size_t m_commits = 0;
    double m_seconds = 0;
    SpellingBuffer m_spellings;
    double m_spelling_seconds = 0;
};

}  // namespace

std::size_t auto_batch_articles(std::size_t documents) {
    // Measured on the real articles of bench/ (bench/RESULTS.md, "Batches sized by the
    // database"): an article's writing costs about 0.075 µs more for each article already in
    // the open batch; a commit costs about 0.1 s plus 7 µs per document in the database.
    // Writing n articles in batches of b then costs n (0.075e-6 b + (0.1 + 7e-6 N) / b), least
    // at b = sqrt((0.1 + 7e-6 N) / 0.075e-6).
    constexpr double kPerArticleInBatch = 0.075e-6;
    constexpr double kCommitFixed = 0.1;
    constexpr double kCommitPerDocument = 7e-6;
    constexpr std::size_t kMaxBatch = 5000;
    const double commit_cost = kCommitFixed + kCommitPerDocument * static_cast<double>(documents);
    const double best = std::sqrt(commit_cost / kPerArticleInBatch);
    return std::min(kMaxBatch, static_cast<std::size_t>(best));
}

IndexSummary index_tree(const IndexOptions& options, const IndexEvents& events) {
    const auto start = Clock::now();
    IndexSummary summary;

    std::vector<fs::path> roots;
    for (const fs::path& input : options.inputs) {
        std::error_code error;
        if (!fs::exists(input, error)) {
            throw UsageError(input.string() + ": no such file or directory");
        }
        roots.push_back(fs::weakly_canonical(fs::absolute(input)));
    }

    const auto report = [&](const InputError& problem) {
        ++summary.problems;
        if (events.on_problem) events.on_problem(problem);
        if (options.strict) throw StrictModeError(problem);
    };

    ArchiveWriter archive(options.database, options.shards);
    // The combination of every shard (or the one database); add_shards() rebuilds it in place.
    Xapian::WritableDatabase& database = archive.database();
    auto states = load_file_states(database);
    std::vector<FoundFile> found = find_files(options, roots, report);
    summary.files_seen = found.size();

    std::vector<FoundFile> to_read;
    std::uintmax_t bytes_to_read = 0;
    std::set<std::string> present;
    for (FoundFile& file : found) {
        present.insert(file.path);
        const auto state = states.find(file.path);
        if (state == states.end()) {
            ++summary.files_new;
        } else if (state->second.size == file.size && state->second.mtime_ns == file.mtime_ns) {
            ++summary.files_unchanged;
            summary.articles_unchanged += state->second.articles;
            continue;
        } else {
            ++summary.files_changed;
        }
        bytes_to_read += file.size;
        to_read.push_back(std::move(file));
    }

    BatchWriter writer(archive, options.batch_articles);
    // Groups are assigned here, in file order: ids do not depend on threads.
    Grouper grouper(options.database, options.grouping);
    WriteQueue writes(options.grouping.enabled);
    // What grouping changed in other documents and group records, written before the next
    // document.
    const auto write_grouping_changes = [&] {
        auto changes = grouper.take_changes();
        if (changes.empty()) return;
        writes.push([&database, &summary, changes = std::move(changes)] {
            timed(summary.writer.writing, [&] {
                for (const GroupingChange& change : changes) apply_grouping_change(database, change);
            });
        });
    };
    // The grouper's committed view moves with every commit.
    const auto commit_batch = [&] {
        writes.drain();
        writer.commit();
        grouper.committed();
    };
    try {
        // Until the first file, nothing is queued: the database is read and written here.
        // Files that vanished from under an input root take their articles with them.
        for (const auto& [path, state] : states) {
            if (present.count(path) != 0 || !is_under(path, roots)) continue;
            const std::string term = schema::file_term(path);
            summary.articles_removed += database.get_termfreq(term);
            grouper.deleting(term);
            timed(summary.writer.writing, [&] { database.delete_document(term); });
            database.set_metadata(schema::file_state_key(path), "");
            ++summary.files_deleted;
        }
        // Articles of files whose state was never recorded: a run stopped between the parts of
        // a new file larger than a batch, or an archive killed between the commits of one
        // batch (shards first, meta last). They go; their files, if still there, are read
        // again below, so the run ends as an uninterrupted one would, groups included (their
        // candidates are the articles of the files before them, no more).
        std::set<std::string> recorded;
        for (const auto& [path, state] : states) recorded.insert(schema::file_term(path));
        std::vector<std::string> orphans;
        const std::string file_prefix(schema::prefix::kFile);
        for (auto term = database.allterms_begin(file_prefix);
             term != database.allterms_end(file_prefix); ++term) {
            if (recorded.count(*term) == 0) orphans.push_back(*term);
        }
        for (const std::string& term : orphans) {
            grouper.deleting(term);
            database.delete_document(term);
        }

        const unsigned threads =
            options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());
        Pipeline pipeline(options, std::move(to_read), threads);
        IndexProgress progress;
        progress.files_total = pipeline.size();
        progress.bytes_total = bytes_to_read;
        std::uintmax_t bytes_of_done_files = 0;
        const auto report_progress = [&](std::uintmax_t bytes_done) {
            progress.bytes_done = bytes_done;
            progress.seconds = seconds_since(start);
            if (events.on_progress) events.on_progress(progress);
        };

        for (std::size_t index = 0; index < pipeline.size(); ++index) {
            if (events.stop != nullptr && events.stop->load()) {
                summary.interrupted = true;
                break;
            }
            FileWork& work =
                timed(summary.writer.waiting, [&]() -> FileWork& { return pipeline.wait_for_read(index); });
            const std::uintmax_t work_size = work.file.size;
            const std::size_t articles_before_file = progress.articles_done;
            const std::string& path = work.file.path;
            const bool existed = states.count(path) != 0;
            if (work.failure) {
                // Nothing of a file that cannot be read replaces what was indexed from it.
                ++summary.files_failed;
                if (existed) summary.articles_unchanged += states[path].articles;
                report(*work.failure);
            } else {
                const std::size_t count = work.articles.size();
                // Under --strict a file's problems must be known before any of it is written.
                if (options.strict) {
                    timed(summary.writer.waiting, [&] { pipeline.wait_for_articles(index, count); });
                }
                const auto report_problems = [&] {
                    // Problems in file order: reader problems and skipped articles by line.
                    std::vector<InputError> problems = work.reader_problems;
                    for (const auto& skipped : work.skipped) {
                        if (skipped) problems.push_back(*skipped);
                    }
                    std::stable_sort(problems.begin(), problems.end(),
                                     [](const InputError& a, const InputError& b) {
                                         return a.line().value_or(0) < b.line().value_or(0);
                                     });
                    for (const auto& problem : problems) report(problem);
                };
                if (options.strict) report_problems();

                // An archive places each article by its date: the whole file's dates are known
                // before any of it is written, and new shards are made between batches.
                std::vector<std::string> shard_of(count);
                if (archive.sharded()) {
                    timed(summary.writer.waiting, [&] { pipeline.wait_for_articles(index, count); });
                    writes.drain();  // plan() reads the shards
                    std::vector<ArchiveWriter::Placement> placements;
                    std::vector<std::size_t> placed;
                    for (std::size_t i = 0; i < count; ++i) {
                        if (work.skipped[i]) continue;
                        placements.push_back(
                            {schema::id_term(work.articles[i].id), work.articles[i].date});
                        placed.push_back(i);
                    }
                    ArchiveWriter::Plan plan = archive.plan(placements);
                    if (!plan.missing.empty()) {
                        writer.commit_around([&] { archive.add_shards(plan.missing); });
                        grouper.committed();
                    }
                    for (std::size_t k = 0; k < placed.size(); ++k) {
                        shard_of[placed[k]] = std::move(plan.shards[k]);
                    }
                }

                std::set<std::string> old_ids;
                if (existed) {
                    writes.drain();
                    old_ids = ids_of_file(database, path);
                    grouper.deleting(schema::file_term(path));
                    writes.push([&database, &summary, term = schema::file_term(path)] {
                        timed(summary.writer.writing, [&] { database.delete_document(term); });
                    });
                }
                std::set<std::string> new_ids;
                for (std::size_t i = 0; i < count; ++i) {
                    timed(summary.writer.waiting, [&] { pipeline.wait_for_articles(index, i + 1); });
                    if (work.skipped[i]) continue;
                    const std::string id = schema::id_term(work.articles[i].id);
                    // With grouping the writes are queued: the grouper knows what they will
                    // find.
                    const bool exists = options.grouping.enabled ? grouper.exists(id)
                                                                 : database.term_exists(id);
                    if (exists) grouper.replacing(id);  // its old groups are re-checked
                    const auto words = std::move(work.terms[i].words);
                    grouper.assign(work.documents[i], std::move(work.terms[i]));
                    write_grouping_changes();
                    // The same id twice in one file: the later record wins, counted once.
                    const bool repeated = !new_ids.insert(id).second;
                    if (!repeated) {
                        if (old_ids.count(id) != 0 || exists) {
                            ++summary.articles_updated;
                        } else {
                            ++summary.articles_added;
                        }
                        writer.add_spellings(words);
                    }
                    // A new id is added without replace_document's search for it. The
                    // document moves to the write: freed once written.
                    writes.push([&archive, &summary, id, document = std::move(work.documents[i]),
                                 shard = shard_of[i], exists = exists || repeated] {
                        timed(summary.writer.writing,
                              [&] { archive.write(id, document, shard, exists); });
                    });
                    grouper.written();
                    if (repeated) continue;
                    writer.counted(1);
                    // A new file larger than a batch is committed in parts: Xapian keeps a
                    // transaction's changes in memory, and each addition costs more as they
                    // grow (Xapian's writing of a 21,578-article file took about a quarter
                    // longer in one piece than in parts of 5,000).
                    // Its state is recorded with its last part, so a run stopped between two
                    // parts leaves articles of an unrecorded file, which the next run clears
                    // and reads again. A changed file stays whole: its old articles went
                    // with the first part.
                    if (!existed && writer.full() && i + 1 < count) commit_batch();
                    if ((i + 1) % kProgressEvery == 0) {
                        progress.articles_done = articles_before_file + new_ids.size();
                        report_progress(bytes_of_done_files + work_size * (i + 1) / count);
                    }
                }
                grouper.settle();
                write_grouping_changes();
                if (!options.strict) report_problems();
                for (const auto& id : old_ids) {
                    if (new_ids.count(id) == 0) ++summary.articles_removed;
                }
                writes.push([&database, key = schema::file_state_key(path),
                             state = encode_state({path, work.file.size, work.file.mtime_ns,
                                                   new_ids.size()})] {
                    database.set_metadata(key, state);
                });
                progress.articles_done = articles_before_file + new_ids.size();
                if (writer.full()) commit_batch();
            }
            pipeline.release(index);
            ++progress.files_done;
            bytes_of_done_files += work_size;
            report_progress(bytes_of_done_files);
        }
        grouper.settle();  // groups of deleted files
        write_grouping_changes();
        summary.bytes_read = pipeline.bytes_read();
        writes.drain();
        writer.finish();
    } catch (const StrictModeError&) {
        // Strict mode stops between files: everything written so far is whole files. Keep it.
        try {
            writes.drain();
        } catch (...) {
            writes.stop();
            writer.cancel();
            throw;
        }
        writer.finish();
        throw;
    } catch (...) {
        // Anything else (a write error, disk full) may strike mid-file: drop the open batch.
        writes.stop();
        writer.cancel();
        throw;
    }
    summary.writer.waiting_for_writes = writes.blocked_seconds();
    summary.commits = writer.commits();
    summary.writer.committing = writer.seconds();
    summary.writer.spelling = writer.spelling_seconds();
    summary.grouping = grouper.stats();
    summary.documents_total = database.get_doccount();
    summary.shards = archive.shards();
    summary.seconds = seconds_since(start);
    return summary;
}

}  // namespace wiredesk::indexer
