/// @file grouping.hpp
/// @brief Grouping articles at index time: copies of one wire text, and write-ups of one story.
///
/// Two halves. The *features* (copy fingerprint, anchors, story terms) are computed from an
/// article alone, on the indexer's workers, by add_grouping_features(). The *assignment* needs
/// the database, so it runs in the writer's order, one article at a time: Grouper finds
/// candidates with Xapian queries over the features already stored, verifies them exactly, and
/// labels the new document with a copy group and a story group (terms and values, schema.hpp).
/// Because articles come in a fixed order, group ids do not depend on the number of threads.
/// The algorithm, thresholds and their tuning are described in docs/GROUPING.md.
#pragma once

#include <xapian.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/common/article.hpp"
#include "wiredesk/indexer/bloom_filter.hpp"
#include "wiredesk/indexer/document_terms.hpp"

namespace wiredesk::indexer {

/// Thresholds of the writer's decisions. Changing them needs no re-index of old articles (they
/// apply to new decisions); defaults are tuned on bench/ (see docs/GROUPING.md).
struct GroupingOptions {
    bool enabled = true;  ///< false: no features, no groups (for measuring the cost)

    // Copy level: dup <=> J >= copy_jaccard OR (C >= copy_containment AND
    // lead C >= copy_lead_containment AND length ratio >= copy_length_ratio).
    double copy_jaccard = 0.5;
    double copy_containment = 0.7;
    double copy_lead_containment = 0.6;
    double copy_length_ratio = 0.2;
    std::size_t copy_candidates = 20;  ///< verified per article, best shared-anchor count first
    int copy_window_days = 7;          ///< both dated: at most this many days apart

    // Story level: cosine of the story profiles >= story_threshold, with the candidate and
    // with the founder of its story.
    double story_threshold = 0.30;          ///< both articles dated (the window is evidence)
    double story_threshold_undated = 0.54;  ///< either undated: the text alone must carry it
    /// Both dated and both long (profiles of at least story_long_terms terms): two full
    /// write-ups of one event each bring many words of their own (colour, quotes,
    /// background), which lower their cosine; short template reports keep story_threshold.
    double story_threshold_long = 0.25;
    std::size_t story_long_terms = 100;
    std::size_t story_candidates = 8;
    int story_window_days = 3;
};

/// A body reduced for copy detection.
struct CopyFingerprint {
    std::vector<std::uint32_t> shingles;  ///< sorted, unique (top 32 bits of each shingle hash)
    std::vector<std::uint32_t> lead;      ///< the same for the first shingles only
    std::vector<std::uint64_t> anchors;   ///< sampled shingle hashes, indexed as XCA terms
    std::vector<std::uint64_t> probes;    ///< the anchors a new article queries with (subset)
    std::uint64_t exact = 0;              ///< hash of the whole normalised body; 0 = no text
    [[nodiscard]] bool empty() const noexcept { return shingles.empty(); }
};

/// Exact similarity of two fingerprints. containment is |A∩B| / min(|A|, |B|); lead is the
/// fraction of the shorter one's lead shingles found anywhere in the longer one.
struct CopySimilarity {
    double jaccard = 0;
    double containment = 0;
    double lead = 0;
    double length_ratio = 0;
};

/// One word of an article as the document builder saw it: what grouping needs of a Token.
struct GroupingToken {
    std::string exact;      ///< the analyzer's folded form
    std::string stem;       ///< its first stemmed form (the Z-term without the Z)
    std::size_t begin = 0;  ///< byte offsets in the field's text
    std::size_t end = 0;
    bool title = false;  ///< from the headline (else from the body)
};

/// Fingerprint of @p body from its tokens (as the analyzer made them, offsets into @p body).
/// Boilerplate lines (copyright, "contributed to this report", photo captions, "Follow us",
/// bylines) and a leading dateline are left out; words are normalised (consonant skeletons of
/// Latin words, "per cent" = "percent"; CJK and Thai split into characters) and shingled.
CopyFingerprint copy_fingerprint(std::string_view body, const std::vector<GroupingToken>& tokens);
/// Convenience form that tokenizes @p body itself (tests, tools).
CopyFingerprint copy_fingerprint(std::string_view body, Analyzer& analyzer);

CopySimilarity compare(const CopyFingerprint& a, const CopyFingerprint& b);
/// Whether @p similarity makes a copy under @p options.
bool is_copy(const CopySimilarity& similarity, const GroupingOptions& options);

/// The kSlotCopyFingerprint encoding (exact, probes, lead, shingles; not the anchors).
/// decode returns an empty fingerprint for bad data.
std::string encode_fingerprint(const CopyFingerprint& fingerprint);
CopyFingerprint decode_fingerprint(std::string_view data);

/// A story profile: Z-term (stem) and weight 1 + ln tf, L2-normalised, content words only;
/// in term (byte) order, each term once. A sorted vector, not a map: a profile is built,
/// compared and stored whole, once per article, and a map's node per term made that a
/// third of grouping's work.
using StoryProfile = std::vector<std::pair<std::string, double>>;
/// Cosine of two normalised profiles (their dot product).
double story_similarity(const StoryProfile& a, const StoryProfile& b);
/// The kSlotStoryProfile encoding: terms front-coded in string order, weights kept to five
/// decimals. decode also reads the `weight term` lines of earlier versions, and returns an
/// empty profile for bad data.
std::string encode_profile(const StoryProfile& profile);
StoryProfile decode_profile(std::string_view data);

/// Adds the grouping features of @p article to @p document: XCA anchors, the XCH exact-body
/// term, the copy fingerprint value and the raw story terms (weighted later by the writer).
/// @p tokens are the headline's and the body's words. Runs on the workers; thread-safe.
void add_grouping_features(Xapian::Document& document, const Article& article,
                           const std::vector<GroupingToken>& tokens);

/// One decision of the writer, kept when it was among the slowest of a run.
struct GroupingDecision {
    std::string article_id;
    double seconds = 0;
    std::size_t copy_candidates = 0;        ///< fingerprints verified
    std::size_t story_candidates = 0;       ///< profiles compared
};

/// What grouping did in one run.
struct GroupingStats {
    std::size_t articles = 0;               ///< assigned
    std::size_t copies = 0;                 ///< joined an existing copy group
    std::size_t stories = 0;                ///< joined an existing story group (copies included)
    std::size_t merges = 0;                 ///< groups merged into another (both levels)
    std::size_t rechecks = 0;               ///< groups re-checked after losing members
    std::size_t splits = 0;                 ///< new groups split off by re-checks
    /// Candidates examined, summed over the articles (GroupingDecision): what a decision's work
    /// follows, so that time per article can be read against them as an archive grows.
    std::size_t copy_candidates = 0;        ///< fingerprints verified
    std::size_t story_candidates = 0;       ///< profiles compared
    double seconds = 0;                     ///< time spent in the writer's grouping calls
    std::vector<GroupingDecision> slowest;  ///< the slowest decisions, slowest first
};

/// A change grouping makes to the database besides labelling the document it assigns: another
/// document's new group label, or a group's record. The writer applies them with
/// apply_grouping_change(), in the order Grouper::take_changes() hands them out.
struct GroupingChange {
    enum class Kind {
        relabel,   ///< the document loses remove_term, gains add_term, and slot holds value
        metadata,  ///< the database's metadata key gets value (empty: removed)
    };
    Kind kind = Kind::metadata;
    /// relabel: a committed document by its id; 0 for an article of the open batch, found by
    /// its id term (the grouper does not know the ids the writer gives the batch's articles).
    Xapian::docid docid = 0;
    std::string id_term;
    std::string remove_term;
    std::string add_term;
    Xapian::valueno slot = 0;
    std::string key;
    std::string value;
};

/// Applies @p change to @p database (inside the writer's open transaction).
void apply_grouping_change(Xapian::WritableDatabase& database, const GroupingChange& change);

/// The writer's side: assigns groups to documents about to be written, and keeps groups right
/// when documents are deleted. Use from one thread, in the order the writer writes:
///  - deleting(term) before the documents indexed by @p term are deleted;
///  - exists(id) to learn whether an article of that id is in the database, and replacing(id)
///    before it is replaced;
///  - assign(document) before the document is written, and written() once it is handed to the
///    writer;
///  - settle() after a file is written (before its file state), to re-check groups that lost
///    members (split them if no verified link holds them together, fix the earliest report);
///  - take_changes() after each of these calls: what the writer must apply, in order;
///  - committed() after each commit, once the writer has applied everything before it.
///
/// The grouper never reads the writable database: it sees it as a read-only view of the last
/// commit plus what it knows of the batch written since (the articles, their labels, the
/// deletions, the group records, the term statistics), in memory. So it may run ahead of the
/// writer, on another thread: grouping one article overlaps Xapian's writing of the last
/// (docs/ARCHITECTURE.md). Reading postings from a WritableDatabase would also make Xapian
/// flush that term's pending changes to its B-tree first: querying it after every article
/// rewrote the postings of common words thousands of times per batch. Candidates are the same
/// as one query over the writable database would give (for copies exactly; for stories too,
/// ranked by BM25 over the whole archive on both sides), so groups do not depend on where
/// commits fall.
class Grouper {
public:
    /// @p path is the database (or archive) being written: the committed view is opened
    /// read-only from it.
    Grouper(const std::string& path, GroupingOptions options);
    ~Grouper();
    Grouper(const Grouper&) = delete;
    Grouper& operator=(const Grouper&) = delete;

    /// Notes the groups of the committed documents indexed by @p term (a file's term), which
    /// the caller deletes next. (A file is read once per run, so none of its articles is in
    /// the batch.)
    void deleting(const std::string& term);

    /// Whether an article with id term @p id_term is in the database, as the writer will find
    /// it when it writes the next document (what WritableDatabase::term_exists would say).
    /// Only when grouping is enabled.
    [[nodiscard]] bool exists(const std::string& id_term) const;

    /// Notes the groups of the article @p id_term, which the next assigned document replaces.
    void replacing(const std::string& id_term);

    /// Labels @p document (built with add_grouping_features) with its copy and story groups,
    /// merging groups it bridges when their founders match too. @p document_terms are its
    /// terms, as read_document_terms() read them before the labels. May rewrite other
    /// documents (their group terms and values) and group records. A no-op when grouping is
    /// disabled or the document has no features.
    void assign(Xapian::Document& document, DocumentTerms document_terms);

    /// The document of the last assign() was handed to the writer (added, or replacing the
    /// article of replacing()): later candidates include it.
    void written();

    /// Re-checks the groups deleting() and replacing() noted. Work is bounded by the sizes of
    /// those groups.
    void settle();

    /// The changes to other documents and to group records made since the last call, in the
    /// order the writer must apply them (before the document of a following written()).
    [[nodiscard]] std::vector<GroupingChange> take_changes();

    /// The transaction was committed, with every change taken before: the committed view moves
    /// to it (read afresh from the path, shards added since included), the batch in memory is
    /// emptied.
    void committed();

    [[nodiscard]] const GroupingStats& stats() const noexcept { return m_stats; }

private:
    struct Member;
    struct Pending;
    enum class Level { copy, story };  ///< also the index of per-level arrays
    /// A document of the writable database as grouping sees it: a committed one (by its id in
    /// the committed view) or an article of the batch (by its index there).
    struct Ref {
        Xapian::docid docid = 0;
        std::optional<std::size_t> pending;
    };
    /// A story profile with interned terms, in the terms' string order.
    using CompactProfile = std::vector<std::pair<std::uint32_t, double>>;

    std::vector<Ref> in_group(Level level, const std::string& group_id, bool first_only = false) const;
    std::vector<Member> members(Level level, const std::string& group_id) const;
    Member load(const Ref& ref) const;
    /// The article of id term @p id_term in the writable database, if any.
    std::optional<Ref> find_article(const std::string& id_term) const;
    std::optional<Member> member_by_id(const std::string& article_id) const;
    std::string new_group_id(Level level, const std::string& article_id) const;
    void relabel(Level level, const std::vector<Ref>& documents, const std::string& from,
                 const std::string& to);
    void merge(Level level, const std::string& into, const std::string& from);
    struct Record;
    std::optional<Record> load_record(Level level, const std::string& group_id) const;
    void put_record(Level level, const std::string& group_id, const std::string& data);
    void note_member(Level level, const std::string& group_id, const std::string& article_id,
                     std::optional<double> time);
    void recheck(Level level, const std::string& group_id);
    bool linked(Level level, const Member& a, const Member& b) const;
    bool founders_match(Level level, const std::string& group_a, const std::string& group_b);
    bool founder_alike(const std::string& story_group, const Member& article);
    /// The cosine two profiles of @p a_terms and @p b_terms terms, of articles published at
    /// @p a and @p b, need to be one story.
    double story_threshold(std::optional<double> a, std::optional<double> b, std::size_t a_terms,
                           std::size_t b_terms) const;
    /// The committed articles within the story window (story_window_days) of @p time, and the
    /// undated; an empty query if the committed view has none.
    Xapian::Query window_filter(std::optional<double> time) const;
    /// Sorted ids of the committed documents with day term (or the undated term) @p term, read
    /// once per committed view (m_window_postings).
    using DocidList = std::shared_ptr<const std::vector<Xapian::docid>>;
    [[nodiscard]] const DocidList& window_postings(const std::string& term) const;
    void record(GroupingDecision decision);
    /// Keeps @p pending, the article of @p terms, as the batch's next (until written()).
    void track(Pending pending, const DocumentTerms& terms);
    StoryProfile expand(const CompactProfile& profile) const;
    Member member_of(const Pending& pending) const;
    void label(Level level, const Ref& ref, const std::string& group);
    /// Whether committed document @p docid is still in the writable database (not deleted,
    /// not replaced by an article of the batch).
    [[nodiscard]] bool committed_live(Xapian::docid docid) const;
    /// What grouping reads of a committed document besides its features: its labels at the
    /// last commit, its time and (once asked for) its id term. Kept in memory by document id,
    /// so that a document met again as a candidate costs no B-tree reads (each value is a read
    /// of its own: three per candidate, and a document is a candidate of many).
    struct CommittedBrief {
        std::string copy_group;
        std::string story_group;
        std::optional<double> time;
        std::optional<std::string> id;
    };
    const CommittedBrief& committed_brief(Xapian::docid docid) const;
    /// A committed document's day (days since the epoch), when it is dated and known without
    /// reading the document: from m_committed_days.
    [[nodiscard]] std::optional<std::int64_t> committed_day(Xapian::docid docid);
    const std::string& committed_id(Xapian::docid docid) const;
    /// Whether the committed view may hold copy anchor (or exact hash) @p hash: false only if
    /// it certainly does not, and its postings need not be looked up. Builds
    /// m_committed_hashes once lookups without it have cost about as much as building it.
    [[nodiscard]] bool may_be_committed(std::uint64_t hash);
    /// Whether a filter of the committed view's terms is worth building now, counting this
    /// lookup in @p unfiltered_lookups (those made without it).
    [[nodiscard]] bool filter_due(std::size_t& unfiltered_lookups) const;
    /// Whether the committed view may hold id or group term @p term: false only if it certainly
    /// does not, and its postings need not be looked up (most articles are new, and so are
    /// the groups they found). Builds m_committed_terms as may_be_committed() builds its filter.
    [[nodiscard]] bool may_hold_term(const std::string& term) const;
    /// A committed document's group labels now (relabels of this batch included).
    std::pair<std::string, std::string> committed_labels(Xapian::docid docid) const;
    /// Committed document @p docid, read lazily (only what is asked of it is read).
    Xapian::Document committed_document(Xapian::docid docid) const;
    struct Retained;
    /// The features of committed document @p docid as stored, when this run wrote them and
    /// still keeps them (m_retained); else null, and they are read from the document.
    [[nodiscard]] const Retained* retained(Xapian::docid docid) const;
    /// Whether the batch just committed took, in the new view, the document ids the grouper
    /// gave its new articles (m_next_key): what retain_batch() and brief_batch() rely on.
    [[nodiscard]] bool batch_took_keys() const;
    /// Moves the features of the batch just committed into m_retained (see there).
    void retain_batch();
    /// Notes the briefs of the batch just committed (m_briefs): they are what it wrote.
    void brief_batch();
    void note_groups(const std::string& copy, const std::string& story);
    /// The writable database's statistics: the committed view's plus the batch's changes.
    [[nodiscard]] Xapian::doccount doccount() const;
    [[nodiscard]] double average_document_length() const;
    [[nodiscard]] Xapian::doccount termfreq(const std::string& term) const;
    /// The committed view's part of it.
    [[nodiscard]] Xapian::doccount committed_termfreq(const std::string& term) const;
    /// Counts committed document @p docid out of those statistics (deleted or replaced).
    void uncount_committed(Xapian::docid docid);

    std::string m_path;
    GroupingOptions m_options;
    Xapian::Database m_committed;  ///< read-only, at the last commit

    // The batch since the last commit, in memory.
    std::deque<Pending> m_pending;  ///< a deque: growing it moves nothing
    /// By the same index as m_pending, contiguous: what the hot loops over a batch's articles
    /// read (ranking story candidates, whether one is still a candidate).
    struct PendingBrief {
        std::int64_t day = 0;  ///< days since the epoch (if dated)
        Xapian::termcount length = 0;  ///< the sum of its wdf, as Xapian counts it
        bool dated = false;
        bool forgotten = false;  ///< about to be replaced
        bool gone = false;       ///< replaced by a later version: never a candidate again
    };
    std::vector<PendingBrief> m_pending_brief;
    std::vector<std::optional<double>> m_scores;  ///< by batch index: story scores being summed
    /// Batch index by the key that orders candidates as document ids would: a committed
    /// document's id when the article replaced it, else the next id after the committed view's
    /// last (the writer numbers new documents in the order they come).
    std::unordered_map<Xapian::docid, std::size_t> m_pending_by_key;
    Xapian::docid m_next_key = 1;
    std::unordered_map<std::string, std::size_t> m_pending_by_id;  ///< Q term -> latest
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> m_pending_anchor;
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> m_pending_exact;
    /// A stem (Z term) in the batch: the articles with it, its wdf in each, and how many of
    /// them are still in the database (its share of the term frequency).
    struct PendingStem {
        std::vector<std::pair<std::size_t, Xapian::termcount>> postings;
        std::int64_t live = 0;
    };
    std::unordered_map<std::string, PendingStem> m_pending_stem;
    /// By level: group -> the batch articles labelled with it at some point (check their label
    /// now).
    std::array<std::unordered_map<std::string, std::vector<std::size_t>>, 2> m_pending_in_group;
    std::optional<std::size_t> m_last_assigned;  ///< waiting for written()
    /// What replacing() found: the document the next written() replaces.
    std::optional<Ref> m_replacing;
    /// Committed documents deleted or replaced in this batch (not candidates; a replaced one's
    /// new version is found under its id in m_pending_by_key).
    std::set<Xapian::docid> m_forgotten;
    /// Committed documents deleted in this batch.
    std::unordered_set<Xapian::docid> m_deleted;
    /// Committed documents relabelled in this batch: their groups (copy, story) now; an empty
    /// label is unchanged.
    std::unordered_map<Xapian::docid, std::pair<std::string, std::string>> m_relabelled;
    /// By level: group -> committed documents relabelled into it in this batch (check their
    /// label now).
    std::array<std::unordered_map<std::string, std::vector<Xapian::docid>>, 2> m_relabelled_into;
    /// committed_brief()'s memory. Valid from commit to commit for every document the batch
    /// leaves alone: committed() forgets those it relabelled, replaced or deleted, and all
    /// of them when the committed view's layout changed (new shards renumber documents).
    mutable std::unordered_map<Xapian::docid, CommittedBrief> m_briefs;
    std::size_t m_committed_databases = 0;  ///< the layout committed_brief()'s ids are of
    /// Every committed document's day, by document id (kUnknownDay: undated, or changed since
    /// it was read), read from the time slot's value stream a commit's new documents at a
    /// time: it holds the documents up to its size - 1. An anchor's postings span the whole
    /// archive (a boilerplate paragraph recurs for years), and the copy level passes over
    /// those outside its window by this table, not by reading each document: its work follows
    /// the window, not the archive's size.
    std::vector<std::int32_t> m_committed_days;
    /// The copy anchors and exact hashes of the committed view (and of documents deleted
    /// since: a filter forgets nothing), once built: most of an article's probes are in no
    /// other article, and each lookup is a B-tree descent that finds nothing.
    std::optional<BloomFilter> m_committed_hashes;
    std::size_t m_unfiltered_lookups = 0;  ///< made before m_committed_hashes was built
    /// The same for the committed view's id terms and copy and story group terms (hashed).
    mutable std::optional<BloomFilter> m_committed_terms;
    mutable std::size_t m_unfiltered_term_lookups = 0;
    /// Group records written in this batch (key -> value; empty: removed).
    std::unordered_map<std::string, std::string> m_records;
    // The batch's changes to the statistics story candidates are ranked by.
    std::int64_t m_doccount_delta = 0;
    std::int64_t m_length_delta = 0;
    /// Z terms: committed documents deleted or replaced, and articles without grouping features
    /// (not in m_pending_stem).
    std::unordered_map<std::string, std::int64_t> m_termfreq_delta;
    /// committed_termfreq()'s memory of stems: a story query's telling words recur from
    /// article to article, and each reading is a B-tree lookup. When the view moves, the
    /// entries of the stems the batch counted are carried over with its counts added (what
    /// termfreq() said); the others stand.
    mutable std::unordered_map<std::string, Xapian::doccount> m_committed_termfreq;
    /// The same for other terms (the window's day terms), which the batch does not count: read
    /// again in each committed view.
    mutable std::unordered_map<std::string, Xapian::doccount> m_committed_other_termfreq;
    /// Whether m_committed_termfreq holds every stem of the committed view: so when this run
    /// began on an empty database, for as long as the stems fit the map. A stem it lacks is
    /// then in no committed document, and is not looked up.
    mutable bool m_all_stems_known = false;
    /// window_postings()'s memory, and the last windows made of it (by the article's day): the
    /// articles of a batch mostly share a few days, and the story query of each would otherwise
    /// open the postings of every day of its window (two B-tree descents each: the statistics,
    /// then the postings). Dropped at each commit: they are of one committed view.
    mutable std::unordered_map<std::string, DocidList> m_window_postings;
    mutable std::unordered_map<std::int64_t, DocidList> m_windows;
    /// The features (fingerprint and profile, as stored) of the articles this run committed,
    /// by document id, so that a candidate met again after its batch was committed costs no
    /// value reads and no decoding: with batches of about a thousand articles, most
    /// candidates of a date-ordered archive were committed a batch or two before. Oldest
    /// first out past kRetainedBytes. Documents a batch deleted or replaced leave at its
    /// commit (a replaced one comes back with its new version); all leave when the committed
    /// view is not one database whose new documents took the ids the grouper gave them (an
    /// archive's shards number documents otherwise).
    struct Retained {
        CopyFingerprint fingerprint;
        CompactProfile profile;
        std::size_t bytes = 0;
    };
    std::unordered_map<Xapian::docid, Retained> m_retained;
    std::deque<Xapian::docid> m_retained_order;  ///< oldest first (may hold ids gone since)
    std::size_t m_retained_bytes = 0;
    std::vector<GroupingChange> m_changes;
    /// The batch's articles and their indexes, emptied by committed() and freed on
    /// m_freeing: freeing a batch of about a thousand articles took a third of committed()'s
    /// time, during which the writer waits for the next article.
    struct RetiredBatch;
    std::thread m_freeing;
    /// Story terms seen in this run: document frequency (for idf) and an id for the in-memory
    /// profiles. Filled from the database on a term's first sight, then kept up to date by
    /// the writer itself: one lookup per distinct word per run, not per article.
    struct TermInfo {
        Xapian::doccount frequency = 0;
        std::uint32_t id = 0;
    };
    std::unordered_map<std::string, TermInfo> m_terms;
    std::vector<std::string> m_term_names;  ///< by id
    std::vector<double> m_own_weight;       ///< by id: the profile being assigned, else 0
    std::set<std::string> m_dirty_copy;
    std::set<std::string> m_dirty_story;
    GroupingStats m_stats;
};

}  // namespace wiredesk::indexer
