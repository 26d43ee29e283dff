// The query language: each operator, prefix and date form, read against a small in-memory
// archive built with the indexer's own DocumentBuilder (so terms are laid out as in real use).

#include <doctest/doctest.h>

#include <set>
#include <string>

#include <xapian.h>

#include "wiredesk/common/dates.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/indexer/document_builder.hpp"
#include "wiredesk/searcher/name_variants.hpp"
#include "wiredesk/searcher/query_builder.hpp"

namespace search = wiredesk::searcher;

namespace {

class MiniArchive {
public:
    MiniArchive() {
        add("peace", "Peace talks in Abu Dhabi", "Negotiators talked for two days in Abu Dhabi.",
            "en", "AFP", "2026-01-24");
        add("talks-later", "Second round", "The peace talks resumed on February 4 in Abu Dhabi.",
            "en", "Reuters", "2026-02-04");
        add("talks-word-order", "Talks", "Talks about peace went on.", "en", "ETV Bharat",
            "2026-01-25");
        add("kyiv", "Heating in Kyiv", "Kyiv residents wait for heating; Zelenskyy spoke.", "en",
            "Kyiv Post", "2026-01-10");
        add("kiev", "Old spelling", "Kiev was the spelling used in 1990.", "en", "Archive", "");
        add("de", "Gespräche", "Die Friedensgespräche in Abu Dhabi laufen.", "de", "dpa",
            "2026-01-26");
        add("fr", "Négociations", "Les négociations de paix à Abou Dhabi continuent.", "fr",
            "AFP", "2026-01-27");
        add("uk", "Опалення", "У Києві опалення відновили.", "uk", "Укрінформ", "2026-01-12");
        add("talker", "Talkers", "A talkative talker talked.", "en", "", "2025-06-01");
    }

    void add(const std::string& id, const std::string& title, const std::string& body,
             const std::string& language, const std::string& source, const std::string& date) {
        wiredesk::Article article;
        article.id = id;
        article.title = title;
        article.body = body;
        article.language = language;
        article.source = source;
        article.path = "/fixtures/" + id + ".txt";
        if (!date.empty()) article.date = wiredesk::parse_date(date);
        m_database.replace_document(wiredesk::schema::id_term(id), m_builder.build(article));
        m_database.commit();
    }

    search::BuiltQuery build(const std::string& text, bool match_all = true) {
        search::QueryContext context;
        context.database = &m_database;
        context.languages = search::database_languages(m_database);
        context.variants = &m_variants;
        context.match_all_words = match_all;
        context.max_wildcard_expansion = 3;
        return search::build_query(text, context, m_analyzer);
    }

    /// Ids of the articles @p text matches.
    std::set<std::string> ids(const std::string& text, bool match_all = true) {
        return ids_of(build(text, match_all).query);
    }

    std::set<std::string> ids_of(const Xapian::Query& query) {
        Xapian::Enquire enquire(m_database);
        enquire.set_query(query);
        std::set<std::string> out;
        const Xapian::MSet mset = enquire.get_mset(0, 100);
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            const auto data = it.get_document().get_data();
            out.insert(wiredesk::schema::decode_article_data(data).id);
        }
        return out;
    }

    wiredesk::Analyzer& analyzer() { return m_analyzer; }

private:
    Xapian::WritableDatabase m_database{std::string(), Xapian::DB_BACKEND_INMEMORY};
    wiredesk::indexer::DocumentBuilder m_builder;
    wiredesk::Analyzer m_analyzer;
    search::NameVariants m_variants = search::NameVariants::builtin(m_analyzer);
};

using Ids = std::set<std::string>;

bool has_warning(const search::BuiltQuery& built, const std::string& fragment) {
    for (const auto& warning : built.warnings) {
        if (warning.find(fragment) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("an unquoted word matches its stemmed forms: talks finds talked") {
    MiniArchive archive;
    CHECK(archive.ids("talks").contains("peace"));        // "talked" in the body
    CHECK(archive.ids("talking").contains("talker"));     // "talked"
    CHECK(archive.ids("negotiator").contains("peace"));
}

TEST_CASE("a quoted word matches only its exact form") {
    MiniArchive archive;
    CHECK(archive.ids("\"talked\"") == Ids{"peace", "talker"});
    CHECK_FALSE(archive.ids("\"talk\"").contains("peace"));
}

TEST_CASE("a quoted phrase needs its words adjacent and in order") {
    MiniArchive archive;
    CHECK(archive.ids("\"peace talks\"") == Ids{"peace", "talks-later"});
    CHECK(archive.ids("\"talks peace\"").empty());
    // Typographic quotes pasted from an article are quotes too.
    CHECK(archive.ids("\u201Cpeace talks\u201D") == Ids{"peace", "talks-later"});
}

TEST_CASE("juxtaposed words must all match by default, any with OR as default") {
    MiniArchive archive;
    CHECK(archive.ids("peace heating").empty());
    CHECK(archive.ids("peace heating", /*match_all=*/false).contains("kyiv"));
    CHECK(archive.ids("peace heating", false).contains("peace"));
}

TEST_CASE("AND, OR, NOT, XOR and parentheses combine as in Xapian's QueryParser") {
    MiniArchive archive;
    CHECK(archive.ids("peace AND dhabi") == Ids{"peace", "talks-later"});
    CHECK(archive.ids("heating OR talker") == Ids{"kyiv", "talker"});
    CHECK(archive.ids("peace NOT resumed") == Ids{"peace", "talks-word-order"});
    CHECK(archive.ids("peace AND NOT resumed") == Ids{"peace", "talks-word-order"});
    CHECK(archive.ids("(heating OR talker) AND kyiv") == Ids{"kyiv"});
    CHECK(archive.ids("dhabi XOR resumed") == Ids{"peace", "de", "fr"});
    CHECK(archive.ids("abu dhabi") == Ids{"peace", "talks-later", "de"});
}

TEST_CASE("+ requires and - excludes a word") {
    MiniArchive archive;
    CHECK(archive.ids("peace -resumed") == Ids{"peace", "talks-word-order"});
    CHECK(archive.ids("+heating talker", false) == Ids{"kyiv"});
    CHECK(archive.ids("-resumed -heating").contains("talker"));
}

TEST_CASE("NEAR finds words within a window, in any order, ADJ in order") {
    MiniArchive archive;
    CHECK(archive.ids("dhabi NEAR negotiators") == Ids{"peace"});
    CHECK(archive.ids("negotiators NEAR/3 dhabi").empty());  // six words apart
    CHECK(archive.ids("negotiators NEAR/8 dhabi") == Ids{"peace"});
    CHECK(archive.ids("abu ADJ dhabi") == Ids{"peace", "talks-later", "de"});
    CHECK(archive.ids("dhabi ADJ abu").empty());
}

TEST_CASE("title: searches headline words only") {
    MiniArchive archive;
    CHECK(archive.ids("title:heating") == Ids{"kyiv"});
    CHECK(archive.ids("title:kyiv") == Ids{"kyiv"});
    CHECK(archive.ids("title:negotiators").empty());  // body only
    CHECK(archive.ids("title:\"peace talks\"") == Ids{"peace"});
}

TEST_CASE("source: filters by outlet, multi-word names quoted, case and accents ignored") {
    MiniArchive archive;
    CHECK(archive.ids("dhabi source:AFP") == Ids{"peace", "fr"});
    CHECK(archive.ids("source:afp") == Ids{"peace", "fr"});
    CHECK(archive.ids("talks source:\"ETV Bharat\"") == Ids{"talks-word-order"});
    CHECK(archive.ids("source:AFP source:Reuters") == Ids{"peace", "fr", "talks-later"});
    CHECK(archive.ids("dhabi -source:AFP") == Ids{"talks-later", "de"});
    const auto built = archive.build("source:\"No Such Outlet\"");
    CHECK(has_warning(built, "no articles from source"));
}

TEST_CASE("a filter does not change the score: the words alone rank") {
    MiniArchive archive;
    const auto built = archive.build("source:AFP");
    CHECK_FALSE(built.has_terms);
    CHECK(built.has_filters);
}

TEST_CASE("lang: filters by language code or name") {
    MiniArchive archive;
    CHECK(archive.ids("dhabi lang:de") == Ids{"de"});
    CHECK(archive.ids("lang:fr") == Ids{"fr"});
}

TEST_CASE("date: ranges are inclusive, open-ended and partial dates widen") {
    MiniArchive archive;
    CHECK(archive.ids("dhabi date:2026-01-20..2026-01-31") == Ids{"peace", "de", "fr"});
    CHECK(archive.ids("dhabi date:2026-01-24..2026-01-24") == Ids{"peace"});
    CHECK(archive.ids("dhabi date:2026-02-01..") == Ids{"talks-later"});
    CHECK(archive.ids("dhabi date:..2026-01-25") == Ids{"peace"});
    CHECK(archive.ids("dhabi date:2026-02") == Ids{"talks-later"});
    CHECK(archive.ids("date:2025") == Ids{"talker"});
    CHECK(archive.ids("date:20260110") == Ids{"kyiv"});
    CHECK(archive.ids("date:undated") == Ids{"kiev"});
}

TEST_CASE("a reversed date range is swapped with a warning") {
    MiniArchive archive;
    const auto built = archive.build("dhabi date:2026-01-31..2026-01-20");
    CHECK(has_warning(built, "reversed"));
    CHECK(archive.ids_of(built.query) == Ids{"peace", "de", "fr"});
}

TEST_CASE("an impossible date is ignored with a warning, never an error") {
    MiniArchive archive;
    const auto built = archive.build("dhabi date:2026-02-30");
    CHECK(has_warning(built, "not a date"));
    CHECK(archive.ids_of(built.query) == Ids{"peace", "talks-later", "de", "fr"});
    CHECK(search::parse_day_bound("2026-02", true) == "20260228");
    CHECK(search::parse_day_bound("2024-02", true) == "20240229");
    CHECK(search::parse_day_bound("2026", false) == "20260101");
    CHECK(search::parse_day_bound("2026/1/5", false) == "20260105");
    CHECK_FALSE(search::parse_day_bound("2026-13-01", false));
    CHECK_FALSE(search::parse_day_bound("yesterday", false));
}

TEST_CASE("a trailing wildcard expands to the most frequent words, bounded, with a warning") {
    MiniArchive archive;
    CHECK(archive.ids("negotiat*") == Ids{"peace"});
    CHECK(archive.ids("title:talk*") == Ids{"peace", "talks-word-order", "talker"});
    // "t*" matches far more than the limit of 3 in this fixture.
    const auto built = archive.build("t*");
    CHECK(has_warning(built, "most frequent"));
    CHECK_FALSE(archive.ids_of(built.query).empty());
    CHECK(has_warning(archive.build("qqq*"), "no word in the archive starts with"));
}

TEST_CASE("accents fold on both sides: negociations finds négociations") {
    MiniArchive archive;
    CHECK(archive.ids("negociations") == Ids{"fr"});
    CHECK(archive.ids("NÉGOCIATIONS") == Ids{"fr"});
}

TEST_CASE("each article's own language stems it: German and Cyrillic words are found") {
    MiniArchive archive;
    CHECK(archive.ids("friedensgesprache") == Ids{"de"});
    CHECK(archive.ids("Києві") == Ids{"uk"});
    CHECK(archive.ids("опалення") == Ids{"uk"});
}

TEST_CASE("a hyphenated word becomes a phrase of its parts") {
    MiniArchive archive;
    CHECK(archive.ids("abu-dhabi") == Ids{"peace", "talks-later", "de"});
    CHECK(archive.ids("dhabi-abu").empty());
}

TEST_CASE("name variants: kiev finds Kyiv, and an exact quote does not") {
    MiniArchive archive;
    CHECK(archive.ids("kiev") == Ids{"kyiv", "kiev"});
    CHECK(archive.ids("kyiv") == Ids{"kyiv", "kiev"});
    CHECK(archive.ids("\"kiev\"") == Ids{"kiev"});
    CHECK(archive.ids("zelensky") == Ids{"kyiv"});  // Zelenskyy in the text
}

TEST_CASE("malformed queries are read leniently with a warning") {
    MiniArchive archive;
    struct Case {
        const char* query;
        const char* warning;
    };
    for (const Case& c : {Case{"peace AND", "nothing to join"}, Case{"OR peace", "one side"},
                          Case{"(peace talks", "not closed"}, Case{"peace)", "no opening"},
                          Case{"\"peace talks", "not closed"}, Case{"peace NEAR", "nothing"},
                          Case{"foo:peace", "unknown field"}, Case{"NEAR peace", "NEAR needs"}}) {
        CAPTURE(c.query);
        const auto built = archive.build(c.query);
        CHECK(has_warning(built, c.warning));
    }
    CHECK(archive.ids("peace AND") == archive.ids("peace"));
    CHECK(archive.ids("(peace talks") == archive.ids("peace talks"));
}

TEST_CASE("a query of nothing searchable is empty, not an error") {
    MiniArchive archive;
    CHECK(archive.build("").empty());
    CHECK(archive.build("   ").empty());
    CHECK(archive.build("* -- ()").empty());
    CHECK_FALSE(archive.build("-peace").empty());  // everything but peace
}

TEST_CASE("a very long query is cut at the word limit with a warning") {
    MiniArchive archive;
    std::string query;
    for (int i = 0; i < 400; ++i) query += "word" + std::to_string(i) + " ";
    const auto built = archive.build(query);
    CHECK(has_warning(built, "words; the rest were ignored"));
    CHECK(built.words.size() == search::kMaxQueryWords);
}

TEST_CASE("NOT words are not highlighted, quoted words are highlighted exactly") {
    MiniArchive archive;
    const auto built = archive.build("peace \"abu dhabi\" kyi* -heating NOT resumed");
    CHECK(built.highlights.stemmed.contains("peace"));
    CHECK(built.highlights.exact.contains("abu"));
    CHECK(built.highlights.exact.contains("dhabi"));
    CHECK_FALSE(built.highlights.stemmed.contains("resumed"));
    CHECK_FALSE(built.highlights.stemmed.contains("heating"));
    CHECK(built.highlights.prefixes.contains("kyi"));
}
