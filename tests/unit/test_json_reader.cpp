#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wiredesk/indexer/json_reader.hpp"

using wiredesk::Article;
using wiredesk::InputError;
using wiredesk::indexer::JsonReader;
using wiredesk::indexer::SourceText;

namespace {

struct ReadResult {
    std::vector<Article> articles;
    std::vector<InputError> problems;
};

SourceText source_named(const std::string& name, std::string_view content) {
    return SourceText{"in/" + name, name, content};
}

ReadResult read_json(std::string_view content, const std::string& name = "feed.jsonl") {
    ReadResult result;
    JsonReader().read(
        source_named(name, content),
        [&result](Article&& article) { result.articles.push_back(std::move(article)); },
        [&result](const InputError& problem) { result.problems.push_back(problem); });
    return result;
}

/// The one article of a one-record input.
Article read_one(std::string_view content, const std::string& name = "feed.jsonl") {
    ReadResult result = read_json(content, name);
    REQUIRE(result.problems.empty());
    REQUIRE(result.articles.size() == 1);
    return result.articles.front();
}

int confidence_of(const std::string& name, std::string_view content) {
    return JsonReader().confidence(source_named(name, content));
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

}  // namespace

TEST_CASE("JsonReader is named json") { CHECK(JsonReader().name() == "json"); }

TEST_CASE("JSON confidence: 90 for .json/.jsonl/.ndjson names that open with a bracket") {
    CHECK(confidence_of("a.jsonl", "{\"title\": \"x\"}\n") == 90);
    CHECK(confidence_of("a.ndjson", "  {\"title\": \"x\"}\n") == 90);
    CHECK(confidence_of("a.json", "[\n  {\"title\": \"x\"}\n]") == 90);
    CHECK(confidence_of("a.json", "\xEF\xBB\xBF{\"title\": \"x\"}") == 90);  // after a BOM
    CHECK(confidence_of("a.json", "hello") == 0);
    CHECK(confidence_of("a.json", "") == 0);
}

TEST_CASE("JSON confidence: 70 for other names whose content opens like JSON") {
    CHECK(confidence_of("dump", "{\"title\": \"x\"}\n{\"title\": \"y\"}\n") == 70);
    CHECK(confidence_of("dump.txt", "[\n {\"title\": \"x\"}\n]") == 70);
    CHECK(confidence_of("dump.txt", "{\n  \"title\": \"x\"\n}") == 70);
    CHECK(confidence_of("dump.txt", "[1, 2]\n") == 70);  // the first line parses
}

TEST_CASE("JSON confidence: 0 for text that only starts with a bracket") {
    CHECK(confidence_of("story.txt", "[Updated] Markets fell today.\nMore text.") == 0);
    CHECK(confidence_of("story.txt", "{Editor's note} This story...") == 0);
    CHECK(confidence_of("story.txt", "Markets fell today.") == 0);
    CHECK(confidence_of("page.html", "<html><body>{</body></html>") == 0);
}

TEST_CASE("JSON Lines: every field of a record is read, with its line and path") {
    const Article article = read_one(
        R"({"id": "a1", "title": " Storm hits coast ", "text": "First.\nSecond.",)"
        R"( "date": "2026-01-24T10:30:00Z", "source": "Reuters",)"
        R"( "url": "https://example.com/a1", "language": "en"})"
        "\n");
    CHECK(article.id == "a1");
    CHECK(article.title == "Storm hits coast");
    CHECK(article.body == "First.\nSecond.");
    CHECK(article.date_text == "2026-01-24T10:30:00Z");
    CHECK(article.source == "Reuters");
    CHECK(article.url == "https://example.com/a1");
    CHECK(article.language == "en");
    CHECK(article.path == "in/feed.jsonl");
    REQUIRE(article.line.has_value());
    CHECK(*article.line == 1);
    CHECK_FALSE(article.date.has_value());  // the indexer parses dates, not the reader
}

TEST_CASE("JSON Lines: every alternative title and body name is read") {
    CHECK(read_one(R"({"headline": "H", "text": "b"})").title == "H");
    CHECK(read_one(R"({"name": "N", "text": "b"})").title == "N");
    CHECK(read_one(R"({"title": "t", "body": "B"})").body == "B");
    CHECK(read_one(R"({"title": "t", "content": "C"})").body == "C");
    CHECK(read_one(R"({"title": "t", "article": "A"})").body == "A");
    CHECK(read_one(R"({"title": "t", "articleBody": "AB"})").body == "AB");
    CHECK(read_one(R"({"title": "t", "description": "D"})").body == "D");
    CHECK(read_one(R"({"title": "t", "summary": "S"})").body == "S");
}

TEST_CASE("JSON Lines: every alternative date name is read as written") {
    for (const std::string key : {"date", "published", "publishedAt", "published_at", "pubDate",
                                  "datePublished", "publish_date", "timestamp", "created_at"}) {
        CAPTURE(key);
        const Article article =
            read_one(R"({"title": "t", ")" + key + R"(": " Jan. 24, 2026 "})");
        CHECK(article.date_text == "Jan. 24, 2026");
    }
}

TEST_CASE("JSON Lines: every alternative source, url, id and language name is read") {
    for (const std::string key : {"source", "site", "outlet", "publisher", "source_name",
                                  "sitename"}) {
        CAPTURE(key);
        CHECK(read_one(R"({"title": "t", ")" + key + R"(": "ETV Bharat"})").source ==
              "ETV Bharat");
    }
    for (const std::string key : {"url", "link", "canonical_url", "href"}) {
        CAPTURE(key);
        CHECK(read_one(R"({"title": "t", ")" + key + R"(": "https://x.test/1"})").url ==
              "https://x.test/1");
    }
    for (const std::string key : {"id", "uid", "guid", "_id", "article_id"}) {
        CAPTURE(key);
        CHECK(read_one(R"({"title": "t", ")" + key + R"(": "k-9"})").id == "k-9");
    }
    for (const std::string key : {"language", "lang", "locale"}) {
        CAPTURE(key);
        CHECK(read_one(R"({"title": "t", ")" + key + R"(": "de"})").language == "de");
    }
}

TEST_CASE("JSON Lines: the earlier name wins and a null or empty value gives way to the next") {
    const Article both = read_one(
        R"({"headline": "H", "title": "T", "summary": "S", "text": "X", "uid": "u", "id": "i"})");
    CHECK(both.title == "T");
    CHECK(both.body == "X");
    CHECK(both.id == "i");
    const Article fallback =
        read_one(R"({"title": null, "headline": "H", "text": "", "body": "B", "date": null,)"
                 R"( "published": "2026-01-24"})");
    CHECK(fallback.title == "H");
    CHECK(fallback.body == "B");
    CHECK(fallback.date_text == "2026-01-24");
}

TEST_CASE("JSON Lines: field names are matched case-insensitively") {
    const Article article =
        read_one(R"({"Title": "T", "ArticleBody": "B", "PublishedAt": "2026-01-24", "URL": "u"})");
    CHECK(article.title == "T");
    CHECK(article.body == "B");
    CHECK(article.date_text == "2026-01-24");
    CHECK(article.url == "u");
}

TEST_CASE("JSON Lines: name is a title only next to a text field") {
    // After an article, a record with only a name is a problem on its line.
    const auto alone = read_json("{\"title\": \"t\"}\n{\"name\": \"Reuters\", \"id\": 3}\n");
    CHECK(alone.articles.size() == 1);
    REQUIRE(alone.problems.size() == 1);
    CHECK(alone.problems[0].line() == std::optional<std::size_t>(2));
    // As the first record, it makes the file a non-article file.
    CHECK_THROWS(read_json(R"({"name": "Reuters", "id": 3})"));
    const auto with_text = read_one(R"({"name": "Quake", "text": "It shook."})");
    CHECK(with_text.title == "Quake");
    // A real title beats name.
    CHECK(read_one(R"({"name": "N", "title": "T", "text": "b"})").title == "T");
}

TEST_CASE("JSON Lines: a numeric timestamp is not taken as a date") {
    CHECK(read_one(R"({"title": "t", "timestamp": 1769250600})").date_text.empty());
    CHECK(read_one(R"({"title": "t", "timestamp": 1769250600, "created_at": "2026-01-24"})")
              .date_text == "2026-01-24");
}

TEST_CASE("JSON Lines: a source object gives its name or title") {
    CHECK(read_one(R"({"title": "t", "source": {"id": "reuters", "name": "Reuters"}})").source ==
          "Reuters");
    CHECK(read_one(R"({"title": "t", "publisher": {"Title": "AP"}})").source == "AP");
    CHECK(read_one(R"({"title": "t", "source": {"id": "x"}, "site": "Site"})").source == "Site");
}

TEST_CASE("JSON Lines: numeric ids become their decimal string") {
    CHECK(read_one(R"({"title": "t", "id": 42})").id == "42");
    CHECK(read_one(R"({"title": "t", "id": -7})").id == "-7");
    CHECK(read_one(R"({"title": "t", "id": 18446744073709551615})").id ==
          "18446744073709551615");
    CHECK(read_one(R"({"title": "t", "id": 3.0})").id == "3");
    CHECK(read_one(R"({"title": "t", "article_id": 12})").id == "12");
}

TEST_CASE("JSON Lines: a body array is paragraphs joined by newlines") {
    const Article article = read_one(
        R"({"title": "t", "text": ["First  para.", "  ", "Second\tpara. ", 7, "Third\nFourth"]})");
    CHECK(article.body == "First para.\nSecond para.\nThird\nFourth");
}

TEST_CASE("JSON Lines: white space is collapsed within paragraphs and newlines kept between") {
    const Article article = read_one(
        "{\"title\": \"  Two\\n  lines \", \"text\": \"  a  b \\r\\n\\n\\n c\\u00a0\\td \\n\"}");
    CHECK(article.title == "Two lines");
    CHECK(article.body == "a b\nc d");
}

TEST_CASE("JSON Lines: languages are cut to their two-letter code") {
    CHECK(read_one(R"({"title": "t", "lang": "en-US"})").language == "en");
    CHECK(read_one(R"({"title": "t", "locale": "fr_FR"})").language == "fr");
    CHECK(read_one(R"({"title": "t", "language": "DE"})").language == "de");
    CHECK(read_one(R"({"title": "t", "language": "english"})").language.empty());
    CHECK(read_one(R"({"title": "t", "language": "eng", "lang": "es"})").language == "es");
}

TEST_CASE("JSON Lines: a malformed line is reported with its line number and the rest is read") {
    const std::string content =
        "{\"title\": \"one\"}\n"
        "{\"title\": \"two\", \"text\": }\n"
        "\n"
        "{\"title\": \"four\"}\n"
        "{\"title\": \"five\"} trailing\n"
        "{\"title\": \"six\"}";  // no final newline
    const ReadResult result = read_json(content);
    REQUIRE(result.articles.size() == 3);
    CHECK(result.articles[0].title == "one");
    CHECK(*result.articles[0].line == 1);
    CHECK(*result.articles[1].line == 4);
    CHECK(result.articles[2].title == "six");
    CHECK(*result.articles[2].line == 6);
    REQUIRE(result.problems.size() == 2);
    CHECK(result.problems[0].line() == std::optional<std::size_t>(2));
    CHECK(result.problems[0].path() == "in/feed.jsonl");
    CHECK(result.problems[0].reason().starts_with("malformed JSON at column 26: "));
    CHECK(result.problems[1].line() == std::optional<std::size_t>(5));
    CHECK(contains(result.problems[1].reason(), "malformed JSON"));
    CHECK(std::string(result.problems[0].what()).starts_with("in/feed.jsonl:2: malformed JSON"));
}

TEST_CASE("JSON Lines: invalid UTF-8 in a line is a problem for that line only") {
    const std::string content =
        "{\"title\": \"ok\"}\n"
        "{\"title\": \"caf\xE9\"}\n"
        "{\"title\": \"also ok\"}\n";
    const ReadResult result = read_json(content);
    REQUIRE(result.articles.size() == 2);
    CHECK(result.articles[1].title == "also ok");
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].line() == std::optional<std::size_t>(2));
    CHECK(result.problems[0].reason() == "invalid UTF-8 at column 15");
}

TEST_CASE("JSON Lines: a record with no article fields, and a line that is no object, are "
          "problems") {
    const ReadResult result = read_json(
        "{\"text\": \"first\"}\n"
        "{\"id1\": \"a\", \"id2\": \"b\", \"jaccard\": 0.9}\n"
        "42\n"
        "{\"text\": \"kept\"}\n");
    REQUIRE(result.articles.size() == 2);
    CHECK(*result.articles[1].line == 4);
    REQUIRE(result.problems.size() == 2);
    CHECK(result.problems[0].line() == std::optional<std::size_t>(2));
    CHECK(result.problems[0].reason() ==
          "no title or text field (looked for title/headline, text/body/content)");
    CHECK(result.problems[1].line() == std::optional<std::size_t>(3));
    CHECK(result.problems[1].reason() == "not a JSON object (found a number)");
}

TEST_CASE("JSON Lines: a file whose first record has no article field is not an article file") {
    // A list of id pairs beside the articles: one message for the file, not one per line.
    try {
        read_json("{\"id1\": \"a\", \"id2\": \"b\", \"jaccard_5gram\": 0.9}\n"
                  "{\"id1\": \"c\", \"id2\": \"d\", \"jaccard_5gram\": 0.8}\n",
                  "pairs.jsonl");
        FAIL("expected an error");
    } catch (const InputError& error) {
        CHECK(error.line() == std::optional<std::size_t>(1));
        CHECK(error.reason().rfind("not an article file", 0) == 0);
    }
}

TEST_CASE("JSON Lines: a record whose title and text are null is indexed with its metadata") {
    // Real archives hold such husks (timeline17 has two dozen): they are articles, as they are.
    const ReadResult result = read_json(
        "{\"id\": \"t-4\", \"title\": null, \"text\": null, \"date\": \"2011-01-25\"}\n");
    REQUIRE(result.articles.size() == 1);
    CHECK(result.problems.empty());
    CHECK(result.articles[0].id == "t-4");
    CHECK(result.articles[0].date_text == "2011-01-25");
    CHECK(result.articles[0].body.empty());
}

TEST_CASE("JSON Lines: CRLF line endings are read and lines still count") {
    const ReadResult result = read_json(
        "{\"title\": \"one\", \"text\": \"a\"}\r\n"
        "\r\n"
        "{\"title\": \"three\", \"source\": \"S\"}\r\n"
        "{broken\r\n");
    REQUIRE(result.articles.size() == 2);
    CHECK(result.articles[0].body == "a");
    CHECK(result.articles[1].title == "three");
    CHECK(result.articles[1].source == "S");
    CHECK(*result.articles[1].line == 3);
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].line() == std::optional<std::size_t>(4));
}

TEST_CASE("JSON Lines: a BOM before the first record is skipped") {
    const ReadResult result = read_json("\xEF\xBB\xBF{\"title\": \"one\"}\n{\"title\": \"two\"}\n");
    REQUIRE(result.articles.size() == 2);
    CHECK(result.problems.empty());
    CHECK(result.articles[0].title == "one");
}

TEST_CASE("JSON Lines: a .json file whose first line is a whole record is JSON Lines") {
    const ReadResult result = read_json("{\"title\": \"one\"}\n{\"title\": \"two\"}\n", "x.json");
    REQUIRE(result.articles.size() == 2);
    CHECK(*result.articles[1].line == 2);
}

TEST_CASE("JSON Lines: a broken first line does not make the file one broken document") {
    const ReadResult result =
        read_json("{\"title\": \"one\",\n{\"title\": \"two\"}\n{\"title\": \"three\"}\n", "x.json");
    REQUIRE(result.articles.size() == 2);
    CHECK(*result.articles[0].line == 2);
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].line() == std::optional<std::size_t>(1));
}

TEST_CASE("JSON Lines: a line wrapping an array under articles gives each element") {
    const ReadResult result =
        read_json(R"({"articles": [{"title": "a"}, {"title": "b"}], "count": 2})");
    REQUIRE(result.articles.size() == 2);
    CHECK(result.articles[1].title == "b");
    CHECK(*result.articles[1].line == 1);
}

TEST_CASE("JSON array: each element is an article with the line where it begins") {
    const std::string content =
        "[\n"
        "  {\"title\": \"one\", \"text\": \"1\"},\n"
        "  {\n"
        "    \"title\": \"two\",\n"
        "    \"id\": 2\n"
        "  }, {\"title\": \"three\"}\n"
        "]\n";
    const ReadResult result = read_json(content, "dump.json");
    CHECK(result.problems.empty());
    REQUIRE(result.articles.size() == 3);
    CHECK(result.articles[0].title == "one");
    CHECK(*result.articles[0].line == 2);
    CHECK(*result.articles[1].line == 3);
    CHECK(result.articles[1].id == "2");
    CHECK(*result.articles[2].line == 6);
    CHECK(result.articles[2].path == "in/dump.json");
}

TEST_CASE("JSON array: element lines stay right past strings holding brackets, quotes and "
          "backslashes") {
    const std::string content =
        "\xEF\xBB\xBF[{\"title\": \"a ] \\\" [ { \\\\\", "
        "\"n\": [1, {\"x\": \"}\"}], \"m\": -1.5e3},\n"
        "\n"
        "  {\"title\": \"b\\\\\"}, {\"title\": \"c\", \"flag\": true}]";
    const ReadResult result = read_json(content, "dump.json");
    CHECK(result.problems.empty());
    REQUIRE(result.articles.size() == 3);
    CHECK(result.articles[0].title == "a ] \" [ { \\");
    CHECK(*result.articles[0].line == 1);
    CHECK(result.articles[1].title == "b\\");
    CHECK(*result.articles[1].line == 3);
    CHECK(*result.articles[2].line == 3);
}

TEST_CASE("JSON array: elements that are not objects or hold no article are named by index") {
    const std::string content =
        "[\n"
        "  {\"title\": \"one\"},\n"
        "  \"stray\",\n"
        "  {\"id\": 3},\n"
        "  {\"title\": \"four\"}\n"
        "]";
    const ReadResult result = read_json(content, "dump.json");
    REQUIRE(result.articles.size() == 2);
    CHECK(result.articles[1].title == "four");
    CHECK(*result.articles[1].line == 5);
    REQUIRE(result.problems.size() == 2);
    CHECK(result.problems[0].reason() == "element 2: not a JSON object (found a string)");
    CHECK(result.problems[0].line() == std::optional<std::size_t>(3));
    CHECK(result.problems[1].reason() ==
          "element 3: no title or text field (looked for title/headline, text/body/content)");
    CHECK(result.problems[1].line() == std::optional<std::size_t>(4));
}

TEST_CASE("JSON array: a malformed document throws with the line of the error") {
    const std::string content = "[\n  {\"title\": \"one\"},\n  {\"title\": tru}\n]";
    try {
        read_json(content, "dump.json");
        FAIL("expected an InputError");
    } catch (const InputError& error) {
        CHECK(error.path() == "in/dump.json");
        CHECK(error.line() == std::optional<std::size_t>(3));
        CHECK(error.reason().starts_with("malformed JSON at column "));
        CHECK(contains(error.reason(), "invalid literal"));
    }
}

TEST_CASE("JSON array: invalid UTF-8 in a document throws with its line") {
    const std::string content = "[\n  {\"title\": \"one\"},\n  {\"title\": \"caf\xE9\"}\n]";
    try {
        read_json(content, "dump.json");
        FAIL("expected an InputError");
    } catch (const InputError& error) {
        CHECK(error.line() == std::optional<std::size_t>(3));
        CHECK(error.reason().starts_with("invalid UTF-8 at column 17"));
    }
}

TEST_CASE("JSON object: an array wrapped under articles/items/data/results is read") {
    for (const std::string key : {"articles", "items", "data", "results", "Articles"}) {
        CAPTURE(key);
        const std::string content = "{\n  \"status\": \"ok\",\n  \"" + key +
                                    "\": [\n    {\"title\": \"a\"},\n"
                                    "    {\"title\": \"b\", \"source\": {\"name\": \"AP\"}}\n"
                                    "  ]\n}\n";
        const ReadResult result = read_json(content, "api.json");
        CHECK(result.problems.empty());
        REQUIRE(result.articles.size() == 2);
        CHECK(result.articles[1].source == "AP");
        CHECK(*result.articles[0].line == 4);
        CHECK(*result.articles[1].line == 5);
    }
}

TEST_CASE("JSON object: a single pretty-printed object is one article without a line") {
    const Article article =
        read_one("{\n  \"headline\": \"Solo\",\n  \"body\": [\"p1\", \"p2\"]\n}\n", "one.json");
    CHECK(article.title == "Solo");
    CHECK(article.body == "p1\np2");
    CHECK_FALSE(article.line.has_value());
}

TEST_CASE("JSON object: a document with neither an article nor a wrapped array throws") {
    CHECK_THROWS_AS(read_json("{\n  \"status\": \"ok\",\n  \"count\": 0\n}", "api.json"),
                    InputError);
    CHECK_THROWS_AS(read_json("\"just a string\"", "x.json"), InputError);
}

TEST_CASE("JSON array: an empty array reads nothing and reports nothing") {
    const ReadResult result = read_json("[]", "x.json");
    CHECK(result.articles.empty());
    CHECK(result.problems.empty());
}
