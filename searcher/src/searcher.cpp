#include "wiredesk/searcher/searcher.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <mutex>
#include <new>
#include <optional>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/common/database.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/language.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/common/text.hpp"
#include "wiredesk/searcher/facets.hpp"
#include "wiredesk/searcher/name_variants.hpp"
#include "wiredesk/searcher/query_builder.hpp"
#include "wiredesk/searcher/snippet.hpp"

#include "groups.hpp"

namespace wiredesk::searcher {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// Attempts of a search against a database an indexer keeps committing to.
constexpr int kMaxAttempts = 5;

/// BM25 as in the literature (k1 = 1.2, b = 0.75); the headline's weight comes from the index
/// (its words count schema::kTitleWeight times).
Xapian::BM25Weight ranking_weight() { return Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5); }

/// Days older than this many half-lives get no recency boost (it would be under 0.1% of it).
constexpr double kRecencyHorizonHalfLives = 10;
/// The most days the recency boost maps (about 55 years).
constexpr std::int64_t kMaxRecencyDays = 20000;

/// The recency boost: weight = max_boost * 2^(-age / half_life) by publication day, age in
/// whole days counted back from the newest day of the archive (for a live archive that is
/// about today; for an old archive it keeps the boost meaningful). Undated articles get none.
/// Xapian's own ValueMapPostingSource over the day slot, not a class of ours: remote shards
/// (xapian-tcpsrv) can only run Xapian's registered classes, and this way the boost is the same
/// wherever a shard lives.
Xapian::PostingSource* recency_source(const Xapian::Database& database, double half_life_days,
                                      double max_boost) {
    const auto day_number = [](const std::string& yyyymmdd) -> std::optional<std::int64_t> {
        if (yyyymmdd.size() != 8) return std::nullopt;
        const int year = std::atoi(yyyymmdd.substr(0, 4).c_str());
        const auto month = static_cast<unsigned>(std::atoi(yyyymmdd.substr(4, 2).c_str()));
        const auto day = static_cast<unsigned>(std::atoi(yyyymmdd.substr(6, 2).c_str()));
        if (!is_valid_civil(year, month, day)) return std::nullopt;
        return days_from_civil(year, month, day);
    };
    const std::int64_t today = static_cast<std::int64_t>(std::time(nullptr)) / 86400;
    const std::int64_t newest =
        day_number(database.get_value_upper_bound(schema::kSlotDay)).value_or(today);
    const std::int64_t oldest =
        day_number(database.get_value_lower_bound(schema::kSlotDay)).value_or(newest);
    const auto horizon =
        static_cast<std::int64_t>(std::ceil(kRecencyHorizonHalfLives * half_life_days));
    const std::int64_t days =
        std::min({newest - oldest + 1, horizon + 1, kMaxRecencyDays});
    auto* source = new Xapian::ValueMapPostingSource(schema::kSlotDay);
    source->set_default_weight(0.0);
    for (std::int64_t age = 0; age < days; ++age) {
        source->add_mapping(format_yyyymmdd((newest - age) * 86400),
                            max_boost * std::exp2(-static_cast<double>(age) / half_life_days));
    }
    return source;
}

/// One result of a page: its document and score.
struct PageEntry {
    Xapian::docid docid = 0;
    double weight = 0;
    Xapian::Document document;
};

/// Whether @p archive is one local database: what the in-memory values (keyed by that
/// database's revision) and the collapse in the counting spy need.
bool one_local_database(const ReadableArchive& archive) {
    return !archive.has_remote && archive.shards.size() - archive.missing.size() == 1;
}

/// "uuid:revision" of @p archive when it is one local glass database (what the searcher keeps
/// per revision is keyed by it), else nullopt.
std::optional<std::string> local_revision(const ReadableArchive& archive) {
    if (!one_local_database(archive)) return std::nullopt;
    try {
        return archive.database.get_uuid() + ":" + std::to_string(archive.database.get_revision());
    } catch (const Xapian::Error&) {
        return std::nullopt;  // not a single glass database
    }
}

std::vector<PageEntry> page_of(const Xapian::MSet& mset) {
    // The page's documents in one request per remote shard, not one each (a no-op locally).
    // The iterator form: Xapian 1.4's fetch() without arguments crashes on an MSet that
    // starts at an offset (page 2 on).
    mset.fetch(mset.begin(), mset.end());
    std::vector<PageEntry> page;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
        page.push_back({*it, it.get_weight(), it.get_document()});
    }
    return page;
}

/// The page of an oldest-first search: dated matches oldest first, then the undated ones by
/// relevance, one per group under @p group. Xapian sorts a missing value first, and a key maker
/// of ours that would put it last cannot run on remote shards (their protocol takes no key
/// maker at all), so the page is two matches: the dated ones, sorted by value; then, if the
/// page reaches past them, the undated ones whose group had no dated match. Newest first
/// needs none of this: a missing value sorts last when descending.
std::vector<PageEntry> oldest_first_page(const Xapian::Database& database,
                                         const Xapian::Query& query, GroupLevel group,
                                         std::size_t offset, std::size_t limit) {
    const Xapian::Query undated{std::string(schema::prefix::kUndated)};
    const bool grouped = group != GroupLevel::kNone;
    const Xapian::doccount all = database.get_doccount();

    const Xapian::Query dated_query(Xapian::Query::OP_AND_NOT, query, undated);
    Xapian::Enquire dated(database);
    dated.set_weighting_scheme(ranking_weight());
    dated.set_query(dated_query);
    dated.set_sort_by_value_then_relevance(schema::kSlotTime, false);
    if (grouped) dated.set_collapse_key(detail::group_slot(group));
    const Xapian::MSet first = dated.get_mset(static_cast<Xapian::doccount>(offset),
                                              static_cast<Xapian::doccount>(limit));
    std::vector<PageEntry> page = page_of(first);
    if (page.size() >= limit) return page;

    // The page reaches past the dated results: how many there are, and their groups. Counted
    // unsorted (Xapian's remote backend over-counts spies in a match sorted by value), every
    // match looked at, so exact.
    Xapian::Enquire counter(database);
    counter.set_query(dated_query);
    Xapian::ValueCountMatchSpy dated_groups(grouped ? detail::group_slot(group) : 0);
    if (grouped) counter.add_matchspy(&dated_groups);
    const Xapian::MSet counted = counter.get_mset(0, 0, all);
    const std::size_t dated_results = grouped ? detail::count_groups(dated_groups).groups
                                              : counted.get_matches_estimated();
    Xapian::Query rest(Xapian::Query::OP_FILTER, query, undated);
    if (grouped) {
        std::vector<Xapian::Query> seen;
        for (auto it = dated_groups.values_begin(); it != dated_groups.values_end(); ++it) {
            seen.emplace_back(detail::group_term(group, *it));
        }
        if (!seen.empty()) {
            rest = Xapian::Query(Xapian::Query::OP_AND_NOT, rest,
                                 Xapian::Query(Xapian::Query::OP_OR, seen.begin(), seen.end()));
        }
    }
    Xapian::Enquire undated_enquire(database);
    undated_enquire.set_weighting_scheme(ranking_weight());
    undated_enquire.set_query(rest);
    if (grouped) undated_enquire.set_collapse_key(detail::group_slot(group));
    const std::size_t skip = offset > dated_results ? offset - dated_results : 0;
    const Xapian::MSet second = undated_enquire.get_mset(
        static_cast<Xapian::doccount>(skip), static_cast<Xapian::doccount>(limit - page.size()));
    for (PageEntry& entry : page_of(second)) page.push_back(std::move(entry));
    return page;
}

std::size_t scaled(Xapian::doccount count, double factor) {
    return static_cast<std::size_t>(std::llround(static_cast<double>(count) * factor));
}

/// "Did you mean": each query word the archive lacks replaced by its nearest archive word.
/// @p unknown_words is set when some word is unknown (with or without a better one).
std::optional<std::string> spelling_suggestion(const Xapian::Database& database,
                                               const std::string& query,
                                               const std::vector<QueryWord>& words,
                                               const std::vector<std::string>& languages,
                                               Analyzer& analyzer, bool& unknown_words) {
    // A word the archive has in another form ("zelensky" as "Zelensky's") is no misspelling:
    // it matched through its stem in some language.
    const auto known = [&](const QueryWord& word) {
        if (database.term_exists(word.prefix + word.folded)) return true;
        for (const std::string& language : languages) {
            const std::string stem = analyzer.stem(word.folded, language);
            if (database.term_exists("Z" + word.prefix + stem)) return true;
        }
        return false;
    };
    std::string suggestion = query;
    bool changed = false;
    // Replace from the end so that earlier byte offsets stay valid.
    for (auto it = words.rbegin(); it != words.rend(); ++it) {
        if (known(*it)) continue;
        unknown_words = true;
        const std::string better = database.get_spelling_suggestion(it->folded, 2);
        if (better.empty() || better == it->folded) continue;
        suggestion.replace(it->begin, it->end - it->begin, better);
        changed = true;
    }
    if (!changed) return std::nullopt;
    return suggestion;
}

std::string day_text(const std::string& yyyymmdd) {
    return yyyymmdd.substr(0, 4) + "-" + yyyymmdd.substr(4, 2) + "-" + yyyymmdd.substr(6, 2);
}

/// The facets from raw counts (value -> count; the "" entry, if any, counts matches without a
/// value), scaled by @p factor when counted on a sample.
Facets make_facets(const std::map<std::string, std::size_t>& sources,
                   const std::map<std::string, std::size_t>& languages,
                   const std::map<std::string, std::size_t>& days, double factor,
                   const Request& request) {
    Facets facets;
    const auto scale = [&](const std::map<std::string, std::size_t>& counts, std::size_t& missing) {
        std::map<std::string, std::size_t> out;
        missing = 0;
        for (const auto& [value, count] : counts) {
            const std::size_t n = scaled(static_cast<Xapian::doccount>(count), factor);
            if (value.empty()) {
                missing += n;
            } else {
                out[value] += n;
            }
        }
        return out;
    };
    std::size_t missing = 0;
    fill_sources(facets, scale(sources, missing), request.facet_top_sources);
    facets.unknown_source = missing;
    for (const auto& [language, count] : scale(languages, missing)) {
        facets.languages.push_back({language, count});
    }
    std::stable_sort(facets.languages.begin(), facets.languages.end(),
                     [](const FacetValue& a, const FacetValue& b) { return a.count > b.count; });
    const auto day_counts = scale(days, missing);
    facets.dates = make_histogram(day_counts, missing, request.date_bucket);
    return facets;
}

/// ValueCountMatchSpy's counts, with the matches it saw without a value under "".
std::map<std::string, std::size_t> report_counts(const Xapian::ValueCountMatchSpy& spy) {
    std::map<std::string, std::size_t> counts;
    std::size_t sum = 0;
    for (auto it = spy.values_begin(); it != spy.values_end(); ++it) {
        counts[*it] += it.get_termfreq();
        sum += it.get_termfreq();
    }
    if (spy.get_total() > sum) counts[""] = spy.get_total() - sum;
    return counts;
}

}  // namespace

std::string_view group_level_name(GroupLevel level) noexcept {
    switch (level) {
        case GroupLevel::kCopy:
            return "copy";
        case GroupLevel::kNone:
            return "none";
        case GroupLevel::kStory:
            break;
    }
    return "story";
}

std::optional<GroupLevel> parse_group_level(std::string_view name) noexcept {
    if (name == "story") return GroupLevel::kStory;
    if (name == "copy") return GroupLevel::kCopy;
    if (name == "none") return GroupLevel::kNone;
    return std::nullopt;
}

/// Left-out remote shards are tried again when a search finds the archive opened this long ago.
constexpr auto kRetryMissingAfter = std::chrono::seconds(5);

struct Searcher::Impl {
    std::vector<std::string> paths;
    SearcherOptions options;
    NameVariants variants;
    std::mutex mutex;

    /// An open archive and when it was opened.
    struct Archive {
        ReadableArchive archive;
        Clock::time_point opened;
    };
    std::vector<std::unique_ptr<Archive>> pool;

    [[nodiscard]] ReadOptions read_options() const {
        return ReadOptions{options.remote_timeouts, options.allow_partial};
    }

    [[nodiscard]] std::unique_ptr<Archive> open() const {
        return std::make_unique<Archive>(
            Archive{open_archive_for_reading(paths, read_options()), Clock::now()});
    }

    /// After a remote shard failed (@p failure): the archive opened afresh, the shards that no
    /// longer answer left out. Without allow_partial that is an error naming them; if every
    /// shard answers again (a server restarted), the fresh archive is complete.
    [[nodiscard]] std::unique_ptr<Archive> reconnect(const Xapian::NetworkError& failure) const {
        ReadOptions probe = read_options();
        probe.allow_partial = true;
        auto fresh = std::make_unique<Archive>(
            Archive{open_archive_for_reading(paths, probe), Clock::now()});
        if (!fresh->archive.missing.empty() && !options.allow_partial) {
            std::string message;
            for (const std::string& reason : fresh->archive.missing_reasons) {
                message += (message.empty() ? "" : "; ") + reason;
            }
            throw RemoteShardError(message + " (while searching: " + failure.get_description() +
                                       "); allow partial results to search the shards that "
                                       "answer",
                                   fresh->archive.missing);
        }
        return fresh;
    }

    /// An archive borrowed from the pool for one call (Xapian objects are not thread-safe; each
    /// thread works on its own).
    class Lease {
    public:
        explicit Lease(Impl& impl) : m_impl(impl) {
            {
                const std::lock_guard lock(impl.mutex);
                if (!impl.pool.empty()) {
                    m_archive = std::move(impl.pool.back());
                    impl.pool.pop_back();
                }
            }
            if (!m_archive) {
                m_archive = impl.open();
            } else if (!m_archive->archive.missing.empty() &&
                       Clock::now() - m_archive->opened > kRetryMissingAfter) {
                // Shards were left out: see whether they answer again.
                try {
                    m_archive = impl.open();
                } catch (const DatabaseError&) {
                    m_archive->opened = Clock::now();  // keep the partial one for a while
                }
            }
        }
        ~Lease() {
            const std::lock_guard lock(m_impl.mutex);
            m_impl.pool.push_back(std::move(m_archive));
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        [[nodiscard]] const ReadableArchive& archive() const { return m_archive->archive; }
        Xapian::Database& operator*() { return m_archive->archive.database; }
        Xapian::Database* operator->() { return &m_archive->archive.database; }
        void replace(std::unique_ptr<Archive> archive) { m_archive = std::move(archive); }

    private:
        Impl& m_impl;
        std::unique_ptr<Archive> m_archive;
    };

    /// Runs @p call on the latest commit of a leased archive: again after an indexer's commit
    /// moved the database on, and once more on a reconnected archive after a remote shard
    /// failed (without the shards that no longer answer, under allow_partial).
    template <typename Call>
    auto with_archive(const char* what, Call call) {
        Lease lease(*this);
        bool reconnected = false;
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            try {
                // Cheap when nothing changed; otherwise moves to the latest commit, so a
                // running indexer's work shows up without restarting the searcher.
                lease->reopen();
                return call(lease.archive());
            } catch (const Xapian::DatabaseModifiedError&) {
                continue;  // the indexer committed under us: reopen and run again
            } catch (const Xapian::NetworkError& error) {
                if (reconnected) {
                    throw RemoteShardError(std::string("cannot ") + what +
                                               ": a remote shard failed twice: " +
                                               error.get_description(),
                                           {});
                }
                lease.replace(reconnect(error));
                reconnected = true;
            } catch (const Xapian::Error& error) {
                throw DatabaseError(std::string("cannot ") + what + ": " +
                                    error.get_description());
            }
        }
        throw DatabaseError(std::string("the database kept changing; cannot ") + what +
                            ", try again");
    }

    Response run(const ReadableArchive& archive, const Request& request,
                 Clock::time_point start) const;

    /// The values searches count, in memory (detail::ValueTable), for a one-shard local
    /// archive at the revision @p archive is at, or null. The first search of a revision reads
    /// values from the database as usual; the second reads them all into a table, which the
    /// following ones use: a one-off command pays nothing, a server pays once per commit (about
    /// 0.3 s at a million articles, measured) and then counts at memory speed. One table, of the
    /// latest revision searched; a thread that finds another building it reads as usual.
    std::shared_ptr<const detail::ValueTable> value_table(const ReadableArchive& archive) const;
    static constexpr Xapian::docid kMaxTableDocuments = 20'000'000;  ///< about 800 MB
    mutable std::mutex table_mutex;  ///< guards the five below
    mutable std::shared_ptr<const detail::ValueTable> table;
    mutable std::string table_revision;  ///< "uuid:revision" of the last revision searched
    mutable unsigned searches_at_revision = 0;
    mutable std::string table_building;  ///< the revision a thread is reading, or ""
    mutable std::string table_tried;     ///< the last revision read (its table may be null)

    /// The languages of @p archive's articles (its language terms), for the query parser. For
    /// a one-shard local archive they are kept for the revision last asked about: a walk of
    /// the term list per search was a thirtieth of a search's time.
    std::vector<std::string> languages(const ReadableArchive& archive) const;
    mutable std::mutex languages_mutex;  ///< guards the two below
    mutable std::string languages_revision;
    mutable std::vector<std::string> languages_kept;
};

std::vector<std::string> Searcher::Impl::languages(const ReadableArchive& archive) const {
    const std::optional<std::string> at = local_revision(archive);
    if (!at) return database_languages(archive.database);
    const std::string& revision = *at;
    {
        const std::lock_guard lock(languages_mutex);
        if (revision == languages_revision) return languages_kept;
    }
    std::vector<std::string> read = database_languages(archive.database);
    const std::lock_guard lock(languages_mutex);
    languages_revision = revision;
    languages_kept = read;
    return read;
}

std::shared_ptr<const detail::ValueTable> Searcher::Impl::value_table(
    const ReadableArchive& archive) const {
    const std::optional<std::string> at = local_revision(archive);
    if (!at) return nullptr;
    const std::string& revision = *at;
    {
        const std::lock_guard lock(table_mutex);
        if (revision != table_revision) {
            table_revision = revision;
            searches_at_revision = 0;
            table.reset();
        }
        if (table) return table;
        // From the second search of a revision on, unless another thread is reading one (then
        // this search reads values as usual), or this revision was read already (a null table:
        // ids of another form, or too many documents).
        if (++searches_at_revision < 2 || !table_building.empty() || table_tried == revision) {
            return nullptr;
        }
        table_building = revision;
    }
    std::shared_ptr<const detail::ValueTable> read;
    try {
        read = detail::ValueTable::read(archive.database, kMaxTableDocuments);
    } catch (const Xapian::DatabaseModifiedError&) {
        // A commit under the read: the search runs again on the new revision (with_archive).
        const std::lock_guard lock(table_mutex);
        table_building.clear();
        throw;
    } catch (const Xapian::Error&) {
        // Anything else (a damaged value stream...): searches read values as usual, and a fault
        // of the database shows there.
        read = nullptr;
    } catch (const std::bad_alloc&) {
        read = nullptr;  // no room for the table: searches read values as usual
    }
    const std::lock_guard lock(table_mutex);
    table_building.clear();
    table_tried = revision;
    // The revision may have moved on while reading: then this table is of no further use.
    if (revision == table_revision) table = read;
    return read;
}

Searcher::Searcher(std::vector<std::string> paths, SearcherOptions options)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->paths = std::move(paths);
    m_impl->options = std::move(options);
    Analyzer analyzer;
    m_impl->variants = NameVariants::builtin(analyzer);
    for (const std::string& file : m_impl->options.variant_files) {
        m_impl->variants.add_file(file, analyzer);
    }
    m_impl->variants.set_automatic(m_impl->options.automatic_variants);
    // Open once now, so that a missing or foreign database (or a dead shard) is reported at
    // construction.
    m_impl->pool.push_back(m_impl->open());
}

Searcher::~Searcher() = default;

const NameVariants& Searcher::variants() const noexcept { return m_impl->variants; }

Response Searcher::search(const Request& request) const {
    const auto start = Clock::now();
    if (request.query.size() > kMaxQueryBytes) {
        throw QueryError("the query is " + std::to_string(request.query.size()) +
                         " bytes long; the limit is " + std::to_string(kMaxQueryBytes) +
                         " bytes");
    }
    if (const auto bad = find_invalid_utf8(request.query)) {
        throw QueryError("the query is not valid UTF-8 (at byte " + std::to_string(*bad) + ")",
                         *bad);
    }
    if (request.limit > kMaxLimit) {
        throw QueryError("a page holds at most " + std::to_string(kMaxLimit) + " results");
    }
    for (const auto* bound : {&request.since, &request.until}) {
        if (!bound->empty() && !parse_day_bound(*bound, bound == &request.until)) {
            throw QueryError("'" + *bound + "' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)");
        }
    }
    if (!(request.recency_half_life_days > 0)) {
        throw QueryError("the recency half-life must be a positive number of days");
    }

    return m_impl->with_archive("search the database", [&](const ReadableArchive& archive) {
        Response response = m_impl->run(archive, request, start);
        if (!archive.missing.empty()) {
            response.partial = true;
            response.missing_shards = archive.missing;
            std::string names;
            for (const std::string& name : archive.missing) {
                names += (names.empty() ? "" : ", ") + name;
            }
            response.warnings.push_back(
                "partial results: " + std::to_string(archive.missing.size()) + " of " +
                std::to_string(archive.shards.size()) + " shards did not answer (" + names +
                "); the results, totals and facets cover the others");
            if (archive.first_shard_missing) {
                response.warnings.push_back(
                    "the archive's first shard (its metadata) did not answer: groups' earliest "
                    "reports were found by reading their members");
            }
        }
        return response;
    });
}

Response Searcher::Impl::run(const ReadableArchive& archive, const Request& request,
                             Clock::time_point start) const {
    thread_local Analyzer analyzer;
    // Xapian::Database is a handle: a copy shares the leased archive's connections.
    const Xapian::Database& database = archive.database;
    Response response;
    response.offset = request.offset;
    response.group = request.group;

    QueryContext context;
    context.database = &database;
    context.languages = languages(archive);
    context.variants = &variants;
    context.match_all_words = request.match_all_words;
    context.max_wildcard_expansion = options.max_wildcard_expansion;
    BuiltQuery built = build_query(request.query, context, analyzer);
    response.warnings = built.warnings;

    // Filters from the request itself (CLI options, web form fields).
    std::vector<Xapian::Query> filters;
    if (!request.since.empty() || !request.until.empty()) {
        std::string low = request.since.empty() ? "" : *parse_day_bound(request.since, false);
        std::string high = request.until.empty() ? "" : *parse_day_bound(request.until, true);
        if (!low.empty() && !high.empty() && low > high) {
            low = *parse_day_bound(request.until, false);
            high = *parse_day_bound(request.since, true);
            response.warnings.push_back("--since " + request.since + " is after --until " +
                                        request.until + "; the two were swapped");
        }
        filters.push_back(day_range_query(low, high));
    }
    const auto any_of = [](const std::vector<std::string>& values, auto make_term) {
        std::vector<Xapian::Query> terms;
        for (const std::string& value : values) terms.emplace_back(make_term(value));
        return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    };
    if (!request.sources.empty()) {
        filters.push_back(any_of(request.sources, [](const std::string& source) {
            return schema::source_term(source);
        }));
    }
    if (!request.languages.empty()) {
        filters.push_back(any_of(request.languages, [](const std::string& language) {
            std::string code = normalize_language_code(language);
            return std::string(schema::prefix::kLanguage) +
                   (code.empty() ? ascii_lower(language) : code);
        }));
    }
    if (!request.ids.empty()) {
        filters.push_back(any_of(request.ids, [](const std::string& id) {
            return schema::id_term(id);
        }));
    }

    Xapian::Query query = built.query;
    if (built.empty()) {
        if (filters.empty()) {
            if (trim(request.query).empty()) {
                throw QueryError(
                    "empty query: type words to search for, or give a filter (source:, lang:, "
                    "date:, --since, --until)");
            }
            response.warnings.push_back("the query holds no searchable words");
            response.timing.total_ms = ms_since(start);
            return response;
        }
        query = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query::MatchAll, 0.0);
    }
    if (!filters.empty()) {
        query = Xapian::Query(Xapian::Query::OP_FILTER, query,
                              Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end()));
    }
    response.timing.parse_ms = ms_since(start);
    const auto search_start = Clock::now();

    Xapian::Enquire enquire(database);
    enquire.set_weighting_scheme(ranking_weight());
    SortOrder sort = request.sort;
    // Filters alone rank nothing: show the newest first rather than index order.
    if (!built.has_terms && (sort == SortOrder::kRelevance || sort == SortOrder::kRecency)) {
        sort = SortOrder::kNewest;
    }
    if (sort == SortOrder::kRecency) {
        enquire.set_query(query);
        const Xapian::MSet probe = enquire.get_mset(0, 1);
        const double top = probe.empty() ? 0.0 : probe.get_max_attained();
        if (top > 0) {
            query = Xapian::Query(
                Xapian::Query::OP_AND_MAYBE, query,
                Xapian::Query(recency_source(database, request.recency_half_life_days, 0.5 * top)
                                  ->release()));
        }
    }
    enquire.set_query(query);
    // By the time slot, Xapian's own value sort (remote shards take no key maker): a missing
    // value sorts last when descending; oldest-first pages put it last in oldest_first_page().
    if (sort == SortOrder::kNewest || sort == SortOrder::kOldest) {
        enquire.set_sort_by_value_then_relevance(schema::kSlotTime, sort == SortOrder::kNewest);
    }

    // Grouping: one result per group, the best-ranked member standing for it. Xapian 1.4
    // never collapses documents whose key is empty, so articles indexed without group ids each
    // stay a result of their own (tests/integration/test_search_grouping.cpp pins this).
    const bool grouped = request.group != GroupLevel::kNone;
    // Per-group facets under --group none count stories.
    const GroupLevel count_level = grouped ? request.group : GroupLevel::kStory;
    const bool facets_by_group =
        request.facets && request.facet_counting == FacetCounting::kGroups;
    const bool local = !archive.has_remote;
    const bool one_database = one_local_database(archive);
    const bool sorted_by_time = sort == SortOrder::kNewest || sort == SortOrder::kOldest;
    // One local database, ranked by relevance, grouped, counted exactly, a page not too deep:
    // one match does it all. Exact counts look at every match anyway, and our spy sees each
    // with its weight, so it keeps the best groups and ranks them as Xapian's collapse would
    // (weight, then document id); Xapian's collapse over every match keeps a table entry per
    // group, keyed by string, and a broad query has a hundred thousand groups
    // (tests/integration/test_search_grouping.cpp compares the two).
    constexpr std::size_t kMaxGroupsKeptInSpy = 200;
    const bool collapse_in_spy = one_database && grouped && request.exact_counts &&
                                 !sorted_by_time &&
                                 request.offset + request.limit <= kMaxGroupsKeptInSpy;
    if (grouped && !collapse_in_spy) enquire.set_collapse_key(detail::group_slot(request.group));

    // Where the counts are made. Remote: Xapian 1.4's remote backend over-counts match spies by
    // about the page size when sorting by value (tests/integration/test_remote_shards.cpp pins
    // the counts), so a search sorted by time counts in a match of its own, unsorted; counts do
    // not depend on the order. Local, grouped, exact, and not collapsed by the spy: in a match
    // of its own, unranked and not collapsed, so that Xapian's collapse, which keeps a table
    // entry per group, looks only at what can reach the page (with exact counts in the ranked
    // match it would see every match).
    const bool count_apart_remote = !local && sorted_by_time;
    const bool count_apart_local = local && grouped && request.exact_counts && !collapse_in_spy;
    Xapian::Enquire counter(database);
    if (count_apart_remote) {
        counter.set_weighting_scheme(ranking_weight());
        counter.set_query(query);
        if (grouped) counter.set_collapse_key(detail::group_slot(request.group));
    } else if (count_apart_local) {
        counter.set_weighting_scheme(Xapian::BoolWeight());
        counter.set_query(query);
    }
    const bool count_apart = count_apart_remote || count_apart_local;
    Xapian::Enquire& counting = count_apart ? counter : enquire;

    // Per-group facet counts need our own match spy (a set of groups per value), which remote
    // shards cannot run: with a remote shard the facets count reports, and a warning says so.
    const bool facets_by_group_here = facets_by_group && local;
    if (facets_by_group && !local) {
        response.warnings.push_back(
            "facets count reports, not groups: counting groups per facet value is not possible "
            "when shards are remote");
    }

    // Spies see every match before collapsing: they count the reports and the group ids among
    // them, so the number of groups is the distinct ids plus one per report without an id (a
    // group of its own). Under collapsing Xapian 1.4's own counts are not exact even when every
    // match was looked at (its uncollapsed bounds are loose, and get_matches_upper_bound() can
    // exceed the number of groups), so these are the ones reported. Locally our own spy counts
    // everything (detail::MatchCounter, much faster); remote shards run Xapian's own spies only.
    const bool count_groups = grouped || facets_by_group;
    std::optional<detail::MatchCounter> local_counter;
    std::shared_ptr<const detail::ValueTable> values;  // in memory, for the counter and groups
    Xapian::ValueCountMatchSpy source_spy(schema::kSlotSource);
    Xapian::ValueCountMatchSpy language_spy(schema::kSlotLanguage);
    Xapian::ValueCountMatchSpy day_spy(schema::kSlotDay);
    Xapian::ValueCountMatchSpy group_ids(detail::group_slot(count_level));
    if (local) {
        using FacetCounts = detail::MatchCounter::FacetCounts;
        values = count_groups || request.facets ? value_table(archive) : nullptr;
        response.timing.values_in_memory = values != nullptr;
        local_counter.emplace(
            count_groups ? detail::group_slot(count_level) : Xapian::BAD_VALUENO,
            !request.facets    ? FacetCounts::kNone
            : facets_by_group ? FacetCounts::kGroups
                               : FacetCounts::kReports,
            values);
        if (collapse_in_spy) local_counter->keep_best_groups(request.offset + request.limit);
        counting.add_matchspy(&*local_counter);
    } else {
        if (request.facets) {
            counting.add_matchspy(&source_spy);
            counting.add_matchspy(&language_spy);
            counting.add_matchspy(&day_spy);
        }
        if (count_groups) counting.add_matchspy(&group_ids);
    }
    // Exact counts need every match looked at; otherwise stop after check_at_least.
    const Xapian::doccount check_at_least =
        request.exact_counts
            ? database.get_doccount()
            : static_cast<Xapian::doccount>(
                  std::max(request.check_at_least, request.offset + request.limit));
    // Collapsed by the spy: the MSet only drives the match (one item, every match looked at).
    const Xapian::MSet mset =
        collapse_in_spy
            ? enquire.get_mset(0, 1, check_at_least)
            : enquire.get_mset(static_cast<Xapian::doccount>(request.offset),
                               static_cast<Xapian::doccount>(request.limit),
                               count_apart_local ? 0 : check_at_least);
    const Xapian::MSet counted = count_apart ? counter.get_mset(0, 0, check_at_least) : mset;
    const auto [groups_seen, reports_seen] =
        local ? detail::GroupCounts{local_counter->groups(), local_counter->reports()}
              : detail::count_groups(group_ids);
    if (!grouped) {
        response.total_exact = counted.get_matches_lower_bound() == counted.get_matches_upper_bound();
        response.total = response.total_exact ? counted.get_matches_lower_bound()
                                              : counted.get_matches_estimated();
        response.total_reports = response.total;
    } else if (request.exact_counts) {
        // check_at_least covered the whole database: the spy saw every match.
        response.total_exact = true;
        response.total = groups_seen;
        response.total_reports = reports_seen;
    } else {
        // Stopped early: at least what the spy saw, else Xapian's estimates.
        response.total_exact = false;
        response.total = std::max<std::size_t>(groups_seen, counted.get_matches_estimated());
        response.total_reports =
            std::max<std::size_t>(reports_seen, counted.get_uncollapsed_matches_estimated());
    }

    if (request.facets) {
        // The facets our own counter made (a local archive), scaled by @p factor.
        const auto counted_facets = [&](double factor) {
            using Facet = detail::MatchCounter::Facet;
            return make_facets(local_counter->counts(Facet::kSource),
                               local_counter->counts(Facet::kLanguage),
                               local_counter->counts(Facet::kDay), factor, request);
        };
        Facets facets;
        if (facets_by_group_here) {
            const std::size_t seen = groups_seen;
            // The number of groups the counts should add up to: exact, or estimated.
            const std::size_t groups = grouped ? response.total : seen;
            const bool facets_exact =
                request.exact_counts && (grouped || response.total_exact);
            const double factor = facets_exact || seen == 0 || !grouped
                                      ? 1.0
                                      : static_cast<double>(groups) / static_cast<double>(seen);
            facets = counted_facets(factor);
            facets.exact = facets_exact;
            facets.counting = FacetCounting::kGroups;
            facets.counting_level = count_level;
        } else {
            const std::size_t seen = local ? local_counter->reports() : source_spy.get_total();
            const bool facets_exact = response.total_exact && seen == response.total_reports;
            // Counted on a sample: scale up to the estimated number of reports (and say so).
            const double factor =
                facets_exact || seen == 0
                    ? 1.0
                    : static_cast<double>(response.total_reports) / static_cast<double>(seen);
            facets = local ? counted_facets(factor)
                           : make_facets(report_counts(source_spy), report_counts(language_spy),
                                         report_counts(day_spy), factor, request);
            facets.exact = facets_exact;
        }
        response.facets = std::move(facets);
    }
    response.timing.search_ms = ms_since(search_start);

    const auto fetch_start = Clock::now();
    std::size_t rank = request.offset;
    std::vector<PageEntry> page;
    if (sort == SortOrder::kOldest) {
        page = oldest_first_page(database, query, request.group, request.offset, request.limit);
    } else if (collapse_in_spy) {
        for (const auto& best : local_counter->best_groups(request.offset, request.limit)) {
            page.push_back({best.docid, best.weight, database.get_document(best.docid)});
        }
    } else {
        page = page_of(mset);
    }
    // Every member of the page's groups, fetched together (detail::fetch_group_members).
    detail::GroupMemberMap group_members;
    std::vector<std::string> group_of_entry(page.size());  // its group id, read once
    if (grouped) {
        std::set<std::string> page_groups;
        for (std::size_t i = 0; i < page.size(); ++i) {
            group_of_entry[i] = page[i].document.get_value(detail::group_slot(request.group));
            if (!group_of_entry[i].empty()) page_groups.insert(group_of_entry[i]);
        }
        group_members =
            detail::fetch_group_members(database, request.group, page_groups, values.get());
    }
    for (std::size_t entry_index = 0; entry_index < page.size(); ++entry_index) {
        const PageEntry& entry = page[entry_index];
        const Xapian::Document& document = entry.document;
        const Article article = schema::decode_article_data(document.get_data());
        Hit hit;
        hit.id = article.id;
        hit.title = article.title;
        hit.source = article.source;
        if (article.date) {
            hit.datetime = format_iso8601(*article.date);
            hit.date = day_text(format_yyyymmdd(*article.date));
        }
        hit.url = article.url;
        hit.path = article.path;
        hit.language = article.language;
        const Snippet snippet = make_snippet(article.body, article.language, built.highlights,
                                             analyzer, request.snippet_chars);
        hit.snippet = snippet.text;
        hit.snippet_highlights = snippet.highlights;
        hit.title_highlights =
            find_highlights(article.title, article.language, built.highlights, analyzer);
        hit.score = entry.weight;
        hit.rank = ++rank;
        if (grouped) {
            const std::string& group_id = group_of_entry[entry_index];
            if (!group_id.empty()) {
                hit.group = detail::describe_group(database, request.group, group_id,
                                                   group_members[group_id], entry.docid, article,
                                                   request.group_outlet_names, one_database);
            }
        }
        response.results.push_back(std::move(hit));
    }

    if (request.spelling && !built.words.empty()) {
        bool unknown_words = false;
        response.suggestion = spelling_suggestion(database, request.query, built.words,
                                                  context.languages, analyzer, unknown_words);
        // Xapian gathers spelling data from local shards only (its remote protocol has none).
        if (unknown_words && archive.has_remote && !archive.local_spelling) {
            response.warnings.push_back(
                "no spelling suggestions: the archive's spelling data is on remote shards, which "
                "cannot be asked for it (keep the shard holding it, the archive's meta shard, on "
                "the search host)");
        }
    }
    response.timing.fetch_ms = ms_since(fetch_start);
    response.query_description = query.get_description();
    response.timing.total_ms = ms_since(start);
    return response;
}

std::size_t Searcher::document_count() const {
    return m_impl->with_archive("count the articles", [](const ReadableArchive& archive) {
        return static_cast<std::size_t>(archive.database.get_doccount());
    });
}

void Searcher::for_each_article(const std::function<void(const Article&)>& sink) const {
    Impl::Lease database(*m_impl);
    try {
        database->reopen();
        for (auto it = database->postlist_begin(""); it != database->postlist_end(""); ++it) {
            sink(schema::decode_article_data(database->get_document(*it).get_data()));
        }
    } catch (const Xapian::DatabaseModifiedError&) {
        throw DatabaseError("the database changed during the walk (an indexer committed); run "
                            "it again");
    } catch (const Xapian::NetworkError& error) {
        throw RemoteShardError("a remote shard stopped answering during the walk: " +
                                   error.get_description(),
                               {});
    } catch (const Xapian::Error& error) {
        throw DatabaseError("cannot read the database: " + error.get_description());
    }
}

void Searcher::for_each_article_with_groups(
    const std::function<void(const Article&, const std::string&, const std::string&)>& sink)
    const {
    Impl::Lease database(*m_impl);
    try {
        database->reopen();
        for (auto it = database->postlist_begin(""); it != database->postlist_end(""); ++it) {
            const Xapian::Document document = database->get_document(*it);
            sink(schema::decode_article_data(document.get_data()),
                 document.get_value(schema::kSlotCopyGroup),
                 document.get_value(schema::kSlotStoryGroup));
        }
    } catch (const Xapian::DatabaseModifiedError&) {
        throw DatabaseError("the database changed during the walk (an indexer committed); run "
                            "it again");
    } catch (const Xapian::NetworkError& error) {
        throw RemoteShardError("a remote shard stopped answering during the walk: " +
                                   error.get_description(),
                               {});
    } catch (const Xapian::Error& error) {
        throw DatabaseError("cannot read the database: " + error.get_description());
    }
}

std::optional<GroupMembers> Searcher::group_members(GroupLevel level, std::string_view id) const {
    if (level == GroupLevel::kNone) {
        throw QueryError("a group's members are listed by level: copy or story");
    }
    return m_impl->with_archive("list the group", [&](const ReadableArchive& archive) {
        auto members = detail::list_members(archive.database, level, id);
        if (members && !archive.missing.empty()) {
            members->partial = true;
            members->missing_shards = archive.missing;
        }
        return members;
    });
}

std::string mark_highlights(std::string_view text, const std::vector<Highlight>& highlights,
                            std::string_view open, std::string_view close) {
    std::string out;
    std::size_t at = 0;
    for (const Highlight& highlight : highlights) {
        if (highlight.begin < at || highlight.end > text.size()) continue;
        out.append(text.substr(at, highlight.begin - at));
        out.append(open);
        out.append(text.substr(highlight.begin, highlight.end - highlight.begin));
        out.append(close);
        at = highlight.end;
    }
    out.append(text.substr(at));
    return out;
}

}  // namespace wiredesk::searcher
