#include "wiredesk/indexer/bloom_filter.hpp"

#include <algorithm>
#include <array>
#include <bit>

namespace wiredesk::indexer {
namespace {

constexpr std::size_t kWordsPerBlock = 8;  // 512 bits: one cache line
constexpr std::size_t kBitsPerHash = 10;
constexpr int kBitsSet = 7;  // per hash, within its block: about 1 % false positives at 10 bits
constexpr std::size_t kMinimumCapacity = std::size_t{1} << 16;

// The hashes given are well mixed but may share low bits (grouping's sampled anchors are all
// 0 mod 16), so the block and the bits come from the high bits of two multiplications.
std::uint64_t block_of(std::uint64_t hash, std::uint64_t blocks) noexcept {
    const std::uint64_t mixed = hash * 0x9E3779B97F4A7C15ULL;
    return blocks == 1 ? 0 : mixed >> (64 - std::countr_zero(blocks));
}

std::uint64_t bits_of(std::uint64_t hash) noexcept {
    const std::uint64_t x = (hash ^ (hash >> 31)) * 0xBF58476D1CE4E5B9ULL;
    return x ^ (x >> 29);
}

/// Where a hash lies in a stage of @p blocks blocks: its block's first word, and the bits it
/// sets in each word of that block.
struct BlockBits {
    std::size_t first_word = 0;
    std::array<std::uint64_t, kWordsPerBlock> masks{};
};

BlockBits block_bits(std::uint64_t hash, std::uint64_t blocks) noexcept {
    BlockBits result;
    result.first_word = block_of(hash, blocks) * kWordsPerBlock;
    std::uint64_t bits = bits_of(hash);
    for (int i = 0; i < kBitsSet; ++i, bits >>= 9) {
        const auto bit = static_cast<unsigned>(bits & 511);
        result.masks[bit / 64] |= std::uint64_t{1} << (bit % 64);
    }
    return result;
}

}  // namespace

BloomFilter::BloomFilter(std::size_t expected) {
    m_stages.push_back(make_stage(std::max(expected, kMinimumCapacity)));
}

BloomFilter::Stage BloomFilter::make_stage(std::size_t capacity) {
    Stage stage;
    stage.capacity = capacity;
    stage.blocks = std::bit_ceil(
        std::max<std::uint64_t>(1, capacity * kBitsPerHash / (kWordsPerBlock * 64)));
    stage.words.assign(stage.blocks * kWordsPerBlock, 0);
    return stage;
}

void BloomFilter::insert(std::uint64_t hash) {
    if (m_stages.back().count >= m_stages.back().capacity) {
        m_stages.push_back(make_stage(2 * m_stages.back().capacity));
    }
    Stage& stage = m_stages.back();
    const BlockBits where = block_bits(hash, stage.blocks);
    for (std::size_t k = 0; k < kWordsPerBlock; ++k) {
        stage.words[where.first_word + k] |= where.masks[k];
    }
    ++stage.count;
    ++m_size;
}

bool BloomFilter::stage_contains(const Stage& stage, std::uint64_t hash) noexcept {
    const BlockBits where = block_bits(hash, stage.blocks);
    for (std::size_t k = 0; k < kWordsPerBlock; ++k) {
        if ((stage.words[where.first_word + k] & where.masks[k]) != where.masks[k]) return false;
    }
    return true;
}

bool BloomFilter::may_contain(std::uint64_t hash) const noexcept {
    return std::any_of(m_stages.begin(), m_stages.end(),
                       [&](const Stage& stage) { return stage_contains(stage, hash); });
}

std::size_t BloomFilter::memory_bytes() const noexcept {
    std::size_t bytes = 0;
    for (const Stage& stage : m_stages) bytes += stage.words.size() * sizeof(std::uint64_t);
    return bytes;
}

}  // namespace wiredesk::indexer
