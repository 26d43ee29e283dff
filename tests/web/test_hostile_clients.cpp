// wiredesk-serve against clients that misbehave: oversized and malformed requests sent as raw
// bytes, path traversal, unknown methods, many ranges, and slow clients that stall in the middle
// of a request. A real server on an ephemeral loopback port over an index of corpus/; every
// request gets a 4xx or a closed connection, never a 5xx, and the server keeps answering others.
// (Malformed parameters sent the ordinary way are in test_api.cpp.)

#include <doctest/doctest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "raw_http.hpp"
#include "server_process.hpp"
#include "test_support.hpp"

using nlohmann::json;
using wiredesk::test::CorpusArchive;
using wiredesk::test::raw_request;
using wiredesk::test::RawAnswer;
using wiredesk::test::RawConnection;
using wiredesk::test::ServerProcess;
using wiredesk::test::TempDir;
using wiredesk::test::write_file;
using namespace std::chrono_literals;

namespace {

/// Far above the server's 5 s read timeout: how long a test waits for the server to act.
constexpr auto kPatience = 30s;

/// A server over the corpus; no rate limit (these tests send many requests quickly).
struct Server {
    CorpusArchive archive;
    ServerProcess process;

    explicit Server(std::vector<std::string> args = {})
        : process(with_db(std::move(args), archive.db)) {}

    static std::vector<std::string> with_db(std::vector<std::string> args, const std::string& db) {
        args.insert(args.begin(), {"--db", db, "--rate-limit", "0"});
        return args;
    }

    /// GET @p path with an ordinary client on a new connection; the status (0: no answer).
    [[nodiscard]] int get_status(const std::string& path) const {
        httplib::Client client(process.host(), process.port());
        client.set_connection_timeout(kPatience);
        client.set_read_timeout(kPatience);
        client.set_url_encode(false);
        const auto result = client.Get(path);
        return result ? result->status : 0;
    }

    /// Sends @p request_line (and a Host header) as raw bytes on a new connection.
    [[nodiscard]] RawAnswer raw_get(const std::string& request_line) const {
        return raw_request(process.port(),
                           request_line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }

    /// No line of the request log has a 5xx status.
    [[nodiscard]] bool log_has_server_error() const {
        const std::string log = process.log();
        for (const char* status : {" 500 ", " 501 ", " 502 ", " 503 ", " 504 "}) {
            if (log.find(status) != std::string::npos) return true;
        }
        return false;
    }
};

/// The answer is a 4xx, or the server closed the connection without one.
bool refused(const RawAnswer& answer) {
    if (!answer.status) return answer.closed;
    return *answer.status >= 400 && *answer.status < 500;
}

std::string body_of(const RawAnswer& answer) {
    const std::size_t end = answer.text.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : answer.text.substr(end + 4);
}

/// A request that stops in the middle of its request line, and stays open.
std::unique_ptr<RawConnection> stalled_client(int port) {
    auto connection = std::make_unique<RawConnection>(port);
    REQUIRE(connection->send("GET /api/search?q=rotterdam+str"));
    return connection;
}

}  // namespace

TEST_CASE("a 100 KB query string, a 1 MB request line and 1 MB of headers are refused with a 4xx") {
    Server server;
    const std::string big_query(100 * 1024, 'a');
    const std::string huge_query(1024 * 1024, 'a');

    // httplib reads at most 8 KB of request line: 414 URI Too Long.
    for (const std::string* q : {&big_query, &huge_query}) {
        CAPTURE(q->size());
        const RawAnswer answer = server.raw_get("GET /api/search?q=" + *q + " HTTP/1.1");
        REQUIRE(answer.status.has_value());
        CHECK(*answer.status == 414);
        CHECK(!body_of(answer).empty());
    }
    // One header line above 8 KB: httplib's 400.
    const RawAnswer long_header =
        raw_request(server.process.port(),
                    "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + big_query + "\r\n\r\n");
    CHECK(refused(long_header));
    REQUIRE(long_header.status.has_value());
    CHECK(*long_header.status == 400);

    // A thousand header lines of 1 KB each: every line is within httplib's bound, the whole is
    // not within the server's (431), on the API and on the page alike.
    std::string headers;
    for (int i = 0; i < 1000; ++i)
        headers += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'v') + "\r\n";
    for (const std::string path : {"/api/search?q=strike", "/"}) {
        CAPTURE(path);
        const RawAnswer answer = raw_request(
            server.process.port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");
        REQUIRE(answer.status.has_value());
        CHECK(*answer.status == 431);
    }
    // A browser's ordinary headers, with a few KB of cookies, pass.
    const RawAnswer cookies =
        raw_request(server.process.port(),
                    "GET /api/health HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(4000, 'c') +
                        "\r\nUser-Agent: Mozilla/5.0\r\n"
                        "Accept: */*\r\nConnection: close\r\n\r\n");
    CHECK(cookies.status == 200);

    CHECK(server.get_status("/api/health") == 200);
    CHECK(!server.log_has_server_error());
}

TEST_CASE("invalid UTF-8 in q is a 400, a malformed percent escape is kept as typed") {
    Server server;
    // Raw bytes in the request line, and escapes that decode to invalid UTF-8 (a lone
    // continuation byte, a truncated sequence, an overlong form, a surrogate, past U+10FFFF).
    for (const std::string& q :
         {std::string("\xff\xfe"), std::string("caf\xc3"), std::string("%FF"), std::string("%80"),
          std::string("%e2%82"), std::string("%C0%AF"), std::string("%ED%A0%80"),
          std::string("%F4%90%80%80")}) {
        CAPTURE(q);
        const RawAnswer answer = server.raw_get("GET /api/search?q=" + q + " HTTP/1.1");
        REQUIRE(answer.status.has_value());
        CHECK(*answer.status == 400);
        const json body = json::parse(body_of(answer), nullptr, false);
        CHECK(body["parameter"] == "q");
    }
    // docs/API.md: a malformed escape is kept as typed (browsers send "%" as "%25", so a lone
    // "%" came from a hand-made URL): searched as the text it is, a 200.
    for (const std::string q : {"%zz", "%", "strike%", "%2", "a%g1b"}) {
        CAPTURE(q);
        const RawAnswer answer = server.raw_get("GET /api/search?q=" + q + "&limit=1 HTTP/1.1");
        REQUIRE(answer.status.has_value());
        CHECK(*answer.status == 200);
        CHECK(json::parse(body_of(answer), nullptr, false)["query"] == q);
    }
    // In other parameters and in the path, the same bytes are a 400 or a 404.
    for (const std::string line :
         {"GET /api/search?q=strike&source=%zz%ff HTTP/1.1",
          "GET /api/search?q=strike&limit=%zz HTTP/1.1",
          "GET /api/search?q=strike&offset=% HTTP/1.1", "GET /api/%zz HTTP/1.1", "GET /% HTTP/1.1",
          "GET /api/article/%ff%fe HTTP/1.1", "GET /\xff\xfe HTTP/1.1"}) {
        CAPTURE(line);
        CHECK(refused(server.raw_get(line)));
    }
    CHECK(!server.log_has_server_error());
}

TEST_CASE("path traversal on the asset and API paths never reaches a file") {
    // With --assets-dir the page's files come from disk: the one place a path could reach a file.
    TempDir root;
    const auto assets = root / "assets";
    for (const char* name : {"index.html", "app.js", "style.css", "favicon.svg"}) {
        write_file(assets / name, std::string("dev copy of ") + name);
    }
    write_file(root / "secret.txt", "SECRET-OUTSIDE-ASSETS");
    write_file(assets / "inside.txt", "SECRET-INSIDE-ASSETS");
    Server server({"--assets-dir", assets.string()});

    const std::vector<std::string> targets = {"/../secret.txt",
                                              "/..%2fsecret.txt",
                                              "/%2e%2e/secret.txt",
                                              "/%2e%2e%2fsecret.txt",
                                              "/..\\secret.txt",
                                              "/inside.txt",
                                              "/./inside.txt",
                                              "/app.js/../inside.txt",
                                              "/app.js%00.png",
                                              "/app.js%00",
                                              "/%00",
                                              "/" + (root / "secret.txt").string(),
                                              "//" + (root / "secret.txt").string(),
                                              "/%2F" + (root / "secret.txt").string().substr(1),
                                              "/../../../../../../etc/passwd",
                                              "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                              "/api/../secret.txt",
                                              "/api/../../etc/passwd",
                                              "/api/%2e%2e/%2e%2e/etc/passwd",
                                              "/api/search/../health",
                                              "/api/article/..%2f..%2fsecret.txt",
                                              "/api/article/%00",
                                              "/api/article/a%00b",
                                              "/api/group/..%2f..%2fetc%2fpasswd",
                                              "/api/..%00/health",
                                              "http://example.com/secret.txt",
                                              "http://127.0.0.1/../secret.txt",
                                              "secret.txt",
                                              "*"};
    for (const std::string& target : targets) {
        CAPTURE(target);
        const RawAnswer answer = server.raw_get("GET " + target + " HTTP/1.1");
        CHECK(refused(answer));
        CHECK(answer.text.find("SECRET-") == std::string::npos);
        CHECK(answer.text.find("root:") == std::string::npos);
    }
    // The names it serves still come from the folder.
    CHECK(body_of(server.raw_get("GET /app.js HTTP/1.1")) == "dev copy of app.js");
    CHECK(!server.log_has_server_error());
}

TEST_CASE("methods other than GET and HEAD, and requests that are not HTTP/1.x, get a 4xx") {
    Server server;
    for (const std::string method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"}) {
        for (const std::string path : {"/api/search?q=strike", "/"}) {
            CAPTURE(method);
            CAPTURE(path);
            const RawAnswer answer = raw_request(
                server.process.port(),
                method + " " + path +
                    " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            REQUIRE(answer.status.has_value());
            CHECK(*answer.status == 405);
            CHECK(answer.text.find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
        }
    }
    // Unknown or malformed methods, other protocols, bytes that are not a request at all.
    for (const std::string& request :
         {std::string("FOO / HTTP/1.1\r\nHost: x\r\n\r\n"),
          std::string("get / HTTP/1.1\r\nHost: x\r\n\r\n"),
          std::string("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n"),
          std::string("PROPFIND / HTTP/1.1\r\nHost: x\r\n\r\n"), std::string("GET /\r\n\r\n"),
          std::string("GET / HTTP/9.9\r\nHost: x\r\n\r\n"),
          std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), std::string("\r\n\r\n"),
          std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS hello
          std::string("\x00\x01\x02 garbage\r\n\r\n", 16)}) {
        CAPTURE(request);
        CHECK(refused(raw_request(server.process.port(), request)));
    }
    // A body on a GET is not read as the next request's start on a closed connection, and a
    // POST body above the payload limit is refused.
    const RawAnswer big_post =
        raw_request(server.process.port(),
                    "POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n"
                    "Connection: close\r\n\r\n" +
                        std::string(1000000, 'x'));
    CHECK(refused(big_post));
    CHECK(server.get_status("/api/health") == 200);
    CHECK(!server.log_has_server_error());
}

TEST_CASE("one byte range is served, several ranges are refused instead of multiplied") {
    Server server;
    const RawAnswer one = raw_request(
        server.process.port(),
        "GET /app.js HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n");
    CHECK(one.status == 206);
    CHECK(body_of(one).size() == 10);
    // Overlapping ranges filling an 8 KB header: httplib alone answered with one part each
    // (30 MB for the 30 KB app.js).
    std::string ranges = "0-99999";
    while (ranges.size() < 8000) ranges += ",0-99999";
    for (const std::string path : {"/app.js", "/api/health", "/api/search?q=strike"}) {
        CAPTURE(path);
        const RawAnswer many =
            raw_request(server.process.port(),
                        "GET " + path + " HTTP/1.1\r\nHost: x\r\nRange: bytes=" + ranges +
                            "\r\nConnection: close\r\n\r\n");
        REQUIRE(many.status.has_value());
        CHECK(*many.status == 416);
        CHECK(many.text.size() < 4096);
    }
    CHECK(!server.log_has_server_error());
}

TEST_CASE("a client that sends half a request line and stalls is dropped while others are served") {
    Server server;
    const auto stalled = stalled_client(server.process.port());
    // The stalled connection holds one worker; the others answer before it is dropped.
    CHECK(server.get_status("/api/search?q=rotterdam+strike") == 200);
    CHECK(server.get_status("/") == 200);
    CHECK(stalled->is_open());
    // The read timeout (5 s without a byte) closes it, with no answer or a 4xx.
    const RawAnswer answer = stalled->wait_for_close(kPatience);
    CHECK(answer.closed);
    CHECK(refused(answer));
    CHECK(server.get_status("/api/health") == 200);
    CHECK(!server.log_has_server_error());
}

TEST_CASE("several stalled clients at once (slowloris) do not stop the server answering others") {
    Server server;  // 8 worker threads (the default): the stalled clients take 6
    std::vector<std::unique_ptr<RawConnection>> stalled;
    for (int i = 0; i < 4; ++i) stalled.push_back(stalled_client(server.process.port()));
    // Two of them half-way through their headers rather than their request line.
    for (int i = 0; i < 2; ++i) {
        auto connection = std::make_unique<RawConnection>(server.process.port());
        REQUIRE(connection->send("GET /api/health HTTP/1.1\r\nHost: x\r\nUser-Agent: slo"));
        stalled.push_back(std::move(connection));
    }
    // While all of them are connected: a search, the page, a keep-alive client's two requests,
    // all answered before the read timeout drops any stalled client (so not by a worker it
    // freed).
    CHECK(server.get_status("/api/search?q=strike&group=copy") == 200);
    CHECK(server.get_status("/app.js") == 200);
    {
        httplib::Client client(server.process.host(), server.process.port());
        client.set_read_timeout(kPatience);
        client.set_keep_alive(true);
        for (int i = 0; i < 2; ++i) {
            const auto result = client.Get("/api/health");
            REQUIRE(result);
            CHECK(result->status == 200);
        }
    }
    for (const auto& connection : stalled) CHECK(connection->is_open());
    for (const auto& connection : stalled) {
        const RawAnswer answer = connection->wait_for_close(kPatience);
        CHECK(answer.closed);
        CHECK(refused(answer));
    }
    CHECK(server.get_status("/api/health") == 200);
    CHECK(!server.log_has_server_error());
}

TEST_CASE(
    "more stalled clients than worker threads delay others only until the read timeout drops "
    "them") {
    // Each connection holds a worker while its request is read (httplib 0.11): with two
    // workers, four stalled clients queue everyone else behind them. The read timeout frees
    // the workers; the waiting request is then answered. Only that it is answered is checked.
    Server server({"--threads", "2"});
    std::vector<std::unique_ptr<RawConnection>> stalled;
    for (int i = 0; i < 4; ++i) stalled.push_back(stalled_client(server.process.port()));
    std::this_thread::sleep_for(200ms);  // let the workers take the stalled connections first
    CHECK(server.get_status("/api/health") == 200);  // waits, at most kPatience
    for (const auto& connection : stalled) {
        const RawAnswer answer = connection->wait_for_close(kPatience);
        CHECK(answer.closed);
        CHECK(refused(answer));
    }
    CHECK(server.get_status("/api/search?q=strike") == 200);
    CHECK(!server.log_has_server_error());
}
