/// @file query_wiredesk.cpp
/// @brief Times Wiredesk queries in-process through the searcher library (no HTTP, no process start).
///
///   wiredesk-bench-query DB QUERIES MODE [RUNS]
///     MODE plain:  top 10 with snippets; no facets, no "did you mean", no grouping (the least
///                  Wiredesk does);
///     MODE facets: plus facets (sources, languages, dates, counted exactly over every match) and
///                  "did you mean";
///     MODE full:   plus grouping at the story level, when the library has it (Request::group):
///                  what the search page asks for.
///   One untimed pass warms the caches, then RUNS timed passes (default 1). Prints JSON with the
///   per-query wall-clock latencies in milliseconds, the per-query totals, the slowest query, and
///   the timed passes' milliseconds spent in the searcher's two phases (Response::timing):
///   "search" (the match, counts, facets) and "fetch" (documents, snippets, groups, spelling);
///   and how many timed searches counted from the values the searcher keeps in memory
///   ("values_in_memory": a long-lived searcher, as wiredesk-serve is, has them from the second
///   search of a revision on, so from the warm-up pass).
///
/// Built by bench/run.sh with g++ against the release build. Compiles against a library with or
/// without Request::group (grouping landed in the searcher after this driver was written); the
/// JSON says whether grouping was applied.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace {

/// Sets Request::group to story (on) or none (off) if the library has grouping; returns whether
/// it has.
template <class Request>
bool set_grouping(Request& request, bool on) {
    if constexpr (requires { request.group = decltype(request.group)::kNone; }) {
        request.group = on ? decltype(request.group)::kStory : decltype(request.group)::kNone;
        return true;
    } else {
        return false;
    }
}

/// Whether the counts of @p response came from the searcher's in-memory values (false for a
/// library without Response::timing.values_in_memory).
template <class Response>
bool values_in_memory(const Response& response) {
    if constexpr (requires { response.timing.values_in_memory; }) {
        return response.timing.values_in_memory;
    } else {
        return false;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4 || argc > 5) {
        std::cerr << "usage: wiredesk-bench-query DB QUERIES plain|facets|full [RUNS]\n";
        return 2;
    }
    namespace search = wiredesk::searcher;
    using Clock = std::chrono::steady_clock;
    try {
        const search::Searcher searcher({argv[1]});
        std::vector<std::string> queries;
        {
            std::ifstream in(argv[2]);
            std::string line;
            while (std::getline(in, line)) {
                if (!line.empty()) queries.push_back(line);
            }
        }
        const std::string mode = argv[3];
        const int runs = argc == 5 ? std::stoi(argv[4]) : 1;
        search::Request request;
        request.limit = 10;
        if (mode != "plain" && mode != "facets" && mode != "full") {
            std::cerr << "wiredesk-bench-query: MODE is plain, facets or full\n";
            return 2;
        }
        request.facets = mode != "plain";
        request.spelling = mode != "plain";
        const bool grouped = set_grouping(request, mode == "full") && mode == "full";
        nlohmann::json latencies = nlohmann::json::array();
        nlohmann::json totals = nlohmann::json::array();
        double slowest_ms = 0;
        double search_phase_ms = 0;
        double fetch_phase_ms = 0;
        std::string slowest;
        std::size_t in_memory = 0;  // timed searches that counted from the in-memory values
        for (int pass = 0; pass <= runs; ++pass) {
            for (const std::string& query : queries) {
                request.query = query;
                const auto start = Clock::now();
                const search::Response response = searcher.search(request);
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
                if (pass == 0) {
                    totals.push_back(response.total);  // the warm-up pass records the match counts
                    continue;
                }
                latencies.push_back(ms);
                search_phase_ms += response.timing.search_ms;
                if (values_in_memory(response)) ++in_memory;
                fetch_phase_ms += response.timing.fetch_ms;
                if (ms > slowest_ms) {
                    slowest_ms = ms;
                    slowest = query;
                }
            }
        }
        std::cout << nlohmann::json{{"mode", mode},
                                    {"grouped", grouped},
                                    {"documents", searcher.document_count()},
                                    {"latencies_ms", latencies},
                                    {"totals", totals},
                                    {"slowest_query", slowest},
                                    {"slowest_ms", slowest_ms},
                                    {"values_in_memory", in_memory},
                                    {"phase_ms", {{"search", search_phase_ms},
                                                  {"fetch", fetch_phase_ms}}}}
                         .dump()
                  << '\n';
        return 0;
    } catch (const wiredesk::Error& error) {
        std::cerr << "wiredesk-bench-query: " << error.what() << '\n';
        return 1;
    }
}
