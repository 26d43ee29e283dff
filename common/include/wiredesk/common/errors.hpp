/// @file errors.hpp
/// @brief The exceptions Wiredesk throws. Each carries the context a user needs to act on it;
/// the executables turn them into messages and exit codes at the edge.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace wiredesk {

/// Base of every Wiredesk error.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A problem with one input file (or one record of it): the run reports it and goes on.
/// what() is formatted as `path[:line]: reason`.
class InputError : public Error {
public:
    InputError(std::string path, std::optional<std::size_t> line, std::string reason)
        : Error(format(path, line, reason)),
          m_path(std::move(path)),
          m_line(line),
          m_reason(std::move(reason)) {}

    [[nodiscard]] const std::string& path() const noexcept { return m_path; }
    [[nodiscard]] std::optional<std::size_t> line() const noexcept { return m_line; }
    [[nodiscard]] const std::string& reason() const noexcept { return m_reason; }

private:
    static std::string format(const std::string& path, std::optional<std::size_t> line,
                              const std::string& reason) {
        std::string out = path;
        if (line) out += ":" + std::to_string(*line);
        out += ": " + reason;
        return out;
    }

    std::string m_path;
    std::optional<std::size_t> m_line;
    std::string m_reason;
};

/// A value that is recognisably a date but cannot be one (2026-02-30, month 13...).
class DateError : public Error {
public:
    using Error::Error;
};

/// A database that cannot be opened, created or written (missing, unwritable, locked).
class DatabaseError : public Error {
public:
    using Error::Error;
};

/// A database written by a different schema version than this build understands.
class SchemaMismatch : public DatabaseError {
public:
    SchemaMismatch(const std::string& path, std::string found, std::string expected)
        : DatabaseError(path + ": database schema version " + (found.empty() ? "(none)" : found) +
                        ", this build reads version " + expected +
                        "; re-index into a new database"),
          m_found(std::move(found)),
          m_expected(std::move(expected)) {}

    [[nodiscard]] const std::string& found() const noexcept { return m_found; }
    [[nodiscard]] const std::string& expected() const noexcept { return m_expected; }

private:
    std::string m_found;
    std::string m_expected;
};

/// A usage error: options that contradict each other or name nothing.
class UsageError : public Error {
public:
    using Error::Error;
};

/// A search that cannot be run at all: an empty query without filters, a query too long, an
/// option that is not a date. Malformed query syntax is NOT an error: the searcher reads it
/// leniently and returns warnings. position() is the byte offset in the query, when one applies.
class QueryError : public Error {
public:
    explicit QueryError(const std::string& message,
                        std::optional<std::size_t> position = std::nullopt)
        : Error(message), m_position(position) {}

    [[nodiscard]] std::optional<std::size_t> position() const noexcept { return m_position; }

private:
    std::optional<std::size_t> m_position;
};

}  // namespace wiredesk
