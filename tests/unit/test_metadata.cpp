#include <doctest/doctest.h>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/indexer/metadata.hpp"

using wiredesk::Article;
using wiredesk::indexer::MetadataOptions;
using wiredesk::indexer::resolve_metadata;
using wiredesk::indexer::url_host;

namespace {

Article english(std::string id = "", std::string url = "", std::string source = "") {
    Article article;
    article.id = std::move(id);
    article.url = std::move(url);
    article.source = std::move(source);
    article.path = "/archive/feed.jsonl";
    article.line = 12;
    article.title = "Talks end without a deal";
    article.body = "Negotiators met for two days in the capital and agreed to meet again next week.";
    return article;
}

}  // namespace

TEST_CASE("the id is the input's id, else its URL, else its path and line") {
    MetadataOptions options;
    Article with_id = english("afp-1", "https://example.com/a");
    resolve_metadata(with_id, options);
    CHECK(with_id.id == "afp-1");
    Article with_url = english("", "https://example.com/a");
    resolve_metadata(with_url, options);
    CHECK(with_url.id == "https://example.com/a");
    Article bare = english();
    resolve_metadata(bare, options);
    CHECK(bare.id == "/archive/feed.jsonl:12");
}

TEST_CASE("the source is the input's, else the URL's host, else --source") {
    MetadataOptions options;
    options.default_source = "My Archive";
    Article named = english("", "https://www.example.com/a", "Harbor Wire");
    resolve_metadata(named, options);
    CHECK(named.source == "Harbor Wire");
    Article hosted = english("", "https://www.Example.com:8080/a?x=1");
    resolve_metadata(hosted, options);
    CHECK(hosted.source == "example.com");
    Article bare = english();
    resolve_metadata(bare, options);
    CHECK(bare.source == "My Archive");
}

TEST_CASE("dates are parsed to UTC and never invented") {
    MetadataOptions options;
    Article dated = english();
    dated.date_text = "2026-01-24T10:30:00+04:00";
    resolve_metadata(dated, options);
    REQUIRE(dated.date);
    CHECK(*dated.date == 1769236200);  // 2026-01-24T06:30:00Z
    Article undated = english();
    resolve_metadata(undated, options);
    CHECK_FALSE(undated.date);
}

TEST_CASE("--date-from-mtime dates only undated articles, with the file's time") {
    MetadataOptions options;
    options.date_from_mtime = true;
    options.file_mtime = 1700000000;
    Article undated = english();
    resolve_metadata(undated, options);
    CHECK(undated.date == std::optional<wiredesk::UnixTime>(1700000000));
    Article dated = english();
    dated.date_text = "2026-01-24";
    resolve_metadata(dated, options);
    CHECK(dated.date == std::optional<wiredesk::UnixTime>(1769212800));
}

TEST_CASE("an impossible or unrecognised date is an error naming the file and line") {
    MetadataOptions options;
    Article impossible = english();
    impossible.date_text = "2026-02-30";
    CHECK_THROWS_WITH_AS(resolve_metadata(impossible, options),
                         doctest::Contains("/archive/feed.jsonl:12: "), wiredesk::InputError);
    Article garbage = english();
    garbage.date_text = "yesterday-ish";
    CHECK_THROWS_WITH_AS(resolve_metadata(garbage, options),
                         doctest::Contains("unrecognised date 'yesterday-ish'"),
                         wiredesk::InputError);
}

TEST_CASE("the language is detected unless declared") {
    MetadataOptions options;
    Article detected = english();
    resolve_metadata(detected, options);
    CHECK(detected.language == "en");
    Article declared = english();
    declared.language = "en-GB";
    resolve_metadata(declared, options);
    CHECK(declared.language == "en");
}

TEST_CASE("URL hosts lose www and ports, and non-URLs have none") {
    CHECK(url_host("https://www.bbc.co.uk/news/1") == "bbc.co.uk");
    CHECK(url_host("http://user@Example.com:80/") == "example.com");
    CHECK(url_host("not a url").empty());
}
