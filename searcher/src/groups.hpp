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
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

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

/// Counts distinct groups among the documents the matcher looks at: overall, and per value of
/// the source, language and day slots (per-group facets). A class of ours, so it runs only when
/// every shard is local (xapian-tcpsrv knows Xapian's own classes only). Match spies see every match before collapsing, so this
/// is how "per story" facets and an exact number of groups are counted. A document without a
/// group id counts as a group of its own. Not thread-safe (one per search).
class GroupCountSpy : public Xapian::MatchSpy {
public:
    /// Facet slots, in the order counts() takes them.
    enum Facet : std::size_t { kSource = 0, kLanguage = 1, kDay = 2 };

    GroupCountSpy(Xapian::valueno group_slot, bool facets)
        : m_group_slot(group_slot), m_facets(facets) {}

    void operator()(const Xapian::Document& document, double weight) override;
    [[nodiscard]] Xapian::MatchSpy* clone() const override;
    [[nodiscard]] std::string name() const override { return "wiredesk::GroupCountSpy"; }

    [[nodiscard]] std::size_t documents() const noexcept { return m_documents; }
    [[nodiscard]] std::size_t groups() const noexcept { return m_groups.size(); }
    /// Value -> number of groups with a document having it; "" collects documents without a
    /// value (no source, undated).
    [[nodiscard]] std::map<std::string, std::size_t> counts(Facet facet) const;

private:
    Xapian::valueno m_group_slot;
    bool m_facets;
    std::size_t m_documents = 0;
    std::set<std::string> m_groups;
    std::array<std::map<std::string, std::set<std::string>>, 3> m_values;
};

/// One member of a group: its document id and document (values and data at hand).
struct GroupMember {
    Xapian::docid docid = 0;
    Xapian::Document document;
};
/// Group id -> its members, in document id order.
using GroupMemberMap = std::map<std::string, std::vector<GroupMember>>;

/// Every member of the groups @p ids at @p level, found by one boolean match over the archive
/// and fetched together (Xapian::MSet::fetch). Over remote shards this is a round trip or two
/// per shard for the whole page, where reading each group's postlist and each member's
/// document was several per member. Groups with no member are absent.
GroupMemberMap fetch_group_members(const Xapian::Database& database, GroupLevel level,
                                   const std::set<std::string>& ids);

/// The group block of a hit: exact size, other outlets, earliest report. @p members are the
/// group's members (fetch_group_members); @p hit_docid and @p hit are the hit's document and
/// article. The earliest report is the one the group's metadata record names
/// (schema::group_key) when that is still a member, else found by scanning the members (dated
/// before undated, then by time, then by id term).
GroupInfo describe_group(const Xapian::Database& database, GroupLevel level,
                         const std::string& id, const std::vector<GroupMember>& members,
                         Xapian::docid hit_docid, const Article& hit, std::size_t outlet_names);

/// All members of a group, earliest first; nullopt when no article carries the group term.
std::optional<GroupMembers> list_members(const Xapian::Database& database, GroupLevel level,
                                         std::string_view id);

/// The GroupReport form of an article.
GroupReport report_of(const Article& article);

}  // namespace wiredesk::searcher::detail
