#pragma once
/// @file
/// A set of 64-bit hashes that answers "maybe in it" or "certainly not": what grouping asks
/// before it looks a copy anchor up in the database, where most are not.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wiredesk::indexer {

/// A blocked Bloom filter over 64-bit hashes that grows as it is filled: each stage holds a
/// fixed number of hashes at about ten bits each, and a full one is followed by one twice its
/// size, so the false-positive rate stays near 1 % per stage however many hashes come. It never
/// answers "not" for a hash it was given. Each stage sets a hash's bits in one 64-byte block:
/// a lookup costs one cache miss per stage, not one per bit.
class BloomFilter {
public:
    /// @p expected sizes the first stage (at least a 64k-hash stage either way).
    explicit BloomFilter(std::size_t expected = 0);

    void insert(std::uint64_t hash);

    /// False only if @p hash was never inserted.
    [[nodiscard]] bool may_contain(std::uint64_t hash) const noexcept;

    /// Hashes inserted, repeats included.
    [[nodiscard]] std::size_t size() const noexcept { return m_size; }

    [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
    struct Stage {
        std::vector<std::uint64_t> words;  ///< blocks of kWordsPerBlock words
        std::uint64_t blocks = 0;          ///< a power of two
        std::size_t capacity = 0;
        std::size_t count = 0;
    };
    static Stage make_stage(std::size_t capacity);
    static bool stage_contains(const Stage& stage, std::uint64_t hash) noexcept;

    std::vector<Stage> m_stages;
    std::size_t m_size = 0;
};

}  // namespace wiredesk::indexer
