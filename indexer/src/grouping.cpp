#include "wiredesk/indexer/grouping.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <system_error>
#include <thread>
#include <utility>

#include "wiredesk/common/dates.hpp"
#include "wiredesk/common/schema.hpp"

namespace wiredesk::indexer {
namespace {

// ---------------------------------------------------------------------------------------------
// Fingerprint parameters. They decide what is stored, so changing one means re-indexing.

constexpr std::size_t kShingleWords = 5;
constexpr std::uint64_t kAnchorModulus = 16;
/// Sampled anchors a new article queries with (its smallest ones), beside its lead anchors:
/// each postlist opened costs B-tree reads, and a copy ranks in the top with far fewer.
constexpr std::size_t kProbeModAnchors = 8;
/// Sampled anchors stored: the same smallest ones, so that a pair is found alike whichever of
/// the two came first. More would serve only a later copy that kept a small part of an earlier
/// one and not its lead (a quarter: missed about one time in ten, as the reverse order always
/// was), while each anchor is a posting list of its own, which Xapian's writer inserts at a
/// random place in its B-tree: up to 32 cost the writer nearly a third more instructions at
/// commit than none (bench/RESULTS.md). Databases written with up to 32 are read as they are.
constexpr std::size_t kMaxModAnchors = kProbeModAnchors;
constexpr std::size_t kProbeLeadAnchors = 4;
/// The first shingles are anchors too: a short trimmed copy may have no hash = 0 mod 16, but it
/// keeps the lead (the inverted pyramid is cut from the bottom).
constexpr std::size_t kLeadAnchors = 6;
/// Shingles of the lead compared by the lead-containment test.
constexpr std::size_t kLeadShingles = 40;
/// Longer bodies keep only their first shingles in the fingerprint (a 200 kB crawl page would
/// otherwise store 160 kB); copies are decided on the first 4000 words.
constexpr std::size_t kMaxStoredShingles = 4000;
/// Story profile: at most this many terms (the most frequent).
constexpr std::size_t kProfileTerms = 150;
/// Profile terms in the story candidate query.
constexpr std::size_t kQueryTerms = 6;
/// Groups larger than this are not re-checked pair by pair when they lose a member (their
/// record is still refreshed): bounds the work of a deletion.
constexpr std::size_t kMaxRecheck = 300;
constexpr std::size_t kSlowestKept = 10;
/// Memory for the features of committed articles kept by the grouper (Grouper::m_retained):
/// about 15,000 articles of news length.
constexpr std::size_t kRetainedBytes = std::size_t{64} << 20;
/// Smoothing of the idf of story terms: as if the archive held this many more articles, none
/// with the term. Keeps idf meaningful in a young database (10 articles).
constexpr double kIdfPrior = 1000;

std::uint64_t mix64(std::uint64_t x) noexcept {  // splitmix64 finaliser
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

std::uint64_t hash_bytes(std::string_view text) noexcept {
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return mix64(hash);
}

// ---------------------------------------------------------------------------------------------
// Ranking of story candidates: BM25 (Xapian's default parameters) over the archive as the
// writer sees it. The same score for a committed candidate, computed by Xapian's matcher
// through StoryCandidateWeight, and for one of the batch in memory, computed by
// story_term_score() directly; so the best candidates of the two together are those of one
// query over the whole archive, wherever the commits fell.

constexpr double kBm25K1 = 1.0;
constexpr double kBm25B = 0.5;
constexpr double kBm25MinNormalisedLength = 0.5;

/// BM25's idf with Xapian's smoothing (BM25Weight::init): never negative.
double story_term_idf(double documents, double frequency) {
    double ratio = (documents - frequency + 0.5) / (frequency + 0.5);
    if (ratio < 2) ratio = ratio * 0.5 + 1;
    return std::log(ratio);
}

/// BM25's term-frequency part for a word said @p wdf times in a document of @p length terms.
double story_term_score(Xapian::termcount wdf, Xapian::termcount length, double average_length) {
    const double normalised =
        std::max(static_cast<double>(length) / average_length, kBm25MinNormalisedLength);
    const double frequency = static_cast<double>(wdf);
    return (kBm25K1 + 1) * frequency / (kBm25K1 * ((1 - kBm25B) + kBm25B * normalised) + frequency);
}

/// Scores are compared at this precision: Xapian's matcher and the batch loop add the same
/// parts in different orders, and the last bits must not decide which candidate is checked.
std::int64_t comparable_score(double score) { return std::llround(score * 1e9); }

/// story_term_score() times the query term's factor (OP_SCALE_WEIGHT carries its idf over the
/// writer's whole archive); Xapian's own BM25Weight would use the committed view's statistics,
/// which differ from the archive's by the open batch.
class StoryCandidateWeight final : public Xapian::Weight {
public:
    explicit StoryCandidateWeight(double average_length) : m_average_length(average_length) {
        need_stat(WDF);
        need_stat(WDF_MAX);
        need_stat(DOC_LENGTH);
        need_stat(DOC_LENGTH_MIN);
    }
    [[nodiscard]] Weight* clone() const override {
        return new StoryCandidateWeight(m_average_length);
    }
    void init(double factor) override { m_factor = factor; }
    [[nodiscard]] double get_sumpart(Xapian::termcount wdf, Xapian::termcount length,
                                     Xapian::termcount /*unique_terms*/) const override {
        return m_factor * story_term_score(wdf, length, m_average_length);
    }
    [[nodiscard]] double get_maxpart() const override {
        // Highest for the most frequent word in the shortest document.
        return m_factor * story_term_score(get_wdf_upper_bound(),
                                           std::max<Xapian::termcount>(get_doclength_lower_bound(), 1),
                                           m_average_length);
    }
    [[nodiscard]] double get_sumextra(Xapian::termcount, Xapian::termcount) const override {
        return 0;
    }
    [[nodiscard]] double get_maxextra() const override { return 0; }

private:
    double m_average_length;
    double m_factor = 0;
};


/// The documents of a sorted list of ids in memory, as a boolean filter (it gives no weight).
/// The list is shared with its clones and never changes.
class DocidListSource final : public Xapian::PostingSource {
public:
    explicit DocidListSource(std::shared_ptr<const std::vector<Xapian::docid>> docids)
        : m_docids(std::move(docids)) {}
    [[nodiscard]] Xapian::doccount get_termfreq_min() const override { return size(); }
    [[nodiscard]] Xapian::doccount get_termfreq_est() const override { return size(); }
    [[nodiscard]] Xapian::doccount get_termfreq_max() const override { return size(); }
    void init(const Xapian::Database& /*database*/) override {
        m_started = false;
        m_at = 0;
    }
    void next(double /*min_wt*/) override {
        if (m_started) ++m_at;
        m_started = true;
    }
    void skip_to(Xapian::docid docid, double /*min_wt*/) override {
        const auto from = m_docids->begin() +
                          static_cast<std::ptrdiff_t>(std::min(m_at, m_docids->size()));
        m_at = static_cast<std::size_t>(std::lower_bound(from, m_docids->end(), docid) -
                                        m_docids->begin());
        m_started = true;
    }
    [[nodiscard]] bool at_end() const override { return m_started && m_at >= m_docids->size(); }
    [[nodiscard]] Xapian::docid get_docid() const override { return (*m_docids)[m_at]; }
    [[nodiscard]] DocidListSource* clone() const override { return new DocidListSource(m_docids); }

private:
    [[nodiscard]] Xapian::doccount size() const {
        return static_cast<Xapian::doccount>(m_docids->size());
    }

    std::shared_ptr<const std::vector<Xapian::docid>> m_docids;
    std::size_t m_at = 0;
    bool m_started = false;
};

// ---------------------------------------------------------------------------------------------
// Normalisation for copy detection.

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::size_t count_words(std::string_view line) {
    std::size_t words = 0;
    bool in_word = false;
    for (const char c : line) {
        const bool space = c == ' ' || c == '\t';
        if (!space && !in_word) ++words;
        in_word = !space;
    }
    return words;
}

/// Lines that are not the story: rights notices, credits, captions, calls to action.
bool is_boilerplate_line(std::string_view line) {
    const std::string lower = lower_ascii(line);
    static constexpr std::string_view kAnywhere[] = {
        "all rights reserved",
        "copyright ",
        "\xc2\xa9",  // ©
        "contributed to this report",
        "contributed reporting",
        "contributed to this story",
        "follow us on",
        "follow us:",
        "sign up for our",
        "subscribe to our",
        "click here",
        "(ap photo",
        "(afp photo",
        "(reuters photo",
        "getty images",
        "photo credit",
        "may not be published, broadcast, rewritten or redistributed"};
    // Boyer-Moore-Horspool skips ahead by up to a needle's length where a plain find() stops
    // at every byte that starts one, and every line of every article is searched for all.
    using Searcher = std::boyer_moore_horspool_searcher<std::string_view::const_iterator>;
    static const std::vector<Searcher> kAnywhereSearchers = [] {
        std::vector<Searcher> searchers;
        for (const auto needle : kAnywhere) searchers.emplace_back(needle.begin(), needle.end());
        return searchers;
    }();
    for (const Searcher& searcher : kAnywhereSearchers) {
        if (std::search(lower.cbegin(), lower.cend(), searcher) != lower.cend()) return true;
    }
    static constexpr std::string_view kStarts[] = {
        "photo:",    "photo by ", "file photo",  "caption:",      "image:",      "related:",
        "read more", "also read", "editing by ", "reporting by ", "writing by ", "(reporting by"};
    for (const auto start : kStarts) {
        if (lower.rfind(start, 0) == 0) return true;
    }
    // Photo captions end with the agency credit, a full stop allowed after it: "... Jan. 24,
    // 2026. ( AP )". Spaces do not count, so the line's last non-space characters are
    // compared: as many as the longest credit with its full stop has.
    static constexpr std::string_view kCredits[] = {"(ap)", "(afp)", "(reuters)", "(aponline)",
                                                    "(getty)"};
    constexpr std::size_t kLongestCredit = std::string_view("(aponline).").size();
    std::string squeezed_tail;
    for (auto c = lower.rbegin(); c != lower.rend() && squeezed_tail.size() < kLongestCredit; ++c) {
        if (*c != ' ' && *c != '\t') squeezed_tail.insert(squeezed_tail.begin(), *c);
    }
    if (squeezed_tail.ends_with('.')) squeezed_tail.pop_back();
    for (const std::string_view credit : kCredits) {
        if (squeezed_tail.ends_with(credit)) return true;
    }
    // Bylines: "By Jane Doe", "By Jane Doe, Associated Press".
    if (lower.rfind("by ", 0) == 0 && count_words(line) <= 8) return true;
    return false;
}

/// The byte length of a dateline opening @p line ("ROTTERDAM (AFP) - ", "ABU DHABI: "), or 0.
std::size_t dateline_length(std::string_view line) {
    const std::string_view head = line.substr(0, std::min<std::size_t>(line.size(), 90));
    std::size_t best = std::string_view::npos;
    std::size_t separator_size = 0;
    for (const std::string_view separator :
         {std::string_view(" - "), std::string_view(" -- "), std::string_view(" \xe2\x80\x94 "),
          std::string_view(" \xe2\x80\x93 "), std::string_view(": "),
          std::string_view("\xe2\x80\x94")}) {
        const auto at = head.find(separator);
        if (at != std::string_view::npos && at < best) {
            best = at;
            separator_size = separator.size();
        }
    }
    if (best == std::string_view::npos || best == 0) return 0;
    const std::string_view prefix = head.substr(0, best);
    if (count_words(prefix) > 6) return 0;
    bool word_start = true;
    for (const char c : prefix) {
        if (c == ' ') {
            word_start = true;
            continue;
        }
        if (word_start) {
            const bool upper = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '(';
            if (!upper) return 0;
        }
        word_start = false;
    }
    return best + separator_size;
}

/// Decodes one UTF-8 code point at @p i (advancing it); malformed bytes count as themselves.
char32_t next_code_point(std::string_view text, std::size_t& i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (i + length > text.size()) length = 1;
    char32_t cp = length == 1   ? lead
                  : length == 2 ? (lead & 0x1F)
                  : length == 3 ? (lead & 0x0F)
                                : (lead & 0x07);
    for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
    i += length;
    return cp;
}

bool is_unspaced_script(char32_t cp) {
    return (cp >= 0x0E00 && cp <= 0x0EFF) ||  // Thai, Lao
           (cp >= 0x3040 && cp <= 0x30FF) ||  // Hiragana, Katakana
           (cp >= 0x3400 && cp <= 0x9FFF) ||  // CJK ideographs
           (cp >= 0xAC00 && cp <= 0xD7AF) ||  // Hangul
           (cp >= 0xF900 && cp <= 0xFAFF);
}

/// A Latin word's consonant skeleton: first letter kept, later vowels (and y) dropped, doubled
/// letters collapsed. House-style spellings and typical typos meet: labour/labor -> lbr,
/// Kyiv/Kiev -> kv, Zelenskyy/Zelensky -> zlnsk, traffic/trafic -> trfc, region/regoin -> rgn.
/// A word of other characters, or longer than any the analyzer makes (schema::kMaxWordBytes),
/// is itself. Built in @p buffer (the result may view it): every word of every article passes
/// here.
using SkeletonBuffer = std::array<char, schema::kMaxWordBytes>;
std::string_view skeleton(std::string_view word, SkeletonBuffer& buffer) {
    if (word.size() > buffer.size()) return word;
    std::size_t letters = 0;
    for (const char c : word) {
        if (c == '\'' || c == '.') continue;
        if (c < 'a' || c > 'z') return word;
        buffer[letters++] = c;
    }
    if (letters <= 2) return {buffer.data(), letters};
    // Compacted in place: the kept letters never overtake the one being read.
    std::size_t kept = 1;
    for (std::size_t i = 1; i < letters; ++i) {
        const char c = buffer[i];
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y') continue;
        if (c != buffer[kept - 1]) buffer[kept++] = c;
    }
    return {buffer.data(), kept};
}

/// The hashes of the units shingled: normalised words, or single characters of unspaced
/// scripts. Only the hashes are kept, so no unit is stored as a string of its own.
std::vector<std::uint64_t> copy_unit_hashes(std::string_view body,
                                            const std::vector<GroupingToken>& tokens) {
    // Line ranges of the body, and which are boilerplate.
    struct Line {
        std::size_t begin, end;
        bool skip;
    };
    std::vector<Line> lines;
    for (std::size_t begin = 0; begin <= body.size();) {
        std::size_t end = body.find('\n', begin);
        if (end == std::string_view::npos) end = body.size();
        lines.push_back({begin, end, is_boilerplate_line(body.substr(begin, end - begin))});
        begin = end + 1;
    }
    // A dateline at the start of the first line that is text.
    std::size_t dateline_end = 0;
    for (const Line& line : lines) {
        if (line.skip || line.begin == line.end) continue;
        dateline_end = line.begin + dateline_length(body.substr(line.begin, line.end - line.begin));
        break;
    }

    std::vector<std::uint64_t> units;
    units.reserve(tokens.size());
    SkeletonBuffer buffer;
    std::size_t line = 0;
    for (std::size_t t = 0; t < tokens.size(); ++t) {
        const GroupingToken& token = tokens[t];
        if (token.title) continue;
        while (line + 1 < lines.size() && token.begin >= lines[line].end + 1) ++line;
        if (lines[line].skip || token.begin < dateline_end) continue;
        const std::string_view word = token.exact;
        // "per cent" and "percent" are one word. (Compared as views: a std::string compared
        // with a C string measures the literal and compares bytes for every word.)
        if (word == "per" && t + 1 < tokens.size() &&
            std::string_view(tokens[t + 1].exact) == "cent" && !tokens[t + 1].title) {
            units.push_back(hash_bytes(skeleton("percent", buffer)));
            ++t;
            continue;
        }
        // Unspaced scripts lie above U+0E00, whose UTF-8 lead bytes are 0xE0 and up: most
        // words have none, and are not decoded.
        bool unspaced = false;
        const bool below_u0800 = std::none_of(word.begin(), word.end(), [](char c) {
            return static_cast<unsigned char>(c) >= 0xE0;
        });
        for (std::size_t i = 0; i < word.size() && !unspaced && !below_u0800;) {
            unspaced = is_unspaced_script(next_code_point(word, i));
        }
        if (unspaced) {
            for (std::size_t i = 0; i < word.size();) {
                const std::size_t begin = i;
                next_code_point(word, i);
                units.push_back(hash_bytes(word.substr(begin, i - begin)));
            }
        } else {
            units.push_back(hash_bytes(skeleton(word, buffer)));
        }
    }
    return units;
}

void sort_unique(std::vector<std::uint32_t>& values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
}

std::size_t intersection_size(const std::vector<std::uint32_t>& a,
                              const std::vector<std::uint32_t>& b) {
    std::size_t count = 0;
    auto i = a.begin();
    auto j = b.begin();
    while (i != a.end() && j != b.end()) {
        if (*i < *j) {
            ++i;
        } else if (*j < *i) {
            ++j;
        } else {
            ++count;
            ++i;
            ++j;
        }
    }
    return count;
}

// Varint + little-endian helpers for the fingerprint value.
void put_varint(std::string& out, std::uint64_t value) {
    while (value >= 0x80) {
        out += static_cast<char>((value & 0x7F) | 0x80);
        value >>= 7;
    }
    out += static_cast<char>(value);
}

bool get_varint(std::string_view data, std::size_t& at, std::uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && at < data.size(); shift += 7) {
        const auto byte = static_cast<unsigned char>(data[at++]);
        value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) return true;
    }
    return false;
}

/// Sorted values as varint deltas: about 4 bytes each for 32-bit hashes.
void put_sorted(std::string& out, const std::vector<std::uint32_t>& values) {
    put_varint(out, values.size());
    std::uint32_t previous = 0;
    for (const std::uint32_t value : values) {
        put_varint(out, value - previous);
        previous = value;
    }
}

bool get_sorted(std::string_view data, std::size_t& at, std::vector<std::uint32_t>& values) {
    std::uint64_t count = 0;
    if (!get_varint(data, at, count) || count > data.size()) return false;
    values.resize(count);
    std::uint64_t previous = 0;
    for (auto& value : values) {
        std::uint64_t delta = 0;
        if (!get_varint(data, at, delta)) return false;
        previous += delta;
        value = static_cast<std::uint32_t>(previous);
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// Story terms.

/// Words (views of text that outlives the table) with a count each, in one open-addressing
/// table that a thread reuses from article to article: every content word of every article
/// is counted, and std::unordered_map made a node for each new word and divided for each
/// lookup.
class WordCounts {
public:
    /// Empties the table, sized for up to @p words distinct words.
    void reset(std::size_t words) {
        std::size_t capacity = 64;
        while (capacity < 2 * words) capacity *= 2;
        m_slots.assign(capacity, Slot{});
        m_mask = capacity - 1;
        m_filled.clear();
    }

    /// Counts @p word once more.
    void add(std::string_view word) {
        // Kept at most half full, so that probes stay short and always end at a free slot.
        if (2 * (m_filled.size() + 1) > m_slots.size()) grow();
        for (std::size_t i = hash_bytes(word) & m_mask;; i = (i + 1) & m_mask) {
            Slot& slot = m_slots[i];
            if (slot.count == 0) {
                slot = {word, 1};
                m_filled.push_back(i);
                return;
            }
            if (slot.word == word) {
                ++slot.count;
                return;
            }
        }
    }

    [[nodiscard]] bool contains(std::string_view word) const {
        if (m_slots.empty()) return false;  // never reset: nothing counted, nowhere to probe
        for (std::size_t i = hash_bytes(word) & m_mask;; i = (i + 1) & m_mask) {
            const Slot& slot = m_slots[i];
            if (slot.count == 0) return false;
            if (slot.word == word) return true;
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_filled.size(); }

    /// Calls @p visit(word, count) for each word, in the order they were first added.
    template <typename Visit>
    void for_each(Visit&& visit) const {
        for (const std::size_t i : m_filled) visit(m_slots[i].word, m_slots[i].count);
    }

private:
    struct Slot {
        std::string_view word;
        unsigned count = 0;  ///< 0: the slot is free
    };

    /// Doubles the table (a reset() that counted too few words), keeping the counts.
    void grow() {
        std::vector<Slot> filled;
        filled.reserve(m_filled.size());
        for (const std::size_t i : m_filled) filled.push_back(m_slots[i]);
        reset(std::max<std::size_t>(m_slots.size(), 32));
        for (const Slot& slot : filled) {
            std::size_t i = hash_bytes(slot.word) & m_mask;
            while (m_slots[i].count != 0) i = (i + 1) & m_mask;
            m_slots[i] = slot;
            m_filled.push_back(i);
        }
    }

    std::vector<Slot> m_slots;
    std::vector<std::size_t> m_filled;
    std::size_t m_mask = 0;
};

bool is_stopword(std::string_view word) {
    static constexpr std::string_view kWords[] = {
        "the",          "and",        "for",      "that",      "with",      "was",
        "were",         "are",        "has",      "have",      "had",       "its",
        "his",          "her",        "their",    "they",      "them",      "this",
        "these",        "those",      "from",     "but",       "not",       "been",
        "being",        "will",       "would",    "could",     "should",    "can",
        "may",          "might",      "must",     "said",      "says",      "say",
        "saying",       "told",       "also",     "after",     "before",    "about",
        "into",         "over",       "under",    "more",      "most",      "than",
        "then",         "there",      "here",     "when",      "where",     "which",
        "who",          "whom",       "whose",    "what",      "while",     "other",
        "some",         "such",       "only",     "own",       "same",      "very",
        "just",         "all",        "any",      "both",      "each",      "few",
        "one",          "two",        "three",    "first",     "last",      "new",
        "our",          "out",        "off",      "you",       "your",      "she",
        "him",          "did",        "does",     "doing",     "how",       "why",
        "because",      "until",      "against",  "between",   "through",
        "during",       "above",      "below",    "again",     "further",   "once",
        "per",          "cent",       "percent",  "year",      "years",     "week",
        "weeks",        "day",        "days",     "today",     "yesterday", "tomorrow",
        "time",         "according",  "people",   "including", "since",     "still",
        "like",         "now",        "many",     "much",      "well",      "even",
        "back",         "way",        "get",      "got",       "make",      "made",
        "take",         "took",       "added",    "asked",     "don't",
        "it's",         "i'm",        "that's",   "there's",   "we're",     "they're",
        "you're",       "mr",         "mrs",      "ms",        "dr",        "reuters",
        "afp",          "associated", "press",    "news",      "reported",  "report",
        "reporters",    "statement",  "official", "officials", "spokesman", "spokeswoman",
        "spokesperson", "million",    "billion",  "pct",       "dlrs",      "mln",
        "reuter"};
    static const WordCounts kSet = [] {
        WordCounts set;
        set.reset(std::size(kWords));
        for (const std::string_view stopword : kWords) set.add(stopword);
        return set;
    }();
    return kSet.contains(word);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Features.

CopyFingerprint copy_fingerprint(std::string_view body, const std::vector<GroupingToken>& tokens) {
    CopyFingerprint fingerprint;
    const std::vector<std::uint64_t> unit_hashes = copy_unit_hashes(body, tokens);
    if (unit_hashes.empty()) return fingerprint;

    std::uint64_t exact = 0;
    for (const std::uint64_t unit : unit_hashes) exact = mix64(exact ^ unit);
    fingerprint.exact = exact == 0 ? 1 : exact;

    const std::size_t width = std::min(kShingleWords, unit_hashes.size());
    const std::size_t count = unit_hashes.size() - width + 1;
    std::vector<std::uint64_t> shingles;
    shingles.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t hash = 0;
        for (std::size_t k = 0; k < width; ++k) hash = mix64(hash * 31 + unit_hashes[i + k]);
        shingles.push_back(hash);
    }

    std::vector<std::uint64_t> sampled;
    for (const std::uint64_t hash : shingles) {
        if (hash % kAnchorModulus == 0) sampled.push_back(hash);
    }
    std::sort(sampled.begin(), sampled.end());
    sampled.erase(std::unique(sampled.begin(), sampled.end()), sampled.end());
    if (sampled.size() > kMaxModAnchors) sampled.resize(kMaxModAnchors);
    fingerprint.probes.assign(
        sampled.begin(),
        sampled.begin() + static_cast<std::ptrdiff_t>(std::min(kProbeModAnchors, sampled.size())));
    for (std::size_t i = 0; i < std::min(kLeadAnchors, shingles.size()); ++i) {
        sampled.push_back(shingles[i]);
        if (i < kProbeLeadAnchors) fingerprint.probes.push_back(shingles[i]);
    }
    std::sort(fingerprint.probes.begin(), fingerprint.probes.end());
    fingerprint.probes.erase(std::unique(fingerprint.probes.begin(), fingerprint.probes.end()),
                             fingerprint.probes.end());
    std::sort(sampled.begin(), sampled.end());
    sampled.erase(std::unique(sampled.begin(), sampled.end()), sampled.end());
    fingerprint.anchors = std::move(sampled);

    const std::size_t stored = std::min(kMaxStoredShingles, shingles.size());
    fingerprint.shingles.reserve(stored);
    for (std::size_t i = 0; i < stored; ++i) {
        const auto value = static_cast<std::uint32_t>(shingles[i] >> 32);
        fingerprint.shingles.push_back(value);
        if (i < kLeadShingles) fingerprint.lead.push_back(value);
    }
    sort_unique(fingerprint.shingles);
    sort_unique(fingerprint.lead);
    return fingerprint;
}

CopyFingerprint copy_fingerprint(std::string_view body, Analyzer& analyzer) {
    std::vector<GroupingToken> tokens;
    analyzer.tokenize(body, [&](const Token& token) {
        tokens.push_back({token.exact, token.exact, token.begin, token.end, false});
    });
    return copy_fingerprint(body, tokens);
}

CopySimilarity compare(const CopyFingerprint& a, const CopyFingerprint& b) {
    CopySimilarity similarity;
    if (a.empty() || b.empty()) return similarity;
    const std::size_t shared = intersection_size(a.shingles, b.shingles);
    const std::size_t smaller = std::min(a.shingles.size(), b.shingles.size());
    const std::size_t larger = std::max(a.shingles.size(), b.shingles.size());
    similarity.jaccard = static_cast<double>(shared) /
                         static_cast<double>(a.shingles.size() + b.shingles.size() - shared);
    similarity.containment = static_cast<double>(shared) / static_cast<double>(smaller);
    similarity.length_ratio = static_cast<double>(smaller) / static_cast<double>(larger);
    const CopyFingerprint& shorter = a.shingles.size() <= b.shingles.size() ? a : b;
    const CopyFingerprint& longer = &shorter == &a ? b : a;
    if (!shorter.lead.empty()) {
        similarity.lead = static_cast<double>(intersection_size(shorter.lead, longer.shingles)) /
                          static_cast<double>(shorter.lead.size());
    }
    return similarity;
}

bool is_copy(const CopySimilarity& s, const GroupingOptions& options) {
    return s.jaccard >= options.copy_jaccard ||
           (s.containment >= options.copy_containment && s.lead >= options.copy_lead_containment &&
            s.length_ratio >= options.copy_length_ratio);
}

std::string encode_fingerprint(const CopyFingerprint& fingerprint) {
    std::string out = "F2";
    put_varint(out, fingerprint.exact);
    put_varint(out, fingerprint.probes.size());
    for (const std::uint64_t probe : fingerprint.probes) put_varint(out, probe);
    put_sorted(out, fingerprint.lead);
    put_sorted(out, fingerprint.shingles);
    return out;
}

CopyFingerprint decode_fingerprint(std::string_view data) {
    CopyFingerprint fingerprint;
    if (!data.starts_with("F2")) return fingerprint;
    std::size_t at = 2;
    std::uint64_t count = 0;
    if (!get_varint(data, at, fingerprint.exact) || !get_varint(data, at, count) ||
        count > data.size()) {
        return {};
    }
    fingerprint.probes.resize(count);
    for (auto& probe : fingerprint.probes) {
        if (!get_varint(data, at, probe)) return {};
    }
    if (!get_sorted(data, at, fingerprint.lead) || !get_sorted(data, at, fingerprint.shingles)) {
        return {};
    }
    return fingerprint;
}

double story_similarity(const StoryProfile& a, const StoryProfile& b) {
    // Both in term order: the shared terms' products, summed in term order.
    double dot = 0;
    auto x = a.begin();
    auto y = b.begin();
    while (x != a.end() && y != b.end()) {
        const int order = x->first.compare(y->first);
        if (order == 0) dot += x->second * y->second;
        if (order <= 0) ++x;
        if (order >= 0) ++y;
    }
    return dot;
}

// "P1", then for each term in string order: the bytes it shares with the previous term, the
// length and bytes of the rest, and the weight in hundred-thousandths (the precision of the
// text form it replaces), all varints: half the text's size, and read without parsing decimals.
// Databases written before it hold `weight term` lines, which are still read.
constexpr std::string_view kProfileMagic = "P1";
constexpr double kProfileWeightScale = 1e5;

namespace {

/// @p weight in the stored unit (encode_profile writes it, decode_profile divides it back).
std::int64_t scaled_profile_weight(double weight) {
    return std::llround(weight * kProfileWeightScale);
}

/// @p weight as a profile stores it and reads it back.
double stored_profile_weight(double weight) {
    return static_cast<double>(scaled_profile_weight(weight)) / kProfileWeightScale;
}

}  // namespace

std::string encode_profile(const StoryProfile& profile) {
    std::string out(kProfileMagic);
    out.reserve(profile.size() * 8);
    std::string_view previous;
    for (const auto& [term, value] : profile) {
        const auto differs = std::mismatch(previous.begin(), previous.end(), term.begin(), term.end());
        const auto shared = static_cast<std::size_t>(differs.first - previous.begin());
        put_varint(out, shared);
        put_varint(out, term.size() - shared);
        out.append(term, shared);
        // Zigzag: weights are never negative, but a bad one must not wrap.
        const std::int64_t scaled = scaled_profile_weight(value);
        put_varint(out, (static_cast<std::uint64_t>(scaled) << 1) ^
                            static_cast<std::uint64_t>(scaled >> 63));
        previous = term;
    }
    return out;
}

namespace {

/// Calls @p visit(term, weight) for each term of an encoded profile, in string order. Returns
/// false (having visited a prefix) for bad data.
template <typename Visit>
bool for_each_profile_term(std::string_view data, Visit&& visit) {
    if (!data.starts_with(kProfileMagic)) {
        // The text form: `weight term` lines.
        while (!data.empty()) {
            auto end = data.find('\n');
            if (end == std::string_view::npos) end = data.size();
            const std::string_view line = data.substr(0, end);
            data.remove_prefix(std::min(data.size(), end + 1));
            const auto space = line.find(' ');
            if (space == std::string_view::npos) continue;
            visit(std::string(line.substr(space + 1)),
                  std::strtod(std::string(line.substr(0, space)).c_str(), nullptr));
        }
        return true;
    }
    std::size_t at = kProfileMagic.size();
    std::string term;
    while (at < data.size()) {
        std::uint64_t shared = 0;
        std::uint64_t rest = 0;
        std::uint64_t zigzag = 0;
        if (!get_varint(data, at, shared) || shared > term.size() || !get_varint(data, at, rest) ||
            rest > data.size() - at) {
            return false;
        }
        term.resize(shared);
        term.append(data.substr(at, rest));
        at += rest;
        if (!get_varint(data, at, zigzag)) return false;
        const auto scaled =
            static_cast<std::int64_t>(zigzag >> 1) ^ -static_cast<std::int64_t>(zigzag & 1);
        visit(std::as_const(term), static_cast<double>(scaled) / kProfileWeightScale);
    }
    return true;
}

/// story_similarity(@p profile, decode_profile(@p stored)) without building the map: the shared
/// terms' products summed in string order, both being in string order. 0 for bad data, as the
/// empty profile decode_profile() gives it. @p stored_terms: the stored profile's size.
double story_similarity(const StoryProfile& profile, std::string_view stored,
                        std::size_t& stored_terms) {
    double dot = 0;
    auto own = profile.begin();
    stored_terms = 0;
    const bool whole = for_each_profile_term(stored, [&](const std::string& term, double weight) {
        ++stored_terms;
        while (own != profile.end() && own->first < term) ++own;
        if (own != profile.end() && own->first == term) dot += own->second * weight;
    });
    return whole ? dot : 0.0;
}

}  // namespace

StoryProfile decode_profile(std::string_view data) {
    StoryProfile profile;
    if (!for_each_profile_term(data, [&](const std::string& term, double weight) {
            profile.emplace_back(term, weight);
        })) {
        return {};
    }
    // The binary form is in term order as written; the text form of earlier versions need not
    // be. Its first line for a term counts, as a map's emplace kept it.
    const auto by_term = [](const auto& x, const auto& y) { return x.first < y.first; };
    if (!std::is_sorted(profile.begin(), profile.end(), by_term)) {
        std::stable_sort(profile.begin(), profile.end(), by_term);
    }
    profile.erase(std::unique(profile.begin(), profile.end(),
                              [](const auto& x, const auto& y) { return x.first == y.first; }),
                  profile.end());
    return profile;
}

void add_grouping_features(Xapian::Document& document, const Article& article,
                           const std::vector<GroupingToken>& tokens) {
    const CopyFingerprint fingerprint = copy_fingerprint(article.body, tokens);
    if (!fingerprint.empty()) {
        for (const std::uint64_t anchor : fingerprint.anchors) {
            document.add_boolean_term(std::string(schema::prefix::kCopyAnchor) +
                                      schema::hex16(anchor));
        }
        document.add_boolean_term(std::string(schema::prefix::kCopyExact) +
                                  schema::hex16(fingerprint.exact));
        document.add_value(schema::kSlotCopyFingerprint, encode_fingerprint(fingerprint));
    }

    // Story profile: every content word's stem (headline included), weighted 1 + ln tf and
    // L2-normalised. The whole vocabulary, not the top terms: on independent write-ups of one
    // event the many words said once (the day, the place, who was there) are what separate it
    // from another event of the same kind, whose top words are the same (docs/GROUPING.md).
    // Counted by views of the tokens' stems: a term's name is built only for the words kept.
    // The stems share the prefix, so their order is the terms' order.
    thread_local WordCounts counts;
    counts.reset(tokens.size());
    for (const GroupingToken& token : tokens) {
        if (token.stem.empty() || token.exact.size() < 3 || is_stopword(token.exact)) continue;
        counts.add(token.stem);
    }
    if (counts.size() == 0) return;
    std::vector<std::pair<unsigned, std::string_view>> ranked;
    ranked.reserve(counts.size());
    counts.for_each([&](std::string_view stem, unsigned tf) { ranked.emplace_back(tf, stem); });
    const std::size_t keep = std::min(kProfileTerms, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                      ranked.end(), [](const auto& x, const auto& y) {
                          return x.first != y.first ? x.first > y.first : x.second < y.second;
                      });
    const auto weight_of = [](unsigned tf) { return 1.0 + std::log(static_cast<double>(tf)); };
    double norm = 0;  // summed most frequent first, as the stored weights always were
    for (std::size_t i = 0; i < keep; ++i) {
        const double weight = weight_of(ranked[i].first);
        norm += weight * weight;
    }
    norm = std::sqrt(norm);
    // The kept stems in term order (they share the prefix): the profile's order.
    std::sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
              [](const auto& x, const auto& y) { return x.second < y.second; });
    StoryProfile profile;
    profile.reserve(keep);
    for (std::size_t i = 0; i < keep; ++i) {
        std::string term(schema::prefix::kStemmed);
        term += ranked[i].second;
        profile.emplace_back(std::move(term), weight_of(ranked[i].first));
    }
    for (auto& [term, weight] : profile) weight /= norm;
    document.add_value(schema::kSlotStoryProfile, encode_profile(profile));
}

// ---------------------------------------------------------------------------------------------
// The writer's side.

namespace {

constexpr std::string_view level_name(bool copy) { return copy ? "copy" : "story"; }

std::string group_term(bool copy, const std::string& group_id) {
    return copy ? schema::copy_group_term(group_id) : schema::story_group_term(group_id);
}

/// Calls @p visit(name) for each term of [@p term, @p end) that starts with @p prefix. Terms
/// are in byte order: it skips to the first and stops past the last, reading (copying) no
/// other.
template <typename Visit>
void for_each_with_prefix(Xapian::TermIterator term, const Xapian::TermIterator& end,
                          const std::string& prefix, Visit visit) {
    for (term.skip_to(prefix); term != end; ++term) {
        const std::string name = *term;
        if (name.compare(0, prefix.size(), prefix) != 0) return;
        visit(name, term);
    }
}

/// The day (since the epoch) of @p time; 0 for none.
std::int64_t day_of(std::optional<double> time) {
    return time ? static_cast<std::int64_t>(std::floor(*time / 86400.0)) : 0;
}

/// Whether days @p a and @p b (since the epoch) are at most @p days apart.
bool days_within(std::int64_t a, std::int64_t b, std::int64_t days) {
    return std::llabs(a - b) <= days;
}

bool within_days(std::optional<double> a, std::optional<double> b, int days) {
    if (!a || !b) return true;  // no evidence against
    return days_within(day_of(a), day_of(b), days);
}

}  // namespace

/// A group's record (schema::kGroupKeyPrefix).
struct Grouper::Record {
    std::string founder;   ///< Q term of the founding (representative) member
    std::string earliest;  ///< Q term of the earliest report
    std::optional<double> earliest_time;

    static std::optional<Record> parse(const std::string& data) {
        if (data.empty()) return std::nullopt;
        const auto json = nlohmann::json::parse(data, nullptr, false);
        if (!json.is_object()) return std::nullopt;
        Record record;
        record.founder = json.value("founder", "");
        record.earliest = json.value("earliest", "");
        if (json.contains("earliest_time") && json["earliest_time"].is_number()) {
            record.earliest_time = json["earliest_time"].get<double>();
        }
        return record;
    }

    [[nodiscard]] std::string dump() const {
        nlohmann::json json = {{"founder", founder}, {"earliest", earliest}};
        json["earliest_time"] = earliest_time
                                    ? nlohmann::json(static_cast<std::int64_t>(*earliest_time))
                                    : nlohmann::json(nullptr);
        return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }

    /// Whether a member dated @p time with id term @p id is earlier than the recorded earliest:
    /// dated before undated, then by time, then by id.
    [[nodiscard]] bool is_earlier(std::optional<double> time, const std::string& id) const {
        if (earliest.empty()) return true;
        if (!time) return !earliest_time && id < earliest;
        if (!earliest_time) return true;
        return *time < *earliest_time || (*time == *earliest_time && id < earliest);
    }
};

struct Grouper::Member {
    Xapian::docid docid = 0;  ///< committed (0: from the batch)
    std::optional<std::size_t> pending;  ///< the batch's index
    std::string id;  ///< Q term
    std::string copy_group;
    std::string story_group;
    std::optional<double> time;
    CopyFingerprint fingerprint;
    StoryProfile profile;

    [[nodiscard]] Ref ref() const { return {docid, pending}; }
};

/// An article written since the last commit, as grouping needs it.
struct Grouper::Pending {
    Xapian::docid key = 0;  ///< its key in m_pending_by_key (0 until written())
    std::string id;           ///< Q term
    std::optional<double> time;
    std::string copy_group;
    std::string story_group;
    CopyFingerprint fingerprint;  ///< as stored (no anchors)
    std::vector<std::uint64_t> anchors;  ///< its XCA terms, until indexed by written()
    CompactProfile profile;  ///< as stored (weights rounded by encode_profile)
    /// Its stems (Z terms) and their wdf, until indexed by written(): what BM25 ranks story
    /// candidates by (with the length in its PendingBrief).
    std::vector<std::pair<std::string, Xapian::termcount>> stems;
    /// Its stems once indexed (entries of m_pending_stem): uncounted if a later version
    /// replaces it.
    std::vector<PendingStem*> indexed_stems;
    /// Without grouping features: no groups, never a candidate, but in the database.
    bool featureless = false;

    [[nodiscard]] std::string& group(bool copy) { return copy ? copy_group : story_group; }
    [[nodiscard]] const std::string& group(bool copy) const {
        return copy ? copy_group : story_group;
    }
};

void apply_grouping_change(Xapian::WritableDatabase& database, const GroupingChange& change) {
    if (change.kind == GroupingChange::Kind::metadata) {
        database.set_metadata(change.key, change.value);
        return;
    }
    Xapian::docid docid = change.docid;
    if (docid == 0) {
        const auto posting = database.postlist_begin(change.id_term);
        if (posting == database.postlist_end(change.id_term)) {
            throw std::logic_error("grouping: no article " + change.id_term + " to relabel");
        }
        docid = *posting;
    }
    Xapian::Document document = database.get_document(docid);
    try {
        document.remove_term(change.remove_term);
    } catch (const Xapian::InvalidArgumentError&) {
        // Not labelled with it: nothing to remove.
    }
    document.add_boolean_term(change.add_term);
    document.add_value(change.slot, change.value);
    database.replace_document(docid, document);
}

Grouper::Grouper(const std::string& path, GroupingOptions options)
    : m_path(path), m_options(options) {
    if (m_options.enabled) committed();
    m_all_stems_known = m_options.enabled && m_committed.get_doccount() == 0;
}

struct Grouper::RetiredBatch {
    std::deque<Pending> pending;
    std::unordered_map<std::string, PendingStem> stems;
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> anchors;
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> exact;
    std::unordered_map<std::string, std::size_t> ids;
    std::array<std::unordered_map<std::string, std::vector<std::size_t>>, 2> in_group;
};

Grouper::~Grouper() {
    if (m_freeing.joinable()) m_freeing.join();
}

bool Grouper::committed_live(Xapian::docid docid) const {
    return m_deleted.count(docid) == 0 && m_pending_by_key.count(docid) == 0;
}

Xapian::Document Grouper::committed_document(Xapian::docid docid) const {
    // Every id asked for came from the committed view's own postings: it is there, so the
    // check that it is (a B-tree read) is skipped.
    return m_committed.get_document(docid, Xapian::DOC_ASSUME_VALID);
}

const Grouper::Retained* Grouper::retained(Xapian::docid docid) const {
    const auto kept = m_retained.find(docid);
    return kept != m_retained.end() ? &kept->second : nullptr;
}

bool Grouper::batch_took_keys() const {
    // New documents take the ids the grouper gave them (keys) only in one database: check that
    // the last one did.
    return m_committed.size() == 1 && m_committed.get_lastdocid() + 1 == m_next_key;
}

void Grouper::retain_batch() {
    // Called with the new view open and the batch not yet emptied.
    if (!batch_took_keys()) {
        m_retained.clear();
        m_retained_order.clear();
        m_retained_bytes = 0;
        return;
    }
    const auto drop = [&](Xapian::docid docid) {
        const auto kept = m_retained.find(docid);
        if (kept == m_retained.end()) return;
        m_retained_bytes -= kept->second.bytes;
        m_retained.erase(kept);
    };
    for (const Xapian::docid docid : m_forgotten) drop(docid);
    for (std::size_t i = 0; i < m_pending.size(); ++i) {
        Pending& pending = m_pending[i];
        if (m_pending_brief[i].gone || pending.key == 0 || pending.featureless) continue;
        drop(pending.key);
        Retained kept;
        kept.bytes = sizeof(Retained) + 64 +  // and the map's node
                     pending.fingerprint.shingles.size() * sizeof(std::uint32_t) +
                     pending.fingerprint.lead.size() * sizeof(std::uint32_t) +
                     pending.fingerprint.probes.size() * sizeof(std::uint64_t) +
                     pending.profile.size() * sizeof(CompactProfile::value_type);
        kept.fingerprint = std::move(pending.fingerprint);
        kept.profile = std::move(pending.profile);
        m_retained_bytes += kept.bytes;
        m_retained.emplace(pending.key, std::move(kept));
        m_retained_order.push_back(pending.key);
    }
    while (m_retained_bytes > kRetainedBytes && !m_retained_order.empty()) {
        drop(m_retained_order.front());
        m_retained_order.pop_front();
    }
}

namespace {
/// Bound of Grouper::m_briefs: a document's brief is some 150 bytes; past the bound the memory
/// starts afresh (candidates are mostly recent articles, read again soon).
constexpr std::size_t kMaxBriefs = std::size_t{1} << 18;
}  // namespace

void Grouper::brief_batch() {
    if (!batch_took_keys()) return;
    if (m_briefs.size() + m_pending.size() > kMaxBriefs) return;
    for (std::size_t i = 0; i < m_pending.size(); ++i) {
        const Pending& pending = m_pending[i];
        if (m_pending_brief[i].gone || pending.key == 0 || pending.featureless) continue;
        // The values it was written with, relabels of the batch applied (label()).
        m_briefs[pending.key] = {pending.copy_group, pending.story_group, pending.time, pending.id};
    }
}

const Grouper::CommittedBrief& Grouper::committed_brief(Xapian::docid docid) const {
    const auto known = m_briefs.find(docid);
    if (known != m_briefs.end()) return known->second;
    if (m_briefs.size() >= kMaxBriefs) m_briefs.clear();
    const Xapian::Document document = committed_document(docid);
    CommittedBrief brief;
    brief.copy_group = document.get_value(schema::kSlotCopyGroup);
    brief.story_group = document.get_value(schema::kSlotStoryGroup);
    brief.time = schema::document_time(document);
    return m_briefs.emplace(docid, std::move(brief)).first->second;
}

const std::string& Grouper::committed_id(Xapian::docid docid) const {
    committed_brief(docid);
    // The id is read only when asked for: it is a read of the document's term list.
    CommittedBrief& brief = m_briefs.find(docid)->second;
    if (!brief.id) brief.id = schema::document_id_term(committed_document(docid));
    return *brief.id;
}

namespace {
/// m_committed_days's entry for a document whose day is not known.
constexpr std::int32_t kUnknownDay = std::numeric_limits<std::int32_t>::min();
}  // namespace

std::optional<std::int64_t> Grouper::committed_day(Xapian::docid docid) {
    const Xapian::docid last = m_committed.get_lastdocid();
    if (m_committed_days.size() <= last) {
        // One pass over the new documents' times: a value stream reads its slot in chunks.
        const auto first_new =
            static_cast<Xapian::docid>(std::max<std::size_t>(m_committed_days.size(), 1));
        m_committed_days.resize(static_cast<std::size_t>(last) + 1, kUnknownDay);
        auto value = m_committed.valuestream_begin(schema::kSlotTime);
        if (value != m_committed.valuestream_end(schema::kSlotTime)) value.skip_to(first_new);
        for (; value != m_committed.valuestream_end(schema::kSlotTime); ++value) {
            m_committed_days[value.get_docid()] =
                static_cast<std::int32_t>(day_of(Xapian::sortable_unserialise(*value)));
        }
    }
    if (docid >= m_committed_days.size() || m_committed_days[docid] == kUnknownDay) {
        return std::nullopt;
    }
    return m_committed_days[docid];
}

bool Grouper::filter_due(std::size_t& unfiltered_lookups) const {
    // Building a filter reads every term of its kind in the committed view, hundreds to a
    // block; a lookup without it is a descent of two or three blocks. So it is built once the
    // lookups made without it number a sixteenth of the committed documents: at once on a new
    // database, never by a small run over a large archive.
    constexpr std::size_t kDocumentsPerLookup = 16;
    return ++unfiltered_lookups * kDocumentsPerLookup >= m_committed.get_doccount();
}

bool Grouper::may_be_committed(std::uint64_t hash) {
    if (!m_committed_hashes) {
        // About 12 anchor and exact terms a document (up to 39 in databases written before
        // anchors were capped at what is probed; the filter grows as it fills).
        if (!filter_due(m_unfiltered_lookups)) return true;
        m_committed_hashes.emplace(std::size_t{m_committed.get_doccount()} * 16);
        for (const std::string_view prefix :
             {schema::prefix::kCopyAnchor, schema::prefix::kCopyExact}) {
            const std::string start(prefix);
            for (auto term = m_committed.allterms_begin(start);
                 term != m_committed.allterms_end(start); ++term) {
                // A term not in hex16's form is never looked up: it can be left out.
                const std::string name = *term;
                if (const auto committed =
                        schema::parse_hex16(std::string_view(name).substr(prefix.size()))) {
                    m_committed_hashes->insert(*committed);
                }
            }
        }
    }
    return m_committed_hashes->may_contain(hash);
}

bool Grouper::may_hold_term(const std::string& term) const {
    if (!m_committed_terms) {
        // About three id and group terms a document.
        if (!filter_due(m_unfiltered_term_lookups)) return true;
        m_committed_terms.emplace(std::size_t{m_committed.get_doccount()} * 3);
        for (const std::string_view prefix :
             {schema::prefix::kId, schema::prefix::kCopyGroup, schema::prefix::kStoryGroup}) {
            const std::string start(prefix);
            for (auto name = m_committed.allterms_begin(start);
                 name != m_committed.allterms_end(start); ++name) {
                m_committed_terms->insert(hash_bytes(*name));
            }
        }
    }
    return m_committed_terms->may_contain(hash_bytes(term));
}

std::pair<std::string, std::string> Grouper::committed_labels(Xapian::docid docid) const {
    std::pair<std::string, std::string> labels;
    if (const auto relabelled = m_relabelled.find(docid); relabelled != m_relabelled.end()) {
        labels = relabelled->second;
    }
    if (labels.first.empty() || labels.second.empty()) {
        const CommittedBrief& brief = committed_brief(docid);
        if (labels.first.empty()) labels.first = brief.copy_group;
        if (labels.second.empty()) labels.second = brief.story_group;
    }
    return labels;
}

void Grouper::note_groups(const std::string& copy, const std::string& story) {
    if (!copy.empty()) m_dirty_copy.insert(copy);
    if (!story.empty()) m_dirty_story.insert(story);
}

Xapian::doccount Grouper::doccount() const {
    return static_cast<Xapian::doccount>(static_cast<std::int64_t>(m_committed.get_doccount()) +
                                         m_doccount_delta);
}

double Grouper::average_document_length() const {
    // As Xapian computes it: the total length over the number of documents.
    const Xapian::doccount documents = doccount();
    if (documents == 0) return 0;
    const auto total = static_cast<Xapian::totallength>(
        static_cast<std::int64_t>(m_committed.get_total_length()) + m_length_delta);
    return static_cast<double>(total) / documents;
}

namespace {
/// Entries of Grouper::m_committed_termfreq: bounded as committed_brief()'s memory is; the
/// words read again are soon back.
constexpr std::size_t kMaxCommittedTermfreqs = std::size_t{1} << 18;
}  // namespace

Xapian::doccount Grouper::committed_termfreq(const std::string& term) const {
    if (!schema::is_stem_term(term)) {
        auto other = m_committed_other_termfreq.find(term);
        if (other == m_committed_other_termfreq.end()) {
            other = m_committed_other_termfreq.emplace(term, m_committed.get_termfreq(term)).first;
        }
        return other->second;
    }
    auto committed = m_committed_termfreq.find(term);
    if (committed == m_committed_termfreq.end()) {
        if (m_all_stems_known) return 0;
        if (m_committed_termfreq.size() >= kMaxCommittedTermfreqs) m_committed_termfreq.clear();
        committed = m_committed_termfreq.emplace(term, m_committed.get_termfreq(term)).first;
    }
    return committed->second;
}

Xapian::doccount Grouper::termfreq(const std::string& term) const {
    std::int64_t frequency = committed_termfreq(term);
    if (const auto delta = m_termfreq_delta.find(term); delta != m_termfreq_delta.end()) {
        frequency += delta->second;
    }
    if (const auto pending = m_pending_stem.find(term); pending != m_pending_stem.end()) {
        frequency += pending->second.live;
    }
    return static_cast<Xapian::doccount>(frequency);
}

void Grouper::uncount_committed(Xapian::docid docid) {
    --m_doccount_delta;
    m_length_delta -= static_cast<std::int64_t>(m_committed.get_doclength(docid));
    for_each_with_prefix(m_committed.termlist_begin(docid), m_committed.termlist_end(docid),
                         std::string(schema::prefix::kStemmed),
                         [&](const std::string& name, const Xapian::TermIterator&) {
                             if (schema::is_stem_term(name)) --m_termfreq_delta[name];
                         });
}

void Grouper::deleting(const std::string& term) {
    if (!m_options.enabled) return;
    for (auto posting = m_committed.postlist_begin(term);
         posting != m_committed.postlist_end(term); ++posting) {
        const Xapian::docid docid = *posting;
        if (!committed_live(docid)) continue;
        const auto [copy, story] = committed_labels(docid);
        note_groups(copy, story);
        m_forgotten.insert(docid);
        m_deleted.insert(docid);
        uncount_committed(docid);
    }
}

std::optional<Grouper::Ref> Grouper::find_article(const std::string& id_term) const {
    if (const auto pending = m_pending_by_id.find(id_term); pending != m_pending_by_id.end()) {
        if (!m_pending_brief[pending->second].gone) return Ref{0, pending->second};
    }
    if (!may_hold_term(id_term)) return std::nullopt;
    for (auto posting = m_committed.postlist_begin(id_term);
         posting != m_committed.postlist_end(id_term); ++posting) {
        if (committed_live(*posting)) return Ref{*posting, std::nullopt};
    }
    return std::nullopt;
}

bool Grouper::exists(const std::string& id_term) const { return find_article(id_term).has_value(); }

void Grouper::replacing(const std::string& id_term) {
    if (!m_options.enabled) return;
    m_replacing.reset();
    if (const auto pending = m_pending_by_id.find(id_term); pending != m_pending_by_id.end()) {
        PendingBrief& brief = m_pending_brief[pending->second];
        if (!brief.gone) {
            const Pending& older = m_pending[pending->second];
            note_groups(older.copy_group, older.story_group);
            brief.forgotten = true;
            m_replacing = Ref{0, pending->second};
            return;
        }
    }
    // Xapian's replace_document(term) replaces the first document with the term and deletes
    // any other (there is none: ids are unique, but the writer would do so).
    for (auto posting = m_committed.postlist_begin(id_term);
         posting != m_committed.postlist_end(id_term); ++posting) {
        if (!committed_live(*posting)) continue;
        const auto [copy, story] = committed_labels(*posting);
        note_groups(copy, story);
        m_forgotten.insert(*posting);
        if (!m_replacing) {
            m_replacing = Ref{*posting, std::nullopt};
        } else {
            m_deleted.insert(*posting);
            uncount_committed(*posting);
        }
    }
}

StoryProfile Grouper::expand(const CompactProfile& profile) const {
    StoryProfile result;
    result.reserve(profile.size());
    // A compact profile is in its terms' order too.
    for (const auto& [term, weight] : profile) result.emplace_back(m_term_names[term], weight);
    return result;
}

Grouper::Member Grouper::member_of(const Pending& pending) const {
    Member member;
    member.id = pending.id;
    member.copy_group = pending.copy_group;
    member.story_group = pending.story_group;
    member.time = pending.time;
    member.fingerprint = pending.fingerprint;
    member.profile = expand(pending.profile);
    return member;
}

Grouper::Member Grouper::load(const Ref& ref) const {
    if (ref.pending) {
        Member member = member_of(m_pending[*ref.pending]);
        member.pending = ref.pending;
        return member;
    }
    const Xapian::Document document = committed_document(ref.docid);
    Member member;
    member.docid = ref.docid;
    member.id = committed_id(ref.docid);
    std::tie(member.copy_group, member.story_group) = committed_labels(ref.docid);
    member.time = committed_brief(ref.docid).time;
    if (const Retained* kept = retained(ref.docid)) {
        member.fingerprint = kept->fingerprint;
        member.profile = expand(kept->profile);
        return member;
    }
    member.fingerprint = decode_fingerprint(document.get_value(schema::kSlotCopyFingerprint));
    member.profile = decode_profile(document.get_value(schema::kSlotStoryProfile));
    return member;
}

void Grouper::label(Level level, const Ref& ref, const std::string& group) {
    const bool copy = level == Level::copy;
    const auto at_level = static_cast<std::size_t>(level);
    if (ref.pending) {
        m_pending[*ref.pending].group(copy) = group;
        m_pending_in_group[at_level][group].push_back(*ref.pending);
        return;
    }
    auto& labels = m_relabelled[ref.docid];
    (copy ? labels.first : labels.second) = group;
    m_relabelled_into[at_level][group].push_back(ref.docid);
}

void Grouper::written() {
    if (!m_options.enabled || !m_last_assigned) return;
    const std::size_t index = *std::exchange(m_last_assigned, std::nullopt);
    Pending& pending = m_pending[index];
    const auto replacing = std::exchange(m_replacing, std::nullopt);
    // The writable database's statistics: the older version out, this one in.
    if (replacing && replacing->pending) {
        PendingBrief& older = m_pending_brief[*replacing->pending];
        older.gone = true;
        --m_doccount_delta;
        m_length_delta -= older.length;
        const Pending& replaced = m_pending[*replacing->pending];
        for (PendingStem* stem : replaced.indexed_stems) --stem->live;
        for (const auto& [stem, wdf] : replaced.stems) --m_termfreq_delta[stem];
        pending.key = replaced.key;
    } else if (replacing) {
        uncount_committed(replacing->docid);
        // Its committed version is stale now: the batch's version, under the same key, is the
        // one to find (it stays in m_forgotten: what was read of it goes at the commit).
        pending.key = replacing->docid;
        m_relabelled.erase(replacing->docid);
    } else {
        pending.key = m_next_key++;
    }
    ++m_doccount_delta;
    m_length_delta += m_pending_brief[index].length;
    m_pending_by_key[pending.key] = index;
    m_pending_by_id[pending.id] = index;
    if (pending.featureless) {
        // Never a candidate: its stems only count (and are kept to be uncounted).
        for (const auto& [stem, wdf] : pending.stems) ++m_termfreq_delta[stem];
        return;
    }
    for (const std::uint64_t anchor : pending.anchors) m_pending_anchor[anchor].push_back(index);
    pending.anchors = {};
    if (!pending.fingerprint.empty()) m_pending_exact[pending.fingerprint.exact].push_back(index);
    pending.indexed_stems.reserve(pending.stems.size());
    for (auto& [stem, wdf] : pending.stems) {
        PendingStem& entry = m_pending_stem[std::move(stem)];
        entry.postings.emplace_back(index, wdf);
        ++entry.live;
        pending.indexed_stems.push_back(&entry);
    }
    pending.stems = {};
    m_pending_in_group[static_cast<std::size_t>(Level::copy)][pending.copy_group].push_back(index);
    m_pending_in_group[static_cast<std::size_t>(Level::story)][pending.story_group].push_back(index);
}

std::vector<GroupingChange> Grouper::take_changes() { return std::exchange(m_changes, {}); }

void Grouper::committed() {
    if (!m_options.enabled) return;
    // The stems' frequencies read so far move with the batch just committed, which the
    // grouper counted (termfreq()): updated in place, they need no B-tree reads in the new
    // view. Only the stems the batch counted changed: those of its articles with features
    // (m_pending_stem) and those in m_termfreq_delta (articles without features, committed
    // documents deleted or replaced), so the work follows the batch, not the vocabulary
    // remembered (walking every entry took half of this call at 28k articles). A stem in both
    // maps is updated from the first: termfreq() reads the entry it updates.
    // When every committed stem is known, the batch's new ones join them.
    std::vector<std::pair<std::string, Xapian::doccount>> new_stems;
    const auto carry = [&](const std::string& term) {
        if (!schema::is_stem_term(term)) return;
        const auto entry = m_committed_termfreq.find(term);
        // Not remembered: read in the new view when asked for (not now, in the old one).
        if (entry == m_committed_termfreq.end() && !m_all_stems_known) return;
        // Reads the entry, or (every stem known) 0 for a stem the view lacks: inserts nothing.
        const Xapian::doccount frequency = termfreq(term);
        if (entry != m_committed_termfreq.end()) {
            entry->second = frequency;
        } else {
            new_stems.emplace_back(term, frequency);  // the batch's count alone
        }
    };
    for (const auto& [term, stem] : m_pending_stem) carry(term);
    for (const auto& [term, delta] : m_termfreq_delta) {
        if (m_pending_stem.count(term) == 0) carry(term);
    }
    if (m_all_stems_known) {
        if (m_committed_termfreq.size() + new_stems.size() > kMaxCommittedTermfreqs) {
            m_all_stems_known = false;
        } else {
            for (auto& [term, frequency] : new_stems) {
                m_committed_termfreq.emplace(std::move(term), frequency);
            }
        }
    }
    m_committed_other_termfreq.clear();
    // Opened afresh, not reopen()ed: an archive may have gained shards, which only a new
    // reading of its stub sees.
    m_committed = Xapian::Database(m_path);
    m_window_postings.clear();
    m_windows.clear();
    // What the batch changed of committed documents is written now: their briefs go.
    if (m_committed.size() != m_committed_databases) {
        m_briefs.clear();
        m_committed_days.clear();
        m_committed_databases = m_committed.size();
    }
    retain_batch();
    // What was read of documents the batch deleted or replaced is stale (m_forgotten holds
    // both). A replaced document keeps its id under its new labels and date, which are read
    // again when asked for.
    for (const Xapian::docid docid : m_forgotten) {
        m_briefs.erase(docid);
        if (docid < m_committed_days.size()) m_committed_days[docid] = kUnknownDay;
    }
    for (const auto& [docid, labels] : m_relabelled) m_briefs.erase(docid);
    brief_batch();
    if (m_committed_terms) {
        // The batch's ids and groups are committed ones now (a filter may say "maybe" of more
        // than the view holds: of groups its articles left, of articles it deleted again).
        for (const auto& [id_term, index] : m_pending_by_id) {
            m_committed_terms->insert(hash_bytes(id_term));
        }
        for (const Level level : {Level::copy, Level::story}) {
            const auto at_level = static_cast<std::size_t>(level);
            for (const auto& [group, articles] : m_pending_in_group[at_level]) {
                m_committed_terms->insert(hash_bytes(group_term(level == Level::copy, group)));
            }
            for (const auto& [group, documents] : m_relabelled_into[at_level]) {
                m_committed_terms->insert(hash_bytes(group_term(level == Level::copy, group)));
            }
        }
    }
    // The batch's anchors are committed ones now (those of articles it deleted again too: the
    // filter may say "maybe" of more than the view holds, never "not" of what it holds).
    if (m_committed_hashes) {
        for (const auto& [anchor, articles] : m_pending_anchor) m_committed_hashes->insert(anchor);
        for (const auto& [exact, articles] : m_pending_exact) m_committed_hashes->insert(exact);
    }
    // The batch's articles and indexes are freed on a thread of their own (m_freeing): the
    // previous batch's were freed long ago.
    if (m_freeing.joinable()) m_freeing.join();
    auto retired = std::make_unique<RetiredBatch>();
    retired->pending.swap(m_pending);
    retired->stems.swap(m_pending_stem);
    retired->anchors.swap(m_pending_anchor);
    retired->exact.swap(m_pending_exact);
    retired->ids.swap(m_pending_by_id);
    retired->in_group.swap(m_pending_in_group);
    try {
        m_freeing = std::thread([batch = std::move(retired)]() mutable { batch.reset(); });
    } catch (const std::system_error&) {
        // No thread to be had: the lambda, and the batch with it, was freed here instead.
    }
    m_pending_brief.clear();
    m_pending_by_key.clear();
    m_next_key = m_committed.get_lastdocid() + 1;
    m_last_assigned.reset();
    m_replacing.reset();
    m_forgotten.clear();
    m_deleted.clear();
    m_relabelled.clear();
    for (auto& groups : m_relabelled_into) groups.clear();
    m_records.clear();
    m_doccount_delta = 0;
    m_length_delta = 0;
    m_termfreq_delta.clear();
}

Xapian::Query Grouper::window_filter(std::optional<double> time) const {
    if (!time) return Xapian::Query::MatchAll;
    const int days = m_options.story_window_days;
    // Day terms, not a value range: the AND then skips through the articles of the window, so
    // the work depends on how many articles the window holds, not on the archive's size.
    // Undated articles stay candidates: nothing says they are out of the window.
    const auto day = static_cast<UnixTime>(std::floor(*time / 86400.0)) * 86400;
    std::vector<std::string> window;
    for (int offset = -days; offset <= days; ++offset) {
        window.push_back(std::string(schema::prefix::kDay) +
                         format_yyyymmdd(day + static_cast<UnixTime>(offset) * 86400));
    }
    window.emplace_back(schema::prefix::kUndated);
    if (m_committed.size() != 1) {
        // An archive's shards: a posting source would be shown each shard's own document ids.
        // Days without committed articles are left out: each term is a postlist to open.
        std::vector<Xapian::Query> terms;
        for (std::string& term : window) {
            if (committed_termfreq(term) != 0) terms.emplace_back(std::move(term));
        }
        if (terms.empty()) return {};
        return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    }
    // One database: the window's documents from memory, the same set as the terms' union.
    const std::int64_t key = day_of(time);
    auto found = m_windows.find(key);
    if (found == m_windows.end()) {
        constexpr std::size_t kMaxWindows = 64;  // a batch's articles mostly share a few days
        if (m_windows.size() >= kMaxWindows) m_windows.clear();
        std::vector<Xapian::docid> docids;
        for (const std::string& term : window) {
            const auto& postings = *window_postings(term);
            docids.insert(docids.end(), postings.begin(), postings.end());
        }
        std::sort(docids.begin(), docids.end());
        docids.erase(std::unique(docids.begin(), docids.end()), docids.end());
        found = m_windows
                    .emplace(key, std::make_shared<const std::vector<Xapian::docid>>(
                                      std::move(docids)))
                    .first;
    }
    if (found->second->empty()) return {};
    return Xapian::Query((new DocidListSource(found->second))->release());
}

const Grouper::DocidList& Grouper::window_postings(const std::string& term) const {
    auto found = m_window_postings.find(term);
    if (found == m_window_postings.end()) {
        std::vector<Xapian::docid> docids;
        for (auto posting = m_committed.postlist_begin(term);
             posting != m_committed.postlist_end(term); ++posting) {
            docids.push_back(*posting);
        }
        found = m_window_postings
                    .emplace(term, std::make_shared<const std::vector<Xapian::docid>>(
                                       std::move(docids)))
                    .first;
    }
    return found->second;
}

std::vector<Grouper::Ref> Grouper::in_group(Level level, const std::string& group_id,
                                            bool first_only) const {
    const bool copy = level == Level::copy;
    const auto at_level = static_cast<std::size_t>(level);
    // The label a relabel of this batch gave committed document @p docid; null if none.
    const auto relabelled_to = [&](Xapian::docid docid) -> const std::string* {
        const auto relabelled = m_relabelled.find(docid);
        if (relabelled == m_relabelled.end()) return nullptr;
        const std::string& label = copy ? relabelled->second.first : relabelled->second.second;
        return label.empty() ? nullptr : &label;
    };
    // In the writable database's order: committed documents by id, then the batch's.
    std::vector<Xapian::docid> committed;
    const std::string term = group_term(copy, group_id);
    if (may_hold_term(term)) {
        for (auto posting = m_committed.postlist_begin(term);
             posting != m_committed.postlist_end(term); ++posting) {
            if (!committed_live(*posting)) continue;
            if (const std::string* label = relabelled_to(*posting); label && *label != group_id) {
                continue;
            }
            committed.push_back(*posting);
            if (first_only) break;
        }
    }
    if (const auto into = m_relabelled_into[at_level].find(group_id);
        into != m_relabelled_into[at_level].end()) {
        for (const Xapian::docid docid : into->second) {
            const std::string* label = relabelled_to(docid);
            if (committed_live(docid) && label && *label == group_id) committed.push_back(docid);
        }
    }
    std::sort(committed.begin(), committed.end());
    committed.erase(std::unique(committed.begin(), committed.end()), committed.end());
    std::vector<Ref> found;
    for (const Xapian::docid docid : committed) {
        found.push_back({docid, std::nullopt});
        if (first_only) return found;
    }
    if (const auto in = m_pending_in_group[at_level].find(group_id);
        in != m_pending_in_group[at_level].end()) {
        std::vector<std::size_t> indices;
        for (const std::size_t i : in->second) {
            if (m_pending_brief[i].gone || m_pending[i].key == 0) continue;
            if (m_pending[i].group(copy) == group_id) indices.push_back(i);
        }
        std::sort(indices.begin(), indices.end());
        indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
        for (const std::size_t i : indices) {
            found.push_back({0, i});
            if (first_only) break;
        }
    }
    return found;
}

std::vector<Grouper::Member> Grouper::members(Level level, const std::string& group_id) const {
    std::vector<Member> found;
    for (const Ref& ref : in_group(level, group_id)) found.push_back(load(ref));
    // Article order, not docid order: decisions must not depend on how docids were assigned.
    std::sort(found.begin(), found.end(),
              [](const Member& a, const Member& b) { return a.id < b.id; });
    return found;
}

std::optional<Grouper::Member> Grouper::member_by_id(const std::string& article_id) const {
    if (article_id.empty()) return std::nullopt;
    const auto found = find_article(article_id);
    if (!found) return std::nullopt;
    return load(*found);
}

std::string Grouper::new_group_id(Level level, const std::string& article_id) const {
    const bool copy = level == Level::copy;
    const std::string seed = std::string(level_name(copy)) + ":" + article_id;
    for (unsigned attempt = 0;; ++attempt) {
        const std::string id =
            schema::stable_hash_hex(attempt == 0 ? seed : seed + "#" + std::to_string(attempt));
        // A group whose members are all gone is free again: an article re-indexed in a changed
        // file founds its group again under the same id (a stale record of it is rewritten by
        // settle(), since the group lost its members).
        if (in_group(level, id, /*first_only=*/true).empty()) return id;
    }
}

void Grouper::relabel(Level level, const std::vector<Ref>& documents, const std::string& from,
                      const std::string& to) {
    const bool copy = level == Level::copy;
    GroupingChange change;
    change.kind = GroupingChange::Kind::relabel;
    change.remove_term = group_term(copy, from);
    change.add_term = group_term(copy, to);
    change.slot = copy ? schema::kSlotCopyGroup : schema::kSlotStoryGroup;
    change.value = to;
    for (const Ref& ref : documents) {
        change.docid = ref.pending ? 0 : ref.docid;
        change.id_term = ref.pending ? m_pending[*ref.pending].id : std::string();
        m_changes.push_back(change);
        label(level, ref, to);
    }
}

std::optional<Grouper::Record> Grouper::load_record(Level level,
                                                    const std::string& group_id) const {
    const std::string key = schema::group_key(level_name(level == Level::copy), group_id);
    const auto written = m_records.find(key);
    if (auto record = Record::parse(written != m_records.end() ? written->second
                                                               : m_committed.get_metadata(key))) {
        return record;
    }
    // A group of one has no record: its member is its founder and its earliest report.
    const auto first = in_group(level, group_id, /*first_only=*/true);
    if (first.empty()) return std::nullopt;
    const Member member = load(first.front());
    Record record;
    record.founder = record.earliest = member.id;
    record.earliest_time = member.time;
    return record;
}

void Grouper::put_record(Level level, const std::string& group_id, const std::string& data) {
    GroupingChange change;
    change.kind = GroupingChange::Kind::metadata;
    change.key = schema::group_key(level_name(level == Level::copy), group_id);
    change.value = data;
    m_records[change.key] = data;
    m_changes.push_back(std::move(change));
}

void Grouper::note_member(Level level, const std::string& group_id, const std::string& article_id,
                          std::optional<double> time) {
    // Called before the new member is written, so a group of one is still recordless here.
    auto record = load_record(level, group_id).value_or(Record{});
    if (record.founder.empty()) record.founder = article_id;
    if (record.is_earlier(time, article_id)) {
        record.earliest = article_id;
        record.earliest_time = time;
    }
    put_record(level, group_id, record.dump());
}

void Grouper::merge(Level level, const std::string& into, const std::string& from) {
    if (into == from) return;
    const auto from_record = load_record(level, from);
    const std::vector<Ref> documents = in_group(level, from);
    auto record = load_record(level, into).value_or(Record{});
    relabel(level, documents, from, into);
    if (from_record && record.is_earlier(from_record->earliest_time, from_record->earliest)) {
        record.earliest = from_record->earliest;
        record.earliest_time = from_record->earliest_time;
    }
    put_record(level, into, record.dump());
    put_record(level, from, "");
    ++m_stats.merges;
}

bool Grouper::linked(Level level, const Member& a, const Member& b) const {
    if (level == Level::copy) {
        return within_days(a.time, b.time, m_options.copy_window_days) &&
               is_copy(compare(a.fingerprint, b.fingerprint), m_options);
    }
    if (!a.copy_group.empty() && a.copy_group == b.copy_group) return true;
    return within_days(a.time, b.time, m_options.story_window_days) &&
           story_similarity(a.profile, b.profile) >=
               story_threshold(a.time, b.time, a.profile.size(), b.profile.size());
}

double Grouper::story_threshold(std::optional<double> a, std::optional<double> b,
                                std::size_t a_terms, std::size_t b_terms) const {
    // Two dated reports within the window already agree on when: the text needs to agree less.
    if (!a || !b) return m_options.story_threshold_undated;
    const bool long_profiles =
        a_terms >= m_options.story_long_terms && b_terms >= m_options.story_long_terms;
    return long_profiles ? m_options.story_threshold_long : m_options.story_threshold;
}

bool Grouper::founder_alike(const std::string& story_group, const Member& article) {
    const auto record = load_record(Level::story, story_group);
    if (!record) return false;
    if (record->founder == article.id) return true;  // its own older version
    const auto founder = member_by_id(record->founder);
    return founder && linked(Level::story, *founder, article);
}

bool Grouper::founders_match(Level level, const std::string& group_a, const std::string& group_b) {
    const auto founder = [&](const std::string& group) -> std::optional<Member> {
        const auto record = load_record(level, group);
        return record ? member_by_id(record->founder) : std::nullopt;
    };
    const auto a = founder(group_a);
    const auto b = founder(group_b);
    return a && b && linked(level, *a, *b);
}

void Grouper::assign(Xapian::Document& document, DocumentTerms document_terms) {
    if (!m_options.enabled) return;
    const std::string fingerprint_data = document.get_value(schema::kSlotCopyFingerprint);
    const std::string raw_profile = document.get_value(schema::kSlotStoryProfile);
    if (fingerprint_data.empty() && raw_profile.empty()) {
        // No features, no groups; but written all the same: the batch's statistics count it.
        Pending pending;
        pending.id = std::move(document_terms.id_term);
        pending.featureless = true;
        track(std::move(pending), document_terms);
        return;
    }
    const auto start = std::chrono::steady_clock::now();

    Member self;
    self.id = document_terms.id_term;
    self.time = schema::document_time(document);
    self.fingerprint = decode_fingerprint(fingerprint_data);
    GroupingDecision decision;
    decision.article_id = self.id.substr(schema::prefix::kId.size());

    // A committed document is a candidate unless this batch deleted or replaced it; the
    // article's own older version (being replaced) stays one: rejoining its group keeps the
    // group's id stable.
    const auto committed_candidate = [&](Xapian::docid docid) {
        if (m_pending_by_key.count(docid) != 0) return false;  // the batch's version counts
        if (m_forgotten.count(docid) == 0) return true;
        return committed_id(docid) == self.id;
    };
    const auto pending_candidate = [&](std::size_t i) {
        const PendingBrief& brief = m_pending_brief[i];
        return !brief.gone && (!brief.forgotten || m_pending[i].id == self.id);
    };

    // --- Copy level: candidates share anchors (CoordWeight counts them), then exact check.
    struct Verified {
        std::string group;
        std::string story;
        double score;
    };
    std::vector<Verified> copies;
    if (!self.fingerprint.empty()) {
        // Candidates share anchors with this article, most shared first: an OR of its probe
        // anchors scored by the count of matching terms (what Xapian::CoordWeight computes),
        // walked by hand over the committed postlists, and over the batch's anchors in memory.
        // A 5-word shingle is rare, but a boilerplate paragraph's recur across the archive:
        // committed postings known to lie outside the window are passed over by their day,
        // where the loop below would pass over them after reading each document.
        std::map<Xapian::docid, unsigned> shared;
        const std::int64_t own_day = day_of(self.time);
        const auto count = [&](std::string_view prefix, std::uint64_t hash, unsigned weight) {
            if (!may_be_committed(hash)) return;
            const std::string term = std::string(prefix) + schema::hex16(hash);
            for (auto posting = m_committed.postlist_begin(term);
                 posting != m_committed.postlist_end(term); ++posting) {
                if (m_pending_by_key.count(*posting) != 0) continue;
                if (self.time) {
                    const auto day = committed_day(*posting);
                    if (day && !days_within(*day, own_day, m_options.copy_window_days)) continue;
                }
                shared[*posting] += weight;
            }
        };
        const auto count_pending = [&](const auto& index, std::uint64_t key, unsigned weight) {
            const auto found = index.find(key);
            if (found == index.end()) return;
            for (const std::size_t i : found->second) {
                if (!m_pending_brief[i].gone) shared[m_pending[i].key] += weight;
            }
        };
        count(schema::prefix::kCopyExact, self.fingerprint.exact, 1000);
        count_pending(m_pending_exact, self.fingerprint.exact, 1000);
        for (const std::uint64_t probe : self.fingerprint.probes) {
            count(schema::prefix::kCopyAnchor, probe, 1);
            count_pending(m_pending_anchor, probe, 1);
        }
        std::vector<std::pair<unsigned, Xapian::docid>> ranked;
        for (const auto& [docid, weight] : shared) ranked.emplace_back(weight, docid);
        std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
            return x.first != y.first ? x.first > y.first : x.second < y.second;
        });
        CopyFingerprint committed_fingerprint;
        for (const auto& [weight, docid] : ranked) {
            if (decision.copy_candidates >= m_options.copy_candidates) break;
            std::string group;
            std::string story;
            std::optional<double> time;
            const Pending* in_batch = nullptr;
            if (const auto pending = m_pending_by_key.find(docid);
                pending != m_pending_by_key.end()) {
                if (!pending_candidate(pending->second)) continue;
                in_batch = &m_pending[pending->second];
                group = in_batch->copy_group;
                story = in_batch->story_group;
                time = in_batch->time;
            } else {
                if (!committed_candidate(docid)) continue;
                std::tie(group, story) = committed_labels(docid);
                time = committed_brief(docid).time;
            }
            // Checked before a committed fingerprint is read: that is a B-tree read of its own.
            if (group.empty() || !within_days(self.time, time, m_options.copy_window_days)) {
                continue;
            }
            const CopyFingerprint* fingerprint = &committed_fingerprint;
            if (in_batch != nullptr) {
                fingerprint = &in_batch->fingerprint;
            } else if (const Retained* kept = retained(docid)) {
                fingerprint = &kept->fingerprint;
            } else {
                committed_fingerprint = decode_fingerprint(
                    committed_document(docid).get_value(schema::kSlotCopyFingerprint));
            }
            ++decision.copy_candidates;
            const CopySimilarity similarity = compare(self.fingerprint, *fingerprint);
            if (is_copy(similarity, m_options)) {
                copies.push_back({group, story, std::max(similarity.jaccard, similarity.containment)});
            }
        }
    }
    const auto by_score = [](const Verified& a, const Verified& b) {
        return a.score != b.score ? a.score > b.score : a.group < b.group;
    };
    std::stable_sort(copies.begin(), copies.end(), by_score);
    std::string copy_group;
    std::string story_group;
    if (copies.empty()) {
        copy_group = new_group_id(Level::copy, self.id);
    } else {
        copy_group = copies.front().group;
        story_group = copies.front().story;
        ++m_stats.copies;
        // Groups bridged by this article merge only if their founders are copies too.
        std::set<std::string> seen{copy_group};
        for (const Verified& other : copies) {
            if (!seen.insert(other.group).second) continue;
            if (!founders_match(Level::copy, copy_group, other.group)) continue;
            merge(Level::copy, copy_group, other.group);
            // Copies of one text are one story.
            if (!other.story.empty() && !story_group.empty() && other.story != story_group) {
                merge(Level::story, story_group, other.story);
            }
        }
        note_member(Level::copy, copy_group, self.id, self.time);
    }

    // The worker's profile (1 + ln tf) weighed here by idf, so that words every report of a
    // kind uses ("shr", "cts", "qtr" in earnings reports) count little. Document frequencies
    // come from a cache filled from the database on a term's first sight in this run and kept
    // up to date by the writer itself: one lookup per distinct word per run, not per article.
    // Weighed in place: the article's own profile is self's, not a copy.
    StoryProfile& profile = self.profile;
    profile = decode_profile(raw_profile);
    CompactProfile own;  // the same, by term id, in the terms' string order
    own.reserve(profile.size());
    {
        const double total = static_cast<double>(doccount());
        double norm = 0;
        for (auto& [term, weight] : profile) {
            auto cached = m_terms.find(term);
            if (cached == m_terms.end()) {
                cached = m_terms
                             .emplace(term, TermInfo{termfreq(term),
                                                     static_cast<std::uint32_t>(m_term_names.size())})
                             .first;
                m_term_names.push_back(term);
            }
            weight *= std::log((total + kIdfPrior) /
                               (static_cast<double>(cached->second.frequency) + 1.0));
            ++cached->second.frequency;  // this article
            norm += weight * weight;
            own.emplace_back(cached->second.id, 0.0);
        }
        norm = std::sqrt(norm);
        std::size_t k = 0;
        for (auto& [term, weight] : profile) {
            weight = norm > 0 ? weight / norm : 0;
            own[k++].second = weight;
        }
    }
    const std::string stored_profile = encode_profile(profile);

    if (story_group.empty() && !profile.empty()) {
        // The candidates are found by the profile's heaviest words, ranked by BM25 over the
        // archive as the writer sees it (committed and batch alike: the writable database's
        // statistics), among committed articles by Xapian's matcher, which prunes what cannot
        // reach the top, and among the batch's in memory. The best of both are those one query
        // over the whole archive would rank best, wherever the commits fell; their whole
        // profiles are compared afterwards.
        // Heaviest first, ties in term order (the profile's order; stable_sort keeps it).
        std::vector<std::pair<double, const std::string*>> telling;
        telling.reserve(profile.size());
        for (const auto& [term, weight] : profile) telling.emplace_back(-weight, &term);
        const std::size_t query_terms = std::min(kQueryTerms, telling.size());
        std::partial_sort(telling.begin(), telling.begin() + static_cast<std::ptrdiff_t>(query_terms),
                          telling.end(), [](const auto& x, const auto& y) {
                              return x.first != y.first ? x.first < y.first : *x.second < *y.second;
                          });
        telling.resize(query_terms);
        const double documents = doccount();
        const double average_length = std::max(average_document_length(), 1.0);
        std::vector<double> idf;
        idf.reserve(telling.size());
        for (const auto& [weight, term] : telling) {
            idf.push_back(story_term_idf(documents, termfreq(*term)));
        }

        // Candidates of both sides, best first; equal scores in article id order, so that the
        // choice does not depend on document ids (numbered per layout).
        struct Ranked {
            std::int64_t score;
            std::string id;
            Xapian::docid docid;       ///< committed (0: from the batch)
            std::size_t pending = 0;   ///< the batch's index
        };
        std::vector<Ranked> ranked;
        const std::size_t wanted = m_options.story_candidates;
        // Words and days the committed view lacks are left out of its query (a word scores
        // by its own postings only: the others' scores are the same without it); without
        // either, the query would match nothing and is not run.
        std::vector<Xapian::Query> terms;
        for (std::size_t k = 0; k < telling.size(); ++k) {
            if (committed_termfreq(*telling[k].second) == 0) continue;
            terms.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(*telling[k].second),
                               idf[k]);
        }
        const Xapian::Query window =
            terms.empty() ? Xapian::Query() : window_filter(self.time);
        if (!window.empty()) {
            Xapian::Query query(Xapian::Query::OP_OR, terms.begin(), terms.end());
            query = Xapian::Query(Xapian::Query::OP_FILTER, query, window);
            Xapian::Enquire enquire(m_committed);
            enquire.set_query(query);
            const StoryCandidateWeight weight(average_length);
            enquire.set_weighting_scheme(weight);
            // Twice as many as are checked: ties at the cut are settled by article id below,
            // and Xapian settles them by document id. So when the page's last score is also
            // the score of the last one checked, a committed article of that score left out
            // by Xapian could be one the ids would choose: every article of that score is
            // taken then (short articles score alike: BM25's length floor).
            // Documents this batch deleted or replaced are passed over (not by a MatchDecider:
            // over an archive's shards it is shown shard-local document ids).
            const Xapian::doccount page = static_cast<Xapian::doccount>(2 * wanted);
            std::optional<std::int64_t> tie;  ///< the score whose articles are all taken
            Xapian::doccount accepted = 0;
            for (Xapian::doccount first = 0, size = page; page > 0;) {
                const Xapian::MSet mset = enquire.get_mset(first, size);
                bool done = mset.size() < size;
                for (auto hit = mset.begin(); hit != mset.end(); ++hit) {
                    const std::int64_t score = comparable_score(hit.get_weight());
                    if (accepted >= page && (!tie || score != *tie)) {
                        done = true;
                        break;
                    }
                    if (!committed_candidate(*hit)) continue;
                    ranked.push_back({score, {}, *hit});
                    if (++accepted == page && ranked[wanted - 1].score == score) tie = score;
                }
                if (done || (accepted >= page && !tie)) break;
                first += size;
                if (tie) size *= 2;  // a long tie is read in fewer, larger pages
            }
        }
        if (!m_pending.empty()) {
            // The hot loop of grouping in a large batch: a telling word's postings may hold
            // thousands of the batch's articles, so it reads their brief records (contiguous)
            // and adds into a dense array, not into the articles themselves or a hash map.
            const std::int64_t own_day = day_of(self.time);
            const auto days = static_cast<std::int64_t>(m_options.story_window_days);
            m_scores.resize(m_pending.size());
            std::vector<std::size_t> scored;
            for (std::size_t k = 0; k < telling.size(); ++k) {
                const auto postings = m_pending_stem.find(*telling[k].second);
                if (postings == m_pending_stem.end()) continue;
                for (const auto& [i, wdf] : postings->second.postings) {
                    const PendingBrief& candidate = m_pending_brief[i];
                    if (self.time && candidate.dated &&
                        !days_within(candidate.day, own_day, days)) {
                        continue;
                    }
                    if (!pending_candidate(i)) continue;
                    if (!m_scores[i]) {
                        m_scores[i] = 0.0;
                        scored.push_back(i);
                    }
                    *m_scores[i] += idf[k] * story_term_score(wdf, candidate.length, average_length);
                }
            }
            for (const std::size_t i : scored) {
                ranked.push_back({comparable_score(*m_scores[i]), m_pending[i].id, 0, i});
                m_scores[i].reset();
            }
        }
        // Article ids only settle equal scores: a committed candidate's is read (from its term
        // list, a B-tree read) only when another candidate has its score.
        std::vector<std::int64_t> scores;
        scores.reserve(ranked.size());
        for (const Ranked& candidate : ranked) scores.push_back(candidate.score);
        std::sort(scores.begin(), scores.end());
        for (Ranked& candidate : ranked) {
            if (candidate.docid == 0) continue;
            const auto [low, high] = std::equal_range(scores.begin(), scores.end(), candidate.score);
            if (high - low > 1) candidate.id = committed_id(candidate.docid);
        }
        const std::size_t keep = std::min(wanted, ranked.size());
        std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                          ranked.end(), [](const Ranked& x, const Ranked& y) {
                              return x.score != y.score ? x.score > y.score : x.id < y.id;
                          });
        ranked.resize(keep);

        std::vector<Verified> stories;
        const auto consider = [&](double similarity, std::size_t profile_terms,
                                  std::optional<double> time, const std::string& group) {
            ++decision.story_candidates;
            if (similarity < story_threshold(self.time, time, self.profile.size(), profile_terms)) {
                return;
            }
            if (!within_days(self.time, time, m_options.story_window_days)) return;
            if (!group.empty()) stories.push_back({group, {}, similarity});
        };
        m_own_weight.resize(m_term_names.size(), 0.0);
        for (const auto& [term, weight] : own) m_own_weight[term] = weight;
        // The same sum, in the same order (the terms' string order), as story_similarity()
        // over the stored profile: the terms this article lacks add zeros.
        const auto similarity_to = [&](const CompactProfile& other) {
            double dot = 0;
            for (const auto& [term, weight] : other) dot += m_own_weight[term] * weight;
            return dot;
        };
        for (const Ranked& hit : ranked) {
            if (hit.docid != 0) {
                std::size_t profile_terms = 0;
                double similarity = 0;
                if (const Retained* kept = retained(hit.docid)) {
                    similarity = similarity_to(kept->profile);
                    profile_terms = kept->profile.size();
                } else {
                    similarity = story_similarity(
                        profile, committed_document(hit.docid).get_value(schema::kSlotStoryProfile),
                        profile_terms);
                }
                consider(similarity, profile_terms, committed_brief(hit.docid).time,
                         committed_labels(hit.docid).second);
                continue;
            }
            const Pending& candidate = m_pending[hit.pending];
            consider(similarity_to(candidate.profile), candidate.profile.size(), candidate.time,
                     candidate.story_group);
        }
        for (const auto& [term, weight] : own) m_own_weight[term] = 0.0;

        std::stable_sort(stories.begin(), stories.end(), by_score);
        // A story is joined only if its founder is alike too: stories grow around their first
        // report instead of drifting through chains (a later round of the same talks shares
        // much with the latest report, less with the first).
        std::set<std::string> seen;
        for (const Verified& candidate : stories) {
            if (!seen.insert(candidate.group).second) continue;
            if (story_group.empty()) {
                if (founder_alike(candidate.group, self)) story_group = candidate.group;
            } else if (founders_match(Level::story, story_group, candidate.group)) {
                merge(Level::story, story_group, candidate.group);
            }
        }
    }
    if (story_group.empty()) {
        story_group = new_group_id(Level::story, self.id);
    } else {
        ++m_stats.stories;
        note_member(Level::story, story_group, self.id, self.time);
    }

    document.add_boolean_term(schema::copy_group_term(copy_group));
    document.add_value(schema::kSlotCopyGroup, copy_group);
    document.add_boolean_term(schema::story_group_term(story_group));
    document.add_value(schema::kSlotStoryGroup, story_group);
    document.add_value(schema::kSlotStoryProfile, stored_profile);

    // Kept in memory until the next commit, as the committed view would show it.
    Pending pending;
    pending.id = self.id;
    pending.time = self.time;
    pending.copy_group = copy_group;
    pending.story_group = story_group;
    pending.fingerprint = std::move(self.fingerprint);
    pending.anchors = std::move(document_terms.anchors);
    // Its weights as stored: a candidate is compared by the same numbers whether it is found
    // in memory or read back from the database, so where the commits fall decides nothing.
    for (auto& [term, weight] : own) weight = stored_profile_weight(weight);
    pending.profile = std::move(own);
    track(std::move(pending), document_terms);

    ++m_stats.articles;
    m_stats.copy_candidates += decision.copy_candidates;
    m_stats.story_candidates += decision.story_candidates;
    decision.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m_stats.seconds += decision.seconds;
    record(std::move(decision));
}

void Grouper::track(Pending pending, const DocumentTerms& terms) {
    // Its stems and length, for ranking it as a story candidate of later articles in the batch
    // exactly as Xapian ranks the committed ones, and for the batch's statistics.
    pending.stems.reserve(terms.stems.size());
    terms.stems.for_each([&](std::string_view stem, Xapian::termcount wdf) {
        pending.stems.emplace_back(stem, wdf);
    });
    m_pending_brief.push_back({day_of(pending.time), terms.length, pending.time.has_value()});
    m_pending.push_back(std::move(pending));
    m_last_assigned = m_pending.size() - 1;
}

void Grouper::record(GroupingDecision decision) {
    auto& slowest = m_stats.slowest;
    if (slowest.size() == kSlowestKept && decision.seconds <= slowest.back().seconds) return;
    const auto at = std::upper_bound(
        slowest.begin(), slowest.end(), decision.seconds,
        [](double seconds, const GroupingDecision& other) { return seconds > other.seconds; });
    slowest.insert(at, std::move(decision));
    if (slowest.size() > kSlowestKept) slowest.pop_back();
}

void Grouper::recheck(Level level, const std::string& group_id) {
    std::vector<Member> found = members(level, group_id);
    if (found.empty()) {
        put_record(level, group_id, "");
        return;
    }
    ++m_stats.rechecks;
    const auto old_record = load_record(level, group_id);

    // Connected components of the verified links (union-find), when the group is small enough
    // to check pair by pair; a larger group stays whole.
    std::vector<std::size_t> parent(found.size());
    std::iota(parent.begin(), parent.end(), 0);
    const auto root = [&](std::size_t i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    };
    if (found.size() <= kMaxRecheck) {
        for (std::size_t i = 0; i < found.size(); ++i) {
            for (std::size_t j = i + 1; j < found.size(); ++j) {
                if (root(i) != root(j) && linked(level, found[i], found[j]))
                    parent[root(i)] = root(j);
            }
        }
    } else {
        for (auto& p : parent) p = 0;
    }
    std::map<std::size_t, std::vector<std::size_t>> components;
    for (std::size_t i = 0; i < found.size(); ++i) components[root(i)].push_back(i);

    const auto contains_founder = [&](const std::vector<std::size_t>& component) {
        if (!old_record) return false;
        return std::any_of(component.begin(), component.end(),
                           [&](std::size_t i) { return found[i].id == old_record->founder; });
    };
    std::vector<std::vector<std::size_t>> ordered;
    for (auto& [root_index, component] : components) ordered.push_back(std::move(component));
    std::sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
        if (a.size() != b.size()) return a.size() > b.size();
        const bool fa = contains_founder(a);
        const bool fb = contains_founder(b);
        if (fa != fb) return fa;
        return found[a.front()].id < found[b.front()].id;
    });

    for (std::size_t c = 0; c < ordered.size(); ++c) {
        const auto& component = ordered[c];
        Record record;
        for (const std::size_t i : component) {
            if (record.is_earlier(found[i].time, found[i].id)) {
                record.earliest = found[i].id;
                record.earliest_time = found[i].time;
            }
        }
        std::string id = group_id;
        if (c == 0) {
            record.founder = contains_founder(component) ? old_record->founder : record.earliest;
        } else {
            // Split off: a new group founded by its earliest member.
            record.founder = record.earliest;
            id = new_group_id(level, record.founder);
            std::vector<Ref> documents;
            for (const std::size_t i : component) documents.push_back(found[i].ref());
            relabel(level, documents, group_id, id);
            ++m_stats.splits;
        }
        // Groups of one keep no record (load_record()).
        put_record(level, id, component.size() > 1 ? record.dump() : std::string());
    }
}

void Grouper::settle() {
    if (!m_options.enabled) return;
    const auto start = std::chrono::steady_clock::now();
    // Copies first: a story re-check reads the copy groups.
    const auto copy_groups = std::exchange(m_dirty_copy, {});
    for (const auto& group : copy_groups) recheck(Level::copy, group);
    const auto story_groups = std::exchange(m_dirty_story, {});
    for (const auto& group : story_groups) recheck(Level::story, group);
    m_stats.seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace wiredesk::indexer
