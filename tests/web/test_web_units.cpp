// The server's parts that need no socket: parameter parsing, the rate limiter, the asset set.

#include <doctest/doctest.h>

#include "wiredesk/web/api.hpp"
#include "wiredesk/web/assets.hpp"
#include "wiredesk/web/rate_limiter.hpp"
#include "wiredesk/web/server.hpp"

namespace web = wiredesk::web;
namespace search = wiredesk::searcher;
using namespace std::chrono_literals;

namespace {

std::string parameter_of_error(const web::Params& params, const web::ApiLimits& limits = {}) {
    try {
        (void)web::parse_search_params(params, limits);
    } catch (const web::ParameterError& error) {
        return error.parameter();
    }
    return "";
}

}  // namespace

TEST_CASE("search parameters map onto the searcher's Request") {
    const web::SearchParams params = web::parse_search_params({
        {"q", "peace talks"}, {"source", "AFP"}, {"source", "ETV Bharat"}, {"source", " "},
        {"lang", "en"}, {"from", "2026-01"}, {"to", "2026-02-10"}, {"sort", "newest"},
        {"offset", "20"}, {"limit", "5"}, {"histogram", "week"}, {"group", "story"},
        {"unknown", "ignored"},
    });
    const search::Request& r = params.request;
    CHECK(r.query == "peace talks");
    CHECK(r.sources == std::vector<std::string>{"AFP", "ETV Bharat"});
    CHECK(r.languages == std::vector<std::string>{"en"});
    CHECK(r.since == "2026-01");
    CHECK(r.until == "2026-02-10");
    CHECK(r.sort == search::SortOrder::kNewest);
    CHECK(r.offset == 20);
    CHECK(r.limit == 5);
    CHECK(r.date_bucket == search::DateBucket::kWeek);
    CHECK(params.group == web::GroupLevel::kStory);
    CHECK(r.group == search::GroupLevel::kStory);
}

TEST_CASE("query strings decode as browsers encode them") {
    const web::Params params =
        web::parse_query_string("q=peace+talks%21&source=ETV%20Bharat&source=AFP&empty&=x&bad=%zz%4");
    CHECK(params.count("q") == 1);
    CHECK(params.find("q")->second == "peace talks!");
    CHECK(params.count("source") == 2);
    CHECK(params.find("source")->second == "ETV Bharat");
    CHECK(params.find("empty")->second.empty());
    CHECK(params.find("bad")->second == "%zz%4");
    CHECK(params.count("") == 0);
    CHECK(web::parse_query_string("").empty());
    CHECK(web::parse_query_string("&&&").empty());
    CHECK(web::parse_query_string("q=%2B1").find("q")->second == "+1");
}

TEST_CASE("defaults when parameters are absent") {
    const web::SearchParams params = web::parse_search_params({{"q", "x"}});
    CHECK(params.request.limit == 10);
    CHECK(params.request.offset == 0);
    CHECK(params.request.sort == search::SortOrder::kRelevance);
    CHECK(params.request.date_bucket == search::DateBucket::kAuto);
    // Like wiredesk-search: one result per story unless told otherwise.
    CHECK(params.group == web::GroupLevel::kStory);
    CHECK(params.request.group == search::GroupLevel::kStory);
    CHECK(params.request.facet_counting == search::FacetCounting::kReports);
}

TEST_CASE("each malformed parameter is named") {
    CHECK(parameter_of_error({{"limit", "ten"}}) == "limit");
    CHECK(parameter_of_error({{"limit", "101"}}) == "limit");
    CHECK(parameter_of_error({{"limit", ""}}) == "limit");
    CHECK(parameter_of_error({{"offset", "+3"}}) == "offset");
    CHECK(parameter_of_error({{"offset", "3 "}}) == "offset");
    CHECK(parameter_of_error({{"sort", "Newest"}}) == "sort");
    CHECK(parameter_of_error({{"group", ""}}) == "group");
    CHECK(parameter_of_error({{"facets", "stories"}}) == "facets");
    CHECK(parameter_of_error({{"histogram", "hour"}}) == "histogram");
    CHECK(parameter_of_error({{"from", "2026-02-30"}}) == "from");
    CHECK(parameter_of_error({{"to", "soon"}}) == "to");
    CHECK(parameter_of_error({{"lang", "e n"}}) == "lang");
    CHECK(parameter_of_error({{"q", "a"}, {"q", "b"}}) == "q");
    CHECK(parameter_of_error({{"source", "\xC3"}}) == "source");
    web::ApiLimits small;
    small.max_query_bytes = 4;
    small.max_filter_values = 1;
    CHECK(parameter_of_error({{"q", "12345"}}, small) == "q");
    CHECK(parameter_of_error({{"q", "1234"}}, small).empty());
    CHECK(parameter_of_error({{"source", "a"}, {"source", "b"}}, small) == "source");
}

TEST_CASE("/api/group/{id} takes level=copy|story, story by default, and names a bad level") {
    CHECK(web::parse_group_params({}) == web::GroupLevel::kStory);
    CHECK(web::parse_group_params({{"level", "copy"}}) == web::GroupLevel::kCopy);
    CHECK(web::parse_group_params({{"level", "story"}}) == web::GroupLevel::kStory);
    for (const web::Params& bad : {web::Params{{"level", "none"}}, web::Params{{"level", "Copy"}},
                                   web::Params{{"level", "copy"}, {"level", "story"}}}) {
        std::string parameter;
        try {
            (void)web::parse_group_params(bad);
        } catch (const web::ParameterError& error) {
            parameter = error.parameter();
        }
        CHECK(parameter == "level");
    }
}

TEST_CASE("the rate limiter allows a burst, then the steady rate, per client") {
    web::RateLimiter limiter(2, 4);
    const auto t0 = web::RateLimiter::Clock::time_point{} + 1h;
    int allowed = 0;
    for (int i = 0; i < 10; ++i) allowed += limiter.allow("a", t0) ? 1 : 0;
    CHECK(allowed == 4);
    CHECK(limiter.allow("b", t0));  // another client has its own bucket
    CHECK(!limiter.allow("a", t0 + 100ms));
    CHECK(limiter.allow("a", t0 + 600ms));  // 2 per second: one more after half a second
    web::RateLimiter unlimited(0, 0);
    for (int i = 0; i < 1000; ++i) REQUIRE(unlimited.allow("a", t0));
}

TEST_CASE("the rate limiter keeps a bounded number of clients") {
    web::RateLimiter limiter(1, 1, 8);
    const auto t0 = web::RateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 1000; ++i) CHECK(limiter.allow("client" + std::to_string(i), t0));
}

TEST_CASE("assets: the embedded set, by exact name only") {
    for (const char* name : {"index.html", "app.js", "style.css", "favicon.svg"}) {
        CAPTURE(name);
        const auto asset = web::find_asset(name);
        REQUIRE(asset);
        CHECK(!asset->content.empty());
    }
    CHECK(web::find_asset("index.html")->content_type == "text/html; charset=utf-8");
    CHECK(web::find_asset("app.js")->content_type == "text/javascript; charset=utf-8");
    for (const char* name : {"", "/app.js", "../app.js", "./app.js", "APP.JS", "app.js/",
                             "CMakeLists.txt", "assets/app.js"}) {
        CAPTURE(name);
        CHECK(!web::find_asset(name));
        CHECK(!web::find_asset(name, "/"));
    }
}

TEST_CASE("loopback addresses") {
    CHECK(web::is_loopback("127.0.0.1"));
    CHECK(web::is_loopback("127.1.2.3"));
    CHECK(web::is_loopback("::1"));
    CHECK(web::is_loopback("localhost"));
    CHECK(!web::is_loopback("0.0.0.0"));
    CHECK(!web::is_loopback("::"));
    CHECK(!web::is_loopback("192.168.1.10"));
}
