/// @file ascii_words.hpp
/// @brief Word boundaries of ASCII text without ICU: the Unicode word-break rules (UAX #29) as
/// ICU's root rules apply them to the characters ASCII has.
///
/// ICU's break iterator was the largest single cost of a search's snippets (bench/RESULTS.md),
/// and a share of the analysis workers'. Most news copy is plain ASCII, or ASCII with a curly
/// quote or an accented name here and there; Analyzer::tokenize segments the ASCII parts here
/// and the rest with ICU. tests/unit/test_analyzer.cpp checks both against ICU's iterator over
/// whole texts, random ones over every character class that matters.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "wiredesk/common/text.hpp"

namespace wiredesk::detail {

/// Whether these rules cover @p c: ASCII but '_' (ICU makes words of underscore runs, "__",
/// which these rules leave out).
constexpr bool ascii_rules_cover(char c) noexcept {
    return static_cast<unsigned char>(c) < 0x80 && c != '_';
}

/// Whether for_each_ascii_word() gives ICU's words for @p text: the rules cover all of it.
inline bool ascii_words_apply(std::string_view text) noexcept {
    return std::all_of(text.begin(), text.end(), ascii_rules_cover);
}

/// Calls @p word(begin, end) for each word of @p text (byte offsets), where
/// ascii_words_apply(text): a run of letters (and '@') and digits, which goes on across one '.' or '\''
/// between two letters (WB6, WB7: "U.S", "don't") and across one '.', '\'', ',' or ';'
/// between two digits (WB11, WB12: "1,000.5"). ':' joins nothing: ICU's root rules take it out
/// of MidLetter. Everything else ends a word and is no word itself.
template <typename Word>
void for_each_ascii_word(std::string_view text, Word&& word) {
    // ICU's root rules count '@' as a letter (handles and addresses stay one word).
    const auto is_letter = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '@';
    };
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    const std::size_t size = text.size();
    std::size_t i = 0;
    while (i < size) {
        if (!is_letter(text[i]) && !is_digit(text[i])) {
            ++i;
            continue;
        }
        const std::size_t begin = i++;
        while (i < size) {
            const char c = text[i];
            if (is_letter(c) || is_digit(c)) {
                ++i;
                continue;
            }
            if (i + 1 >= size) break;
            const char before = text[i - 1];
            const char after = text[i + 1];
            const bool mid_letter = c == '.' || c == '\'';
            const bool mid_number = mid_letter || c == ',' || c == ';';
            if ((mid_letter && is_letter(before) && is_letter(after)) ||
                (mid_number && is_digit(before) && is_digit(after))) {
                i += 2;
                continue;
            }
            break;
        }
        word(begin, i);
    }
}

/// Splits @p text into parts that segment alone into the words they hold in the whole text:
/// calls @p ascii(begin, end) for a part where ascii_words_apply() holds, and @p other(begin,
/// end) for the rest. Parts meet only where ASCII white space is followed by an ASCII
/// character: the word-break rules break on both sides of white space, and none of them looks
/// across it for letters or digits (what would attach to the space, a combining mark or a
/// joiner, is not ASCII). So news copy with a curly quote or an accent here and there is
/// segmented by ICU only around those.
template <typename Ascii, typename Other>
void for_each_part(std::string_view text, Ascii&& ascii, Other&& other) {
    const auto is_ascii = [](char c) { return static_cast<unsigned char>(c) < 0x80; };
    const std::size_t size = text.size();
    // Whether parts may meet at @p at (0 < at < size).
    const auto splits_at = [&](std::size_t at) {
        return is_ascii_space(text[at - 1]) && is_ascii(text[at]);
    };
    std::size_t begin = 0;
    while (begin < size) {
        std::size_t slow = begin;  // the first character the ASCII rules do not cover
        while (slow < size && ascii_rules_cover(text[slow])) ++slow;
        if (slow == size) {
            ascii(begin, size);
            return;
        }
        std::size_t split = slow;
        while (split > begin && !splits_at(split)) --split;
        if (split > begin) {
            ascii(begin, split);
            begin = split;
        }
        std::size_t end = slow + 1;
        while (end < size && !splits_at(end)) ++end;
        other(begin, end);
        begin = end;
    }
}

}  // namespace wiredesk::detail
