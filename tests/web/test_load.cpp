// wiredesk-serve under load: wrk sends a mixed request set (tests/web/load/queries.txt: words,
// phrases, filters, every grouping level, sorts, offsets, and bad parameters that must get a
// 400 or 404) for a few seconds with one connection, then with eight, to a real server on an
// ephemeral loopback port over an index of corpus/. Asserts what must hold however slow the
// machine: no 5xx, no socket errors, every status the one the path gets alone, and the server
// still answering afterwards. The throughput and latency wrk measured are printed (ctest -V, or
// Testing/Temporary/LastTest.log), never asserted. WIREDESK_LOAD_SECONDS sets the duration of
// each run (default 3).

#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

#include "server_process.hpp"
#include "test_support.hpp"

using wiredesk::test::CorpusArchive;
using wiredesk::test::read_file;
using wiredesk::test::run;
using wiredesk::test::ServerProcess;
using wiredesk::test::source_dir;
using namespace std::chrono_literals;

namespace {

struct MixEntry {
    int status = 0;
    std::string path;
};

/// The lines "STATUS PATH" of the request mix.
std::vector<MixEntry> read_mix(const std::filesystem::path& file) {
    std::vector<MixEntry> mix;
    std::istringstream lines(read_file(file));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        MixEntry entry;
        fields >> entry.status >> entry.path;
        REQUIRE_MESSAGE(!entry.path.empty(), "bad line in the mix: " << line);
        mix.push_back(entry);
    }
    return mix;
}

/// The counters of the WRK_RESULT line the Lua script prints (name=value pairs).
std::map<std::string, double> parse_wrk_result(const std::string& out) {
    std::map<std::string, double> values;
    const std::size_t start = out.find("WRK_RESULT ");
    if (start == std::string::npos) return values;
    const std::string line = out.substr(start, out.find('\n', start) - start);
    static const std::regex pair(R"(([0-9A-Za-z_]+)=([0-9.]+))");
    for (auto it = std::sregex_iterator(line.begin(), line.end(), pair);
         it != std::sregex_iterator(); ++it) {
        values[(*it)[1]] = std::stod((*it)[2]);
    }
    return values;
}

int load_seconds() {
    const char* value = std::getenv("WIREDESK_LOAD_SECONDS");
    const int seconds = value ? std::atoi(value) : 0;
    return seconds > 0 ? seconds : 3;
}

}  // namespace

TEST_CASE("under wrk load with 1 and 8 connections every request is answered, none with a 5xx") {
    const std::filesystem::path wrk = WIREDESK_WRK;
    REQUIRE_MESSAGE(std::filesystem::exists(wrk),
                    "wrk not found (" << wrk << "): scripts/setup.sh --for-tests installs it");
    const std::filesystem::path script = source_dir() / "tests/web/load/mixed_queries.lua";
    const std::filesystem::path mix_file = source_dir() / "tests/web/load/queries.txt";
    const std::vector<MixEntry> mix = read_mix(mix_file);
    REQUIRE(mix.size() > 10);

    CorpusArchive archive;
    // No rate limit: wrk is one client address asking as fast as it can.
    ServerProcess server({"--db", archive.db, "--rate-limit", "0", "--quiet"});
    httplib::Client client(server.host(), server.port());
    client.set_read_timeout(30s);
    client.set_url_encode(false);

    // Each path alone gets the status the mix says: under load, a 400 is then an expected one.
    std::size_t expected_errors = 0;
    for (const MixEntry& entry : mix) {
        CAPTURE(entry.path);
        const auto result = client.Get(entry.path);
        REQUIRE(result);
        CHECK(result->status == entry.status);
        if (entry.status >= 400) ++expected_errors;
    }
    REQUIRE(expected_errors > 0);
    REQUIRE(expected_errors < mix.size());

    const std::string url = "http://" + server.host() + ":" + std::to_string(server.port());
    const std::string duration = std::to_string(load_seconds()) + "s";
    for (const int connections : {1, 8}) {
        CAPTURE(connections);
        const int threads = std::min(connections, 2);  // the machine's two cores
        const std::vector<std::string> args = {"-t",
                                               std::to_string(threads),
                                               "-c",
                                               std::to_string(connections),
                                               "-d",
                                               duration,
                                               "--latency",
                                               "--timeout",
                                               "10s",
                                               "-s",
                                               script.string(),
                                               url,
                                               "--",
                                               mix_file.string()};
        const auto result = run(wrk, args);
        std::cout << "---- wrk " << args[0] << ' ' << args[1] << ' ' << args[2] << ' ' << args[3]
                  << ' ' << args[4] << ' ' << args[5] << " --latency --timeout 10s (mixed "
                  << mix.size() << " paths)\n"
                  << result.out << result.err << std::flush;
        REQUIRE_MESSAGE(result.exit_code == 0, result.err);
        const auto counts = parse_wrk_result(result.out);
        REQUIRE_MESSAGE(counts.count("requests"), "no WRK_RESULT line: " << result.out);
        CHECK(counts.at("requests") > 0);
        CHECK(counts.at("5xx") == 0);
        CHECK(counts.at("other") == 0);     // 1xx, 3xx
        CHECK(counts.at("429") == 0);       // the rate limit is off
        CHECK(counts.at("other4xx") == 0);  // only the 400s and 404s of the mix
        CHECK(counts.at("2xx") > 0);
        CHECK(counts.at("400") > 0);
        CHECK(counts.at("404") > 0);
        // Every answer counted is one of the mix's kinds; wrk's own tally of non-2xx answers is
        // those 400s and 404s. No connection refused, reset, cut short or timed out.
        CHECK(counts.at("2xx") + counts.at("400") + counts.at("404") == counts.at("requests"));
        CHECK(counts.at("status") == counts.at("400") + counts.at("404"));
        CHECK(counts.at("connect") == 0);
        CHECK(counts.at("read") == 0);
        CHECK(counts.at("write") == 0);
        CHECK(counts.at("timeout") == 0);

        // Afterwards: a new client is answered.
        const auto health = client.Get("/api/health");
        REQUIRE(health);
        CHECK(health->status == 200);
        CHECK(health->body.find("\"status\":\"ok\"") != std::string::npos);
    }

    const auto code = server.stop(SIGTERM, 10s);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
}
