/// @file server.hpp
/// @brief wiredesk-serve's HTTP server: the JSON API (docs/API.md) and the search page, a thin
/// layer over wiredesk::searcher::Searcher.
///
/// Read-only: the databases are opened for reading, and each request sees the latest commit
/// (a running indexer's commits show up without a restart). Every response to user input is a
/// 2xx, 400 (bad parameter, JSON naming it), 404 (unknown id or path), 405, 414 (request line
/// over 8 KB), 416 (several ranges), 431 (headers over 64 KB) or 429 (rate limit); a 503 means
/// the database itself could not be read.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wiredesk/searcher/searcher.hpp"
#include "wiredesk/web/api.hpp"

namespace wiredesk::web {

/// How the server is set up. Every field has a usable default but `databases`.
struct ServerOptions {
    std::vector<std::string> databases;  ///< one or more; searched as one (stubs name shards)
    /// Remote shard timeouts and allow_partial (the other fields: variants); see
    /// searcher::SearcherOptions. /api/health lists missing shards too.
    searcher::SearcherOptions searcher;
    std::string bind = "127.0.0.1";      ///< address to listen on; loopback unless told
    int port = 8080;                     ///< 0: any free port (bind() says which)
    std::size_t threads = 8;             ///< worker threads (one per open connection)
    /// Serve the page's files from this folder instead of the embedded copies (development);
    /// only the embedded names are served either way.
    std::string assets_dir;
    ApiLimits limits;
    /// API requests per second per client address (0: no limit), and the burst allowed.
    double rate_per_second = 20;
    double rate_burst = 60;
    /// Receives one line per request ("GET /api/search 200 3.2 ms"); empty: no request log.
    std::function<void(std::string_view)> log;
};

/// Whether @p address is a loopback address (127.0.0.0/8, ::1, localhost).
[[nodiscard]] bool is_loopback(std::string_view address) noexcept;

/// The HTTP server. Construct, bind(), then run() until stop() is called from another thread
/// (or a signal handler thread).
class Server {
public:
    /// Opens the databases.
    /// @throws DatabaseError / SchemaMismatch as searcher::Searcher does.
    explicit Server(ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds the listening socket; returns the port (the one chosen when options.port is 0).
    /// @throws Error if the address cannot be bound.
    int bind();

    /// Serves until stop(). Returns false if the server could not run (not bound).
    bool run();

    /// Stops run(): in-flight requests finish, new connections are refused. Thread-safe.
    /// Called before run() has started listening, it makes run() return at once; called in the
    /// instant run() is starting, it may be missed: call it again while is_running().
    void stop();

    /// Whether run() is serving.
    [[nodiscard]] bool is_running() const;

    /// Articles in the databases (latest commit).
    [[nodiscard]] std::size_t article_count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace wiredesk::web
