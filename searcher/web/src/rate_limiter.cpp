#include "wiredesk/web/rate_limiter.hpp"

#include <algorithm>

namespace wiredesk::web {

RateLimiter::RateLimiter(double per_second, double burst, std::size_t max_clients)
    : m_per_second(per_second), m_burst(std::max(burst, 1.0)), m_max_clients(max_clients) {}

bool RateLimiter::allow(const std::string& client, Clock::time_point now) {
    if (m_per_second <= 0) return true;
    const std::lock_guard lock(m_mutex);
    auto found = m_buckets.find(client);
    if (found == m_buckets.end()) {
        if (m_buckets.size() >= m_max_clients) forget_idle(now);
        found = m_buckets.emplace(client, Bucket{m_burst, now}).first;
    }
    Bucket& bucket = found->second;
    const std::chrono::duration<double> elapsed = now - bucket.updated;
    bucket.tokens = std::min(m_burst, bucket.tokens + std::max(0.0, elapsed.count()) * m_per_second);
    bucket.updated = now;
    if (bucket.tokens < 1.0) return false;
    bucket.tokens -= 1.0;
    return true;
}

void RateLimiter::forget_idle(Clock::time_point now) {
    // A bucket that has refilled completely holds no state worth keeping.
    const std::chrono::duration<double> refill(m_burst / m_per_second);
    std::erase_if(m_buckets, [&](const auto& entry) { return now - entry.second.updated >= refill; });
    // Still full: every client is busy; start afresh rather than grow without bound.
    if (m_buckets.size() >= m_max_clients) m_buckets.clear();
}

}  // namespace wiredesk::web
