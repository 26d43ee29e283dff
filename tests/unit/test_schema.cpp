#include <doctest/doctest.h>

#include <cstdint>

#include <xapian.h>

#include "wiredesk/common/database.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/schema.hpp"
#include "test_support.hpp"

namespace schema = wiredesk::schema;

TEST_CASE("source terms fold case, accents and spacing so filters meet the stored name") {
    CHECK(schema::source_term("ETV Bharat") == "XSRCetv bharat");
    CHECK(schema::source_term("  etv   bharat ") == "XSRCetv bharat");
    CHECK(schema::source_term("Le Monde Diplomatique") == schema::source_term("le monde diplomatique"));
    CHECK(schema::source_term("Zürcher Zeitung") == "XSRCzurcher zeitung");
}

TEST_CASE("a stem term is the stem prefix with a stem after it, in the body or the headline") {
    CHECK(schema::is_stem_term("Ztalk"));
    CHECK(schema::is_stem_term("ZStalk"));
    CHECK_FALSE(schema::is_stem_term("Z"));
    CHECK_FALSE(schema::is_stem_term("talk"));
    CHECK_FALSE(schema::is_stem_term("Stalk"));
    CHECK_FALSE(schema::is_stem_term("XCAZ"));
}

TEST_CASE("id terms stay within Xapian's term limit and stay unique") {
    const std::string long_a = "https://example.com/" + std::string(300, 'a') + "/1";
    const std::string long_b = "https://example.com/" + std::string(300, 'a') + "/2";
    CHECK(schema::id_term("reuters21578-1") == "Qreuters21578-1");
    CHECK(schema::id_term(long_a).size() < 245);
    CHECK(schema::id_term(long_a) != schema::id_term(long_b));
}

TEST_CASE("the stable hash does not change between builds") {
    // FNV-1a 64 of "a", a published test vector: file keys stored in databases depend on it.
    CHECK(schema::stable_hash_hex("a") == "af63dc4c8601ec8c");
}

TEST_CASE("hashes are written as 16 lower-case hex digits, leading zeros kept") {
    CHECK(schema::hex16(0) == "0000000000000000");
    CHECK(schema::hex16(0xABCULL) == "0000000000000abc");
    CHECK(schema::hex16(0xFEDCBA9876543210ULL) == "fedcba9876543210");
}

TEST_CASE("16 hex digits read back as the number hex16 wrote, and nothing else does") {
    for (const std::uint64_t value : {0ULL, 0xABCULL, 0xFEDCBA9876543210ULL, ~0ULL}) {
        CHECK(schema::parse_hex16(schema::hex16(value)) == value);
    }
    CHECK_FALSE(schema::parse_hex16("abc").has_value());                // too short
    CHECK_FALSE(schema::parse_hex16("0000000000000abc0").has_value());  // too long
    CHECK_FALSE(schema::parse_hex16("000000000000zabc").has_value());   // not hex
    CHECK_FALSE(schema::parse_hex16("-000000000000abc").has_value());   // a sign
    CHECK_FALSE(schema::parse_hex16("").has_value());
}

TEST_CASE("document data round-trips every field") {
    wiredesk::Article article;
    article.id = "x-1";
    article.title = "Talks in Abu Dhabi";
    article.body = "First.\nSecond “quoted”.";
    article.source = "ETV Bharat";
    article.url = "https://example.com/a";
    article.language = "en";
    article.path = "/archive/a.jsonl";
    article.line = 7;
    article.date = 1769212800;  // 2026-01-24T00:00:00Z
    const auto back = schema::decode_article_data(schema::encode_article_data(article));
    CHECK(back.id == article.id);
    CHECK(back.title == article.title);
    CHECK(back.body == article.body);
    CHECK(back.source == article.source);
    CHECK(back.url == article.url);
    CHECK(back.language == "en");
    CHECK(back.path == article.path);
    CHECK(back.line == std::optional<std::size_t>(7));
    CHECK(back.date == article.date);

    // Lists of reports decode everything but the body.
    const auto metadata = schema::decode_article_metadata(schema::encode_article_data(article));
    CHECK(metadata.body.empty());
    CHECK(metadata.id == article.id);
    CHECK(metadata.title == article.title);
    CHECK(metadata.source == article.source);
    CHECK(metadata.line == std::optional<std::size_t>(7));
    CHECK(metadata.date == article.date);
}

TEST_CASE("document data with escapes, unknown fields and no date decodes, and malformed data is "
          "refused with a clear error") {
    const auto article = schema::decode_article_data(
        R"({"id":"a\"b","body":"line\none \u00e9\ud83d\ude00","extra":[1,{"x":2}],"lang":"fr"})");
    CHECK(article.id == "a\"b");
    CHECK(article.body == "line\none \u00e9\U0001F600");
    CHECK(article.language == "fr");
    CHECK_FALSE(article.date.has_value());
    CHECK_FALSE(article.line.has_value());
    for (const std::string_view bad : {"", "not json", R"({"id": "x")", R"(["id"])",
                                       R"({"id": 5})", R"({"line": "seven"})"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH_AS(schema::decode_article_data(bad),
                             doctest::Contains("malformed document data"), wiredesk::Error);
    }
}

TEST_CASE("a new database is stamped with the schema version") {
    wiredesk::test::TempDir dir;
    const std::string path = (dir / "db").string();
    { auto database = wiredesk::open_database_for_writing(path); }
    Xapian::Database database(path);
    CHECK(database.get_metadata(std::string(schema::kVersionKey)) == schema::kVersion);
}

TEST_CASE("a database of another schema version is refused, for writing and for reading") {
    wiredesk::test::TempDir dir;
    const std::string path = (dir / "db").string();
    {
        Xapian::WritableDatabase database(path, Xapian::DB_CREATE);
        database.set_metadata(std::string(schema::kVersionKey), "0");
        Xapian::Document document;
        document.add_term("old");
        database.add_document(document);
        database.commit();
    }
    CHECK_THROWS_AS(wiredesk::open_database_for_writing(path), wiredesk::SchemaMismatch);
    CHECK_THROWS_AS(wiredesk::open_database_for_reading({path}), wiredesk::SchemaMismatch);
    // Nothing was written by the refusal.
    CHECK(Xapian::Database(path).get_doccount() == 1);
    CHECK(Xapian::Database(path).get_metadata(std::string(schema::kVersionKey)) == "0");
}

TEST_CASE("opening a missing database for reading names the path") {
    try {
        wiredesk::open_database_for_reading({"/nonexistent/wiredesk.db"});
        FAIL("expected an error");
    } catch (const wiredesk::DatabaseError& error) {
        CHECK(std::string(error.what()).find("/nonexistent/wiredesk.db") != std::string::npos);
    }
}

TEST_CASE("a second writer is refused with a clear message while the first holds the lock") {
    wiredesk::test::TempDir dir;
    const std::string path = (dir / "db").string();
    auto first = wiredesk::open_database_for_writing(path);
    try {
        wiredesk::open_database_for_writing(path);
        FAIL("expected an error");
    } catch (const wiredesk::DatabaseError& error) {
        CHECK(std::string(error.what()).find("another indexer") != std::string::npos);
    }
}
