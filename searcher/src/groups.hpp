/// @file groups.hpp
/// @brief The searcher's side of grouping (internal to the library): collapse slots, the spy
/// that counts groups rather than reports, and reading a group's members and earliest report.
///
/// The groups themselves are computed by the indexer (docs/GROUPING.md); the schema
/// (common/schema.hpp) gives each article an XCOPY/XSTORY term (termfreq = exact group size)
/// and the same ids in kSlotCopyGroup/kSlotStoryGroup (the collapse keys).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xapian.h>

#include "wiredesk/common/article.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace wiredesk::searcher::detail {

/// The value slot holding the group id of @p level (the collapse key). @p level is not kNone.
Xapian::valueno group_slot(GroupLevel level);

/// The boolean term of group @p id at @p level (`XCOPY<id>` / `XSTORY<id>`).
std::string group_term(GroupLevel level, std::string_view id);

/// Groups and reports among the matches a ValueCountMatchSpy on a group slot saw: the distinct
/// group ids plus one group per report without an id (a group of its own), and the reports.
/// Works on merged counts from remote shards too (Xapian's own spy).
struct GroupCounts {
    std::size_t groups = 0;
    std::size_t reports = 0;
};
GroupCounts count_groups(const Xapian::ValueCountMatchSpy& group_ids);

/// The values searches count (group ids at both levels, source, language, day), and the time
/// a group block orders members by, of every document of one local database at one revision,
/// in memory: what a long-lived searcher keeps so that counting a match costs array lookups
/// instead of value-stream reads (at a million articles about 40 bytes a document, 40 MB).
/// Read by read(); immutable after.
class ValueTable {
public:
    /// The table of @p database (one local shard), or null when it has a group id that is not
    /// 16 hex digits or more than @p max_documents document ids (then searches read values as
    /// usual).
    static std::shared_ptr<const ValueTable> read(const Xapian::Database& database,
                                                  Xapian::docid max_documents);

    /// Names of the facet values: index 0 is "" (no value).
    std::array<std::vector<std::string>, 3> names;
    /// Per document id (index 0 unused): the index of its source, language and day in names.
    std::array<std::vector<std::uint32_t>, 3> facet;
    /// Per document id: its story and copy group id as a number, and whether it has one.
    std::vector<std::uint64_t> story;
    std::vector<std::uint64_t> copy;
    std::vector<std::uint8_t> grouped;  ///< bit 0: has a story id, bit 1: has a copy id
    /// Per document id: its time (kSlotTime), NaN when undated. A group block orders its
    /// members by time.
    std::vector<double> time;

    [[nodiscard]] Xapian::docid size() const noexcept {
        return static_cast<Xapian::docid>(story.size());
    }
};

/// Counts what a search reports about all its matches, for archives whose shards are all local
/// (a class of ours: xapian-tcpsrv knows Xapian's own classes only): the reports, the distinct
/// groups at one level (a report without a group id is a group of its own), and per value of
/// the source, language and day slots either the reports or the groups having it (facets).
///
/// Why not Xapian's ValueCountMatchSpy: it keeps a std::map keyed by every distinct value, and
/// a broad query at a million articles matches over a hundred thousand stories: building,
/// searching and freeing that map (memcmp, malloc) was most of such a search's time. This one
/// keeps 16-hex-digit group ids as 64-bit numbers in a vector and sorts them once at the end;
/// with a ValueTable it counts facet values by index, not by string. Values are read from the
/// document the matcher hands over (a value-stream document: each slot's stream moves forward
/// with the match). Not thread-safe (one per search).
class MatchCounter : public Xapian::MatchSpy {
public:
    enum class FacetCounts { kNone, kReports, kGroups };
    /// Facet slots, in the order counts() takes them.
    enum Facet : std::size_t { kSource = 0, kLanguage = 1, kDay = 2 };

    /// @p group_slot: the slot of the group ids to count, or Xapian::BAD_VALUENO for none (then
    /// FacetCounts::kGroups is not allowed). @p table: the archive's values in memory
    /// (ValueTable), when the searcher has them for the revision searched, or null.
    MatchCounter(Xapian::valueno group_slot, FacetCounts facets,
                 std::shared_ptr<const ValueTable> table = nullptr);

    void operator()(const Xapian::Document& document, double weight) override;
    [[nodiscard]] Xapian::MatchSpy* clone() const override;
    [[nodiscard]] std::string name() const override { return "wiredesk::MatchCounter"; }

    /// Also keep the best @p count groups (each by its best match: highest weight, then lowest
    /// document id, the member Xapian's collapse would keep when ranking by relevance), for
    /// best_groups(). Call before the match. Needs a group slot.
    void keep_best_groups(std::size_t count) { m_keep_best = count; }

    /// A group's best match (keep_best_groups()).
    struct Best {
        double weight = 0;
        Xapian::docid docid = 0;
    };
    /// The best groups' best matches ranked as a search by relevance collapsed on the group
    /// slot would rank them (weight descending, then document id), positions [offset, offset +
    /// limit) with offset + limit at most the count kept. Reports without a group id stand
    /// alone, as Xapian never collapses them.
    [[nodiscard]] std::vector<Best> best_groups(std::size_t offset, std::size_t limit) const;

    [[nodiscard]] std::size_t reports() const noexcept { return m_reports; }
    /// Distinct groups among the matches seen (0 without a group slot).
    [[nodiscard]] std::size_t groups();
    /// Value -> reports (FacetCounts::kReports) or groups (kGroups) having it; "" collects the
    /// matches without a value (no source, undated).
    [[nodiscard]] std::map<std::string, std::size_t> counts(Facet facet);

private:
    /// A group as keep() tells them apart: a 16-hex-digit id, another id (numbered in
    /// m_other_keys), or a report without an id (by document id).
    struct GroupKey {
        enum class Kind : unsigned char { kHex, kOther, kAlone } kind = Kind::kHex;
        std::uint64_t number = 0;
        bool operator==(const GroupKey&) const = default;
    };
    /// Distinct groups among some matches.
    struct GroupTally {
        std::vector<std::uint64_t> ids;   ///< 16-hex-digit ids, as numbers (deduplicated by count())
        std::set<std::string> other_ids;  ///< ids of another form (none are written today)
        std::size_t ungrouped = 0;        ///< reports without an id: a group each
        void add(const std::string& id);
        void add(const GroupTally& other);
        std::size_t count();
    };
    Xapian::valueno m_group_slot;
    FacetCounts m_facets;
    std::size_t m_reports = 0;
    GroupTally m_groups;
    /// The best groups so far, unordered: at most m_keep_best of them. A match enters only if
    /// it ranks above the worst kept (matches come in document id order, so on an equal weight
    /// a later one never does), which after the first few thousand matches is rare: most
    /// matches cost one comparison, and the list stays small (a page's worth).
    struct Kept {
        GroupKey group;
        Best best;
    };
    std::size_t m_keep_best = 0;
    std::vector<Kept> m_kept;
    std::size_t m_worst = 0;  ///< index in m_kept of the worst kept (when full)
    std::map<std::string, std::uint64_t> m_other_keys;  ///< ids of another form, numbered
    /// Whether @p match could enter the best groups kept (then keep() decides).
    [[nodiscard]] bool would_keep(const Best& match) const;
    void keep(const GroupKey& group, const Best& match);
    std::array<std::unordered_map<std::string, std::size_t>, 3> m_report_counts;
    std::array<std::unordered_map<std::string, GroupTally>, 3> m_group_counts;
    /// With a table: the same counts by value index (ValueTable::names).
    std::shared_ptr<const ValueTable> m_table;
    std::array<std::vector<std::size_t>, 3> m_report_counts_by_index;
    std::array<std::vector<GroupTally>, 3> m_group_counts_by_index;
    /// Counts a match from the table; false when the table does not have it.
    bool count_from_table(Xapian::docid docid, double weight);
};

/// One member of a group: its document id and document (data at hand), and the values the
/// group block reads, read once.
struct GroupMember {
    Xapian::docid docid = 0;
    Xapian::Document document;
    std::optional<double> time;  ///< kSlotTime; none for an undated article
    std::string source;          ///< kSlotSource
};
/// Group id -> its members, in document id order.
using GroupMemberMap = std::map<std::string, std::vector<GroupMember>>;

/// Every member of the groups @p ids at @p level, found by one boolean match over the archive
/// and fetched together (Xapian::MSet::fetch). Over remote shards this is a round trip or two
/// per shard for the whole page, where reading each group's postlist and each member's
/// document was several per member. Locally, the members' values are read a slot at a time in
/// document id order: Xapian keeps the last value chunk read, and reading the slots in turn
/// member by member made it read a B-tree block for nearly every value. Groups with no member
/// are absent.
///
/// With @p table (the ValueTable of @p database, one local database, at the revision
/// searched), each group's postlist is walked instead and the members' time and source come
/// from the table: no match to set up and no value read (these were a fifth of a grouped
/// search's time). The members are the same, in the same order.
GroupMemberMap fetch_group_members(const Xapian::Database& database, GroupLevel level,
                                   const std::set<std::string>& ids,
                                   const ValueTable* table = nullptr);

/// The group block of a hit: exact size, other outlets, earliest report. @p members are the
/// group's members (fetch_group_members); @p hit_docid and @p hit are the hit's document and
/// article. The earliest report is the one the group's metadata record names
/// (schema::group_key) when that is still a member, else found by scanning the members (dated
/// before undated, then by time, then by id term). @p local: @p database is one local
/// database, where the recorded report is looked up by its id term (a B-tree lookup); over
/// remote shards it is recognised by the article id in the data of the members of its
/// recorded time, which came with them (a lookup would be a round trip).
GroupInfo describe_group(const Xapian::Database& database, GroupLevel level,
                         const std::string& id, const std::vector<GroupMember>& members,
                         Xapian::docid hit_docid, const Article& hit, std::size_t outlet_names,
                         bool local = false);

/// All members of a group, earliest first; nullopt when no article carries the group term.
std::optional<GroupMembers> list_members(const Xapian::Database& database, GroupLevel level,
                                         std::string_view id);

/// The GroupReport form of an article.
GroupReport report_of(const Article& article);

}  // namespace wiredesk::searcher::detail
