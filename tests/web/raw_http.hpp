/// @file raw_http.hpp
/// @brief A plain TCP connection to a test server, for requests no HTTP client library would
/// send: raw bytes, half a request line, a megabyte of headers. Every wait is bounded.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wiredesk::test {

/// What came back on a raw connection.
struct RawAnswer {
    std::optional<int> status;  ///< from the status line; nullopt if none came
    std::string text;           ///< everything read (status line, headers, body)
    bool closed = false;        ///< the server closed the connection
};

/// One TCP connection to 127.0.0.1:port. Closed when the object dies.
class RawConnection {
public:
    /// Connects. @throws std::runtime_error if the connection is refused.
    explicit RawConnection(int port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    /// Sends @p bytes; returns false if the server closed or reset the connection meanwhile
    /// (a server may hang up on a request it refuses before reading all of it).
    bool send(std::string_view bytes);

    /// Reads until one whole answer has come (headers and Content-Length bytes), the server
    /// closes, or @p patience passes.
    RawAnswer read_answer(std::chrono::milliseconds patience);

    /// Whether the server has not closed the connection (checked without waiting).
    [[nodiscard]] bool is_open() const;

    /// Waits at most @p patience for the server to close the connection without answering;
    /// whatever it sent meanwhile is returned too.
    RawAnswer wait_for_close(std::chrono::milliseconds patience);

private:
    int m_fd = -1;
};

/// Sends @p request on a new connection and reads the answer (at most 30 s).
RawAnswer raw_request(int port, std::string_view request);

}  // namespace wiredesk::test
