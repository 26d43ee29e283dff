#include "wiredesk/searcher/searcher.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <mutex>

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

/// The recency boost: weight = max_boost * 2^(-age / half_life), age counted back from the
/// newest article of the archive (for a live archive that is about now; for an old archive it
/// keeps the boost meaningful). Undated articles get none.
class RecencySource : public Xapian::ValuePostingSource {
public:
    RecencySource(double reference, double half_life_seconds, double max_boost)
        : Xapian::ValuePostingSource(schema::kSlotTime),
          m_reference(reference),
          m_half_life(half_life_seconds),
          m_max_boost(max_boost) {}

    void init(const Xapian::Database& database) override {
        Xapian::ValuePostingSource::init(database);
        set_maxweight(m_max_boost);
    }

    [[nodiscard]] double get_weight() const override {
        const double time = Xapian::sortable_unserialise(get_value());
        const double age = std::max(0.0, m_reference - time);
        return m_max_boost * std::exp2(-age / m_half_life);
    }

    [[nodiscard]] RecencySource* clone() const override {
        return new RecencySource(m_reference, m_half_life, m_max_boost);
    }

    [[nodiscard]] std::string name() const override { return "wiredesk::RecencySource"; }

private:
    double m_reference;
    double m_half_life;
    double m_max_boost;
};

/// Sort key by publication time with undated articles last in either direction.
class TimeKey : public Xapian::KeyMaker {
public:
    explicit TimeKey(bool newest_first) : m_newest_first(newest_first) {}
    std::string operator()(const Xapian::Document& document) const override {
        std::string value = document.get_value(schema::kSlotTime);
        if (value.empty()) return m_newest_first ? std::string() : std::string(1, '\xff');
        return value;
    }

private:
    bool m_newest_first;
};

std::size_t scaled(Xapian::doccount count, double factor) {
    return static_cast<std::size_t>(std::llround(static_cast<double>(count) * factor));
}

/// "Did you mean": each query word the archive lacks replaced by its nearest archive word.
std::optional<std::string> spelling_suggestion(const Xapian::Database& database,
                                               const std::string& query,
                                               const std::vector<QueryWord>& words,
                                               const std::vector<std::string>& languages,
                                               Analyzer& analyzer) {
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

struct Searcher::Impl {
    std::vector<std::string> paths;
    SearcherOptions options;
    NameVariants variants;
    std::mutex mutex;
    std::vector<std::unique_ptr<Xapian::Database>> pool;

    /// A Xapian::Database borrowed from the pool for one call (Xapian objects are not
    /// thread-safe; each thread works on its own).
    class Lease {
    public:
        explicit Lease(Impl& impl) : m_impl(impl) {
            {
                const std::lock_guard lock(impl.mutex);
                if (!impl.pool.empty()) {
                    m_database = std::move(impl.pool.back());
                    impl.pool.pop_back();
                }
            }
            if (!m_database) {
                m_database = std::make_unique<Xapian::Database>(open_database_for_reading(impl.paths));
            }
        }
        ~Lease() {
            const std::lock_guard lock(m_impl.mutex);
            m_impl.pool.push_back(std::move(m_database));
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Xapian::Database& operator*() { return *m_database; }
        Xapian::Database* operator->() { return m_database.get(); }

    private:
        Impl& m_impl;
        std::unique_ptr<Xapian::Database> m_database;
    };

    Response run(Xapian::Database& database, const Request& request,
                 Clock::time_point start) const;
};

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
    // Open once now, so that a missing or foreign database is reported at construction.
    m_impl->pool.push_back(
        std::make_unique<Xapian::Database>(open_database_for_reading(m_impl->paths)));
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

    Impl::Lease database(*m_impl);
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
        try {
            // Cheap when nothing changed; otherwise moves to the latest commit, so a running
            // indexer's work shows up without restarting the searcher.
            database->reopen();
            return m_impl->run(*database, request, start);
        } catch (const Xapian::DatabaseModifiedError&) {
            continue;  // the indexer committed under us: reopen and run again
        } catch (const Xapian::Error& error) {
            throw DatabaseError("cannot search the database: " + error.get_description());
        }
    }
    throw DatabaseError("the database kept changing during the search; try again");
}

Response Searcher::Impl::run(Xapian::Database& database, const Request& request,
                             Clock::time_point start) const {
    thread_local Analyzer analyzer;
    Response response;
    response.offset = request.offset;
    response.group = request.group;

    QueryContext context;
    context.database = &database;
    context.languages = database_languages(database);
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
            const std::string newest = database.get_value_upper_bound(schema::kSlotTime);
            const double reference = newest.empty() ? static_cast<double>(std::time(nullptr))
                                                    : Xapian::sortable_unserialise(newest);
            auto* source = new RecencySource(reference, request.recency_half_life_days * 86400.0,
                                             0.5 * top);
            query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, query,
                                  Xapian::Query(source->release()));
        }
    }
    enquire.set_query(query);
    TimeKey time_key(sort == SortOrder::kNewest);
    if (sort == SortOrder::kNewest || sort == SortOrder::kOldest) {
        enquire.set_sort_by_key_then_relevance(&time_key, sort == SortOrder::kNewest);
    }

    // Grouping: one result per group, the best-ranked member standing for it. Xapian 1.4
    // never collapses documents whose key is empty, so articles indexed without group ids each
    // stay a result of their own (tests/integration/test_search_grouping.cpp pins this).
    const bool grouped = request.group != GroupLevel::kNone;
    if (grouped) enquire.set_collapse_key(detail::group_slot(request.group));
    // Per-group facets under --group none count stories.
    const GroupLevel count_level = grouped ? request.group : GroupLevel::kStory;
    const bool facets_by_group =
        request.facets && request.facet_counting == FacetCounting::kGroups;

    Xapian::ValueCountMatchSpy source_spy(schema::kSlotSource);
    Xapian::ValueCountMatchSpy language_spy(schema::kSlotLanguage);
    Xapian::ValueCountMatchSpy day_spy(schema::kSlotDay);
    if (request.facets && !facets_by_group) {
        enquire.add_matchspy(&source_spy);
        enquire.add_matchspy(&language_spy);
        enquire.add_matchspy(&day_spy);
    }
    // Spies see every match before collapsing: this one counts the groups and the reports.
    // Under collapsing Xapian 1.4's own counts are not exact even when every match was looked
    // at (its uncollapsed bounds are loose, and get_matches_upper_bound() can exceed the
    // number of groups), so the spy's counts are the ones reported.
    detail::GroupCountSpy group_spy(detail::group_slot(count_level), facets_by_group);
    if (grouped || facets_by_group) enquire.add_matchspy(&group_spy);
    // Exact counts need every match looked at; otherwise stop after check_at_least.
    const Xapian::doccount check_at_least =
        request.exact_counts
            ? database.get_doccount()
            : static_cast<Xapian::doccount>(
                  std::max(request.check_at_least, request.offset + request.limit));
    const Xapian::MSet mset =
        enquire.get_mset(static_cast<Xapian::doccount>(request.offset),
                         static_cast<Xapian::doccount>(request.limit), check_at_least);
    if (!grouped) {
        response.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
        response.total = response.total_exact ? mset.get_matches_lower_bound()
                                              : mset.get_matches_estimated();
        response.total_reports = response.total;
    } else if (request.exact_counts) {
        // check_at_least covered the whole database: the spy saw every match.
        response.total_exact = true;
        response.total = group_spy.groups();
        response.total_reports = group_spy.documents();
    } else {
        // Stopped early: at least what the spy saw, else Xapian's estimates.
        response.total_exact = false;
        response.total = std::max<std::size_t>(group_spy.groups(), mset.get_matches_estimated());
        response.total_reports = std::max<std::size_t>(
            group_spy.documents(), mset.get_uncollapsed_matches_estimated());
    }

    if (request.facets) {
        Facets facets;
        if (facets_by_group) {
            const std::size_t seen = group_spy.groups();
            // The number of groups the counts should add up to: exact, or estimated.
            const std::size_t groups = grouped ? response.total : seen;
            const bool facets_exact =
                request.exact_counts && (grouped || response.total_exact);
            const double factor = facets_exact || seen == 0 || !grouped
                                      ? 1.0
                                      : static_cast<double>(groups) / static_cast<double>(seen);
            facets = make_facets(group_spy.counts(detail::GroupCountSpy::kSource),
                                 group_spy.counts(detail::GroupCountSpy::kLanguage),
                                 group_spy.counts(detail::GroupCountSpy::kDay), factor, request);
            facets.exact = facets_exact;
            facets.counting = FacetCounting::kGroups;
            facets.counting_level = count_level;
        } else {
            const Xapian::doccount seen = source_spy.get_total();
            const bool facets_exact = response.total_exact && seen == response.total_reports;
            // Counted on a sample: scale up to the estimated number of reports (and say so).
            const double factor =
                facets_exact || seen == 0
                    ? 1.0
                    : static_cast<double>(response.total_reports) / static_cast<double>(seen);
            facets = make_facets(report_counts(source_spy), report_counts(language_spy),
                                 report_counts(day_spy), factor, request);
            facets.exact = facets_exact;
        }
        response.facets = std::move(facets);
    }
    response.timing.search_ms = ms_since(search_start);

    const auto fetch_start = Clock::now();
    std::size_t rank = request.offset;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
        const Xapian::Document document = it.get_document();
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
        hit.score = it.get_weight();
        hit.rank = ++rank;
        if (grouped) {
            const std::string group_id = document.get_value(detail::group_slot(request.group));
            if (!group_id.empty()) {
                hit.group = detail::describe_group(database, request.group, group_id, *it,
                                                   article, request.group_outlet_names);
            }
        }
        response.results.push_back(std::move(hit));
    }

    if (request.spelling && !built.words.empty()) {
        response.suggestion = spelling_suggestion(database, request.query, built.words,
                                                  context.languages, analyzer);
    }
    response.timing.fetch_ms = ms_since(fetch_start);
    response.query_description = query.get_description();
    response.timing.total_ms = ms_since(start);
    return response;
}

std::size_t Searcher::document_count() const {
    Impl::Lease database(*m_impl);
    database->reopen();
    return database->get_doccount();
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
    } catch (const Xapian::Error& error) {
        throw DatabaseError("cannot read the database: " + error.get_description());
    }
}

std::optional<GroupMembers> Searcher::group_members(GroupLevel level, std::string_view id) const {
    if (level == GroupLevel::kNone) {
        throw QueryError("a group's members are listed by level: copy or story");
    }
    Impl::Lease database(*m_impl);
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
        try {
            database->reopen();
            return detail::list_members(*database, level, id);
        } catch (const Xapian::DatabaseModifiedError&) {
            continue;
        } catch (const Xapian::Error& error) {
            throw DatabaseError("cannot read the database: " + error.get_description());
        }
    }
    throw DatabaseError("the database kept changing while listing a group; try again");
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
