#include "raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <regex>
#include <stdexcept>

namespace wiredesk::test {
namespace {

using Clock = std::chrono::steady_clock;

/// The status code of a status line "HTTP/1.1 404 Not Found", if @p text starts with one.
std::optional<int> status_of(const std::string& text) {
    static const std::regex status_line(R"(^HTTP/1\.[01] (\d{3}))");
    std::smatch match;
    if (!std::regex_search(text, match, status_line)) return std::nullopt;
    return std::stoi(match[1]);
}

/// Whether @p text holds a whole answer: headers, and as many body bytes as they announce.
bool answer_complete(const std::string& text) {
    const std::size_t end = text.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    static const std::regex length_header(R"(\r\n[Cc]ontent-[Ll]ength: *(\d+))");
    std::smatch match;
    const std::string head = text.substr(0, end);
    if (!std::regex_search(head, match, length_header)) return true;
    return text.size() - (end + 4) >= std::stoull(match[1]);
}

}  // namespace

RawConnection::RawConnection(int port) {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(m_fd);
        m_fd = -1;
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    const int on = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

RawConnection::~RawConnection() {
    if (m_fd >= 0) ::close(m_fd);
}

bool RawConnection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        pollfd ready{m_fd, POLLOUT, 0};
        // A server that stopped reading leaves the send buffer full: give up after 10 s.
        if (::poll(&ready, 1, 10000) <= 0 || (ready.revents & (POLLERR | POLLHUP))) return false;
        const ssize_t sent = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return false;  // EPIPE, ECONNRESET: the server hung up
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

RawAnswer RawConnection::read_answer(std::chrono::milliseconds patience) {
    RawAnswer answer;
    const auto deadline = Clock::now() + patience;
    char buffer[65536];
    while (!answer_complete(answer.text)) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd ready{m_fd, POLLIN, 0};
        if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) break;
        const ssize_t got = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (got <= 0) {
            if (got < 0 && errno == EINTR) continue;
            answer.closed = true;  // orderly close or reset
            break;
        }
        answer.text.append(buffer, static_cast<std::size_t>(got));
    }
    answer.status = status_of(answer.text);
    return answer;
}

bool RawConnection::is_open() const {
    pollfd ready{m_fd, POLLIN, 0};
    if (::poll(&ready, 1, 0) <= 0) return true;  // nothing to read: still open
    char byte = 0;
    return ::recv(m_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;  // 0: closed; <0: reset
}

RawAnswer RawConnection::wait_for_close(std::chrono::milliseconds patience) {
    RawAnswer answer = read_answer(patience);
    // An answer may come first (a 4xx); the close follows it.
    while (answer.status && !answer.closed) {
        RawAnswer more = read_answer(patience);
        answer.text += more.text;
        answer.closed = more.closed;
        if (more.text.empty() && !more.closed) break;  // patience ran out
    }
    return answer;
}

RawAnswer raw_request(int port, std::string_view request) {
    RawConnection connection(port);
    connection.send(request);  // the answer says more than a failed send
    return connection.read_answer(std::chrono::seconds(30));
}

}  // namespace wiredesk::test
