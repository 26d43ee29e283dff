#include "groups.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "wiredesk/common/dates.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/schema.hpp"

namespace wiredesk::searcher::detail {
namespace {

/// Where a report stands in "earliest first": dated before undated, then by time, then by id
/// term (the order the indexer uses for a group's earliest report).
struct Chronology {
    bool undated = true;
    double time = 0;
    std::string id_term;

    friend bool operator<(const Chronology& a, const Chronology& b) {
        return std::tie(a.undated, a.time, a.id_term) < std::tie(b.undated, b.time, b.id_term);
    }
};

/// The document a group record names. The indexer writes the member's id term (`Q...`); an
/// article id is accepted too, as the schema's comment describes the field.
std::optional<Xapian::docid> resolve_member(const Xapian::Database& database,
                                            const std::string& named) {
    if (named.empty()) return std::nullopt;
    for (const std::string& term : {named, schema::id_term(named)}) {
        if (!term.starts_with(schema::prefix::kId)) continue;
        const auto posting = database.postlist_begin(term);
        if (posting != database.postlist_end(term)) return *posting;
    }
    return std::nullopt;
}

std::string day_text(UnixTime time) {
    const std::string day = format_yyyymmdd(time);
    return day.substr(0, 4) + "-" + day.substr(4, 2) + "-" + day.substr(6, 2);
}

}  // namespace

Xapian::valueno group_slot(GroupLevel level) {
    return level == GroupLevel::kCopy ? schema::kSlotCopyGroup : schema::kSlotStoryGroup;
}

std::string group_term(GroupLevel level, std::string_view id) {
    return level == GroupLevel::kCopy ? schema::copy_group_term(id) : schema::story_group_term(id);
}

GroupCounts count_groups(const Xapian::ValueCountMatchSpy& group_ids) {
    GroupCounts counts;
    counts.reports = group_ids.get_total();
    std::size_t grouped = 0;
    for (auto it = group_ids.values_begin(); it != group_ids.values_end(); ++it) {
        ++counts.groups;
        grouped += it.get_termfreq();
    }
    counts.groups += counts.reports - std::min(grouped, counts.reports);
    return counts;
}

namespace {

/// The slots of the facets, in MatchCounter::Facet order.
constexpr std::array<Xapian::valueno, 3> kFacetSlots = {schema::kSlotSource,
                                                        schema::kSlotLanguage, schema::kSlotDay};

/// Whether @p a ranks above @p b in a search by relevance: Xapian's order.
bool ranks_above(const MatchCounter::Best& a, const MatchCounter::Best& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.docid < b.docid;
}

}  // namespace

std::shared_ptr<const ValueTable> ValueTable::read(const Xapian::Database& database,
                                                   Xapian::docid max_documents) {
    const Xapian::docid last = database.get_lastdocid();
    if (last > max_documents) return nullptr;
    auto table = std::make_shared<ValueTable>();
    const std::size_t size = static_cast<std::size_t>(last) + 1;
    for (std::size_t facet = 0; facet < kFacetSlots.size(); ++facet) {
        std::vector<std::string>& names = table->names[facet];
        std::vector<std::uint32_t>& of = table->facet[facet];
        names = {""};
        of.assign(size, 0);
        std::unordered_map<std::string, std::uint32_t> index;
        const auto end = database.valuestream_end(kFacetSlots[facet]);
        for (auto it = database.valuestream_begin(kFacetSlots[facet]); it != end; ++it) {
            std::string value = *it;
            if (value.empty() || it.get_docid() >= size) continue;
            const auto [found, added] =
                index.try_emplace(value, static_cast<std::uint32_t>(names.size()));
            if (added) names.push_back(std::move(value));
            of[it.get_docid()] = found->second;
        }
    }
    table->time.assign(size, std::numeric_limits<double>::quiet_NaN());
    const auto times_end = database.valuestream_end(schema::kSlotTime);
    for (auto it = database.valuestream_begin(schema::kSlotTime); it != times_end; ++it) {
        if (it.get_docid() < size) table->time[it.get_docid()] = Xapian::sortable_unserialise(*it);
    }
    table->story.assign(size, 0);
    table->copy.assign(size, 0);
    table->grouped.assign(size, 0);
    for (const auto& [slot, ids, bit] :
         {std::tuple{schema::kSlotStoryGroup, &table->story, 1},
          std::tuple{schema::kSlotCopyGroup, &table->copy, 2}}) {
        const auto end = database.valuestream_end(slot);
        for (auto it = database.valuestream_begin(slot); it != end; ++it) {
            if (it.get_docid() >= size) continue;
            const auto number = schema::parse_hex16(*it);
            if (!number) return nullptr;  // an id of another form: counted the usual way
            (*ids)[it.get_docid()] = *number;
            table->grouped[it.get_docid()] |= static_cast<std::uint8_t>(bit);
        }
    }
    return table;
}

MatchCounter::MatchCounter(Xapian::valueno group_slot, FacetCounts facets,
                           std::shared_ptr<const ValueTable> table)
    : m_group_slot(group_slot), m_facets(facets), m_table(std::move(table)) {
    if (m_table) {
        for (std::size_t facet = 0; facet < m_table->names.size(); ++facet) {
            if (facets == FacetCounts::kReports) {
                m_report_counts_by_index[facet].assign(m_table->names[facet].size(), 0);
            } else if (facets == FacetCounts::kGroups) {
                m_group_counts_by_index[facet].resize(m_table->names[facet].size());
            }
        }
    }
}

void MatchCounter::GroupTally::add(const std::string& id) {
    if (id.empty()) {
        ++ungrouped;
    } else if (const auto number = schema::parse_hex16(id)) {
        ids.push_back(*number);
    } else {
        other_ids.insert(id);
    }
}

void MatchCounter::GroupTally::add(const GroupTally& other) {
    ids.insert(ids.end(), other.ids.begin(), other.ids.end());
    other_ids.insert(other.other_ids.begin(), other.other_ids.end());
    ungrouped += other.ungrouped;
}

std::size_t MatchCounter::GroupTally::count() {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids.size() + other_ids.size() + ungrouped;
}

void MatchCounter::operator()(const Xapian::Document& document, double weight) {
    ++m_reports;
    if (m_table && count_from_table(document.get_docid(), weight)) return;
    std::string group;
    if (m_group_slot != Xapian::BAD_VALUENO) {
        group = document.get_value(m_group_slot);
        m_groups.add(group);
        const Best match{weight, document.get_docid()};
        if (would_keep(match)) {
            GroupKey key;
            if (group.empty()) {
                key = {GroupKey::Kind::kAlone, match.docid};
            } else if (const auto number = schema::parse_hex16(group)) {
                key = {GroupKey::Kind::kHex, *number};
            } else {
                const auto [it, added] = m_other_keys.try_emplace(group, m_other_keys.size());
                key = {GroupKey::Kind::kOther, it->second};
            }
            keep(key, match);
        }
    }
    if (m_facets == FacetCounts::kNone) return;
    for (std::size_t facet = 0; facet < kFacetSlots.size(); ++facet) {
        std::string value = document.get_value(kFacetSlots[facet]);
        if (m_facets == FacetCounts::kReports) {
            ++m_report_counts[facet][std::move(value)];
        } else {
            m_group_counts[facet][std::move(value)].add(group);
        }
    }
}

bool MatchCounter::count_from_table(Xapian::docid docid, double weight) {
    const ValueTable& table = *m_table;
    if (docid >= table.size()) return false;
    std::optional<std::uint64_t> group;
    if (m_group_slot != Xapian::BAD_VALUENO) {
        const bool story = m_group_slot == schema::kSlotStoryGroup;
        if ((table.grouped[docid] & (story ? 1 : 2)) != 0) {
            group = story ? table.story[docid] : table.copy[docid];
            m_groups.ids.push_back(*group);
        } else {
            ++m_groups.ungrouped;
        }
        const Best match{weight, docid};
        if (would_keep(match)) {
            keep(group ? GroupKey{GroupKey::Kind::kHex, *group}
                       : GroupKey{GroupKey::Kind::kAlone, docid},
                 match);
        }
    }
    if (m_facets == FacetCounts::kNone) return true;
    for (std::size_t facet = 0; facet < table.facet.size(); ++facet) {
        const std::uint32_t value = table.facet[facet][docid];
        if (m_facets == FacetCounts::kReports) {
            ++m_report_counts_by_index[facet][value];
        } else if (group) {
            m_group_counts_by_index[facet][value].ids.push_back(*group);
        } else {
            ++m_group_counts_by_index[facet][value].ungrouped;
        }
    }
    return true;
}

Xapian::MatchSpy* MatchCounter::clone() const {
    auto* copy = new MatchCounter(m_group_slot, m_facets, m_table);
    copy->m_keep_best = m_keep_best;
    return copy;
}

std::size_t MatchCounter::groups() {
    return m_group_slot == Xapian::BAD_VALUENO ? 0 : m_groups.count();
}

bool MatchCounter::would_keep(const Best& match) const {
    // Most matches stop here: the list is full and the match ranks below its worst.
    return m_keep_best != 0 &&
           (m_kept.size() < m_keep_best || ranks_above(match, m_kept[m_worst].best));
}

void MatchCounter::keep(const GroupKey& group, const Best& match) {
    const auto kept = std::find_if(m_kept.begin(), m_kept.end(),
                                   [&](const Kept& entry) { return entry.group == group; });
    if (kept != m_kept.end()) {
        if (!ranks_above(match, kept->best)) return;
        kept->best = match;
    } else if (m_kept.size() < m_keep_best) {
        m_kept.push_back({group, match});
    } else {
        // The worst group leaves. Should a later match of it rank above the worst kept then,
        // it comes back with that match, which is its best: the worst only gets better.
        m_kept[m_worst] = {group, match};
    }
    if (m_kept.size() < m_keep_best) return;
    m_worst = 0;
    for (std::size_t i = 1; i < m_kept.size(); ++i) {
        if (ranks_above(m_kept[m_worst].best, m_kept[i].best)) m_worst = i;
    }
}

std::vector<MatchCounter::Best> MatchCounter::best_groups(std::size_t offset,
                                                          std::size_t limit) const {
    std::vector<Best> all;
    all.reserve(m_kept.size());
    for (const Kept& entry : m_kept) all.push_back(entry.best);
    std::sort(all.begin(), all.end(), ranks_above);
    if (offset >= all.size()) return {};
    const std::size_t end = std::min(all.size(), offset + limit);
    return {all.begin() + static_cast<std::ptrdiff_t>(offset),
            all.begin() + static_cast<std::ptrdiff_t>(end)};
}

std::map<std::string, std::size_t> MatchCounter::counts(Facet facet) {
    std::map<std::string, std::size_t> out;
    if (m_facets == FacetCounts::kReports) {
        for (const auto& [value, reports] : m_report_counts[facet]) out[value] += reports;
        if (m_table) {
            const auto& counted = m_report_counts_by_index[facet];
            for (std::size_t i = 0; i < counted.size(); ++i) {
                if (counted[i] != 0) out[m_table->names[facet][i]] += counted[i];
            }
        }
    } else if (m_facets == FacetCounts::kGroups) {
        // A value's groups from the table and from documents read otherwise (none while the
        // table covers the revision searched) are one set.
        std::map<std::string, GroupTally> tallies;
        for (auto& [value, tally] : m_group_counts[facet]) tallies[value].add(tally);
        if (m_table) {
            const auto& counted = m_group_counts_by_index[facet];
            for (std::size_t i = 0; i < counted.size(); ++i) {
                if (!counted[i].ids.empty() || counted[i].ungrouped != 0) {
                    tallies[m_table->names[facet][i]].add(counted[i]);
                }
            }
        }
        for (auto& [value, tally] : tallies) out[value] = tally.count();
    }
    return out;
}

GroupReport report_of(const Article& article) {
    GroupReport report;
    report.id = article.id;
    report.title = article.title;
    report.source = article.source;
    if (article.date) {
        report.datetime = format_iso8601(*article.date);
        report.date = day_text(*article.date);
    }
    report.url = article.url;
    report.language = article.language.empty() ? "und" : article.language;
    return report;
}

GroupMemberMap fetch_group_members(const Xapian::Database& database, GroupLevel level,
                                   const std::set<std::string>& ids, const ValueTable* table) {
    GroupMemberMap members;
    if (ids.empty()) return members;
    if (table != nullptr) {
        constexpr std::size_t kSource = MatchCounter::kSource;
        for (const std::string& id : ids) {
            const std::string term = group_term(level, id);
            std::vector<GroupMember> found;
            for (auto it = database.postlist_begin(term); it != database.postlist_end(term);
                 ++it) {
                const Xapian::docid docid = *it;
                GroupMember member{docid, database.get_document(docid, Xapian::DOC_ASSUME_VALID),
                                   std::nullopt, {}};
                if (docid < table->size()) {
                    if (const double time = table->time[docid]; !std::isnan(time)) {
                        member.time = time;
                    }
                    member.source = table->names[kSource][table->facet[kSource][docid]];
                } else {
                    // Written after the table was read (it is of the revision searched, so
                    // this does not happen; read the values should it ever).
                    member.time = schema::document_time(member.document);
                    member.source = member.document.get_value(schema::kSlotSource);
                }
                found.push_back(std::move(member));
            }
            if (!found.empty()) members[id] = std::move(found);
        }
        return members;
    }
    std::vector<Xapian::Query> terms;
    terms.reserve(ids.size());
    for (const std::string& id : ids) terms.emplace_back(group_term(level, id));
    Xapian::Enquire enquire(database);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_docid_order(Xapian::Enquire::ASCENDING);
    const Xapian::valueno slot = group_slot(level);
    constexpr Xapian::doccount kPage = 1000;
    for (Xapian::doccount first = 0;; first += kPage) {
        const Xapian::MSet mset = enquire.get_mset(first, kPage);
        mset.fetch(mset.begin(), mset.end());
        std::vector<GroupMember> page;  // in document id order
        page.reserve(mset.size());
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            page.push_back({*it, it.get_document(), std::nullopt, {}});
        }
        // A slot at a time, in document id order (see the header).
        std::vector<std::string> group_ids;
        group_ids.reserve(page.size());
        for (const GroupMember& member : page) group_ids.push_back(member.document.get_value(slot));
        for (GroupMember& member : page) member.time = schema::document_time(member.document);
        for (GroupMember& member : page) {
            member.source = member.document.get_value(schema::kSlotSource);
        }
        for (std::size_t i = 0; i < page.size(); ++i) {
            members[group_ids[i]].push_back(std::move(page[i]));
        }
        if (mset.size() < kPage) break;
    }
    return members;
}

GroupInfo describe_group(const Xapian::Database& database, GroupLevel level,
                         const std::string& id, const std::vector<GroupMember>& members,
                         Xapian::docid hit_docid, const Article& hit, std::size_t outlet_names,
                         bool local) {
    GroupInfo info;
    info.level = level;
    info.id = id;
    // Every member is here, so their number is the exact size (get_collapse_count() is only a
    // lower bound, and counts matching members only).
    info.size = std::max<std::size_t>(members.size(), 1);

    // One pass over the members: their outlets, and the earliest ones by time (should the
    // group's record not name a current member). No member's term list is read here: over a
    // remote shard that would be a round trip each.
    struct Outlet {
        std::string name;
        Chronology first;
    };
    std::map<std::string, Outlet> outlets;  // folded source key -> outlet
    const std::string own_outlet = hit.source.empty() ? "" : schema::source_term(hit.source);
    std::optional<Chronology> first_time;
    std::vector<const GroupMember*> first_members;  // those of the earliest time
    for (const GroupMember& member : members) {
        const std::optional<double>& time = member.time;
        const Chronology when{!time.has_value(), time.value_or(0), {}};
        if (!first_time || when < *first_time) {
            first_time = when;
            first_members.clear();
        }
        if (!(*first_time < when)) first_members.push_back(&member);
        if (member.docid == hit_docid) continue;
        const std::string& source = member.source;
        if (source.empty()) continue;
        const std::string key = schema::source_term(source);
        if (key == own_outlet) continue;
        auto [it, added] = outlets.try_emplace(key, Outlet{source, when});
        if (!added && when < it->second.first) it->second.first = when;
    }
    std::vector<const Outlet*> ordered;
    for (const auto& [key, outlet] : outlets) ordered.push_back(&outlet);
    std::stable_sort(ordered.begin(), ordered.end(), [](const Outlet* a, const Outlet* b) {
        return a->first < b->first;
    });
    info.other_outlet_count = ordered.size();
    for (std::size_t i = 0; i < ordered.size() && i < outlet_names; ++i) {
        info.other_outlets.push_back(ordered[i]->name);
    }

    // The earliest report the group's record names, if it is still a member of its recorded
    // time (a stale record is not believed). Found by its id term on one local database (a
    // B-tree lookup), and when the record has no time; over remote shards among the members of
    // its recorded time, by the article id in their data (fetched with them, where a lookup
    // would be a round trip).
    const GroupMember* named = nullptr;
    const std::string record = database.get_metadata(schema::group_key(group_level_name(level), id));
    if (!record.empty()) {
        const auto json = nlohmann::json::parse(record, nullptr, false);
        if (json.is_object() && json.contains("earliest") && json["earliest"].is_string()) {
            const std::string earliest_id = json["earliest"].get<std::string>();
            std::optional<std::int64_t> recorded_time;
            if (json.contains("earliest_time") && json["earliest_time"].is_number()) {
                recorded_time = json["earliest_time"].get<std::int64_t>();
            }
            const auto at_recorded_time = [&](const GroupMember& member) {
                return !recorded_time || (member.time && static_cast<std::int64_t>(
                                                             *member.time) == *recorded_time);
            };
            if (local || !recorded_time) {
                if (const auto docid = resolve_member(database, earliest_id)) {
                    for (const GroupMember& member : members) {
                        if (member.docid != *docid) continue;
                        if (at_recorded_time(member)) named = &member;
                        break;
                    }
                }
            } else {
                for (const GroupMember& member : members) {
                    if (!at_recorded_time(member)) continue;
                    const std::string article_id =
                        schema::decode_article_metadata(member.document.get_data()).id;
                    if (earliest_id == article_id || earliest_id == schema::id_term(article_id)) {
                        named = &member;
                        break;
                    }
                }
            }
        }
    }
    if (named == nullptr && first_members.size() == 1) named = first_members.front();
    if (named == nullptr && !first_members.empty()) {
        // Reports of the very same time: the smaller id term is the earlier (as the indexer
        // orders them).
        std::string best;
        for (const GroupMember* member : first_members) {
            std::string term = schema::document_id_term(member->document);
            if (named == nullptr || term < best) {
                named = member;
                best = std::move(term);
            }
        }
    }
    if (named == nullptr || named->docid == hit_docid) {
        info.earliest = report_of(hit);
        info.is_earliest = true;
    } else {
        info.earliest = report_of(schema::decode_article_metadata(named->document.get_data()));
        info.is_earliest = info.earliest.id == hit.id;
    }
    return info;
}

std::optional<GroupMembers> list_members(const Xapian::Database& database, GroupLevel level,
                                         std::string_view id) {
    // Group ids are 16 hex digits; anything much longer cannot be one (and must not reach
    // Xapian as an over-long term).
    if (id.empty() || id.size() > 64) return std::nullopt;
    // The members come as a page's groups do (one match, documents fetched together); the id
    // term that breaks ties is the article id of the data, read anyway, not a term list read.
    const std::string group(id);
    GroupMemberMap fetched = fetch_group_members(database, level, {group});
    std::vector<std::pair<Chronology, Article>> found;
    for (const GroupMember& member : fetched[group]) {
        const std::optional<double>& time = member.time;
        Article article = schema::decode_article_metadata(member.document.get_data());
        Chronology when{!time.has_value(), time.value_or(0), schema::id_term(article.id)};
        found.emplace_back(std::move(when), std::move(article));
    }
    if (found.empty()) return std::nullopt;
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    GroupMembers members;
    members.level = level;
    members.id = std::string(id);
    for (const auto& [when, article] : found) members.members.push_back(report_of(article));
    return members;
}

}  // namespace wiredesk::searcher::detail
