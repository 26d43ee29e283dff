// Sharded archives whose shards are served by xapian-tcpsrv: real databases indexed from the
// corpus at test time, real xapian-tcpsrv processes on 127.0.0.1, the search library and the
// CLI. A remote archive must answer as the same shards opened locally do; a shard that does not
// answer is named, or left out and the answer marked partial.

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "test_support.hpp"
#include "wiredesk/common/database.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace fs = std::filesystem;
namespace search = wiredesk::searcher;
using wiredesk::test::bin_dir;
using wiredesk::test::run;
using wiredesk::test::source_dir;
using wiredesk::test::TempDir;
using wiredesk::test::write_file;

namespace {

/// xapian-tcpsrv on the PATH (Debian's xapian-tools; scripts/setup.sh installs it).
fs::path tcpsrv_program() {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t at = 0;
    while (at <= dirs.size()) {
        const std::size_t colon = std::min(dirs.find(':', at), dirs.size());
        const fs::path candidate = fs::path(dirs.substr(at, colon - at)) / "xapian-tcpsrv";
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
        at = colon + 1;
    }
    FAIL("xapian-tcpsrv is not installed: the remote shard tests need it (Debian package "
         "xapian-tools; scripts/setup.sh installs it)");
    return {};
}

/// A port nothing listens on right now (the kernel's pick; it may be taken again later, which
/// TcpServer retries).
unsigned free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    close(fd);
    return ntohs(address.sin_port);
}

bool accepts_connections(unsigned port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool connected =
        connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return connected;
}

/// One xapian-tcpsrv process serving @p databases on 127.0.0.1, stopped (with the children it
/// forks per connection: they share its process group) when the object dies or stop() is
/// called.
class TcpServer {
public:
    explicit TcpServer(const std::vector<std::string>& databases) {
        const fs::path program = tcpsrv_program();
        for (int attempt = 0; attempt < 5 && m_pid <= 0; ++attempt) {
            const unsigned port = free_port();
            std::vector<std::string> args = {"--port", std::to_string(port), "--interface",
                                             "127.0.0.1", "--quiet"};
            args.insert(args.end(), databases.begin(), databases.end());
            const pid_t pid = start(program, args);
            // Ready when it accepts; gone early means the port was taken meanwhile: retry.
            for (int wait = 0; wait < 200; ++wait) {
                int status = 0;
                if (waitpid(pid, &status, WNOHANG) == pid) break;
                if (accepts_connections(port)) {
                    m_pid = pid;
                    m_port = port;
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
            }
            if (m_pid <= 0) stop_group(pid);
        }
        REQUIRE_MESSAGE(m_pid > 0, "xapian-tcpsrv did not start");
    }
    ~TcpServer() { stop(); }
    TcpServer(const TcpServer&) = delete;
    TcpServer& operator=(const TcpServer&) = delete;

    [[nodiscard]] unsigned port() const noexcept { return m_port; }
    [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }
    [[nodiscard]] std::string stub_line() const { return "remote " + address(); }

    /// Kills the server and every connection it serves (a host going down).
    void stop() {
        if (m_pid > 0) stop_group(m_pid);
        m_pid = 0;
    }

private:
    static pid_t start(const fs::path& program, const std::vector<std::string>& args) {
        std::vector<std::string> strings = {program.string()};
        strings.insert(strings.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& string : strings) argv.push_back(string.data());
        argv.push_back(nullptr);
        const pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            setpgid(0, 0);  // its own group, so that its per-connection children die with it
            const int null = open("/dev/null", O_RDWR);
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
            execv(argv[0], argv.data());
            _exit(127);
        }
        setpgid(pid, pid);
        return pid;
    }

    static void stop_group(pid_t pid) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
    }

    pid_t m_pid = 0;
    unsigned m_port = 0;
};

/// A socket that listens on 127.0.0.1 and never answers: the kernel completes connections, no
/// one speaks (a hung server).
class SilentListener {
public:
    SilentListener() {
        m_fd = socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(m_fd >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(listen(m_fd, 16) == 0);
        socklen_t length = sizeof address;
        REQUIRE(getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        m_port = ntohs(address.sin_port);
    }
    ~SilentListener() { close(m_fd); }
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;
    [[nodiscard]] unsigned port() const noexcept { return m_port; }

private:
    int m_fd = -1;
    unsigned m_port = 0;
};

/// Indexes @p inputs (relative to the source tree) into @p db with wiredesk-index.
void index_shard(const fs::path& db, const std::vector<std::string>& inputs) {
    std::vector<std::string> args = {"--db", db.string(), "--quiet"};
    for (const std::string& input : inputs) args.push_back((source_dir() / input).string());
    const auto result = run(bin_dir() / "wiredesk-index", args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
}

/// The archive's `meta` shard as the sharding indexer writes it: no documents; the schema
/// version, every shard's metadata (file states, group records) and spelling data.
void write_meta(const fs::path& meta, const std::vector<fs::path>& shards) {
    Xapian::WritableDatabase out(meta.string(), Xapian::DB_CREATE_OR_OPEN);
    for (const fs::path& shard : shards) {
        const Xapian::Database in(shard.string());
        for (auto key = in.metadata_keys_begin(); key != in.metadata_keys_end(); ++key) {
            out.set_metadata(*key, in.get_metadata(*key));
        }
        for (auto word = in.spellings_begin(); word != in.spellings_end(); ++word) {
            out.add_spelling(*word, word.get_termfreq());
        }
    }
    out.set_metadata(std::string(wiredesk::schema::kVersionKey),
                     std::string(wiredesk::schema::kVersion));
    out.commit();
}

/// The corpus in three monthly-style shards plus meta, indexed once for every test.
struct Shards {
    TempDir dir;
    fs::path meta = dir / "archive" / "meta";
    std::vector<fs::path> shards = {dir / "archive" / "s1", dir / "archive" / "s2",
                                    dir / "archive" / "s3"};

    Shards() {
        fs::create_directories(dir / "archive");
        index_shard(shards[0], {"corpus/wire", "corpus/web"});
        index_shard(shards[1], {"corpus/feeds"});
        index_shard(shards[2], {"corpus/intl"});
        write_meta(meta, shards);
    }
};

const Shards& corpus_shards() {
    static const Shards shards;
    return shards;
}

/// A stub at @p path with @p lines.
std::string write_stub(const fs::path& path, const std::vector<std::string>& lines) {
    std::string text = "# written by the remote shard tests\n";
    for (const std::string& line : lines) text += line + "\n";
    write_file(path, text);
    return path.string();
}

search::SearcherOptions quick_timeouts(bool allow_partial = false) {
    search::SearcherOptions options;
    options.remote_timeouts.connect_ms = 2000;
    options.remote_timeouts.reply_ms = 2000;
    options.allow_partial = allow_partial;
    return options;
}

/// The requests compared between local and remote shards: grouped and not, every sort, date
/// ranges, source filters, wildcards, phrases, a misspelling, filters alone.
std::vector<search::Request> comparison_requests() {
    std::vector<search::Request> requests;
    const auto add = [&](const std::string& query, auto adjust) {
        search::Request request;
        request.query = query;
        request.limit = 20;
        adjust(request);
        requests.push_back(request);
    };
    const auto same = [](search::Request&) {};
    add("rotterdam strike", same);
    add("rotterdam strike", [](search::Request& r) { r.group = search::GroupLevel::kCopy; });
    add("rotterdam strike", [](search::Request& r) { r.group = search::GroupLevel::kNone; });
    add("rotterdam", [](search::Request& r) { r.sort = search::SortOrder::kNewest; });
    add("port", [](search::Request& r) { r.sort = search::SortOrder::kOldest; });
    add("port", [](search::Request& r) { r.sort = search::SortOrder::kRecency; });
    add("strike", [](search::Request& r) {
        r.sort = search::SortOrder::kRecency;
        r.recency_half_life_days = 3;
        r.group = search::GroupLevel::kNone;
    });
    add("\"peace talks\"", same);
    add("talks date:2026-01-01..2026-12-31", same);
    add("source:AFP", same);
    add("strike", [](search::Request& r) { r.sources = {"AFP", "Harbor Wire"}; });
    add("", [](search::Request& r) {
        r.since = "2026-01";
        r.group = search::GroupLevel::kNone;
    });
    add("rott*", same);
    add("roterdam strik", same);  // misspelt: "did you mean"
    add("storm OR flood OR drought", [](search::Request& r) { r.match_all_words = false; });
    add("lang:de", same);
    add("the", [](search::Request& r) {
        r.offset = 5;
        r.limit = 7;
    });
    add("port", [](search::Request& r) {
        r.exact_counts = false;
        r.check_at_least = 3;
    });
    return requests;
}

void check_same_facets(const search::Facets& a, const search::Facets& b) {
    CHECK(a.exact == b.exact);
    CHECK(a.counting == b.counting);
    REQUIRE(a.sources.size() == b.sources.size());
    for (std::size_t i = 0; i < a.sources.size(); ++i) {
        CHECK(a.sources[i].value == b.sources[i].value);
        CHECK(a.sources[i].count == b.sources[i].count);
    }
    CHECK(a.other_sources == b.other_sources);
    CHECK(a.unknown_source == b.unknown_source);
    REQUIRE(a.languages.size() == b.languages.size());
    for (std::size_t i = 0; i < a.languages.size(); ++i) {
        CHECK(a.languages[i].value == b.languages[i].value);
        CHECK(a.languages[i].count == b.languages[i].count);
    }
    CHECK(a.dates.bucket == b.dates.bucket);
    CHECK(a.dates.undated == b.dates.undated);
    REQUIRE(a.dates.buckets.size() == b.dates.buckets.size());
    for (std::size_t i = 0; i < a.dates.buckets.size(); ++i) {
        CHECK(a.dates.buckets[i].value == b.dates.buckets[i].value);
        CHECK(a.dates.buckets[i].count == b.dates.buckets[i].count);
    }
}

/// Everything a person sees of a response, compared field by field.
void check_same_response(const search::Response& local, const search::Response& remote) {
    CHECK(local.total == remote.total);
    CHECK(local.total_exact == remote.total_exact);
    CHECK(local.total_reports == remote.total_reports);
    CHECK(local.suggestion == remote.suggestion);
    CHECK(local.warnings == remote.warnings);
    CHECK_FALSE(remote.partial);
    REQUIRE(local.results.size() == remote.results.size());
    for (std::size_t i = 0; i < local.results.size(); ++i) {
        const search::Hit& a = local.results[i];
        const search::Hit& b = remote.results[i];
        INFO("rank " << a.rank << ": " << a.id << " vs " << b.id);
        CHECK(a.id == b.id);
        CHECK(a.rank == b.rank);
        CHECK(a.score == doctest::Approx(b.score).epsilon(1e-9));
        CHECK(a.snippet == b.snippet);
        CHECK(a.title == b.title);
        CHECK(a.date == b.date);
        CHECK(a.source == b.source);
        REQUIRE(a.group.has_value() == b.group.has_value());
        if (a.group) {
            CHECK(a.group->id == b.group->id);
            CHECK(a.group->size == b.group->size);
            CHECK(a.group->other_outlets == b.group->other_outlets);
            CHECK(a.group->other_outlet_count == b.group->other_outlet_count);
            CHECK(a.group->earliest.id == b.group->earliest.id);
            CHECK(a.group->is_earliest == b.group->is_earliest);
        }
    }
    REQUIRE(local.facets.has_value() == remote.facets.has_value());
    if (local.facets) check_same_facets(*local.facets, *remote.facets);
}

std::vector<std::string> ids_of(const search::Response& response) {
    std::vector<std::string> ids;
    for (const auto& hit : response.results) ids.push_back(hit.id);
    return ids;
}

bool has_warning(const search::Response& response, const std::string& fragment) {
    for (const std::string& warning : response.warnings) {
        if (warning.find(fragment) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("remote shards: a stub of a local meta shard and remote shards answers as the same "
          "shards opened locally") {
    const Shards& shards = corpus_shards();
    TempDir stubs;
    const TcpServer s1({shards.shards[0].string()});
    const TcpServer s2({shards.shards[1].string()});
    const TcpServer s3({shards.shards[2].string()});
    // The layout an archive directory has: XAPIANDB beside the shards, relative lines.
    const std::string local_stub =
        write_stub(shards.dir / "archive" / "XAPIANDB",
                   {"auto meta", "auto s1", "auto s2", "auto s3"});
    const std::string remote_stub = write_stub(
        stubs / "remote.stub",
        {"auto " + shards.meta.string(), s1.stub_line(), s2.stub_line(), s3.stub_line()});

    const search::Searcher local((std::vector<std::string>{(shards.dir / "archive").string()}));
    const search::Searcher remote({remote_stub}, quick_timeouts());
    CHECK(local.document_count() == remote.document_count());
    CHECK(local.document_count() > 30);

    std::size_t grouped_hits = 0;
    bool suggested = false;
    for (const search::Request& request : comparison_requests()) {
        CAPTURE(request.query);
        CAPTURE(static_cast<int>(request.sort));
        CAPTURE(static_cast<int>(request.group));
        const search::Response a = local.search(request);
        const search::Response b = remote.search(request);
        check_same_response(a, b);
        for (const auto& hit : a.results) grouped_hits += hit.group && hit.group->size > 1;
        suggested = suggested || a.suggestion.has_value();
    }
    // The comparison means something: groups of several reports and a suggestion were in it.
    CHECK(grouped_hits > 0);
    CHECK(suggested);

    // A group's members, read through postings of every shard and the meta shard's records.
    search::Request request;
    request.query = "rotterdam strike";
    const auto response = local.search(request);
    REQUIRE_FALSE(response.results.empty());
    REQUIRE(response.results[0].group);
    const auto& group = *response.results[0].group;
    const auto a = local.group_members(group.level, group.id);
    const auto b = remote.group_members(group.level, group.id);
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(a->members.size() == b->members.size());
    for (std::size_t i = 0; i < a->members.size(); ++i) {
        CHECK(a->members[i].id == b->members[i].id);
    }
}

TEST_CASE("remote shards: sorting by time keeps undated reports last both ways, as locally") {
    const Shards& shards = corpus_shards();
    TempDir stubs;
    const TcpServer s2({shards.shards[1].string()});
    const std::string remote_stub =
        write_stub(stubs / "remote.stub", {"auto " + shards.meta.string(), s2.stub_line()});
    const search::Searcher searcher({remote_stub}, quick_timeouts());
    for (const auto sort : {search::SortOrder::kNewest, search::SortOrder::kOldest}) {
        search::Request request;
        request.query = "date:undated OR date:2020..2030";
        request.group = search::GroupLevel::kNone;
        request.sort = sort;
        request.limit = 1000;
        const auto response = searcher.search(request);
        REQUIRE(response.results.size() > 2);
        bool undated_seen = false;
        std::string previous;
        for (const auto& hit : response.results) {
            if (hit.datetime.empty()) {
                undated_seen = true;
                continue;
            }
            CHECK_FALSE(undated_seen);  // a dated report after an undated one
            if (!previous.empty()) {
                CHECK((sort == search::SortOrder::kNewest ? hit.datetime <= previous
                                                          : hit.datetime >= previous));
            }
            previous = hit.datetime;
        }
    }
}

TEST_CASE("remote shards: a shard that is down is named, or left out and the answer marked "
          "partial") {
    const Shards& shards = corpus_shards();
    TempDir stubs;
    const TcpServer s1({shards.shards[0].string()});
    const TcpServer s3({shards.shards[2].string()});
    const std::string down = "127.0.0.1:" + std::to_string(free_port());
    const std::string stub =
        write_stub(stubs / "archive.stub", {"auto " + shards.meta.string(), s1.stub_line(),
                                            "remote " + down, s3.stub_line()});

    SUBCASE("without allow-partial: an error naming host:port") {
        try {
            const search::Searcher searcher({stub}, quick_timeouts());
            FAIL("opened an archive with a shard down");
        } catch (const wiredesk::RemoteShardError& error) {
            CHECK(std::string(error.what()).find(down) != std::string::npos);
            CHECK(error.shards() == std::vector<std::string>{down});
        }
    }

    SUBCASE("with allow-partial: the other shards' answer, marked partial") {
        const search::Searcher searcher({stub}, quick_timeouts(true));
        const std::string without =
            write_stub(stubs / "without.stub",
                       {"auto " + shards.meta.string(), s1.stub_line(), s3.stub_line()});
        const search::Searcher reference({without}, quick_timeouts());
        search::Request request;
        request.query = "strike OR storm OR snow";
        request.match_all_words = false;
        const auto partial = searcher.search(request);
        const auto expected = reference.search(request);
        CHECK(partial.partial);
        CHECK(partial.missing_shards == std::vector<std::string>{down});
        CHECK(has_warning(partial, "partial results: 1 of 4 shards did not answer (" + down));
        CHECK(ids_of(partial) == ids_of(expected));
        CHECK(partial.total == expected.total);
        CHECK_FALSE(partial.results.empty());
    }

    SUBCASE("a shard that accepts connections and never answers times out, named") {
        const SilentListener hung;
        const std::string name = "127.0.0.1:" + std::to_string(hung.port());
        const std::string hung_stub = write_stub(
            stubs / "hung.stub",
            {"auto " + shards.meta.string(), s1.stub_line(), "remote " + name});
        search::SearcherOptions options = quick_timeouts();
        options.remote_timeouts.reply_ms = 300;
        // Returns (the assertion is that it does, not how fast): a timeout, not a hang.
        try {
            const search::Searcher searcher({hung_stub}, options);
            FAIL("opened an archive with a hung shard");
        } catch (const wiredesk::RemoteShardError& error) {
            CHECK(std::string(error.what()).find(name) != std::string::npos);
            CHECK(std::string(error.what()).find("timed out") != std::string::npos);
        }
        options.allow_partial = true;
        const search::Searcher searcher({hung_stub}, options);
        search::Request request;
        request.query = "strike";
        const auto response = searcher.search(request);
        CHECK(response.partial);
        CHECK(response.missing_shards == std::vector<std::string>{name});
    }
}

TEST_CASE("remote shards: a shard killed between two searches is named, or left out") {
    const Shards& shards = corpus_shards();
    TempDir stubs;
    const TcpServer s1({shards.shards[0].string()});
    TcpServer s2({shards.shards[1].string()});
    const std::string stub = write_stub(
        stubs / "archive.stub", {"auto " + shards.meta.string(), s1.stub_line(), s2.stub_line()});
    const std::string without =
        write_stub(stubs / "without.stub", {"auto " + shards.meta.string(), s1.stub_line()});
    const std::string killed = s2.address();
    search::Request request;
    request.query = "rotterdam OR storm OR drought";
    request.match_all_words = false;

    SUBCASE("without allow-partial: the next search fails naming the shard") {
        const search::Searcher searcher({stub}, quick_timeouts());
        CHECK_FALSE(searcher.search(request).partial);
        s2.stop();
        try {
            (void)searcher.search(request);
            FAIL("searched an archive whose shard was killed");
        } catch (const wiredesk::RemoteShardError& error) {
            CHECK(std::string(error.what()).find(killed) != std::string::npos);
        }
    }

    SUBCASE("with allow-partial: the next search goes on without it, marked partial") {
        const search::Searcher searcher({stub}, quick_timeouts(true));
        const auto before = searcher.search(request);
        CHECK_FALSE(before.partial);
        s2.stop();
        const auto after = searcher.search(request);
        CHECK(after.partial);
        CHECK(after.missing_shards == std::vector<std::string>{killed});
        const search::Searcher reference({without}, quick_timeouts());
        CHECK(ids_of(after) == ids_of(reference.search(request)));
        CHECK(after.total < before.total);
        // A group's member list says so too: members on the missing shard are not in it.
        bool listed = false;
        for (const auto& hit : after.results) {
            if (!hit.group) continue;
            const auto members = searcher.group_members(hit.group->level, hit.group->id);
            REQUIRE(members.has_value());
            CHECK(members->partial);
            CHECK(members->missing_shards == std::vector<std::string>{killed});
            listed = true;
            break;
        }
        CHECK(listed);
    }
}

TEST_CASE("remote shards: what the remote side cannot do is said in warnings") {
    const Shards& shards = corpus_shards();
    TempDir stubs;
    const TcpServer s1({shards.shards[0].string()});
    const TcpServer s2({shards.shards[1].string()});

    SUBCASE("facets counted by group fall back to reports") {
        const std::string stub = write_stub(
            stubs / "archive.stub", {"auto " + shards.meta.string(), s1.stub_line(),
                                     s2.stub_line()});
        const search::Searcher searcher({stub}, quick_timeouts());
        search::Request request;
        request.query = "rotterdam";
        request.facet_counting = search::FacetCounting::kGroups;
        const auto response = searcher.search(request);
        CHECK(has_warning(response, "facets count reports, not groups"));
        REQUIRE(response.facets);
        CHECK(response.facets->counting == search::FacetCounting::kReports);
        // The same counts as reports counted locally.
        const std::string local_stub = write_stub(
            stubs / "local.stub", {"auto " + shards.meta.string(),
                                   "auto " + shards.shards[0].string(),
                                   "auto " + shards.shards[1].string()});
        const search::Searcher local({local_stub});
        request.facet_counting = search::FacetCounting::kReports;
        check_same_facets(*local.search(request).facets, *response.facets);
    }

    SUBCASE("no spelling suggestions when no local shard holds spelling data") {
        const std::string stub =
            write_stub(stubs / "remote_only.stub", {s1.stub_line(), s2.stub_line()});
        const search::Searcher searcher({stub}, quick_timeouts());
        search::Request request;
        request.query = "roterdam";
        const auto response = searcher.search(request);
        CHECK_FALSE(response.suggestion);
        CHECK(has_warning(response, "no spelling suggestions: the archive's spelling data is on "
                                    "remote shards"));
    }
}

TEST_CASE("remote shards: wiredesk-search --allow-partial marks its JSON and text, and without it "
          "exit code 1 names the shard") {
    const Shards& shards = corpus_shards();
    TempDir stubs;
    const TcpServer s1({shards.shards[0].string()});
    const std::string down = "127.0.0.1:" + std::to_string(free_port());
    const std::string stub = write_stub(
        stubs / "archive.stub", {"auto " + shards.meta.string(), s1.stub_line(), "remote " + down});

    const auto failed = run(bin_dir() / "wiredesk-search",
                            {"--db", stub, "--remote-timeout", "2000", "rotterdam"});
    CHECK(failed.exit_code == 1);
    CHECK(failed.err.find(down) != std::string::npos);

    const auto json = run(bin_dir() / "wiredesk-search",
                          {"--db", stub, "--allow-partial", "--json", "rotterdam"});
    INFO(json.err);
    REQUIRE(json.exit_code == 0);
    const auto out = nlohmann::json::parse(json.out);
    CHECK(out["partial"] == true);
    CHECK(out["missing_shards"] == nlohmann::json::array({down}));

    const auto text = run(bin_dir() / "wiredesk-search",
                          {"--db", stub, "--allow-partial", "--color", "never", "rotterdam"});
    REQUIRE(text.exit_code == 0);
    CHECK(text.out.find("PARTIAL RESULTS") != std::string::npos);
    CHECK(text.out.find(down) != std::string::npos);
}

TEST_CASE("stub files: relative lines, comments, nested stubs, and bad lines named by line") {
    TempDir dir;
    write_file(dir / "a" / "XAPIANDB",
               "# the archive\n\nauto meta\nglass ../b/db\nremote search2.example:33333\n"
               "remote [::1]:4000\nremote :ssh host xapian-progsrv /srv/db\n");
    fs::create_directories(dir / "a" / "meta");
    fs::create_directories(dir / "b" / "db");
    write_file(dir / "outer.stub", "auto a\n");
    const auto shards = wiredesk::list_shards({(dir / "outer.stub").string()});
    REQUIRE(shards.size() == 5);
    CHECK(shards[0].path == (dir / "a" / "meta").string());
    CHECK(shards[1].path == (dir / "b" / "db").string());
    CHECK(shards[2].name() == "search2.example:33333");
    CHECK(shards[3].host == "::1");
    CHECK(shards[3].name() == "[::1]:4000");
    CHECK(shards[4].kind == wiredesk::ShardLocation::Kind::kProgram);
    CHECK(shards[4].program == "ssh");
    CHECK(shards[4].args == "host xapian-progsrv /srv/db");

    write_file(dir / "bad.stub", "auto a\nremote nohostport\n");
    try {
        (void)wiredesk::list_shards({(dir / "bad.stub").string()});
        FAIL("read a bad stub");
    } catch (const wiredesk::DatabaseError& error) {
        CHECK(std::string(error.what()).find("bad.stub:2:") != std::string::npos);
    }
    write_file(dir / "loop.stub", "auto loop.stub\n");
    CHECK_THROWS_AS((void)wiredesk::list_shards({(dir / "loop.stub").string()}),
                    wiredesk::DatabaseError);
}
