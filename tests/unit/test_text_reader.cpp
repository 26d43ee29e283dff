#include <doctest/doctest.h>

#include <vector>

#include "wiredesk/indexer/text_reader.hpp"

using wiredesk::Article;
using wiredesk::InputError;
using wiredesk::indexer::SourceText;
using wiredesk::indexer::TextReader;

namespace {

std::vector<Article> read_text(std::string_view content, std::string name = "a.txt") {
    TextReader reader;
    std::vector<Article> articles;
    reader.read(SourceText{"/archive/" + name, name, content},
                [&](Article&& article) { articles.push_back(std::move(article)); },
                [](const InputError& problem) { FAIL(problem.what()); });
    return articles;
}

}  // namespace

TEST_CASE("text: a leading metadata line gives date and source, then headline and body") {
    const auto articles = read_text(
        " date 2026-01-25 ETV Bharat / international\n\n"
        "US Says Russia, Ukraine Took 'Big Step', Will Meet Again Next Week\n\n"
        "Abu Dhabi: Ukraine and Russia agreed on Saturday to meet again.\n"
        "The talks were described as constructive.\n");
    REQUIRE(articles.size() == 1);
    CHECK(articles[0].date_text == "2026-01-25");
    CHECK(articles[0].source == "ETV Bharat");
    CHECK(articles[0].title == "US Says Russia, Ukraine Took 'Big Step', Will Meet Again Next Week");
    CHECK(articles[0].body ==
          "Abu Dhabi: Ukraine and Russia agreed on Saturday to meet again.\n"
          "The talks were described as constructive.");
}

TEST_CASE("text: a file that starts with a paragraph has no headline") {
    const auto articles = read_text(
        "The United States says Russia and Ukraine have taken a big step after agreeing to meet.\n"
        "The next meeting is scheduled for February 1.\n");
    REQUIRE(articles.size() == 1);
    CHECK(articles[0].title.empty());
    CHECK(articles[0].date_text.empty());
    CHECK(articles[0].body.rfind("The United States says", 0) == 0);
}

TEST_CASE("text: a headline after leading blank lines is found") {
    const auto articles = read_text("\nRussia, Ukraine hold talks in Abu Dhabi\nEnvoys met on Wednesday.\n");
    REQUIRE(articles.size() == 1);
    CHECK(articles[0].title == "Russia, Ukraine hold talks in Abu Dhabi");
    CHECK(articles[0].body == "Envoys met on Wednesday.");
}

TEST_CASE("text: a one-line file is body, not a headline") {
    const auto articles = read_text("Flash: markets closed early\n");
    REQUIRE(articles.size() == 1);
    CHECK(articles[0].title.empty());
    CHECK(articles[0].body == "Flash: markets closed early");
}

TEST_CASE("text: mail-style header lines give title, date, source and URL") {
    const auto articles = read_text(
        "Title: Port strike ends\r\nDate: Jan. 24, 2026\r\nSource: Harbor Wire\r\n"
        "URL: https://harborwire.example/strike\r\n\r\nDock workers returned on Monday.\r\n");
    REQUIRE(articles.size() == 1);
    CHECK(articles[0].title == "Port strike ends");
    CHECK(articles[0].date_text == "Jan. 24, 2026");
    CHECK(articles[0].source == "Harbor Wire");
    CHECK(articles[0].url == "https://harborwire.example/strike");
    CHECK(articles[0].body == "Dock workers returned on Monday.");
}

TEST_CASE("text: prose starting with the word date is not metadata") {
    const auto articles = read_text("Date night ideas for the city\n\nA guide to restaurants.\n");
    REQUIRE(articles.size() == 1);
    CHECK(articles[0].date_text.empty());
    CHECK(articles[0].title == "Date night ideas for the city");
}

TEST_CASE("text: invalid UTF-8 spoils the file with its line number") {
    TextReader reader;
    const std::string content = "Headline\n\nGood line.\nBad \xff\xfe line.\n";
    try {
        reader.read(SourceText{"/archive/bad.txt", "bad.txt", content}, [](Article&&) {},
                    [](const InputError&) {});
        FAIL("expected an error");
    } catch (const InputError& error) {
        CHECK(error.path() == "/archive/bad.txt");
        CHECK(error.line() == std::optional<std::size_t>(4));
        CHECK(error.reason().find("invalid UTF-8") != std::string::npos);
    }
}

TEST_CASE("text: binary content is not claimed, text of any name is, .txt most") {
    TextReader reader;
    const std::string binary("\x01\x02\x00\x03", 4);
    CHECK(reader.confidence(SourceText{"b", "b.bin", binary}) == 0);
    CHECK(reader.confidence(SourceText{"a", "a.txt", "hello"}) > reader.confidence(SourceText{"a", "a", "hello"}));
    CHECK(reader.confidence(SourceText{"a", "a", "hello"}) > 0);
}
