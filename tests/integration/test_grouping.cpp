/// Copy and story groups as the indexer stores them: the corpus's wire groups, incremental
/// joins, bridges that must not merge, deletions and replacements, determinism, the seeds.
#include <doctest/doctest.h>
#include <xapian.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "index_helpers.hpp"
#include "test_support.hpp"
#include "wiredesk/common/schema.hpp"

using namespace wiredesk;
using test::index_into;
using test::TempDir;
using test::write_file;

namespace {

struct Groups {
    std::string copy;
    std::string story;
};

/// Article id -> its groups, as stored.
std::map<std::string, Groups> groups_of(const std::string& path) {
    Xapian::Database database(path);
    std::map<std::string, Groups> out;
    for (auto posting = database.postlist_begin(""); posting != database.postlist_end("");
         ++posting) {
        const Xapian::Document document = database.get_document(*posting);
        const Article article = schema::decode_article_data(document.get_data());
        out[article.id] = {document.get_value(schema::kSlotCopyGroup),
                           document.get_value(schema::kSlotStoryGroup)};
    }
    return out;
}

Xapian::doccount copy_size(const std::string& path, const std::string& group) {
    return Xapian::Database(path).get_termfreq(schema::copy_group_term(group));
}

/// Paragraphs of a corpus text file, without its metadata line and headline.
std::vector<std::string> paragraphs(const std::string& relative) {
    const std::string text = test::read_file(test::source_dir() / "corpus" / relative);
    std::vector<std::string> lines;
    for (std::size_t begin = 0; begin < text.size();) {
        std::size_t end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        if (end > begin) lines.push_back(text.substr(begin, end - begin));
        begin = end + 1;
    }
    return {lines.begin() + 2, lines.end()};
}

std::string txt(const std::string& date, const std::string& outlet, const std::string& headline,
                const std::vector<std::string>& body) {
    std::string out = "date " + date + " " + outlet + "\n\n" + headline + "\n\n";
    for (const auto& paragraph : body) out += paragraph + "\n\n";
    return out;
}

std::string corpus_id(const std::string& relative) {
    return (test::source_dir() / "corpus" / relative).string();
}

indexer::IndexOptions corpus_options(unsigned threads) {
    indexer::IndexOptions options;
    options.threads = threads;
    options.excludes = {"malformed", "*.md"};
    return options;
}

}  // namespace

TEST_CASE("the corpus's wire copies form exactly their groups, and the follow-up stays out") {
    TempDir dir;
    const std::string db = (dir / "db").string();
    index_into(db, {(test::source_dir() / "corpus").string()}, corpus_options(2));
    const auto groups = groups_of(db);

    const std::string a = groups.at(corpus_id("wire/afp_rotterdam_strike.txt")).copy;
    const std::set<std::string> expected_a = {
        corpus_id("wire/afp_rotterdam_strike.txt"),
        corpus_id("wire/harborwire_rotterdam_strike.txt"),
        "cp-2026-02-10-0412",
        "https://metropulse.news/world/rotterdam-strike-38-ships-stuck",
        "https://www.meridianpost.com/world/europe/dutch-dockers-48-hour-walkout-rotterdam",
        "https://www.northernledger.co.uk/business/2026/02/10/"
        "rotterdam-port-strike-ships-stranded"};
    std::set<std::string> found_a;
    for (const auto& [id, g] : groups) {
        if (g.copy == a) found_a.insert(id);
    }
    CHECK(found_a == expected_a);
    CHECK(copy_size(db, a) == 6);  // the exact size is the group term's frequency
    CHECK(a.size() == 16);

    const std::string b = groups.at(corpus_id("wire/ap_chess_zurich.txt")).copy;
    std::size_t in_b = 0;
    for (const auto& [id, g] : groups) in_b += g.copy == b ? 1 : 0;
    CHECK(in_b == 4);
    CHECK(copy_size(db, b) == 4);

    CHECK(groups.at(corpus_id("wire/afp_rotterdam_deal_followup.txt")).copy != a);
    // Copies are always in one story.
    for (const auto& id : expected_a)
        CHECK(groups.at(id).story == groups.at(*expected_a.begin()).story);

    // The group's record names the earliest report (AFP's, dated the day itself).
    Xapian::Database database(db);
    const auto record = nlohmann::json::parse(database.get_metadata(schema::group_key("copy", a)));
    CHECK(record["earliest"] == schema::id_term(corpus_id("wire/afp_rotterdam_strike.txt")));
}

TEST_CASE("the corpus's independent write-ups of an event join its story, as long reports") {
    // corpus/README.md: the Lowlands Herald's feature on the Rotterdam strike, a day after the
    // wire story, shares its facts and names but no sentences; Iberia Today's clean-up report
    // is two days after Reuters' Valencia floods. Long reports each bring many words of their
    // own, so their cosine (0.24-0.29 for the feature) is under the threshold of short ones.
    const std::string feature =
        "https://www.lowlandsherald.nl/en/economy/rotterdam-port-strike-silent-cranes";
    const std::string strike = corpus_id("wire/afp_rotterdam_strike.txt");
    const std::string clean_up =
        "https://www.iberiatoday.com/spain/valencia/alzira-volunteers-clean-up";
    const std::string floods = corpus_id("wire/reuters_valencia_floods.txt");

    TempDir dir;
    const std::string db = (dir / "db").string();
    index_into(db, {(test::source_dir() / "corpus").string()}, corpus_options(2));
    const auto groups = groups_of(db);
    CHECK(groups.at(feature).story == groups.at(strike).story);
    CHECK(groups.at(feature).copy != groups.at(strike).copy);
    CHECK(Xapian::Database(db).get_termfreq(schema::story_group_term(groups.at(strike).story)) ==
          7);  // the six copies and the feature
    CHECK(groups.at(clean_up).story == groups.at(floods).story);
    CHECK(groups.at(clean_up).copy != groups.at(floods).copy);

    // The same articles, with no report counted as long: the short reports' threshold keeps
    // them apart.
    indexer::IndexOptions options = corpus_options(2);
    options.grouping.story_long_terms = 1000;  // more than a profile holds
    const std::string strict_db = (dir / "strict").string();
    index_into(strict_db, {(test::source_dir() / "corpus").string()}, options);
    const auto strict = groups_of(strict_db);
    CHECK(strict.at(feature).story != strict.at(strike).story);
    CHECK(strict.at(clean_up).story != strict.at(floods).story);
}

TEST_CASE("group ids do not depend on the number of threads") {
    TempDir dir;
    index_into((dir / "one").string(), {(test::source_dir() / "corpus").string()},
               corpus_options(1));
    index_into((dir / "four").string(), {(test::source_dir() / "corpus").string()},
               corpus_options(4));
    const auto one = groups_of((dir / "one").string());
    const auto four = groups_of((dir / "four").string());
    REQUIRE(one.size() == four.size());
    for (const auto& [id, g] : one) {
        CHECK(four.at(id).copy == g.copy);
        CHECK(four.at(id).story == g.story);
    }
}

TEST_CASE("group ids survive xapian-compact") {
    TempDir dir;
    const std::string db = (dir / "db").string();
    index_into(db, {(test::source_dir() / "corpus").string()}, corpus_options(2));
    const auto before = groups_of(db);
    const auto result = test::run("/usr/bin/xapian-compact", {db, (dir / "compact").string()});
    if (result.exit_code != 0) return;  // xapian-tools absent: nothing to check
    const auto after = groups_of((dir / "compact").string());
    for (const auto& [id, g] : before) CHECK(after.at(id).copy == g.copy);
}

TEST_CASE("an article indexed later joins the existing group, under the same id") {
    TempDir dir;
    const std::string db = (dir / "db").string();
    const auto p = paragraphs("wire/afp_rotterdam_strike.txt");
    write_file(dir / "in/a.txt", txt("2026-02-10", "AFP", "Dockers strike", p));
    index_into(db, {(dir / "in").string()});
    const std::string group = groups_of(db).begin()->second.copy;

    write_file(dir / "in/b.txt", txt("2026-02-11", "Harbor Wire", "Rotterdam stands still",
                                     {p.begin(), p.begin() + 4}));
    index_into(db, {(dir / "in").string()});
    const auto groups = groups_of(db);
    CHECK(groups.at((dir / "in/b.txt").string()).copy == group);
    CHECK(groups.at((dir / "in/a.txt").string()).copy == group);
    CHECK(copy_size(db, group) == 2);
}

TEST_CASE("a copy indexed alone into a much larger archive joins its original's group") {
    // A run this small looks its anchors up one by one rather than read every anchor of the
    // archive first (the grouper's filter of committed anchors is not worth building): that
    // path must find the original too.
    TempDir dir;
    const std::string db = (dir / "db").string();
    const auto p = paragraphs("wire/afp_rotterdam_strike.txt");
    write_file(dir / "in/a.txt", txt("2026-02-10", "AFP", "Dockers strike", p));
    std::string filler;
    for (int n = 0; n < 300; ++n) {
        std::string text;
        for (int w = 0; w < 60; ++w) text += "w" + std::to_string(n * 60 + w) + " ";
        filler += nlohmann::json{{"id", "filler-" + std::to_string(n)},
                                 {"title", "Filler " + std::to_string(n)},
                                 {"text", text},
                                 {"date", "2026-02-10"}}
                      .dump() +
                  "\n";
    }
    write_file(dir / "in/filler.jsonl", filler);
    index_into(db, {(dir / "in").string()});
    const std::string group = groups_of(db).at((dir / "in/a.txt").string()).copy;

    write_file(dir / "in/b.txt", txt("2026-02-11", "Harbor Wire", "Rotterdam stands still",
                                     {p.begin(), p.begin() + 4}));
    index_into(db, {(dir / "in").string()});
    CHECK(groups_of(db).at((dir / "in/b.txt").string()).copy == group);
    CHECK(copy_size(db, group) == 2);
}

TEST_CASE("an article bridging two groups does not merge them when their founders differ") {
    // A digest carrying the full text of two stories contains each of them, but the two stories
    // are not copies of each other: no chaining through the digest.
    TempDir dir;
    const std::string db = (dir / "db").string();
    const auto strike = paragraphs("wire/afp_rotterdam_strike.txt");
    const auto chess = paragraphs("wire/ap_chess_zurich.txt");
    write_file(dir / "in/1_strike.txt", txt("2026-02-10", "AFP", "Strike", strike));
    write_file(dir / "in/2_chess.txt", txt("2026-02-10", "AP", "Chess", chess));
    std::vector<std::string> digest = strike;
    digest.insert(digest.end(), chess.begin(), chess.end());
    write_file(dir / "in/3_digest.txt", txt("2026-02-11", "Digest", "The day's news", digest));
    index_into(db, {(dir / "in").string()});
    const auto groups = groups_of(db);
    const auto& first = groups.at((dir / "in/1_strike.txt").string());
    const auto& second = groups.at((dir / "in/2_chess.txt").string());
    CHECK(first.copy != second.copy);
    CHECK(first.story != second.story);
    const auto& bridge = groups.at((dir / "in/3_digest.txt").string());
    CHECK((bridge.copy == first.copy || bridge.copy == second.copy));
}

TEST_CASE("deleting the founder keeps the group's id and size right for the others") {
    TempDir dir;
    const std::string db = (dir / "db").string();
    const auto p = paragraphs("wire/afp_rotterdam_strike.txt");
    write_file(dir / "in/1.txt", txt("2026-02-10", "AFP", "Strike", p));
    write_file(dir / "in/2.txt",
               txt("2026-02-10", "Harbor Wire", "Strike", {p.begin(), p.end() - 1}));
    write_file(dir / "in/3.txt",
               txt("2026-02-11", "Metro Pulse", "Strike", {p.begin(), p.end() - 2}));
    index_into(db, {(dir / "in").string()});
    const std::string group = groups_of(db).at((dir / "in/1.txt").string()).copy;
    CHECK(copy_size(db, group) == 3);

    std::filesystem::remove(dir / "in/1.txt");
    index_into(db, {(dir / "in").string()});
    const auto groups = groups_of(db);
    CHECK(groups.at((dir / "in/2.txt").string()).copy == group);
    CHECK(groups.at((dir / "in/3.txt").string()).copy == group);
    CHECK(copy_size(db, group) == 2);
    const auto record =
        nlohmann::json::parse(Xapian::Database(db).get_metadata(schema::group_key("copy", group)));
    CHECK(record["earliest"] == schema::id_term((dir / "in/2.txt").string()));
}

namespace {

/// The head and the tail of a story, each a copy of the whole and not of each other, so
/// that the whole holds their group together.
struct SplitStory {
    std::vector<std::string> head;
    std::vector<std::string> tail;
};

/// Writes in/1_whole.txt, in/2_head.txt and in/3_tail.txt under @p dir.
SplitStory write_split_story(const TempDir& dir) {
    const auto p = paragraphs("wire/afp_rotterdam_strike.txt");
    const auto half = static_cast<std::ptrdiff_t>(p.size() / 2);
    SplitStory story{{p.begin(), p.begin() + half}, {p.begin() + half, p.end()}};
    write_file(dir / "in/1_whole.txt", txt("2026-02-10", "AFP", "Strike", p));
    write_file(dir / "in/2_head.txt", txt("2026-02-10", "Harbor Wire", "Strike", story.head));
    write_file(dir / "in/3_tail.txt", txt("2026-02-10", "Metro Pulse", "Strike", story.tail));
    return story;
}

}  // namespace

TEST_CASE("deleting the article that held a group together splits it") {
    TempDir dir;
    const std::string db = (dir / "db").string();
    write_split_story(dir);
    index_into(db, {(dir / "in").string()});
    auto groups = groups_of(db);
    const std::string group = groups.at((dir / "in/1_whole.txt").string()).copy;
    CHECK(groups.at((dir / "in/2_head.txt").string()).copy == group);
    CHECK(groups.at((dir / "in/3_tail.txt").string()).copy == group);

    std::filesystem::remove(dir / "in/1_whole.txt");
    index_into(db, {(dir / "in").string()});
    groups = groups_of(db);
    const std::string head = groups.at((dir / "in/2_head.txt").string()).copy;
    const std::string tail = groups.at((dir / "in/3_tail.txt").string()).copy;
    CHECK(head != tail);
    CHECK(copy_size(db, head) == 1);
    CHECK(copy_size(db, tail) == 1);
}

TEST_CASE("a copy indexed after the commit that split its original's group joins the new group") {
    // The grouper remembers what it read of committed documents (labels, dates) from commit to
    // commit. The split relabels one half after the grouper has read both halves' labels; a
    // copy of either half, committed later in the same run, must find the half's label now.
    TempDir dir;
    const std::string db = (dir / "db").string();
    const SplitStory story = write_split_story(dir);
    indexer::IndexOptions options;
    options.batch_articles = 1;  // a commit after every file
    index_into(db, {(dir / "in").string()}, options);
    const std::string group = groups_of(db).at((dir / "in/1_whole.txt").string()).copy;

    std::filesystem::remove(dir / "in/1_whole.txt");
    // The first new file settles the deletion (the split) and commits; the copies come after.
    write_file(dir / "in/4_other.txt",
               txt("2026-02-10", "AP", "Chess", paragraphs("wire/ap_chess_zurich.txt")));
    write_file(dir / "in/5_head_copy.txt", txt("2026-02-11", "City Desk", "Strike", story.head));
    write_file(dir / "in/6_tail_copy.txt", txt("2026-02-11", "City Desk", "Strike", story.tail));
    const auto run = index_into(db, {(dir / "in").string()}, options);
    CHECK(run.summary.commits >= 3);
    const auto groups = groups_of(db);
    const std::string head = groups.at((dir / "in/2_head.txt").string()).copy;
    const std::string tail = groups.at((dir / "in/3_tail.txt").string()).copy;
    REQUIRE(head != tail);
    CHECK((head == group || tail == group));  // one half keeps the id, the other is relabelled
    CHECK(groups.at((dir / "in/5_head_copy.txt").string()).copy == head);
    CHECK(groups.at((dir / "in/6_tail_copy.txt").string()).copy == tail);
    CHECK(copy_size(db, head) == 2);
    CHECK(copy_size(db, tail) == 2);
}

TEST_CASE("in a monthly archive, a copy indexed after a new month's shard joins its original's group") {
    // A new shard renumbers the archive's documents (a document's id depends on how many
    // databases there are), so what the grouper remembers by document id must go with it.
    // Before the February shard, January's fourth document had id 8; after it, its third
    // does: a copy of the third must not get the fourth's group.
    TempDir dir;
    const std::string db = (dir / "archive").string();
    const auto strike = paragraphs("wire/afp_rotterdam_strike.txt");
    const auto chess = paragraphs("wire/ap_chess_zurich.txt");
    // The strike's copies end with a paragraph of their own, so that 7 matches 3 better than
    // it matches 1 (on a tie the lower group id would win, whatever 3's label read).
    std::vector<std::string> strike_trimmed(strike.begin(), strike.end() - 1);
    strike_trimmed.push_back(paragraphs("wire/deccan_bengaluru_metro.txt").back());
    const std::vector<std::string> chess_trimmed(chess.begin(), chess.end() - 1);
    write_file(dir / "in/1.txt", txt("2026-01-20", "AFP", "Strike", strike));
    write_file(dir / "in/2.txt", txt("2026-01-20", "AP", "Chess", chess));
    write_file(dir / "in/3.txt", txt("2026-01-21", "Harbor Wire", "Strike", strike_trimmed));
    write_file(dir / "in/4.txt", txt("2026-01-21", "City Desk", "Chess", chess_trimmed));
    write_file(dir / "in/5.txt", txt("2026-01-21", "Metro Pulse", "Chess", chess_trimmed));
    write_file(dir / "in/6.txt",
               txt("2026-02-01", "Galway Post", "Storm", paragraphs("wire/galway_storm.txt")));
    write_file(dir / "in/7.txt", txt("2026-01-22", "Metro Pulse", "Strike", strike_trimmed));
    indexer::IndexOptions options;
    options.shards.shard_by = indexer::ShardBy::kMonth;
    options.batch_articles = 1;  // a commit after every file: candidates are committed ones
    const auto run = index_into(db, {(dir / "in").string()}, options);
    REQUIRE(run.summary.shards.size() == 2);
    const auto groups = groups_of(db);
    const auto group_of = [&](const char* name) {
        return groups.at((dir / "in" / name).string()).copy;
    };
    CHECK(group_of("3.txt") == group_of("1.txt"));
    CHECK(group_of("7.txt") == group_of("1.txt"));
    CHECK(group_of("4.txt") == group_of("2.txt"));
    CHECK(group_of("5.txt") == group_of("2.txt"));
    CHECK(group_of("1.txt") != group_of("2.txt"));
    CHECK(copy_size(db, group_of("1.txt")) == 3);
    CHECK(copy_size(db, group_of("2.txt")) == 3);
}

TEST_CASE("an article replaced by unrelated text leaves its group") {
    TempDir dir;
    const std::string db = (dir / "db").string();
    const auto p = paragraphs("wire/afp_rotterdam_strike.txt");
    write_file(dir / "in/1.txt", txt("2026-02-10", "AFP", "Strike", p));
    write_file(dir / "in/2.txt", txt("2026-02-10", "Harbor Wire", "Strike", p));
    index_into(db, {(dir / "in").string()});
    const std::string group = groups_of(db).at((dir / "in/1.txt").string()).copy;
    CHECK(copy_size(db, group) == 2);

    write_file(dir / "in/2.txt",
               txt("2026-02-10", "Harbor Wire", "Chess", paragraphs("wire/ap_chess_zurich.txt")));
    std::filesystem::last_write_time(
        dir / "in/2.txt",
        std::filesystem::last_write_time(dir / "in/2.txt") + std::chrono::seconds(5));
    index_into(db, {(dir / "in").string()});
    const auto groups = groups_of(db);
    CHECK(groups.at((dir / "in/1.txt").string()).copy == group);
    CHECK(groups.at((dir / "in/2.txt").string()).copy != group);
    CHECK(copy_size(db, group) == 1);
}

TEST_CASE("seeds: 000-002 are one story, 003 (a later round of talks) is another") {
    const auto shared = test::require_shared("the seed articles");
    TempDir dir;
    const std::string db = (dir / "db").string();
    index_into(db, {(shared / "seeds").string()});
    const auto groups = groups_of(db);
    const auto story = [&](const std::string& prefix) {
        for (const auto& [id, g] : groups) {
            if (std::filesystem::path(id).filename().string().rfind(prefix, 0) == 0) return g.story;
        }
        FAIL("no seed " << prefix);
        return std::string();
    };
    CHECK(story("000") == story("001"));
    CHECK(story("000") == story("002"));
    CHECK(story("003") != story("000"));
    CHECK(Xapian::Database(db).get_termfreq(schema::story_group_term(story("000"))) == 3);
}

TEST_CASE("groups are the same whether each file is committed alone or all in one batch") {
    // Candidates come from the committed database and from the batch in memory: a commit
    // after every file puts every earlier article on the committed side, one batch puts them
    // all in memory. The groups must not depend on where the line falls.
    TempDir dir;
    indexer::IndexOptions per_file = corpus_options(2);
    per_file.batch_articles = 1;
    indexer::IndexOptions one_batch = corpus_options(2);
    one_batch.batch_articles = 1'000'000;
    index_into((dir / "per_file").string(), {(test::source_dir() / "corpus").string()}, per_file);
    index_into((dir / "one_batch").string(), {(test::source_dir() / "corpus").string()},
               one_batch);
    const auto committed = groups_of((dir / "per_file").string());
    const auto in_memory = groups_of((dir / "one_batch").string());
    REQUIRE(committed.size() == in_memory.size());
    std::size_t grouped = 0;
    for (const auto& entry : committed) {
        // Named, not structured bindings: clang 14 (the sanitizer build) cannot capture those.
        const auto& id = entry.first;
        const auto& g = entry.second;
        CHECK_MESSAGE(in_memory.at(id).copy == g.copy, id);
        CHECK_MESSAGE(in_memory.at(id).story == g.story, id);
        for (const auto& [other, h] : committed) {
            if (other != id && h.copy == g.copy) ++grouped;
        }
    }
    CHECK(grouped > 0);  // the corpus has wire copies: the comparison means something
    // The seeds-like story of the corpus: the Rotterdam copies share one story either way.
    const std::string afp = corpus_id("wire/afp_rotterdam_strike.txt");
    const std::string harbor = corpus_id("wire/harborwire_rotterdam_strike.txt");
    CHECK(committed.at(afp).story == committed.at(harbor).story);
    CHECK(in_memory.at(afp).story == in_memory.at(harbor).story);
}

namespace {

/// Every group record (metadata key -> value) of the database at @p path.
std::map<std::string, std::string> group_records(const std::string& path) {
    Xapian::Database database(path);
    const std::string prefix = schema::group_key("copy", "");
    const std::string story_prefix = schema::group_key("story", "");
    std::map<std::string, std::string> out;
    for (auto key = database.metadata_keys_begin(); key != database.metadata_keys_end(); ++key) {
        if ((*key).rfind(prefix, 0) == 0 || (*key).rfind(story_prefix, 0) == 0) {
            out[*key] = database.get_metadata(*key);
        }
    }
    return out;
}

/// A JSON Lines record; @p language, when given, is the record's own (not detected).
std::string jsonl_record(const std::string& id, const std::string& date, const std::string& title,
                         const std::vector<std::string>& body, const std::string& language = "") {
    std::string text;
    for (const auto& paragraph : body) text += paragraph + "\n\n";
    nlohmann::json record{{"id", id}, {"date", date}, {"title", title}, {"text", text}};
    if (!language.empty()) record["language"] = language;
    return record.dump() + "\n";
}

/// A made-up word, different for every @p n below 10^syllables: syllables that English
/// stemming leaves alone.
std::string made_up_word(char initial, std::size_t n, int syllables) {
    static const char* const kSyllables[] = {"ba", "ko", "du", "mi", "pa",
                                             "lo", "ru", "ti", "na", "go"};
    std::string word(1, initial);
    for (int k = 0; k < syllables; ++k, n /= 10) word += kSyllables[n % 10];
    return word;
}

}  // namespace

TEST_CASE("story candidates tied beyond the committed page are settled by article id as in "
          "memory") {
    // Short articles score alike on the same words (BM25's length floor). Twenty of them tie
    // on the new article's query words; Xapian returns the committed ones by document id and
    // the grouper takes twice the candidates it checks, then settles ties by article id. Here
    // the article of the smallest id was written last (the highest document id), beyond
    // Xapian's page, and it is the new article's story: with every article in memory it is
    // checked, and it must be with every article committed too.
    TempDir dir;
    const std::string shared = "harbour strike dockers union wages rotterdam";
    std::string records;
    // Long articles raise the average length, so that the short ones sit on the floor.
    for (std::size_t p = 0; p < 3; ++p) {
        std::string text;
        for (std::size_t w = 0; w < 3000; ++w) text += made_up_word('p', p * 3000 + w, 4) + " ";
        records += jsonl_record("long-" + std::to_string(p), "2026-03-02", made_up_word('h', p, 2),
                                {text}, "en");
    }
    // t01 ... t20, each the shared words and twenty of its own (too little in common for one
    // story), written from t20 down to t01.
    const auto own_words = [](std::size_t t) {
        std::vector<std::string> words;
        for (std::size_t w = 0; w < 20; ++w) words.push_back(made_up_word('v', t * 20 + w, 3));
        return words;
    };
    const auto short_id = [](std::size_t t) {
        return std::string(t < 10 ? "t0" : "t") + std::to_string(t);
    };
    for (std::size_t t = 20; t >= 1; --t) {
        std::string text = shared;
        for (const auto& word : own_words(t)) text += " " + word;
        records += jsonl_record(short_id(t), "2026-03-02", made_up_word('k', t, 2), {text}, "en");
    }
    // The new article: the shared words three times each (its query: they outweigh the rest),
    // and t01's own words, reversed so that it is no copy of t01.
    std::string text;
    for (const char* word : {"harbour", "strike", "dockers", "union", "wages", "rotterdam"}) {
        for (int k = 0; k < 3; ++k) text += std::string(word) + " ";
    }
    auto words = own_words(1);
    for (auto word = words.rbegin(); word != words.rend(); ++word) text += *word + " ";
    records += jsonl_record("new", "2026-03-02", "Dockers strike", {text}, "en");
    write_file(dir / "in" / "articles.jsonl", records);

    indexer::IndexOptions per_article;
    per_article.batch_articles = 1;
    indexer::IndexOptions one_batch;
    one_batch.batch_articles = 1'000'000;
    index_into((dir / "per_article").string(), {(dir / "in").string()}, per_article);
    index_into((dir / "one_batch").string(), {(dir / "in").string()}, one_batch);
    const auto committed = groups_of((dir / "per_article").string());
    const auto in_memory = groups_of((dir / "one_batch").string());
    REQUIRE(committed.size() == 24);
    CHECK(in_memory.at("new").story == in_memory.at("t01").story);
    CHECK(committed.at("new").story == committed.at("t01").story);
    // The short articles are stories of their own: the tie is among different stories.
    CHECK(committed.at("t01").story != committed.at("t02").story);
    for (const auto& entry : committed) {
        CHECK_MESSAGE(in_memory.at(entry.first).story == entry.second.story, entry.first);
    }
}

TEST_CASE("a batch that deletes, replaces and repeats articles groups as commits after every file") {
    // The grouper does not read the writable database: it sees the last commit plus its own
    // record of the batch (deletions, replacements, relabels, records, statistics). One batch
    // for the whole run keeps all of that in memory; a commit after every file leaves almost
    // none of it there. The groups and their records must be the same.
    const auto strike = paragraphs("wire/afp_rotterdam_strike.txt");
    const auto chess = paragraphs("wire/ap_chess_zurich.txt");
    const auto first_run = [&](const std::filesystem::path& in) {
        write_file(in / "1.txt", txt("2026-02-10", "AFP", "Strike", strike));
        // The second copy is the earliest report: the group's record changes within the batch.
        write_file(in / "2.txt",
                   txt("2026-02-09", "Harbor Wire", "Strike", {strike.begin(), strike.end() - 1}));
        write_file(in / "3.txt",
                   txt("2026-02-11", "Metro Pulse", "Strike", {strike.begin(), strike.end() - 2}));
        write_file(in / "4.txt", txt("2026-02-10", "AP", "Chess", chess));
        write_file(in / "5.jsonl", jsonl_record("j1", "2026-02-10", "Chess", chess) +
                                       jsonl_record("j2", "2026-02-11", "Strike", strike));
    };
    const auto second_run = [&](const std::filesystem::path& in) {
        std::filesystem::remove(in / "1.txt");  // the strike copies' founder goes
        // A chess report becomes a strike copy; the feed keeps j1 (now a trimmed strike copy),
        // repeats j2 (the later record, chess, wins) and adds j3.
        write_file(in / "4.txt", txt("2026-02-10", "AP", "Strike", {strike.begin() + 1, strike.end()}));
        write_file(in / "5.jsonl",
                   jsonl_record("j1", "2026-02-10", "Strike", {strike.begin(), strike.end() - 1}) +
                       jsonl_record("j2", "2026-02-11", "Strike", strike) +
                       jsonl_record("j2", "2026-02-11", "Chess", chess) +
                       jsonl_record("j3", "2026-02-10", "Chess", {chess.begin(), chess.end() - 1}));
        write_file(in / "6.txt", txt("2026-02-10", "Metro Pulse", "Chess", chess));
        for (const char* name : {"4.txt", "5.jsonl"}) {
            std::filesystem::last_write_time(
                in / name, std::filesystem::last_write_time(in / name) + std::chrono::seconds(5));
        }
    };
    std::map<std::size_t, std::pair<std::map<std::string, Groups>, std::map<std::string, std::string>>>
        results;
    std::map<std::size_t, std::map<std::string, std::string>> first_records;
    // The same paths both times: text files' ids, and so their groups' ids, are their paths.
    TempDir dir;
    const std::string db = (dir / "db").string();
    for (const std::size_t batch : {std::size_t{1}, std::size_t{1'000'000}}) {
        std::filesystem::remove_all(dir / "db");
        std::filesystem::remove_all(dir / "in");
        indexer::IndexOptions options;
        options.batch_articles = batch;
        first_run(dir / "in");
        index_into(db, {(dir / "in").string()}, options);
        first_records[batch] = group_records(db);
        second_run(dir / "in");
        const auto run = index_into(db, {(dir / "in").string()}, options);
        CHECK(run.summary.files_deleted == 1);
        CHECK(run.summary.articles_updated == 3);  // 4.txt, j1, j2
        CHECK(run.summary.articles_added == 2);    // j3, 6.txt
        std::map<std::string, Groups> groups;
        for (const auto& [id, g] : groups_of(db)) {
            groups[std::filesystem::path(id).filename().string()] = g;
        }
        std::map<std::string, std::string> records;
        for (const auto& [key, value] : group_records(db)) {
            records[key] = value.empty() ? value : nlohmann::json::parse(value).dump();
        }
        results[batch] = {groups, records};
        // The edits did what they say: the strike copies and the chess copies are two groups.
        CHECK(groups.at("2.txt").copy == groups.at("4.txt").copy);
        CHECK(groups.at("2.txt").copy == groups.at("j1").copy);
        CHECK(groups.at("6.txt").copy == groups.at("j2").copy);
        CHECK(groups.at("6.txt").copy == groups.at("j3").copy);
        CHECK(groups.at("2.txt").copy != groups.at("6.txt").copy);
    }
    const auto& [per_file_groups, per_file_records] = results.at(1);
    const auto& [batch_groups, batch_records] = results.at(1'000'000);
    REQUIRE(per_file_groups.size() == 7);
    for (const auto& entry : per_file_groups) {
        CHECK_MESSAGE(batch_groups.at(entry.first).copy == entry.second.copy, entry.first);
        CHECK_MESSAGE(batch_groups.at(entry.first).story == entry.second.story, entry.first);
    }
    CHECK(batch_records == per_file_records);
    CHECK(first_records.at(1'000'000) == first_records.at(1));
}

TEST_CASE("an article replaced after its batch was committed is compared as its new version") {
    // The grouper keeps the features of the articles it committed in this run, by document
    // id, instead of reading them back. An article replaced by a later file keeps its id: its
    // kept features must be the new version's. Each file is committed alone here, so every
    // candidate below is a committed one.
    TempDir dir;
    const std::string db = (dir / "db").string();
    const auto strike = paragraphs("wire/afp_rotterdam_strike.txt");
    write_file(dir / "in/1.jsonl",
               jsonl_record("x", "2026-02-10", "Chess", paragraphs("wire/ap_chess_zurich.txt")));
    write_file(dir / "in/2.jsonl", jsonl_record("x", "2026-02-10", "Strike", strike));
    write_file(dir / "in/3.jsonl",
               jsonl_record("copy", "2026-02-10", "Strike", {strike.begin(), strike.end() - 1}));
    write_file(dir / "in/4.jsonl", jsonl_record("report", "2026-02-10", "Strike",
                                                paragraphs("wire/harborwire_rotterdam_strike.txt")));
    indexer::IndexOptions options;
    options.batch_articles = 1;
    const auto run = index_into(db, {(dir / "in").string()}, options);
    REQUIRE(run.summary.articles_updated == 1);
    const auto groups = groups_of(db);
    CHECK(groups.at("copy").copy == groups.at("x").copy);
    CHECK(groups.at("report").story == groups.at("x").story);
    CHECK(copy_size(db, groups.at("x").copy) == 3);  // Harbor Wire ran the AFP text too
}

TEST_CASE("a copy years apart stays apart, and one whose original was re-dated into its window joins it") {
    // The copy level passes over committed anchor postings outside its window by the days it
    // has read of committed documents. An article whose id comes again in another file keeps
    // its document id under the new record's date: what was read of the old date must not keep
    // the new one's copies out.
    TempDir dir;
    const std::string db = (dir / "db").string();
    const auto strike = paragraphs("wire/afp_rotterdam_strike.txt");
    write_file(dir / "in/1.jsonl", jsonl_record("s1", "2019-03-01", "Strike", strike));
    index_into(db, {(dir / "in").string()});
    const auto docid_of = [&](const std::string& id) {
        const Xapian::Database database(db);
        return *database.postlist_begin(schema::id_term(id));
    };
    const Xapian::docid before = docid_of("s1");

    write_file(dir / "in/2.jsonl", jsonl_record("s1", "2026-02-10", "Strike", strike));
    write_file(dir / "in/3.jsonl", jsonl_record("s2", "2026-02-11", "Strike", strike));
    write_file(dir / "in/4.jsonl", jsonl_record("s3", "2023-05-01", "Strike", strike));
    indexer::IndexOptions options;
    options.batch_articles = 1;  // s1's new record is committed before s2 is grouped
    const auto run = index_into(db, {(dir / "in").string()}, options);
    CHECK(run.summary.articles_updated == 1);
    REQUIRE(docid_of("s1") == before);  // the case at hand: the same document, a new date
    const auto groups = groups_of(db);
    const std::string group = groups.at("s1").copy;
    CHECK(groups.at("s2").copy == group);
    CHECK(groups.at("s3").copy != group);  // three years earlier
    CHECK(copy_size(db, group) == 2);
}
