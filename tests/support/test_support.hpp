/// @file test_support.hpp
/// @brief What the tests share: project paths, temporary directories, running the executables.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wiredesk::test {

/// The project's source tree (for corpus/).
std::filesystem::path source_dir();
/// Where the executables are built (build/bin).
std::filesystem::path bin_dir();
/// The team's shared data beside the project (WIREDESK_SHARED_DIR overrides), or an empty path
/// when it is absent.
std::filesystem::path shared_dir();
/// Returns shared_dir(); when it is absent prints a visible notice and ends the test process
/// with exit code 77, which ctest reports as "Skipped".
std::filesystem::path require_shared(const std::string& what);

/// A fresh directory removed (with its contents) when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return m_path; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
        return m_path / name;
    }

private:
    std::filesystem::path m_path;
};

/// Writes @p content to @p path, creating parent directories.
void write_file(const std::filesystem::path& path, const std::string& content);
/// Gzip-compresses @p content into @p path.
void write_gzip_file(const std::filesystem::path& path, const std::string& content);
std::string read_file(const std::filesystem::path& path);

/// What a finished command did.
struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs @p program (a path) with @p args, no shell, stdin from /dev/null; captures both streams.
CommandResult run(const std::filesystem::path& program, const std::vector<std::string>& args);

/// Like run(), with the child's file size limit (RLIMIT_FSIZE) at @p max_file_bytes and SIGXFSZ
/// ignored: a write that would grow any file past the limit fails with EFBIG ("File too
/// large"), as writes fail on a full disk. Needs no privileges.
CommandResult run_with_file_size_limit(const std::filesystem::path& program,
                                       const std::vector<std::string>& args,
                                       std::uintmax_t max_file_bytes);

/// Starts @p program with @p args in the background (stdin, stdout and stderr on /dev/null)
/// and returns its process id; the caller waits for it with waitpid().
pid_t spawn(const std::filesystem::path& program, const std::vector<std::string>& args);

}  // namespace wiredesk::test
