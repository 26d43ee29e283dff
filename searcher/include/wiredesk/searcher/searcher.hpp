/// @file searcher.hpp
/// @brief The search library: open Wiredesk databases read-only, run Request -> Response.
///
/// The CLI (`wiredesk-search`) and the web server are thin layers over this header. A minimal
/// embedding (searcher/examples/embed_search.cpp):
///
/// @code
///   wiredesk::searcher::Searcher searcher({"news.db"});
///   wiredesk::searcher::Request request;
///   request.query = "\"peace talks\" abu dhabi source:AFP date:2026-01-20..2026-02-10";
///   const auto response = searcher.search(request);
///   for (const auto& hit : response.results) std::cout << hit.title << '\n';
/// @endcode
///
/// The query language, ranking and the recency half-life are described in docs/QUERY_SYNTAX.md;
/// the JSON form of a Response (to_json() in json.hpp) in docs/SEARCH_JSON.md.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "wiredesk/common/article.hpp"
#include "wiredesk/common/database.hpp"

namespace wiredesk::searcher {

/// Order of the results.
enum class SortOrder {
    kRelevance,  ///< BM25 (headline words count kTitleWeight times); the default
    kNewest,     ///< newest first, undated last; ties by relevance
    kOldest,     ///< oldest first, undated last; ties by relevance
    /// BM25 plus a boost that halves every recency_half_life_days, by publication day (see
    /// docs/QUERY_SYNTAX.md)
    kRecency,
};

/// Width of one bar of the date histogram.
enum class DateBucket { kAuto, kDay, kWeek, kMonth, kYear };

/// Which of the indexer's groups (docs/GROUPING.md) fold into one result.
enum class GroupLevel {
    kStory,  ///< write-ups of the same event, copies included: one result per story (default)
    kCopy,   ///< copies of one wire text (republished with edits): one result per copy group
    kNone,   ///< every report is its own result
};

/// What a facet count counts.
enum class FacetCounting {
    kReports,  ///< matching articles (the default): 6 copies from 6 outlets count 6
    /// matching groups at the request's level (story groups under GroupLevel::kNone): a value
    /// counts the groups with at least one matching report that has it; an article without a
    /// group id counts as a group of its own
    kGroups,
};

/// What to search for and how much to return. Every field has a usable default.
struct Request {
    /// Query text in the Wiredesk query language (docs/QUERY_SYNTAX.md). May be empty when a
    /// filter (since/until/sources/languages/ids) is given: then every article passing the
    /// filters matches.
    std::string query;
    /// Inclusive day bounds, `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`): the same filter as `date:`.
    std::string since;
    std::string until;
    /// Extra filters, each OR-ed within its list and AND-ed across lists (like source:, lang:).
    std::vector<std::string> sources;
    std::vector<std::string> languages;
    /// Restrict to these article ids (the web view of one article, tests).
    std::vector<std::string> ids;
    /// Whether juxtaposed words must all match (AND, the default) or any (OR, ranked by BM25).
    bool match_all_words = true;

    SortOrder sort = SortOrder::kRelevance;
    /// Half-life of the recency boost, in days (SortOrder::kRecency only).
    double recency_half_life_days = 14.0;

    std::size_t offset = 0;  ///< results to skip (pagination)
    std::size_t limit = 10;  ///< results to return (at most kMaxLimit)

    bool facets = true;               ///< compute sources, languages and dates facets
    std::size_t facet_top_sources = 10;  ///< sources listed by name; the rest sum into "other"
    DateBucket date_bucket = DateBucket::kAuto;
    /// true: the total and the facets count every match (exact). false: the match stops after
    /// check_at_least documents; the total and the facets are then estimates, marked as such.
    bool exact_counts = true;
    std::size_t check_at_least = 2000;  ///< used only when exact_counts is false

    std::size_t snippet_chars = 200;  ///< length of the best passage, in characters
    bool spelling = true;             ///< suggest a correction for words the archive lacks

    /// Collapse the results to one per group (the best-ranked member stands for its group).
    /// Articles without a group id (indexed before grouping existed) are never collapsed.
    GroupLevel group = GroupLevel::kStory;
    /// Whether facets count reports or groups (FacetCounting); Facets::counting says which.
    FacetCounting facet_counting = FacetCounting::kReports;
    /// Other outlets of a hit's group named in GroupInfo::other_outlets (the rest are counted).
    std::size_t group_outlet_names = 5;
};

/// A highlighted stretch of a snippet or title: [begin, end) in BYTES of the UTF-8 text.
struct Highlight {
    std::size_t begin = 0;
    std::size_t end = 0;
};

/// One report of a group (GroupInfo::earliest, GroupMembers::members).
struct GroupReport {
    std::string id;
    std::string title;
    std::string source;
    std::string date;      ///< `YYYY-MM-DD` (UTC), empty when undated
    std::string datetime;  ///< ISO 8601 UTC, empty when undated
    std::string url;
    std::string language;
};

/// The group a hit stands for (present when the request groups and the hit has a group id).
struct GroupInfo {
    GroupLevel level = GroupLevel::kStory;
    std::string id;         ///< 16 hex digits: the argument of Searcher::group_members()
    std::size_t size = 1;   ///< exact number of reports in the group (the group term's termfreq),
                            ///< all of them, not only those matching the query
    /// Distinct outlets of the group's other reports, the hit's own outlet and reports without a
    /// source left out, in order of each outlet's earliest report; at most
    /// Request::group_outlet_names of them.
    std::vector<std::string> other_outlets;
    std::size_t other_outlet_count = 0;  ///< all of those outlets (>= other_outlets.size())
    GroupReport earliest;  ///< the group's earliest report (dated before undated, then by id)
    bool is_earliest = false;  ///< the hit itself is the earliest report
};

/// One result.
struct Hit {
    std::string id;
    std::string title;
    std::string source;
    std::string date;      ///< `YYYY-MM-DD` (UTC), empty when undated
    std::string datetime;  ///< ISO 8601 UTC, empty when undated
    std::string url;       ///< the article's URL, empty if it has none
    std::string path;      ///< the file it was indexed from
    std::string language;  ///< ISO 639-1, "und" when unknown
    std::string snippet;   ///< the best passage of the body (~snippet_chars), "…" where cut
    std::vector<Highlight> snippet_highlights;  ///< query words in the snippet
    std::vector<Highlight> title_highlights;    ///< query words in the title
    double score = 0;      ///< the ranking score (BM25, plus the boost for kRecency)
    std::size_t rank = 0;  ///< 1-based position in the whole result list
    /// The group this hit stands for; absent under GroupLevel::kNone and for articles without a
    /// group id.
    std::optional<GroupInfo> group;
};

/// A group's members (Searcher::group_members()).
struct GroupMembers {
    GroupLevel level = GroupLevel::kStory;
    std::string id;
    std::vector<GroupReport> members;  ///< earliest first: dated before undated, then by id
    /// Some remote shards did not answer (SearcherOptions::allow_partial): members on them are
    /// not listed.
    bool partial = false;
    std::vector<std::string> missing_shards;  ///< the shards left out, as `host:port`
};

/// One value of a facet and how many matches have it.
struct FacetValue {
    std::string value;  ///< source name, language code, or date bucket key (see DateHistogram)
    std::size_t count = 0;
};

/// Matches over time. Keys: day `2026-01-20`, week `2026-W04` (ISO week), month `2026-01`,
/// year `2026`. Buckets between the first and the last are present even when empty (unless
/// there would be more than kMaxHistogramBuckets).
struct DateHistogram {
    DateBucket bucket = DateBucket::kDay;  ///< never kAuto in a response
    std::vector<FacetValue> buckets;       ///< in time order
    std::size_t undated = 0;               ///< matches without a date
    std::string first;                     ///< first matching day, `YYYY-MM-DD` (empty if none)
    std::string last;                      ///< last matching day
};

/// How the matches spread, over the WHOLE match set (not just the page).
struct Facets {
    bool exact = true;  ///< false when counted on a sample and scaled (Request::exact_counts)
    /// What the counts count: FacetCounting::kReports (articles), or kGroups, then at
    /// counting_level (stories or copies).
    FacetCounting counting = FacetCounting::kReports;
    GroupLevel counting_level = GroupLevel::kNone;  ///< kNone when counting reports
    std::vector<FacetValue> sources;  ///< top N by count, then by name
    std::size_t other_sources = 0;         ///< matches from the sources not listed
    std::size_t other_source_values = 0;   ///< how many sources those are
    std::size_t unknown_source = 0;        ///< matches without a source
    std::vector<FacetValue> languages;     ///< all, by count
    DateHistogram dates;
};

/// Time spent, in milliseconds, and how.
struct Timing {
    double parse_ms = 0;
    double search_ms = 0;  ///< matching, counting and facets
    double fetch_ms = 0;   ///< reading the page's documents and making snippets
    double total_ms = 0;
    /// The counts and facets came from the values the searcher keeps in memory for the
    /// archive's current revision (a one-shard local archive, from its second search at a
    /// revision on), not from reading them in the database.
    bool values_in_memory = false;
};

/// What a search found.
struct Response {
    /// Results in all: matching articles, or under grouping matching groups (each article
    /// without a group id counting as one). Exact unless total_exact is false.
    std::size_t total = 0;
    bool total_exact = true;   ///< false: total (and total_reports) are Xapian's estimates
    std::size_t total_reports = 0;  ///< matching articles (= total under GroupLevel::kNone)
    GroupLevel group = GroupLevel::kNone;  ///< echo of Request::group
    std::size_t offset = 0;    ///< echo of the request
    std::vector<Hit> results;  ///< the page, in order
    std::optional<Facets> facets;
    /// "Did you mean": the query with unknown words replaced by the archive's nearest words.
    std::optional<std::string> suggestion;
    /// Everything the searcher did differently from what was typed (lenient parsing, wildcard
    /// limits, swapped date ranges, unknown prefixes...), one readable sentence each.
    std::vector<std::string> warnings;
    Timing timing;
    std::string query_description;  ///< Xapian's description of the final query (debugging)
    /// Some remote shards did not answer (SearcherOptions::allow_partial): the results, totals
    /// and facets cover only the shards that did. A warning says so too.
    bool partial = false;
    std::vector<std::string> missing_shards;  ///< the shards left out, as `host:port`
};

/// How the searcher is set up (for the life of the Searcher object).
struct SearcherOptions {
    /// Extra name-variant files (docs/QUERY_SYNTAX.md, "Name variants"), read after the
    /// built-in table (searcher/data/name_variants.txt, compiled in).
    std::vector<std::string> variant_files;
    /// Use the automatic -y/-iy/-yy folding of names (see name_variants.hpp).
    bool automatic_variants = true;
    /// A trailing wildcard expands to at most this many words (the most frequent ones).
    std::size_t max_wildcard_expansion = 100;
    /// How long to wait for remote shards (stub lines `remote HOST:PORT`, docs/SCALING.md):
    /// to connect, and for each reply. A shard that does not answer in time is an error
    /// naming it (RemoteShardError), or is left out under allow_partial.
    RemoteTimeouts remote_timeouts;
    /// Search the shards that answer when remote ones do not, at open and whenever one stops
    /// answering between or during searches; such responses are marked Response::partial.
    /// Left-out shards are tried again on later searches (at most every few seconds). Local
    /// shards must always open.
    bool allow_partial = false;
};

/// Bounds a Request may not exceed.
inline constexpr std::size_t kMaxLimit = 1000;
inline constexpr std::size_t kMaxQueryBytes = 16 * 1024;
inline constexpr std::size_t kMaxQueryWords = 256;
inline constexpr std::size_t kMaxHistogramBuckets = 1000;

class NameVariants;

/// Opens one or more Wiredesk databases read-only and searches them as one.
///
/// A path may be a Xapian stub (a file, or a directory holding `XAPIANDB`) whose lines name
/// local shards (`auto meta`, `auto 2026-01`) and remote ones served by xapian-tcpsrv
/// (`remote HOST:PORT`). The searcher opens them itself, remote ones with
/// SearcherOptions::remote_timeouts. Every search gives the same answer whether a shard is local
/// or remote, with two exceptions that the response's warnings state: facets counted by group
/// (FacetCounting::kGroups) fall back to counting reports when a shard is remote, and spelling
/// suggestions come from local shards only (keep the `meta` shard, which holds the archive's
/// spelling data, on the search host). docs/SCALING.md has the details.
///
/// Thread-safety: search(), document_count() and for_each_article() may be called from many
/// threads at once on one Searcher. Each call borrows a Xapian::Database from an internal pool
/// (Xapian database objects are not thread-safe), reopens it to see the latest commit, and
/// retries on Xapian::DatabaseModifiedError, so a running indexer's commits are picked up
/// without a restart.
class Searcher {
public:
    /// Opens the databases at @p paths (one or more; they are searched as one; stubs name
    /// their shards).
    /// @throws RemoteShardError (a DatabaseError) if a remote shard does not answer within the
    ///         timeouts (under allow_partial: only if no shard answers),
    ///         UsageError for a remote timeout of 0,
    ///         DatabaseError if a path is missing or is not a Wiredesk database or stub,
    ///         SchemaMismatch if one was written by another schema version,
    ///         Error if a variant file cannot be read (what() names the file and line).
    explicit Searcher(std::vector<std::string> paths, SearcherOptions options = {});
    ~Searcher();
    Searcher(const Searcher&) = delete;
    Searcher& operator=(const Searcher&) = delete;

    /// Runs @p request. Malformed query syntax never throws: the query is read leniently and
    /// the response carries warnings.
    /// @throws QueryError for a query that cannot be run: empty without any filter, longer
    ///         than kMaxQueryBytes, a since/until that is not a date, limit above kMaxLimit.
    /// @throws DatabaseError if the database cannot be read (after retries);
    ///         RemoteShardError if a remote shard stops answering and allow_partial is off.
    [[nodiscard]] Response search(const Request& request) const;

    /// Number of articles in the databases (latest commit).
    [[nodiscard]] std::size_t document_count() const;

    /// Calls @p sink for every indexed article, in docid order (for export and checks).
    /// @throws DatabaseError if the database changed during the walk (run it again).
    void for_each_article(const std::function<void(const Article&)>& sink) const;

    /// The same walk, with each article's copy and story group ids (empty when it has none).
    void for_each_article_with_groups(
        const std::function<void(const Article&, const std::string& copy_group,
                                 const std::string& story_group)>& sink) const;

    /// The reports of group @p id at @p level (copy or story), earliest first, all of them
    /// (not only those matching some query). Returns nullopt for an id no article carries.
    /// @throws QueryError for GroupLevel::kNone. @throws DatabaseError as search() does.
    /// Thread-safe like search().
    [[nodiscard]] std::optional<GroupMembers> group_members(GroupLevel level,
                                                            std::string_view id) const;

    /// The name-variant table in use (for tests and --explain).
    [[nodiscard]] const NameVariants& variants() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// "story", "copy", "none", and back (nullopt for anything else).
std::string_view group_level_name(GroupLevel level) noexcept;
std::optional<GroupLevel> parse_group_level(std::string_view name) noexcept;

/// Parses a day bound as used by date:, --since and --until: `YYYY-MM-DD`, `YYYYMMDD`,
/// `YYYY-MM` or `YYYY` (also with `/` or `.`). A partial date is widened to its first day
/// (@p upper false) or its last (@p upper true). Returns `YYYYMMDD`, or nullopt if not a date.
std::optional<std::string> parse_day_bound(std::string_view text, bool upper);

/// The text of @p text with each highlight wrapped in @p open / @p close (e.g. "\033[1m" and
/// "\033[0m", or "[" and "]"). Highlights must be sorted and not overlap (as the searcher
/// returns them).
std::string mark_highlights(std::string_view text, const std::vector<Highlight>& highlights,
                            std::string_view open, std::string_view close);

}  // namespace wiredesk::searcher
