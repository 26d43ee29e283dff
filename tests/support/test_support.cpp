#include "test_support.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>

#include <zlib.h>

namespace wiredesk::test {
namespace fs = std::filesystem;

fs::path source_dir() { return WIREDESK_SOURCE_DIR; }
fs::path bin_dir() { return WIREDESK_BIN_DIR; }

fs::path shared_dir() {
    if (const char* env = std::getenv("WIREDESK_SHARED_DIR"); env != nullptr && *env != '\0') {
        return fs::exists(env) ? fs::path(env) : fs::path();
    }
    const fs::path beside = source_dir().parent_path() / "shared";
    return fs::exists(beside / "corpus") ? beside : fs::path();
}

fs::path require_shared(const std::string& what) {
    fs::path shared = shared_dir();
    if (shared.empty()) {
        std::cout << "SKIPPED: " << what
                  << " needs the team's shared data (../shared beside the project, or "
                     "WIREDESK_SHARED_DIR), which is absent here\n";
        std::cout.flush();
        std::_Exit(77);
    }
    return shared;
}

TempDir::TempDir() {
    std::random_device random;
    const fs::path base = fs::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
        fs::path candidate = base / ("wiredesk-test-" + std::to_string(random()));
        if (fs::create_directory(candidate)) {
            m_path = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
}

void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_gzip_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    gzFile file = gzopen(path.c_str(), "wb");
    if (file == nullptr) throw std::runtime_error("cannot write " + path.string());
    gzwrite(file, content.data(), static_cast<unsigned>(content.size()));
    gzclose(file);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

namespace {

std::string slurp_fd(int fd) {
    std::string out;
    char buffer[65536];
    ssize_t got = 0;
    while ((got = read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(got));
    return out;
}

/// A program's argv, built before fork(): after fork() in a threaded process the child may
/// only make system calls (another thread may have held the allocator's lock).
class Argv {
public:
    Argv(const fs::path& program, const std::vector<std::string>& args)
        : m_strings{program.string()} {
        m_strings.insert(m_strings.end(), args.begin(), args.end());
        for (auto& string : m_strings) m_pointers.push_back(string.data());
        m_pointers.push_back(nullptr);
    }

    /// In the child: replaces it with the program, or ends it with code 127.
    [[noreturn]] void exec() const {
        execv(m_pointers[0], m_pointers.data());
        _exit(127);
    }

private:
    std::vector<std::string> m_strings;
    std::vector<char*> m_pointers;
};

CommandResult run_limited(const fs::path& program, const std::vector<std::string>& args,
                          std::optional<std::uintmax_t> max_file_bytes) {
    // Output goes to temporary files, not pipes: no deadlock however much either stream says.
    TempDir capture;
    const fs::path out_path = capture / "out";
    const fs::path err_path = capture / "err";
    const Argv argv(program, args);
    const pid_t child = fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        const int in = open("/dev/null", O_RDONLY);
        const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        if (max_file_bytes) {
            // Ignored (a disposition exec keeps): the write fails with EFBIG instead of the
            // signal killing the process.
            std::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{static_cast<rlim_t>(*max_file_bytes),
                               static_cast<rlim_t>(*max_file_bytes)};
            if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
        }
        argv.exec();
    }
    int status = 0;
    waitpid(child, &status, 0);
    CommandResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const int out_fd = open(out_path.c_str(), O_RDONLY);
    const int err_fd = open(err_path.c_str(), O_RDONLY);
    result.out = slurp_fd(out_fd);
    result.err = slurp_fd(err_fd);
    close(out_fd);
    close(err_fd);
    return result;
}

}  // namespace

CommandResult run(const fs::path& program, const std::vector<std::string>& args) {
    return run_limited(program, args, std::nullopt);
}

CommandResult run_with_file_size_limit(const fs::path& program,
                                       const std::vector<std::string>& args,
                                       std::uintmax_t max_file_bytes) {
    return run_limited(program, args, max_file_bytes);
}

pid_t spawn(const fs::path& program, const std::vector<std::string>& args) {
    const Argv argv(program, args);
    const pid_t child = fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        const int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        argv.exec();
    }
    return child;
}

}  // namespace wiredesk::test
