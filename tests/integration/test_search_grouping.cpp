// Grouped search (docs/SEARCH_JSON.md, "group"): collapsing to one result per copy group or
// story, exact group sizes, the earliest report, other outlets, members, pagination and facets
// under collapsing. Two kinds of fixtures: small databases written here with Xapian exactly as
// common/schema.hpp lays groups out (to pin the searcher's side alone), and corpus/ and the
// seeds indexed by wiredesk-index (the two sides together).

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <utime.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "test_support.hpp"
#include "wiredesk/common/dates.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/searcher/json.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace fs = std::filesystem;
namespace search = wiredesk::searcher;
namespace schema = wiredesk::schema;
using wiredesk::test::bin_dir;
using wiredesk::test::run;
using wiredesk::test::TempDir;

namespace {

// ---- Hand-built databases -------------------------------------------------------------------

struct Report {
    std::string id;
    std::string source;
    std::string date;  ///< ISO 8601, "" for undated
    std::string copy_group;
    std::string story_group;
    std::string lang = "en";
};

/// Writes @p report into @p database as the indexer would (data, id/source/language terms,
/// time and day values, group terms and slots).
void add_report(Xapian::WritableDatabase& database, const Report& report) {
    wiredesk::Article article;
    article.id = report.id;
    article.title = "Headline of " + report.id;
    article.body = "Body of " + report.id;
    article.source = report.source;
    article.language = report.lang;
    Xapian::Document document;
    if (!report.date.empty()) {
        article.date = *wiredesk::parse_date(report.date);
        document.add_value(schema::kSlotTime,
                           Xapian::sortable_serialise(static_cast<double>(*article.date)));
        document.add_value(schema::kSlotDay, wiredesk::format_yyyymmdd(*article.date));
    }
    document.set_data(schema::encode_article_data(article));
    document.add_boolean_term(schema::id_term(report.id));
    document.add_boolean_term(std::string(schema::prefix::kLanguage) + report.lang);
    document.add_value(schema::kSlotLanguage, report.lang);
    if (!report.source.empty()) {
        document.add_boolean_term(schema::source_term(report.source));
        document.add_value(schema::kSlotSource, report.source);
    }
    if (!report.copy_group.empty()) {
        document.add_boolean_term(schema::copy_group_term(report.copy_group));
        document.add_value(schema::kSlotCopyGroup, report.copy_group);
    }
    if (!report.story_group.empty()) {
        document.add_boolean_term(schema::story_group_term(report.story_group));
        document.add_value(schema::kSlotStoryGroup, report.story_group);
    }
    database.replace_document(schema::id_term(report.id), document);
}

/// Writes @p reports (add_report()), plus @p records as group metadata (key -> JSON).
std::string write_database(const TempDir& dir, const std::vector<Report>& reports,
                           const std::map<std::string, std::string>& records = {}) {
    const std::string path = (dir / "hand.db").string();
    Xapian::WritableDatabase database(path, Xapian::DB_CREATE_OR_OVERWRITE);
    database.set_metadata(std::string(schema::kVersionKey), std::string(schema::kVersion));
    for (const Report& report : reports) add_report(database, report);
    for (const auto& [key, value] : records) database.set_metadata(key, value);
    database.commit();
    return path;
}

/// @p count reports whose values have gaps of every kind: the first has none, then every
/// third has no source, every fifth no date, every seventh no group; every eleventh is German.
std::vector<Report> reports_with_gaps(int count) {
    std::vector<Report> reports;
    for (int i = 0; i < count; ++i) {
        Report report;
        report.id = "r-" + std::to_string(i);
        if (i % 3 != 0) report.source = "Outlet " + std::to_string(i % 4);
        if (i % 5 != 0) report.date = "2026-01-" + std::to_string(10 + i % 9) + "T08:00:00Z";
        if (i % 7 != 0) {
            char id[17];
            std::snprintf(id, sizeof id, "%016x", 0x100 + i / 4);
            report.copy_group = id;
            std::snprintf(id, sizeof id, "%016x", 0x900 + i / 10);
            report.story_group = id;
        }
        if (i % 11 == 0) report.lang = "de";
        reports.push_back(report);
    }
    return reports;
}

constexpr const char* kStory = "00000000000000a1";
constexpr const char* kCopy = "00000000000000c1";

/// A story of four reports (three English, one German), all one copy group, and two English
/// articles indexed before grouping existed (no group terms, no group values).
std::vector<Report> wire_story() {
    return {
        {"g-afp", "AFP", "2026-01-24T08:00:00Z", kCopy, kStory},
        {"g-harbor", "Harbor Wire", "2026-01-24T10:00:00Z", kCopy, kStory},
        {"g-afp-again", "AFP", "2026-01-25T09:00:00Z", kCopy, kStory},
        {"g-metro", "Metro Pulse", "2026-01-24T12:00:00Z", kCopy, kStory, "de"},
        {"u-one", "Reuters", "2026-01-20T00:00:00Z", "", ""},
        {"u-two", "", "", "", ""},
    };
}

/// The English articles, newest first (a filter-only query), at @p level.
search::Response english(const search::Searcher& searcher, search::GroupLevel level) {
    search::Request request;
    request.languages = {"en"};
    request.group = level;
    request.limit = 100;
    return searcher.search(request);
}

/// The hit of article @p id in @p response, or null. The pointer is into @p response: keep the
/// response alive (AddressSanitizer caught calls on a temporary here).
const search::Hit* hit_with_id(const search::Response& response, const std::string& id) {
    for (const auto& hit : response.results) {
        if (hit.id == id) return &hit;
    }
    return nullptr;
}
/// A temporary response would leave the pointer dangling: refused at compile time.
const search::Hit* hit_with_id(search::Response&& response, const std::string& id) = delete;

std::vector<std::string> ids_of(const search::Response& response) {
    std::vector<std::string> ids;
    for (const auto& hit : response.results) ids.push_back(hit.id);
    return ids;
}

// ---- Indexed fixtures -------------------------------------------------------------------------

std::string index(const TempDir& dir, const std::vector<std::string>& inputs,
                  const std::vector<std::string>& extra = {}) {
    const std::string db = (dir / "news.db").string();
    std::vector<std::string> args = {"--db", db, "--quiet"};
    args.insert(args.end(), inputs.begin(), inputs.end());
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run(bin_dir() / "wiredesk-index", args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return db;
}

std::string index_corpus(const TempDir& dir) {
    return index(dir, {(wiredesk::test::source_dir() / "corpus").string()},
                 {"--exclude", "malformed", "--exclude", "README.md"});
}

std::string corpus_id(const std::string& relative) {
    return (wiredesk::test::source_dir() / "corpus" / relative).string();
}

/// The AFP Rotterdam strike and its five copies (corpus/README.md, group A).
std::set<std::string> afp_copies() {
    return {corpus_id("wire/afp_rotterdam_strike.txt"),
            corpus_id("wire/harborwire_rotterdam_strike.txt"),
            "https://www.northernledger.co.uk/business/2026/02/10/rotterdam-port-strike-ships-stranded",
            "cp-2026-02-10-0412",
            "https://www.meridianpost.com/world/europe/dutch-dockers-48-hour-walkout-rotterdam",
            "https://metropulse.news/world/rotterdam-strike-38-ships-stuck"};
}

struct Groups {
    std::string copy;
    std::string story;
};

std::map<std::string, Groups> groups_by_id(const search::Searcher& searcher) {
    std::map<std::string, Groups> out;
    searcher.for_each_article_with_groups(
        [&](const wiredesk::Article& article, const std::string& copy, const std::string& story) {
            out[article.id] = {copy, story};
        });
    return out;
}

search::Response find(const search::Searcher& searcher, const std::string& query,
                      search::GroupLevel level, std::size_t limit = 100) {
    search::Request request;
    request.query = query;
    request.group = level;
    request.limit = limit;
    return searcher.search(request);
}

}  // namespace

TEST_CASE("articles without a group id are never collapsed: each is a result of its own") {
    TempDir dir;
    const search::Searcher searcher({write_database(dir, wire_story())});
    for (const auto level : {search::GroupLevel::kStory, search::GroupLevel::kCopy}) {
        const auto response = english(searcher, level);
        CHECK(response.total_reports == 5);
        // The three grouped English reports make one result; the two ungrouped stay apart.
        CHECK(response.total == 3);
        CHECK(response.total_exact);
        REQUIRE(response.results.size() == 3);
        REQUIRE(hit_with_id(response, "u-one") != nullptr);
        REQUIRE(hit_with_id(response, "u-two") != nullptr);
        CHECK(!hit_with_id(response, "u-one")->group.has_value());
        CHECK(!hit_with_id(response, "u-two")->group.has_value());
    }
    const auto none = english(searcher, search::GroupLevel::kNone);
    CHECK(none.total == 5);
    CHECK(none.results.size() == 5);
    CHECK(std::none_of(none.results.begin(), none.results.end(),
                       [](const search::Hit& hit) { return hit.group.has_value(); }));
}

TEST_CASE("counts and facets are right when the first and some later reports lack values") {
    // The searcher's own counter (detail::MatchCounter) reads the group, source, language and
    // day slots of every match: a report without a value must count as one, wherever it lies.
    // 300 reports, the first without any value, then gaps of every kind.
    const std::vector<Report> reports = reports_with_gaps(300);
    TempDir dir;
    const search::Searcher searcher({write_database(dir, reports)});
    search::Request request;
    request.languages = {"en", "de"};
    request.limit = 100;
    request.facet_top_sources = 100;
    for (const auto level : {search::GroupLevel::kStory, search::GroupLevel::kCopy}) {
        CAPTURE(search::group_level_name(level));
        // What the counts must be, from the reports themselves.
        const auto group_of = [&](const Report& report) {
            const std::string& id =
                level == search::GroupLevel::kStory ? report.story_group : report.copy_group;
            return id.empty() ? "#" + report.id : id;
        };
        std::set<std::string> groups;
        std::map<std::string, std::size_t> sources;
        std::map<std::string, std::size_t> languages;
        std::map<std::string, std::set<std::string>> groups_by_source;
        std::size_t unknown_source = 0;
        std::set<std::string> groups_unknown_source;
        std::size_t undated = 0;
        for (const Report& report : reports) {
            groups.insert(group_of(report));
            ++languages[report.lang];
            if (report.source.empty()) {
                ++unknown_source;
                groups_unknown_source.insert(group_of(report));
            } else {
                ++sources[report.source];
                groups_by_source[report.source].insert(group_of(report));
            }
            if (report.date.empty()) ++undated;
        }

        request.group = level;
        request.facet_counting = search::FacetCounting::kReports;
        const auto by_report = searcher.search(request);
        CHECK(by_report.total == groups.size());
        CHECK(by_report.total_reports == reports.size());
        REQUIRE(by_report.facets.has_value());
        CHECK(by_report.facets->unknown_source == unknown_source);
        CHECK(by_report.facets->dates.undated == undated);
        std::map<std::string, std::size_t> counted;
        for (const auto& value : by_report.facets->sources) counted[value.value] = value.count;
        CHECK(counted == sources);
        counted.clear();
        for (const auto& value : by_report.facets->languages) counted[value.value] = value.count;
        CHECK(counted == languages);

        request.facet_counting = search::FacetCounting::kGroups;
        const auto by_group = searcher.search(request);
        REQUIRE(by_group.facets.has_value());
        counted.clear();
        for (const auto& value : by_group.facets->sources) counted[value.value] = value.count;
        std::map<std::string, std::size_t> expected;
        for (const auto& [source, ids] : groups_by_source) expected[source] = ids.size();
        CHECK(counted == expected);
        CHECK(by_group.facets->unknown_source == groups_unknown_source.size());
    }
}

TEST_CASE("a long-running searcher counts from values in memory from a revision's second search "
          "on, with the same answers, and reads a new revision's afresh") {
    TempDir dir;
    const std::string path = write_database(dir, reports_with_gaps(300));
    const search::Searcher searcher({path});
    // The answer as JSON without its timing, and whether the counts came from memory.
    const auto answer_of = [](const search::Searcher& from, search::GroupLevel level,
                              search::FacetCounting counting) {
        search::Request request;
        request.languages = {"en", "de"};
        request.group = level;
        request.facet_counting = counting;
        request.facet_top_sources = 100;
        request.limit = 20;
        const search::Response response = from.search(request);
        nlohmann::json json = search::to_json(response);
        json.erase("timing");
        return std::pair{json.dump(1), response.timing.values_in_memory};
    };
    const auto answers = [&](search::GroupLevel level, search::FacetCounting counting) {
        return answer_of(searcher, level, counting);
    };
    const auto first = answers(search::GroupLevel::kStory, search::FacetCounting::kReports);
    CHECK(!first.second);  // the first search of a revision reads the database
    for (const auto level : {search::GroupLevel::kStory, search::GroupLevel::kCopy,
                             search::GroupLevel::kNone}) {
        for (const auto counting :
             {search::FacetCounting::kReports, search::FacetCounting::kGroups}) {
            CAPTURE(search::group_level_name(level));
            CAPTURE(static_cast<int>(counting));
            const auto from_memory = answers(level, counting);
            CHECK(from_memory.second);
            // A searcher of its own, on its first search, reads the database.
            const search::Searcher fresh({path});
            const auto read = answer_of(fresh, level, counting);
            CHECK(!read.second);
            CHECK(from_memory.first == read.first);
        }
    }
    // An indexer commits: the next search is of a new revision and reads the database, with
    // the new report counted; the one after counts from a new table.
    {
        Xapian::WritableDatabase database(path, Xapian::DB_OPEN);
        Report late;
        late.id = "late";
        late.source = "Outlet 9";
        add_report(database, late);
        database.commit();
    }
    const auto after = answers(search::GroupLevel::kStory, search::FacetCounting::kReports);
    CHECK(!after.second);
    CHECK(after.first.find("Outlet 9") != std::string::npos);
    const auto after_again = answers(search::GroupLevel::kStory, search::FacetCounting::kReports);
    CHECK(after_again.second);
    CHECK(after_again.first == after.first);
}

TEST_CASE("a hit's group size is the group term's frequency, not the number of members matching") {
    TempDir dir;
    const search::Searcher searcher({write_database(dir, wire_story())});
    const auto response = english(searcher, search::GroupLevel::kStory);
    // Newest first: the representative is the newest English member.
    const search::Hit* hit = hit_with_id(response, "g-afp-again");
    REQUIRE(hit != nullptr);
    REQUIRE(hit->group.has_value());
    CHECK(hit->group->level == search::GroupLevel::kStory);
    CHECK(hit->group->id == kStory);
    CHECK(hit->group->size == 4);  // the German member does not match, and still counts
    // Other outlets: distinct, the hit's own (AFP) left out, earliest report first.
    CHECK(hit->group->other_outlets == std::vector<std::string>{"Harbor Wire", "Metro Pulse"});
    CHECK(hit->group->other_outlet_count == 2);
    // With no record in the metadata, the earliest report is found by date.
    CHECK(hit->group->earliest.id == "g-afp");
    CHECK(hit->group->earliest.source == "AFP");
    CHECK(hit->group->earliest.date == "2026-01-24");
    CHECK(hit->group->earliest.title == "Headline of g-afp");
    CHECK(!hit->group->is_earliest);

    search::Request limited;
    limited.languages = {"en"};
    limited.group_outlet_names = 1;
    const auto named_one = searcher.search(limited);
    REQUIRE(hit_with_id(named_one, "g-afp-again") != nullptr);
    const auto& group = *hit_with_id(named_one, "g-afp-again")->group;
    CHECK(group.other_outlets == std::vector<std::string>{"Harbor Wire"});
    CHECK(group.other_outlet_count == 2);
}

TEST_CASE("the earliest report is the one the group record names, unless it left the group") {
    TempDir dir;
    const std::string key = schema::group_key("story", kStory);
    SUBCASE("a record naming a member by its id term is believed") {
        const search::Searcher searcher({write_database(
            dir, wire_story(), {{key, R"({"founder": "Qg-harbor", "earliest": "Qg-harbor"})"}})});
        const auto response = english(searcher, search::GroupLevel::kStory);
        const auto* hit = hit_with_id(response, "g-afp-again");
        REQUIRE(hit != nullptr);
        CHECK(hit->group->earliest.id == "g-harbor");
    }
    SUBCASE("a record naming an article id is read too") {
        const search::Searcher searcher({write_database(
            dir, wire_story(), {{key, R"({"founder": "g-metro", "earliest": "g-metro"})"}})});
        const auto response = english(searcher, search::GroupLevel::kStory);
        const auto* hit = hit_with_id(response, "g-afp-again");
        REQUIRE(hit != nullptr);
        CHECK(hit->group->earliest.id == "g-metro");
    }
    SUBCASE("a stale record (its article is not in the group) falls back to the dates") {
        const search::Searcher searcher({write_database(
            dir, wire_story(), {{key, R"({"founder": "Qu-one", "earliest": "Qu-one"})"}})});
        const auto response = english(searcher, search::GroupLevel::kStory);
        const auto* hit = hit_with_id(response, "g-afp-again");
        REQUIRE(hit != nullptr);
        CHECK(hit->group->earliest.id == "g-afp");
    }
}

TEST_CASE("group_members lists every member earliest first, and unknown ids give nothing") {
    TempDir dir;
    std::vector<Report> reports = wire_story();
    reports.push_back({"g-undated", "Coastal Times", "", kCopy, kStory});
    const search::Searcher searcher({write_database(dir, reports)});
    const auto members = searcher.group_members(search::GroupLevel::kCopy, kCopy);
    REQUIRE(members.has_value());
    CHECK(members->level == search::GroupLevel::kCopy);
    CHECK(members->id == kCopy);
    std::vector<std::string> ids;
    for (const auto& member : members->members) ids.push_back(member.id);
    // Dated by time (the German one included), undated last.
    CHECK(ids == std::vector<std::string>{"g-afp", "g-harbor", "g-metro", "g-afp-again",
                                          "g-undated"});
    CHECK(members->members.front().date == "2026-01-24");
    CHECK(members->members.back().date.empty());
    CHECK(!searcher.group_members(search::GroupLevel::kStory, kCopy).has_value());
    CHECK(!searcher.group_members(search::GroupLevel::kCopy, "0000000000000000").has_value());
    CHECK(!searcher.group_members(search::GroupLevel::kCopy, "").has_value());
    CHECK_THROWS_AS((void)searcher.group_members(search::GroupLevel::kNone, kCopy),
                    wiredesk::QueryError);
}

TEST_CASE("rotterdam strike: the six AFP copies show once, with the exact group size") {
    TempDir dir;
    const search::Searcher searcher({index_corpus(dir)});
    const auto groups = groups_by_id(searcher);
    const auto copies = afp_copies();
    const std::string afp = corpus_id("wire/afp_rotterdam_strike.txt");
    REQUIRE(groups.contains(afp));
    for (const auto& id : copies) {
        CAPTURE(id);
        REQUIRE(groups.contains(id));
        CHECK(groups.at(id).copy == groups.at(afp).copy);
        CHECK(groups.at(id).story == groups.at(afp).story);
    }

    const auto none = find(searcher, "rotterdam strike", search::GroupLevel::kNone);
    const auto copy = find(searcher, "rotterdam strike", search::GroupLevel::kCopy);
    const auto story = find(searcher, "rotterdam strike", search::GroupLevel::kStory);

    SUBCASE("--group none shows them all") {
        std::size_t shown = 0;
        for (const auto& hit : none.results) shown += copies.contains(hit.id) ? 1 : 0;
        CHECK(shown == 6);
        CHECK(none.total == none.total_reports);
    }
    for (const auto* response : {&copy, &story}) {
        CAPTURE(search::group_level_name(response->group));
        std::vector<const search::Hit*> standing;
        for (const auto& hit : response->results) {
            if (copies.contains(hit.id)) standing.push_back(&hit);
        }
        REQUIRE(standing.size() == 1);
        const auto& group = standing.front()->group;
        REQUIRE(group.has_value());
        if (response->group == search::GroupLevel::kCopy) {
            CHECK(group->size == 6);
        } else {
            CHECK(group->size >= 6);  // the story may hold write-ups beyond the copies
        }
        CHECK(group->earliest.id == afp);
        CHECK(group->other_outlet_count >= 4);
        // Same reports matched; fewer results; every result a distinct group.
        CHECK(response->total_reports == none.total);
        CHECK(response->total == response->results.size());
        CHECK(response->total <= none.total - 5);
        std::set<std::string> seen;
        for (const auto& hit : response->results) {
            const auto& ids = groups.at(hit.id);
            const std::string key = response->group == search::GroupLevel::kCopy ? ids.copy : ids.story;
            CHECK(seen.insert(key.empty() ? hit.id : key).second);
        }
    }
    CHECK(story.total <= copy.total);
}

TEST_CASE("members of the AFP copy group are listed earliest first, the AFP original first") {
    TempDir dir;
    const search::Searcher searcher({index_corpus(dir)});
    const auto groups = groups_by_id(searcher);
    const std::string afp = corpus_id("wire/afp_rotterdam_strike.txt");
    const auto members = searcher.group_members(search::GroupLevel::kCopy, groups.at(afp).copy);
    REQUIRE(members.has_value());
    REQUIRE(members->members.size() == 6);
    CHECK(members->members.front().id == afp);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < members->members.size(); ++i) {
        ids.insert(members->members[i].id);
        if (i > 0) CHECK(members->members[i - 1].datetime <= members->members[i].datetime);
    }
    CHECK(ids == afp_copies());
}

TEST_CASE("pagination under collapsing neither repeats nor skips a group") {
    TempDir dir;
    const search::Searcher searcher({index_corpus(dir)});
    for (const auto level : {search::GroupLevel::kStory, search::GroupLevel::kCopy}) {
        for (const std::string query : {"rotterdam OR strike OR chess OR port OR zurich", "said"}) {
            CAPTURE(search::group_level_name(level));
            CAPTURE(query);
            const auto all = find(searcher, query, level, 1000);
            REQUIRE(all.total == all.results.size());
            REQUIRE(all.total < all.total_reports);  // something did collapse
            std::vector<std::string> paged;
            search::Request request;
            request.query = query;
            request.group = level;
            request.limit = 3;
            for (request.offset = 0; request.offset < all.total; request.offset += 3) {
                const auto page = searcher.search(request);
                CHECK(page.total == all.total);
                REQUIRE(!page.results.empty());
                CHECK(page.results.front().rank == request.offset + 1);
                for (const auto& id : ids_of(page)) paged.push_back(id);
            }
            CHECK(paged == ids_of(all));
        }
    }
}

TEST_CASE("exact counting collapses in its spy and ranks the groups as Xapian's collapse does") {
    // With exact counts on one local database the spy that counts every match also keeps each
    // group's best one (searcher.cpp, collapse_in_spy); with estimated counts Xapian collapses.
    // The pages must be the same: ids, scores, ranks and the members standing for each group,
    // whether the spy reads values from the database (a searcher's first search) or from memory
    // (a long-lived searcher's later ones).
    TempDir dir;
    const std::string db = index_corpus(dir);
    const search::Searcher searcher({db});
    for (const auto level : {search::GroupLevel::kStory, search::GroupLevel::kCopy}) {
        for (const std::string query :
             {"rotterdam OR strike OR chess OR port OR zurich", "said", "talks", "the"}) {
            for (const auto sort : {search::SortOrder::kRelevance, search::SortOrder::kRecency}) {
                CAPTURE(search::group_level_name(level));
                CAPTURE(query);
                CAPTURE(static_cast<int>(sort));
                search::Request exact;
                exact.query = query;
                exact.group = level;
                exact.sort = sort;
                exact.limit = 4;
                search::Request estimated = exact;
                estimated.exact_counts = false;
                for (exact.offset = 0; exact.offset < 16; exact.offset += 4) {
                    estimated.offset = exact.offset;
                    const auto by_xapian = searcher.search(estimated);
                    const auto from_memory = searcher.search(exact);
                    const auto from_database = search::Searcher({db}).search(exact);
                    CHECK(from_memory.timing.values_in_memory);
                    CHECK(!from_database.timing.values_in_memory);
                    for (const auto* by_spy : {&from_memory, &from_database}) {
                        REQUIRE(by_spy->results.size() == by_xapian.results.size());
                        for (std::size_t i = 0; i < by_spy->results.size(); ++i) {
                            CHECK(by_spy->results[i].id == by_xapian.results[i].id);
                            CHECK(by_spy->results[i].score == by_xapian.results[i].score);
                            CHECK(by_spy->results[i].rank == by_xapian.results[i].rank);
                        }
                    }
                }
            }
        }
    }
}

TEST_CASE("on equal scores the spy's collapse keeps the earliest indexed member and orders groups "
          "as Xapian does") {
    // Four texts of the same length with "harbour" once each, three identical copies of each
    // (twelve reports, four copy groups): every report scores the same, so only the document
    // id decides which member stands for its group and which group comes first.
    TempDir dir;
    const std::vector<std::vector<std::string>> words = {
        {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"},
        {"india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"},
        {"quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray"},
        {"yankee", "zulu", "amber", "basalt", "cobalt", "dune", "ember", "fjord"},
    };
    std::string lines;
    for (int copy = 0; copy < 3; ++copy) {
        for (std::size_t text = 0; text < words.size(); ++text) {
            std::string body = "The harbour";
            for (int sentence = 0; sentence < 6; ++sentence) {
                for (const std::string& word : words[text]) body += " " + word;
                body += ".";
            }
            const std::string id = "tie-" + std::to_string(text) + "-" + std::to_string(copy);
            lines += nlohmann::json{{"id", id},
                                    {"date", "2026-02-0" + std::to_string(copy + 1) + "T08:00:00Z"},
                                    {"title", "Report"},
                                    {"text", body},
                                    {"source", "Outlet " + std::to_string(copy)}}
                         .dump() +
                     "\n";
        }
    }
    wiredesk::test::write_file(dir / "input" / "ties.jsonl", lines);
    const std::string db = index(dir, {(dir / "input").string()});
    const search::Searcher searcher({db});
    search::Request exact;
    exact.query = "harbour";
    exact.group = search::GroupLevel::kCopy;
    exact.limit = 2;
    search::Request estimated = exact;
    estimated.exact_counts = false;
    std::vector<std::string> by_spy;
    std::vector<std::string> by_spy_from_database;  // a fresh searcher: values not in memory
    std::vector<std::string> by_xapian;
    for (exact.offset = 0; exact.offset < 4; exact.offset += 2) {
        estimated.offset = exact.offset;
        const auto xapian_page = searcher.search(estimated);
        const auto spy_page = searcher.search(exact);
        const auto fresh_page = search::Searcher({db}).search(exact);
        CHECK(spy_page.total == 4);
        for (const auto& hit : spy_page.results) by_spy.push_back(hit.id);
        for (const auto& hit : fresh_page.results) by_spy_from_database.push_back(hit.id);
        for (const auto& hit : xapian_page.results) by_xapian.push_back(hit.id);
        REQUIRE(spy_page.results.size() == 2);
        CHECK(spy_page.results[0].score == spy_page.results[1].score);
    }
    CHECK(by_spy == by_xapian);
    CHECK(by_spy_from_database == by_xapian);
    // The first copy of each text was indexed first (file order).
    CHECK(by_spy == std::vector<std::string>{"tie-0-0", "tie-1-0", "tie-2-0", "tie-3-0"});
}

TEST_CASE("facets count reports or groups as asked, and the groups counted are the matches' groups") {
    TempDir dir;
    const search::Searcher searcher({index_corpus(dir)});
    const auto groups = groups_by_id(searcher);
    const std::string query = "rotterdam OR chess";
    for (const auto level : {search::GroupLevel::kCopy, search::GroupLevel::kStory}) {
        CAPTURE(search::group_level_name(level));
        search::Request request;
        request.query = query;
        request.group = level;
        request.limit = 0;
        request.facet_top_sources = 100;
        const auto by_report = searcher.search(request);
        request.facet_counting = search::FacetCounting::kGroups;
        const auto by_group = searcher.search(request);
        REQUIRE(by_report.facets.has_value());
        REQUIRE(by_group.facets.has_value());
        CHECK(by_report.facets->counting == search::FacetCounting::kReports);
        CHECK(by_group.facets->counting == search::FacetCounting::kGroups);
        CHECK(by_group.facets->counting_level == level);

        // The expected counts, from every matching report and its group.
        const auto all = find(searcher, query, search::GroupLevel::kNone, 1000);
        std::map<std::string, std::size_t> reports_per_source;
        std::map<std::string, std::set<std::string>> groups_per_source;
        std::map<std::string, std::set<std::string>> groups_per_language;
        for (const auto& hit : all.results) {
            const auto& ids = groups.at(hit.id);
            std::string key = level == search::GroupLevel::kCopy ? ids.copy : ids.story;
            if (key.empty()) key = "#" + hit.id;
            ++reports_per_source[hit.source];
            groups_per_source[hit.source].insert(key);
            groups_per_language[hit.language].insert(key);
        }
        for (const auto& value : by_report.facets->sources) {
            CAPTURE(value.value);
            CHECK(value.count == reports_per_source[value.value]);
        }
        for (const auto& value : by_group.facets->sources) {
            CAPTURE(value.value);
            CHECK(value.count == groups_per_source[value.value].size());
        }
        for (const auto& value : by_group.facets->languages) {
            CAPTURE(value.value);
            CHECK(value.count == groups_per_language[value.value].size());
        }
        // The AFP copies count six times per report and once per group: the two differ.
        std::size_t report_days = 0;
        std::size_t group_days = 0;
        for (const auto& bucket : by_report.facets->dates.buckets) report_days += bucket.count;
        for (const auto& bucket : by_group.facets->dates.buckets) group_days += bucket.count;
        CHECK(report_days == all.total);
        // A group whose reports span days counts on each of them: every group at least once.
        CHECK(group_days + by_group.facets->dates.undated >= by_group.total);
        CHECK(group_days + 5 <= report_days);
    }
}

TEST_CASE("without exact counts the number of groups is marked as an estimate") {
    TempDir dir;
    const search::Searcher searcher({index_corpus(dir)});
    search::Request request;
    request.query = "rotterdam";
    request.exact_counts = false;
    request.check_at_least = 1;
    request.limit = 1;
    const auto response = searcher.search(request);
    CHECK(!response.total_exact);
    CHECK(response.total >= 1);
    REQUIRE(response.facets.has_value());
    CHECK(!response.facets->exact);
}

TEST_CASE("the seeds: 000, 001 and 002 are one story, and 003, a later round of talks, is another") {
    TempDir dir;
    // The seeds copied with modification times of their rounds, so that --date-from-mtime
    // dates the undated ones (as in test_search.cpp).
    const fs::path seeds = wiredesk::test::require_shared("the Abu Dhabi seed reports") / "seeds";
    const fs::path copy = dir / "seeds";
    fs::create_directories(copy);
    for (const auto& entry : fs::directory_iterator(seeds)) {
        const fs::path target = copy / entry.path().filename();
        fs::copy_file(entry.path(), target);
        const bool later = entry.path().filename().string().starts_with("003");
        const auto when = *wiredesk::parse_date(later ? "2026-02-05T12:00:00Z"
                                                      : "2026-01-24T12:00:00Z");
        const struct utimbuf times{static_cast<time_t>(when), static_cast<time_t>(when)};
        REQUIRE(utime(target.c_str(), &times) == 0);
    }
    const search::Searcher searcher({index(dir, {copy.string()}, {"--date-from-mtime"})});
    const auto response = find(searcher, "zelensky", search::GroupLevel::kStory);
    CHECK(response.total_reports == 4);
    REQUIRE(response.total == 2);
    std::map<std::string, std::size_t> size_by_round;
    for (const auto& hit : response.results) {
        REQUIRE(hit.group.has_value());
        const std::string seed = fs::path(hit.path).filename().string().substr(0, 3);
        size_by_round[seed == "003" ? "later" : "first"] = hit.group->size;
    }
    CHECK(size_by_round["first"] == 3);
    CHECK(size_by_round["later"] == 1);

    const auto none = find(searcher, "zelensky", search::GroupLevel::kNone);
    CHECK(none.total == 4);
}
