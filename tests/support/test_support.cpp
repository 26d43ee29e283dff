#include "test_support.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
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

}  // namespace

CommandResult run(const fs::path& program, const std::vector<std::string>& args) {
    // Output goes to temporary files, not pipes: no deadlock however much either stream says.
    TempDir capture;
    const fs::path out_path = capture / "out";
    const fs::path err_path = capture / "err";
    const pid_t child = fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        const int in = open("/dev/null", O_RDONLY);
        const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        std::vector<char*> argv;
        std::string program_string = program.string();
        argv.push_back(program_string.data());
        std::vector<std::string> copies = args;
        for (auto& arg : copies) argv.push_back(arg.data());
        argv.push_back(nullptr);
        execv(program_string.c_str(), argv.data());
        _exit(127);
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

}  // namespace wiredesk::test
