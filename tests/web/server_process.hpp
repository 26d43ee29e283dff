/// @file server_process.hpp
/// @brief A wiredesk-serve started as a child process on an ephemeral loopback port, stopped
/// (SIGTERM, then SIGKILL after a bound) when the object dies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace wiredesk::test {

/// An archive indexed from corpus/ (and any extra inputs) with wiredesk-index.
struct CorpusArchive {
    TempDir dir;
    std::string db = (dir / "news.db").string();

    /// Indexes corpus/ (without malformed/ and README.md) plus @p extra_inputs.
    explicit CorpusArchive(const std::vector<std::string>& extra_inputs = {});
    /// Indexes @p inputs into the same database (a second commit, as a running indexer makes).
    void add(const std::vector<std::string>& inputs) const;
};

class ServerProcess {
public:
    /// Starts wiredesk-serve with `--port 0` and @p args, and waits (at most 15 s) for the line
    /// giving its address. @throws std::runtime_error if it does not come.
    explicit ServerProcess(const std::vector<std::string>& args);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    [[nodiscard]] int port() const noexcept { return m_port; }
    [[nodiscard]] const std::string& host() const noexcept { return m_host; }
    /// What the server printed on stdout (the address line).
    [[nodiscard]] std::string out() const;
    /// The request log and messages so far (stderr).
    [[nodiscard]] std::string log() const;

    /// Sends @p signal and waits at most @p patience for the exit; returns the exit code
    /// (128 + signal when killed), or nullopt if it did not exit in time (it is then killed).
    std::optional<int> stop(int signal, std::chrono::milliseconds patience);

private:
    TempDir m_dir;
    pid_t m_pid = -1;
    int m_port = 0;
    std::string m_host;
};

}  // namespace wiredesk::test
