/// The filter grouping asks before it looks a copy anchor up: never "not" for a hash it holds,
/// rarely "maybe" for one it does not, however many it is given.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "wiredesk/indexer/bloom_filter.hpp"

using wiredesk::indexer::BloomFilter;

namespace {

std::vector<std::uint64_t> random_hashes(std::size_t count, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::vector<std::uint64_t> hashes(count);
    for (auto& hash : hashes) hash = random();
    return hashes;
}

double false_positive_rate(const BloomFilter& filter, const std::vector<std::uint64_t>& absent) {
    std::size_t maybe = 0;
    for (const std::uint64_t hash : absent) maybe += filter.may_contain(hash) ? 1 : 0;
    return static_cast<double>(maybe) / static_cast<double>(absent.size());
}

}  // namespace

TEST_CASE("an empty filter holds nothing") {
    const BloomFilter filter;
    CHECK(filter.size() == 0);
    for (const std::uint64_t hash : random_hashes(1000, 1)) CHECK_FALSE(filter.may_contain(hash));
}

TEST_CASE("a filter never rules out a hash it was given, across its growth") {
    BloomFilter filter;
    const std::vector<std::uint64_t> held = random_hashes(300'000, 2);  // past four stages
    for (const std::uint64_t hash : held) filter.insert(hash);
    CHECK(filter.size() == held.size());
    std::size_t missed = 0;
    for (const std::uint64_t hash : held) missed += filter.may_contain(hash) ? 0 : 1;
    CHECK(missed == 0);
    // Grown as it filled: the stages after the first hold the hashes beyond its 64k.
    CHECK(filter.memory_bytes() > BloomFilter().memory_bytes() * 4);
}

TEST_CASE("a filter rarely says maybe of a hash it was not given, full or grown") {
    BloomFilter filter;
    const std::vector<std::uint64_t> absent = random_hashes(200'000, 4);
    const std::vector<std::uint64_t> held = random_hashes(400'000, 3);
    for (std::size_t i = 0; i < 65'536; ++i) filter.insert(held[i]);
    CHECK(false_positive_rate(filter, absent) < 0.02);  // one full stage
    for (std::size_t i = 65'536; i < held.size(); ++i) filter.insert(held[i]);
    CHECK(false_positive_rate(filter, absent) < 0.05);  // four stages, each near 1 %
}

TEST_CASE("a filter tells apart hashes that share their low bits") {
    // Grouping's sampled anchors are all 0 mod 16: the filter must not lean on low bits.
    BloomFilter filter;
    std::vector<std::uint64_t> held = random_hashes(50'000, 5);
    std::vector<std::uint64_t> absent = random_hashes(50'000, 6);
    for (auto& hash : held) hash &= ~std::uint64_t{0xF};
    for (auto& hash : absent) hash &= ~std::uint64_t{0xF};
    for (const std::uint64_t hash : held) filter.insert(hash);
    for (const std::uint64_t hash : held) REQUIRE(filter.may_contain(hash));
    CHECK(false_positive_rate(filter, absent) < 0.02);
}

TEST_CASE("a filter sized for many starts with room for them") {
    const BloomFilter small;
    const BloomFilter large(1'000'000);
    CHECK(large.memory_bytes() >= small.memory_bytes() * 8);
}
