// wiredesk-serve as a client sees it: a real server on an ephemeral loopback port, over an
// index of corpus/ built with wiredesk-index (docs/API.md).

#include <doctest/doctest.h>

#include <signal.h>

#include <set>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "server_process.hpp"
#include "test_support.hpp"

using nlohmann::json;
using wiredesk::test::bin_dir;
using wiredesk::test::CorpusArchive;
using wiredesk::test::run;
using wiredesk::test::ServerProcess;
using wiredesk::test::source_dir;
using wiredesk::test::TempDir;
using wiredesk::test::write_file;
using namespace std::chrono_literals;

namespace {

/// Percent-encodes everything but RFC 3986's unreserved characters.
std::string encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 15];
        }
    }
    return out;
}

/// A server over the corpus, and a client for it.
struct Fixture {
    CorpusArchive archive;
    ServerProcess server;
    httplib::Client client;

    explicit Fixture(std::vector<std::string> args = {}, std::vector<std::string> extra = {})
        : archive(extra), server(with_db(std::move(args), archive.db)),
          client(server.host(), server.port()) {
        client.set_connection_timeout(5s);
        client.set_read_timeout(10s);
        client.set_keep_alive(false);
        client.set_url_encode(false);  // the tests send query strings encoded as browsers do
    }

    static std::vector<std::string> with_db(std::vector<std::string> args, const std::string& db) {
        args.insert(args.begin(), {"--db", db});
        return args;
    }

    /// GET @p path; the status and the body parsed as JSON (null if it is not JSON).
    std::pair<int, json> get(const std::string& path) {
        const auto result = client.Get(path);
        REQUIRE_MESSAGE(result, "no answer for " << path);
        return {result->status, json::parse(result->body, nullptr, false)};
    }

    json search(const std::string& query_string) {
        auto [status, body] = get("/api/search?" + query_string);
        REQUIRE_MESSAGE(status == 200, query_string << ": " << body.dump());
        return body;
    }
};

/// A small extra input whose text is markup, to check that it comes back as data.
std::string write_markup_article(const TempDir& dir) {
    const auto path = dir / "markup" / "markup.jsonl";
    write_file(path,
               R"json({"id": "markup-1", "title": "<script>alert('x')</script> Harbour pilots & <b>tugs</b>", "text": "Pilots wrote <img src=x onerror=alert(1)> in the harbour log.\n\nA second paragraph about zanzibarian tugs.", "date": "2026-03-01", "source": "Test <Wire>", "url": "javascript:alert(1)", "lang": "en"})json"
               "\n");
    return path.parent_path().string();
}

}  // namespace

TEST_CASE("/api/search answers the same JSON as wiredesk-search --json") {
    Fixture f;
    // Each grouping level; "" is the default of both (story).
    for (const std::string level : {"", "none", "copy", "story"}) {
        CAPTURE(level);
        // "+" is a space in a query string, as browsers write it.
        const json api = f.search("q=rotterdam+strike&limit=5&sort=newest" +
                                  (level.empty() ? "" : "&group=" + level));
        std::vector<std::string> args = {"--db", f.archive.db, "--json", "--limit", "5",
                                         "--sort", "newest", "rotterdam strike"};
        if (!level.empty()) args.insert(args.end(), {"--group", level});
        const auto cli = run(bin_dir() / "wiredesk-search", args);
        REQUIRE(cli.exit_code == 0);
        json expected = json::parse(cli.out);
        // Timings differ from run to run; everything else is the same.
        json got = api;
        got.erase("timing");
        expected.erase("timing");
        for (auto* j : {&got, &expected}) {
            for (auto& hit : (*j)["results"]) hit.erase("score");
        }
        CHECK(got == expected);
        CHECK(api["timing"]["total_ms"].is_number());
        CHECK(api["query"] == "rotterdam strike");
        CHECK(api["limit"] == 5);
        CHECK(api["group"] == (level.empty() ? "story" : level));
        if (level == "none") CHECK(api["results"].size() == 5);
    }
}

TEST_CASE("source, lang, from, to, offset and limit narrow the results") {
    Fixture f;
    const json all = f.search("q=said&limit=100");
    REQUIRE(all["total"].get<int>() > 20);

    const json afp = f.search("q=said&source=AFP&limit=100");
    REQUIRE(afp["total"].get<int>() > 0);
    CHECK(afp["total"] < all["total"]);
    for (const auto& hit : afp["results"]) CHECK(hit["source"] == "AFP");

    const json two = f.search("q=said&source=AFP&source=Reuters&limit=100");
    CHECK(two["total"] > afp["total"]);

    const json german = f.search("lang=de&limit=100");
    REQUIRE(german["total"].get<int>() > 0);
    for (const auto& hit : german["results"]) CHECK(hit["lang"] == "de");

    const json february = f.search("q=said&from=2026-02-01&to=2026-02-28&limit=100");
    REQUIRE(february["total"].get<int>() > 0);
    for (const auto& hit : february["results"]) {
        REQUIRE(hit["date"].is_string());
        CHECK(hit["date"].get<std::string>() >= "2026-02-01");
        CHECK(hit["date"].get<std::string>() <= "2026-02-28");
    }

    const json page1 = f.search("q=said&limit=10");
    const json page2 = f.search("q=said&limit=10&offset=10");
    CHECK(page2["offset"] == 10);
    REQUIRE(page2["results"].size() == 10);
    CHECK(page2["results"][0]["rank"] == 11);
    std::set<std::string> ids;
    for (const auto& hit : page1["results"]) ids.insert(hit["id"]);
    for (const auto& hit : page2["results"]) CHECK(ids.count(hit["id"]) == 0);

    const json monthly = f.search("q=said&histogram=month");
    CHECK(monthly["facets"]["dates"]["bucket"] == "month");
}

TEST_CASE("bad parameters get 400 with a JSON error naming the parameter") {
    Fixture f;
    const std::string long_query(5000, 'a');
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"q=strike&limit=abc", "limit"},
        {"q=strike&limit=-1", "limit"},
        {"q=strike&limit=101", "limit"},
        {"q=strike&limit=99999999999999999999999", "limit"},
        {"q=strike&offset=-5", "offset"},
        {"q=strike&offset=1e3", "offset"},
        {"q=strike&offset=10001", "offset"},
        {"q=strike&offset=18446744073709551616", "offset"},
        {"q=strike&offset=-0", "offset"},
        {"q=strike&offset=", "offset"},
        {"q=strike&offset=%00", "offset"},
        {"q=strike&limit=+5", "limit"},
        {"q=strike&limit=%205", "limit"},
        {"q=strike&limit=0x10", "limit"},
        {"q=strike&limit=5.0", "limit"},
        {"q=strike&limit=1e2", "limit"},
        {"q=strike&sort=alphabetical", "sort"},
        {"q=strike&group=stories", "group"},
        {"q=strike&histogram=fortnight", "histogram"},
        {"q=strike&from=yesterday", "from"},
        {"q=strike&to=2026-13-40", "to"},
        {"q=strike&lang=" + encode("<script>"), "lang"},
        {"q=" + long_query, "q"},
        {"q=%FF%FE", "q"},
        {"q=strike&q=port", "q"},
        {"q=", "q"},
        {"", "q"},
        {"q=strike&source=" + std::string(300, 's'), "source"},
    };
    for (const auto& [query_string, parameter] : cases) {
        CAPTURE(query_string.substr(0, 80));
        const auto [status, body] = f.get("/api/search?" + query_string);
        CHECK(status == 400);
        REQUIRE(body.is_object());
        CHECK(body["parameter"] == parameter);
        CHECK(body["error"].is_string());
        CHECK(!body["error"].get<std::string>().empty());
    }
}

TEST_CASE("group=story|copy collapses the AFP copies into one hit carrying the exact group size") {
    Fixture f;
    const json none = f.search("q=rotterdam+strike&group=none&limit=100");
    const json copy = f.search("q=rotterdam+strike&group=copy&limit=100");
    const json story = f.search("q=rotterdam+strike&limit=100");  // story is the default
    CHECK(story["group"] == "story");
    CHECK(copy["group"] == "copy");
    CHECK(none["group"] == "none");
    // Under grouping, total counts groups and total_reports the reports, which are the same
    // whatever the grouping.
    CHECK(copy["total_reports"] == none["total"]);
    CHECK(story["total_reports"] == none["total"]);
    CHECK(copy["total"].get<int>() < none["total"].get<int>());
    CHECK(copy["total"] == copy["results"].size());
    CHECK(story["total"].get<int>() <= copy["total"].get<int>());

    // The six copies of the AFP wire story show once, with the group's exact size.
    const std::string afp_id = (source_dir() / "corpus/wire/afp_rotterdam_strike.txt").string();
    json afp_group;
    for (const auto& hit : copy["results"]) {
        if (hit["group"].is_object() && hit["group"]["earliest"]["id"] == afp_id) {
            CHECK(afp_group.is_null());  // only one hit stands for the group
            afp_group = hit["group"];
        }
    }
    REQUIRE(afp_group.is_object());
    CHECK(afp_group["level"] == "copy");
    CHECK(afp_group["size"] == 6);
    CHECK(afp_group["other_outlet_count"].get<int>() >= 4);
    CHECK(afp_group["earliest"]["source"] == "AFP");

    // /api/group/{id} lists the six, earliest first; the hit itself is among them.
    const auto [status, members] = f.get("/api/group/" + afp_group["id"].get<std::string>() + "?level=copy");
    REQUIRE(status == 200);
    CHECK(members["level"] == "copy");
    CHECK(members["id"] == afp_group["id"]);
    REQUIRE(members["members"].size() == 6);
    CHECK(members["size"] == 6);
    CHECK(members["members"][0]["id"] == afp_id);
    std::string previous;
    for (const auto& member : members["members"]) {
        const std::string date = member["datetime"].is_string() ? member["datetime"].get<std::string>() : "~";
        CHECK(previous <= date);
        previous = date;
    }
}

TEST_CASE("/api/group/{id}: unknown ids are 404, a bad level is 400") {
    Fixture f;
    for (const std::string& path : std::vector<std::string>{"/api/group/0000000000000000", "/api/group/some-group",
                                   "/api/group/", "/api/group/0000000000000000?level=copy",
                                   "/api/group/" + std::string(300, 'a')}) {
        CAPTURE(path);
        const auto [status, body] = f.get(path);
        CHECK(status == 404);
        CHECK(body["error"].is_string());
    }
    const auto [status, body] = f.get("/api/group/0000000000000000?level=none");
    CHECK(status == 400);
    CHECK(body["parameter"] == "level");
}

TEST_CASE("facets=groups counts stories, facets=reports counts articles, and says which") {
    Fixture f;
    const json reports = f.search("q=rotterdam+strike&group=copy&limit=0");
    const json groups = f.search("q=rotterdam+strike&group=copy&facets=groups&limit=0");
    CHECK(reports["facets"]["counted"] == "reports");
    CHECK(groups["facets"]["counted"] == "copies");
    int report_sum = 0;
    int group_sum = 0;
    for (const auto& language : reports["facets"]["languages"]) report_sum += language["count"].get<int>();
    for (const auto& language : groups["facets"]["languages"]) group_sum += language["count"].get<int>();
    CHECK(report_sum == reports["total_reports"]);
    CHECK(group_sum == groups["total"]);
    CHECK(group_sum < report_sum);
}

TEST_CASE("/api/article/{id} returns the whole stored article, and unknown ids are 404") {
    Fixture f;
    const json hits = f.search("q=rotterdam&limit=20");
    REQUIRE(hits["results"].size() > 2);
    // Ids are as varied as the inputs: feed ids, URLs, file paths (with slashes).
    for (const auto& hit : hits["results"]) {
        const std::string id = hit["id"];
        CAPTURE(id);
        const auto [status, article] = f.get("/api/article/" + encode(id));
        REQUIRE(status == 200);
        CHECK(article["id"] == id);
        CHECK(article["title"] == hit["title"]);
        CHECK(article["source"] == hit["source"]);
        CHECK(article["date"] == hit["date"]);
        CHECK(article["lang"] == hit["lang"]);
        CHECK(article["url"] == hit["url"]);
        CHECK(article["body"].get<std::string>().size() > hit["snippet"].get<std::string>().size() / 2);
    }
    for (const std::string id : {"no-such-article", "../../etc/passwd", "%00", "a%2Fb"}) {
        CAPTURE(id);
        const auto [status, body] = f.get("/api/article/" + id);
        CHECK(status == 404);
        CHECK(body["error"].is_string());
    }
    CHECK(f.get("/api/article/").first == 404);
}

TEST_CASE("/api/health gives the database path, the article count and the last commit") {
    Fixture f;
    const auto [status, health] = f.get("/api/health");
    REQUIRE(status == 200);
    CHECK(health["status"] == "ok");
    CHECK(health["articles"] == 53);
    CHECK(health["last_commit"].is_string());
    REQUIRE(health["databases"].size() == 1);
    CHECK(health["databases"][0]["path"] == f.archive.db);
    CHECK(health["databases"][0]["articles"] == 53);
    CHECK(health["grouping"] == true);
}

TEST_CASE("several --db are served as one archive") {
    CorpusArchive first;
    TempDir extra;
    const std::string second_db = (extra / "extra.db").string();
    write_markup_article(extra);
    REQUIRE(run(bin_dir() / "wiredesk-index",
                {"--db", second_db, "--quiet", (extra / "markup").string()})
                .exit_code == 0);
    ServerProcess server({"--db", first.db, "--db", second_db});
    httplib::Client client(server.host(), server.port());
    client.set_read_timeout(10s);
    client.set_url_encode(false);
    const auto health = client.Get("/api/health");
    REQUIRE(health);
    const json body = json::parse(health->body);
    CHECK(body["articles"] == 54);
    CHECK(body["databases"].size() == 2);
    const auto found = client.Get("/api/search?q=zanzibarian");
    REQUIRE(found);
    CHECK(json::parse(found->body)["total"] == 1);
    CHECK(client.Get("/api/article/markup-1")->status == 200);
}

TEST_CASE("a commit by the indexer shows up without a restart") {
    Fixture f;
    CHECK(f.search("q=zanzibarian")["total"] == 0);
    TempDir extra;
    f.archive.add({write_markup_article(extra)});
    CHECK(f.search("q=zanzibarian")["total"] == 1);
    CHECK(f.get("/api/health").second["articles"] == 54);
    CHECK(f.get("/api/article/markup-1").first == 200);
}

TEST_CASE("article text with markup comes back as data, escaped in snippet_html") {
    TempDir extra;
    Fixture f({}, {write_markup_article(extra)});
    const json found = f.search("q=harbour+pilots");
    REQUIRE(found["total"].get<int>() >= 1);
    const json* hit = nullptr;
    for (const auto& h : found["results"]) {
        if (h["id"] == "markup-1") hit = &h;
    }
    REQUIRE(hit != nullptr);
    CHECK((*hit)["title"].get<std::string>().find("<script>") == 0);
    const std::string html = (*hit)["snippet_html"];
    CHECK(html.find("<img") == std::string::npos);
    CHECK(html.find("&lt;img") != std::string::npos);
    const auto [status, article] = f.get("/api/article/markup-1");
    REQUIRE(status == 200);
    CHECK(article["url"] == "javascript:alert(1)");  // stored as given; the page never links it
}

TEST_CASE("the page and its assets come from the embedded set and nothing else") {
    Fixture f;
    const auto page = f.client.Get("/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type").find("text/html") == 0);
    CHECK(page->get_header_value("Content-Security-Policy").find("script-src 'self'") !=
          std::string::npos);
    CHECK(page->body.find("<script src=\"/app.js\"") != std::string::npos);
    for (const auto& [path, type] : std::vector<std::pair<std::string, std::string>>{
             {"/app.js", "text/javascript"}, {"/style.css", "text/css"},
             {"/favicon.svg", "image/svg+xml"}, {"/index.html", "text/html"}}) {
        CAPTURE(path);
        const auto asset = f.client.Get(path);
        REQUIRE(asset);
        CHECK(asset->status == 200);
        CHECK(asset->get_header_value("Content-Type").find(type) == 0);
        CHECK(asset->get_header_value("X-Content-Type-Options") == "nosniff");
        CHECK(!asset->body.empty());
    }
    CHECK(f.client.Get("/app.js")->body ==
          wiredesk::test::read_file(source_dir() / "searcher/web/assets/app.js"));
    for (const std::string path :
         {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
          "/assets/app.js", "/CMakeLists.txt", "/app.js/", "/./app.js", "//etc/passwd",
          "/main.cpp", "/searcher/web/assets/app.js", "/%00"}) {
        CAPTURE(path);
        const auto response = f.client.Get(path);
        REQUIRE(response);
        CHECK(response->status == 404);
        CHECK(response->body.find("root:") == std::string::npos);
    }
    const auto [status, body] = f.get("/api/nothing-here");
    CHECK(status == 404);
    CHECK(body["error"].is_string());
}

TEST_CASE("--assets-dir serves the same names from disk, and only those") {
    TempDir assets;
    for (const char* name : {"index.html", "app.js", "style.css", "favicon.svg"}) {
        write_file(assets / name, std::string("dev copy of ") + name);
    }
    write_file(assets / "secret.txt", "not an asset");
    Fixture f({"--assets-dir", assets.path().string()});
    CHECK(f.client.Get("/app.js")->body == "dev copy of app.js");
    CHECK(f.client.Get("/")->body == "dev copy of index.html");
    CHECK(f.client.Get("/secret.txt")->status == 404);
}

TEST_CASE("no query makes the server answer 500") {
    Fixture f({"--rate-limit", "0"});
    // Query syntax the searcher reads leniently, odd bytes and bounds: every answer is 200 or 400.
    const std::vector<std::string> queries = {
        "\"unclosed phrase", "((((", ")))", "a NEAR", "NEAR/999999 b", "AND OR NOT", "*", "a*",
        "source:", "lang:", "date:..", "date:9999-99-99", "date:2026-02-30..2026-01-01",
        "title:\"\"", "-", "+", "\"\"", "zel*", "x y z NOT NOT NOT", "🙂 ☃", "日本語の記事",
        "\t\n\r", std::string("a\0b", 3), std::string(1024, '('), std::string(1024, '"'), "source:\"AFP",
        "date:2026-01-01..2026-01-02..2026", "NEAR/-1", "ADJ/5 ADJ/5", "\\", "%", "'; DROP",
    };
    for (const std::string& q : queries) {
        for (const std::string extra : {"", "&sort=recency", "&from=2026&to=2025", "&limit=0"}) {
            CAPTURE(q);
            CAPTURE(extra);
            const auto [status, body] = f.get("/api/search?q=" + encode(q) + extra);
            CHECK((status == 200 || status == 400));
            CHECK(body.is_object());
        }
    }
    CHECK(f.server.log().find(" 500 ") == std::string::npos);
}

TEST_CASE("only GET and HEAD are answered") {
    Fixture f;
    const auto post = f.client.Post("/api/search?q=strike", "x", "text/plain");
    REQUIRE(post);
    CHECK(post->status == 405);
    CHECK(post->get_header_value("Allow") == "GET, HEAD");
    const auto head = f.client.Head("/api/health");
    REQUIRE(head);
    CHECK(head->status == 200);
}

TEST_CASE("API requests per client are rate limited") {
    Fixture f({"--rate-limit", "2"});
    int limited = 0;
    for (int i = 0; i < 30; ++i) {  // bounded: far above the burst of 6
        const auto [status, body] = f.get("/api/health");
        if (status == 429) {
            ++limited;
            CHECK(body["error"].is_string());
        } else {
            CHECK(status == 200);
        }
    }
    CHECK(limited > 0);
    // The page itself is not counted.
    CHECK(f.client.Get("/")->status == 200);
}

TEST_CASE("the server listens on loopback, logs one line per request and stops on SIGTERM") {
    Fixture f;
    CHECK(f.server.host() == "127.0.0.1");
    f.get("/api/health");
    f.get("/api/search?q=strike&limit=nope");
    f.get("/api/article/nothing");
    // Each log line is written after its response, by whichever worker thread served it: wait
    // for all three lines, not the last request's (a slower thread may log an earlier one later).
    std::string log;
    for (int i = 0; i < 200; ++i) {
        log = f.server.log();
        if (log.find("GET /api/health ") != std::string::npos &&
            log.find("GET /api/search ") != std::string::npos &&
            log.find("GET /api/article/nothing ") != std::string::npos) {
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    CHECK(log.find("GET /api/health 200 ") != std::string::npos);
    CHECK(log.find("GET /api/search 400 ") != std::string::npos);
    CHECK(log.find("GET /api/article/nothing 404 ") != std::string::npos);
    CHECK(log.find(" ms\n") != std::string::npos);
    const auto code = f.server.stop(SIGTERM, 5s);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
}

TEST_CASE("SIGINT stops the server cleanly too") {
    Fixture f;
    const auto code = f.server.stop(SIGINT, 5s);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
}

TEST_CASE("a missing database is reported and the server does not start") {
    TempDir dir;
    const auto result = run(bin_dir() / "wiredesk-serve",
                            {"--db", (dir / "absent.db").string(), "--port", "0"});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("absent.db") != std::string::npos);
}
