#include "wiredesk/web/server.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <type_traits>

#include <fmt/core.h>
#include <httplib.h>
#include <xapian.h>

#include "wiredesk/common/database.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/common/version.hpp"
#include "wiredesk/searcher/json.hpp"
#include "wiredesk/web/assets.hpp"
#include "wiredesk/web/rate_limiter.hpp"

namespace wiredesk::web {
namespace {

namespace search = wiredesk::searcher;
using Clock = std::chrono::steady_clock;

/// When the request being handled on this thread started (httplib handles each request on
/// one worker thread from routing to logging).
thread_local std::optional<Clock::time_point> t_request_start;

/// The page may only load what it came with: no inline script, nothing from elsewhere.
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The most header bytes (names, values, separators) one request may carry.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

/// Reads articles by id and per-database facts (the searcher library does not return bodies).
/// One Xapian handle per database under a mutex: lookups are a single posting list read.
class ArticleStore {
public:
    ArticleStore(const std::vector<std::string>& paths, ReadOptions options)
        : m_paths(paths), m_options(options) {
        open();
    }

    std::optional<Article> find(const std::string& id) {
        return with_latest([&]() -> std::optional<Article> {
            const Xapian::Database& all = m_all.database;
            const std::string term = schema::id_term(id);
            for (auto posting = all.postlist_begin(term); posting != all.postlist_end(term);
                 ++posting) {
                Article article = schema::decode_article_data(all.get_document(*posting).get_data());
                if (article.id == id) return article;  // a hashed id term could be shared
            }
            return std::nullopt;
        });
    }

    nlohmann::json health() {
        return with_latest([&] {
            nlohmann::json databases = nlohmann::json::array();
            std::string latest;
            for (std::size_t i = 0; i < m_each.size(); ++i) {
                const Xapian::Database& each = m_each[i].database;
                const std::string commit = each.get_metadata(std::string(schema::kLastCommitKey));
                if (commit > latest) latest = commit;
                databases.push_back({{"path", m_paths[i]},
                                     {"articles", each.get_doccount()},
                                     {"last_commit", commit.empty() ? nlohmann::json(nullptr)
                                                                    : nlohmann::json(commit)}});
            }
            return nlohmann::json{
                {"status", m_all.missing.empty() ? "ok" : "partial"},
                {"version", kVersionString},
                {"articles", m_all.database.get_doccount()},
                {"last_commit", latest.empty() ? nlohmann::json(nullptr) : nlohmann::json(latest)},
                {"databases", databases},
                {"grouping", grouping_available()},
                {"partial", !m_all.missing.empty()},
                {"missing_shards", m_all.missing},
            };
        });
    }

private:
    void open() {
        m_all = open_archive_for_reading(m_paths, m_options);
        m_each.clear();
        for (const std::string& path : m_paths) {
            m_each.push_back(open_archive_for_reading({path}, m_options));
        }
        m_opened = Clock::now();
    }

    /// Runs @p read on the latest commit, reopening when a writer moved the database on, and
    /// opening the archive afresh when a remote shard failed (or, left out, may be back).
    template <typename Read>
    std::invoke_result_t<Read> with_latest(Read read) {
        const std::lock_guard lock(m_mutex);
        if (!m_all.missing.empty() && Clock::now() - m_opened > std::chrono::seconds(5)) {
            try {
                open();
            } catch (const DatabaseError&) {
                m_opened = Clock::now();
            }
        }
        bool reconnected = false;
        for (int attempt = 0;; ++attempt) {
            try {
                m_all.database.reopen();
                for (ReadableArchive& each : m_each) each.database.reopen();
                return read();
            } catch (const Xapian::DatabaseModifiedError&) {
                if (attempt >= 4) throw;
            } catch (const Xapian::NetworkError& error) {
                if (reconnected) {
                    throw RemoteShardError("a remote shard failed: " + error.get_description(), {});
                }
                open();  // RemoteShardError unless allow_partial
                reconnected = true;
            }
        }
    }

    std::vector<std::string> m_paths;
    ReadOptions m_options;
    std::mutex m_mutex;
    ReadableArchive m_all;
    std::vector<ReadableArchive> m_each;
    Clock::time_point m_opened;
};

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_header("Cache-Control", "no-store");
    res.set_content(dump_json(body), "application/json");
}

void send_error(httplib::Response& res, int status, std::string_view message,
                std::string_view parameter = {}) {
    send_json(res, status, error_json(message, parameter));
}

/// The path as a log can show it: control characters and non-ASCII bytes escaped, so a request
/// cannot forge log lines.
std::string printable(std::string_view text, std::size_t max = 200) {
    std::string out;
    for (const char c : text.substr(0, max)) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7F) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c;
        }
    }
    if (text.size() > max) out += "...";
    return out;
}

std::string_view status_text(int status) noexcept {
    switch (status) {
        case 400: return "bad request";
        case 404: return "not found";
        case 405: return "method not allowed";
        case 413: return "request too large";
        case 414: return "URI too long";
        case 416: return "range not satisfiable";
        case 431: return "request header fields too large";
        case 429: return "too many requests";
        case 500: return "internal error";
        case 503: return "service unavailable";
        default: return status >= 500 ? "server error" : "request error";
    }
}

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
}

}  // namespace

bool is_loopback(std::string_view address) noexcept {
    return address == "localhost" || address == "::1" || address.starts_with("127.");
}

struct Server::Impl {
    explicit Impl(ServerOptions opts)
        : options(std::move(opts)),
          searcher(options.databases, options.searcher),
          store(options.databases,
                ReadOptions{options.searcher.remote_timeouts, options.searcher.allow_partial}),
          limiter(options.rate_per_second, options.rate_burst) {}

    ServerOptions options;
    search::Searcher searcher;
    ArticleStore store;
    RateLimiter limiter;
    httplib::Server http;
    bool bound = false;
    std::atomic<bool> stop_requested = false;

    void setup();
    httplib::Server::HandlerResponse route(const httplib::Request& req, httplib::Response& res);
    void api_search(const httplib::Request& req, httplib::Response& res);
    void api_article(const std::string& id, httplib::Response& res);
    void api_group(const std::string& id, const httplib::Request& req, httplib::Response& res);
    void serve_asset(std::string_view name, httplib::Response& res);
};

void Server::Impl::setup() {
    const std::size_t threads = std::max<std::size_t>(options.threads, 1);
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    // Bounded requests: small bodies (the API takes none), short timeouts, short keep-alive so
    // idle browser connections do not hold the worker threads. Each worker serves one
    // connection at a time, so these bound how long a client that stops sending (read timeout:
    // a half-sent request line is dropped after 5 s without a byte) or stops reading (write
    // timeout) can hold one. The read timeout applies to each read, not to the whole request:
    // a client trickling a byte every few seconds keeps its worker (a limit of httplib 0.11;
    // tests/web/test_hostile_clients.cpp pins what holds).
    // The CPPHTTPLIB_* macros cannot change these: Debian's httplib is a compiled library
    // (libcpp-httplib.so) built with the defaults, among them 8192 bytes per request line (a
    // longer one gets 414) and per header line (400), so only these setters and the checks in
    // route() apply.
    http.set_payload_max_length(16 * 1024);
    http.set_read_timeout(5, 0);
    http.set_write_timeout(5, 0);
    http.set_keep_alive_timeout(2);
    // Without TCP_NODELAY, an answer written as headers then body on a kept-open connection
    // waits for the client's delayed ACK (Nagle's algorithm): about 40 ms on every request.
    http.set_tcp_nodelay(true);
    http.set_keep_alive_max_count(100);
    http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"Referrer-Policy", "no-referrer"},
                              {"X-Frame-Options", "DENY"}});

    // All routing is ours, by plain string comparison (no std::regex over user paths).
    http.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { return route(req, res); });
    // Reached only for requests httplib rejected itself (URI too long, malformed...), and for
    // the refusals in route() that must stay without a body (several ranges, below).
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty() || req.ranges.size() > 1) return;
        if (req.path.starts_with("/api/")) {
            send_error(res, res.status, status_text(res.status));
        } else {
            res.set_content(fmt::format("{} {}\n", res.status, status_text(res.status)),
                            "text/plain; charset=utf-8");
        }
    });
    http.set_exception_handler(
        [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
            std::string what = "unknown exception";
            try {
                if (error) std::rethrow_exception(error);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            if (options.log) options.log(fmt::format("error: {} {}: {}", req.method,
                                                     printable(req.path), printable(what, 500)));
            send_error(res, 500, "internal error");
        });
    if (options.log) {
        http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
            double ms = 0;
            if (t_request_start) {
                ms = std::chrono::duration<double, std::milli>(Clock::now() - *t_request_start)
                         .count();
                t_request_start.reset();
            }
            options.log(fmt::format("{} {} {} {:.1f} ms", printable(req.method, 16),
                                    printable(req.path), res.status, ms));
        });
    }
}

httplib::Server::HandlerResponse Server::Impl::route(const httplib::Request& req,
                                                     httplib::Response& res) {
    t_request_start = Clock::now();
    const std::string& path = req.path;
    const bool api = path.starts_with("/api/");
    // httplib 0.11 answers a Range header with one part per range, overlapping or not: an 8 KB
    // header of "0-99999," ranges turned the 30 KB app.js into a 30 MB answer. One range is
    // served (206); several are refused, with no body for httplib to cut into parts.
    if (req.ranges.size() > 1) {
        res.status = 416;
        return httplib::Server::HandlerResponse::Handled;
    }
    // httplib bounds each header line (8 KB) but not their number: refuse a request whose
    // headers add up to more than any browser sends (cookies included), rather than serve it.
    // (httplib has read them all by now: this bounds the answer, not the memory of the read.)
    std::size_t header_bytes = 0;
    for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size() + 4;
    if (header_bytes > kMaxHeaderBytes) {
        if (api) {
            send_error(res, 431, status_text(431));
        } else {
            res.status = 431;
            res.set_content("431 Request Header Fields Too Large\n", "text/plain; charset=utf-8");
        }
        return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        res.set_header("Allow", "GET, HEAD");
        if (api) {
            send_error(res, 405, "only GET is supported");
        } else {
            res.status = 405;
            res.set_content("405 Method Not Allowed\n", "text/plain; charset=utf-8");
        }
        return httplib::Server::HandlerResponse::Handled;
    }
    try {
        if (api) {
            if (!limiter.allow(req.remote_addr)) {
                res.set_header("Retry-After", "1");
                send_error(res, 429, "too many requests; slow down");
            } else if (path == "/api/search") {
                api_search(req, res);
            } else if (path.starts_with("/api/article/")) {
                api_article(path.substr(std::string_view("/api/article/").size()), res);
            } else if (path.starts_with("/api/group/")) {
                api_group(path.substr(std::string_view("/api/group/").size()), req, res);
            } else if (path == "/api/health") {
                send_json(res, 200, store.health());
            } else {
                send_error(res, 404, "no such endpoint");
            }
        } else if (path == "/" || path == "/index.html") {
            serve_asset("index.html", res);
        } else {
            serve_asset(std::string_view(path).substr(1), res);
        }
    } catch (const ParameterError& error) {
        send_error(res, 400, error.what(), error.parameter());
    } catch (const QueryError& error) {
        // Raised by the searcher for a query it cannot run (empty without filters, ...).
        send_error(res, 400, error.what(), "q");
    } catch (const RemoteShardError& error) {
        // Names the shards (host:port), so whoever runs the archive knows which host to check.
        if (options.log) options.log(fmt::format("error: {}", error.what()));
        send_error(res, 503, error.shards().empty()
                                 ? std::string("a remote shard does not answer")
                                 : "remote shards do not answer: " + join_names(error.shards()));
    } catch (const DatabaseError& error) {
        if (options.log) options.log(fmt::format("error: {}", error.what()));
        send_error(res, 503, "the database cannot be read right now");
    } catch (const Xapian::Error& error) {
        if (options.log) options.log(fmt::format("error: {}", error.get_description()));
        send_error(res, 503, "the database cannot be read right now");
    }
    return httplib::Server::HandlerResponse::Handled;
}

void Server::Impl::api_search(const httplib::Request& req, httplib::Response& res) {
    // The raw query string, not httplib's req.params: httplib 0.11 leaves "+" undecoded, and
    // browsers write spaces as "+".
    const std::size_t question = req.target.find('?');
    const Params query = parse_query_string(question == std::string::npos
                                                ? std::string_view()
                                                : std::string_view(req.target).substr(question + 1));
    const SearchParams params = parse_search_params(query, options.limits);
    // params.request.group carries the group level to the searcher.
    const search::Response response = searcher.search(params.request);
    send_json(res, 200, search_json(response, params));
}

void Server::Impl::api_article(const std::string& id, httplib::Response& res) {
    const std::optional<Article> article = id.empty() ? std::nullopt : store.find(id);
    if (!article) {
        send_error(res, 404, "no article with this id");
        return;
    }
    send_json(res, 200, full_article_json(*article));
}

void Server::Impl::api_group(const std::string& id, const httplib::Request& req,
                             httplib::Response& res) {
    const std::size_t question = req.target.find('?');
    const GroupLevel level = parse_group_params(parse_query_string(
        question == std::string::npos ? std::string_view()
                                      : std::string_view(req.target).substr(question + 1)));
    const std::optional<search::GroupMembers> members =
        id.empty() ? std::nullopt : searcher.group_members(level, id);
    if (!members) {
        send_error(res, 404, "no group with this id");
        return;
    }
    send_json(res, 200, search::members_json(*members));
}

void Server::Impl::serve_asset(std::string_view name, httplib::Response& res) {
    std::optional<Asset> asset;
    try {
        asset = find_asset(name, options.assets_dir);
    } catch (const Error& error) {
        if (options.log) options.log(fmt::format("error: {}", error.what()));
    }
    if (!asset) {
        res.status = 404;
        res.set_content("404 Not Found\n", "text/plain; charset=utf-8");
        return;
    }
    if (asset->content_type.starts_with("text/html")) {
        res.set_header("Content-Security-Policy", kPagePolicy);
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::move(asset->content), asset->content_type);
}

Server::Server(ServerOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {
    m_impl->setup();
}

Server::~Server() = default;

int Server::bind() {
    const ServerOptions& options = m_impl->options;
    int port = options.port;
    if (port == 0) {
        port = m_impl->http.bind_to_any_port(options.bind);
        if (port < 0) port = 0;
    } else if (!m_impl->http.bind_to_port(options.bind, port)) {
        port = 0;
    }
    if (port <= 0) {
        throw Error(fmt::format("cannot listen on {}:{} (address in use or not available)",
                                options.bind, options.port));
    }
    m_impl->bound = true;
    return port;
}

bool Server::run() {
    if (!m_impl->bound || m_impl->stop_requested) return false;
    return m_impl->http.listen_after_bind();
}

void Server::stop() {
    m_impl->stop_requested = true;
    m_impl->http.stop();
}

bool Server::is_running() const { return m_impl->http.is_running(); }

std::size_t Server::article_count() const { return m_impl->searcher.document_count(); }

}  // namespace wiredesk::web
