/// @file rate_limiter.hpp
/// @brief Requests per second per client: a token bucket for each client address.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wiredesk::web {

/// Allows each client @p per_second requests a second on average, in bursts of up to @p burst.
/// Memory is bounded: at most @p max_clients buckets are kept; idle ones are dropped first.
///
/// Thread-safety: allow() may be called from many threads at once.
class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    /// @p per_second 0 disables the limit (allow() always says yes).
    RateLimiter(double per_second, double burst, std::size_t max_clients = 10000);

    /// Whether @p client may make one more request at @p now (and counts it if so).
    [[nodiscard]] bool allow(const std::string& client, Clock::time_point now = Clock::now());

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point updated;
    };

    void forget_idle(Clock::time_point now);

    double m_per_second;
    double m_burst;
    std::size_t m_max_clients;
    std::mutex m_mutex;
    std::unordered_map<std::string, Bucket> m_buckets;
};

}  // namespace wiredesk::web
