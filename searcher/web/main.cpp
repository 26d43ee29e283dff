// wiredesk-serve: a thin adapter from the command line to wiredesk::web::Server.

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <xapian.h>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/version.hpp"
#include "wiredesk/searcher/cli_options.hpp"
#include "wiredesk/web/server.hpp"

namespace {

enum ExitCode : int {
    kExitStopped = 0,
    kExitFailure = 1,
};

std::mutex g_log_mutex;

void log_line(std::string_view line) {
    const std::lock_guard lock(g_log_mutex);
    fmt::print(stderr, "{}\n", line);
    std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
    wiredesk::web::ServerOptions options;
    bool quiet = false;
    CLI::App app{
        "wiredesk-serve: the search page and JSON API (docs/API.md) over a Wiredesk archive.\n\n"
        "Open http://127.0.0.1:8080/ in a browser. The databases are opened read-only; new\n"
        "commits by a running wiredesk-index show up without a restart. One line per request\n"
        "(method, path, status, milliseconds) goes to stderr; SIGINT or SIGTERM stops the\n"
        "server cleanly.\n\n"
        "Examples:\n"
        "  wiredesk-serve --db news.db\n"
        "  wiredesk-serve --db 2025.db --db 2026.db --port 9000\n"
        "  wiredesk-serve --db news.db --bind 0.0.0.0   # serve the newsroom's network\n\n"
        "Sharded archives: --db may name a Xapian stub listing local shards and remote ones\n"
        "served by xapian-tcpsrv ('remote HOST:PORT'). A remote shard that does not answer\n"
        "within --remote-timeout is an error naming host:port (HTTP 503); with\n"
        "--allow-partial the others are searched and answers say \"partial\": true\n"
        "(docs/SCALING.md).\n\n"
        "Exit codes:\n"
        "  0    stopped by SIGINT/SIGTERM\n"
        "  1    failure: database missing or unreadable, a remote shard not answering at\n"
        "       start (without --allow-partial), address in use\n"
        "  other: usage errors (CLI11's codes)"};
    app.set_version_flag("--version", std::string("wiredesk-serve ") + wiredesk::kVersionString);
    app.add_option("--db", options.databases, "Database directory or stub file listing shards; repeat to serve several as one")
        ->required()
        ->allow_extra_args(false);
    app.add_option("--bind", options.bind,
                   "Address to listen on; anything but loopback exposes the archive to the network")
        ->capture_default_str();
    app.add_option("--port", options.port, "Port (0: any free port, printed at start)")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    app.add_option("--threads", options.threads, "Worker threads")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    app.add_option("--assets-dir", options.assets_dir,
                   "Serve the page's files from this folder (searcher/web/assets) instead of the "
                   "built-in copies, re-read on each request (development)")
        ->check(CLI::ExistingDirectory);
    app.add_option("--max-query-bytes", options.limits.max_query_bytes, "Longest query accepted")
        ->check(CLI::Range(1, 16 * 1024))
        ->capture_default_str();
    app.add_option("--max-page-size", options.limits.max_limit, "Most results per request")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app.add_option("--rate-limit", options.rate_per_second,
                   "API requests per second per client address, in bursts of three times as many "
                   "(0: unlimited)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    wiredesk::searcher::add_remote_options(app, options.searcher);
    app.add_flag("--quiet", quiet, "No request log");
    CLI11_PARSE(app, argc, argv);
    options.rate_burst = options.rate_per_second * 3;  // a page load and some clicking
    if (!quiet) options.log = log_line;

    // SIGINT/SIGTERM are taken by one waiting thread (below), never by a handler interrupting
    // a worker: block them before any thread exists so every thread inherits the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    try {
        wiredesk::web::Server server(options);
        const int port = server.bind();
        if (!wiredesk::web::is_loopback(options.bind)) {
            log_line(fmt::format("wiredesk-serve: note: listening on {}, reachable from the network",
                                 options.bind));
        }
        const std::string host =
            options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;
        fmt::print("wiredesk-serve: {} articles; open http://{}:{}/\n", server.article_count(),
                   host, port);
        std::fflush(stdout);

        std::atomic<bool> finished = false;
        std::atomic<bool> signalled = false;
        std::thread waiter([&] {
            int signal_number = 0;
            sigwait(&stop_signals, &signal_number);
            if (finished) return;
            signalled = true;
            log_line("wiredesk-serve: stopping");
            // stop() can miss a server that is just starting to listen: repeat until run() ends.
            while (!finished) {
                server.stop();
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
        const bool ran = server.run();
        finished = true;
        pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if no signal came
        waiter.join();
        if (!ran && !signalled) {
            log_line("wiredesk-serve: the server stopped unexpectedly");
            return kExitFailure;
        }
        log_line("wiredesk-serve: stopped");
        return kExitStopped;
    } catch (const std::exception& error) {
        log_line(fmt::format("wiredesk-serve: {}", error.what()));
        return kExitFailure;
    } catch (const Xapian::Error& error) {
        log_line(fmt::format("wiredesk-serve: database error: {}", error.get_description()));
        return kExitFailure;
    }
}
