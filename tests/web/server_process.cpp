#include "server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>
#include <thread>

namespace wiredesk::test {
namespace {

using namespace std::chrono_literals;

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds patience) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (true) {
        int status = 0;
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (done < 0) return -1;
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(10ms);
    }
}

}  // namespace

CorpusArchive::CorpusArchive(const std::vector<std::string>& extra_inputs) {
    std::vector<std::string> inputs = {(source_dir() / "corpus").string()};
    inputs.insert(inputs.end(), extra_inputs.begin(), extra_inputs.end());
    add(inputs);
}

void CorpusArchive::add(const std::vector<std::string>& inputs) const {
    std::vector<std::string> args = {"--db", db, "--quiet", "--exclude", "malformed",
                                     "--exclude", "README.md"};
    args.insert(args.end(), inputs.begin(), inputs.end());
    const CommandResult result = run(bin_dir() / "wiredesk-index", args);
    if (result.exit_code != 0) {
        throw std::runtime_error("wiredesk-index failed: " + result.err);
    }
}

ServerProcess::ServerProcess(const std::vector<std::string>& args) {
    const std::string out_path = (m_dir / "out").string();
    const std::string err_path = (m_dir / "err").string();
    std::vector<std::string> all = {"--port", "0"};
    all.insert(all.end(), args.begin(), args.end());
    const std::string program = (bin_dir() / "wiredesk-serve").string();
    m_pid = fork();
    if (m_pid < 0) throw std::runtime_error("fork failed");
    if (m_pid == 0) {
        const int in = open("/dev/null", O_RDONLY);
        const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        std::vector<char*> argv;
        std::string program_copy = program;
        argv.push_back(program_copy.data());
        for (auto& arg : all) argv.push_back(arg.data());
        argv.push_back(nullptr);
        execv(program_copy.c_str(), argv.data());
        _exit(127);
    }
    // The address line: "wiredesk-serve: N articles; open http://HOST:PORT/".
    static const std::regex address(R"(open http://(\[[^\]]+\]|[^:/\s]+):(\d+)/)");
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
        std::smatch match;
        const std::string printed = out();
        if (std::regex_search(printed, match, address)) {
            m_host = match[1];
            m_port = std::stoi(match[2]);
            return;
        }
        if (wait_for_exit(m_pid, 0ms)) {
            m_pid = -1;
            throw std::runtime_error("wiredesk-serve exited at start: " + log());
        }
        std::this_thread::sleep_for(20ms);
    }
    stop(SIGKILL, 2s);
    throw std::runtime_error("wiredesk-serve did not print its address within 15 s");
}

ServerProcess::~ServerProcess() {
    if (m_pid > 0) stop(SIGTERM, 5s);
}

std::string ServerProcess::out() const { return read_file(m_dir / "out"); }

std::string ServerProcess::log() const { return read_file(m_dir / "err"); }

std::optional<int> ServerProcess::stop(int signal, std::chrono::milliseconds patience) {
    if (m_pid <= 0) return std::nullopt;
    kill(m_pid, signal);
    std::optional<int> code = wait_for_exit(m_pid, patience);
    if (!code) {
        kill(m_pid, SIGKILL);
        wait_for_exit(m_pid, 5s);
    }
    m_pid = -1;
    return code;
}

}  // namespace wiredesk::test
