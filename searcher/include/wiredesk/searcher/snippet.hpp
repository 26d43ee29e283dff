/// @file snippet.hpp
/// @brief Highlighting and best-passage selection with the same Analyzer that indexed the text.
#pragma once

#include <bitset>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace wiredesk::searcher {

/// The words a query looks for, as the highlighter needs them. All strings are folded
/// (Analyzer::fold) words.
struct HighlightTerms {
    /// Words that match only in their exact folded form (quoted phrases, NEAR operands).
    std::set<std::string, std::less<>> exact;
    /// Words that match by stem: a text word is marked when its stem, in the text's language,
    /// equals the stem of one of these (unquoted words and their name variants).
    std::set<std::string, std::less<>> stemmed;
    /// Trailing-wildcard prefixes ("zel" for zel*).
    std::set<std::string, std::less<>> prefixes;

    /// What highlighting has worked out for one language's texts, kept for the next text: a
    /// page's texts share most of their words, and stemming is the dearest step of
    /// highlighting.
    struct LanguageStems {
        /// The stems of `stemmed` in this language -> the query word each stands for.
        std::map<std::string, std::string, std::less<>> query;
        /// Each text word looked at -> the query word it matched by stem, or "" for none.
        std::unordered_map<std::string, std::string> text_words;
        /// When the language's stems keep their word's first byte
        /// (Analyzer::stem_keeps_first_byte): the first bytes of the stems in `query`. A word
        /// starting otherwise is not stemmed (most words of a text are not).
        std::optional<std::bitset<256>> first_bytes;
    };
    /// By language. Filled by the highlighter as it goes (hence mutable; `stemmed` must not
    /// change once a text has been looked at); one query's terms are used by one thread.
    mutable std::map<std::string, LanguageStems, std::less<>> stems_by_language;

    [[nodiscard]] bool empty() const noexcept {
        return exact.empty() && stemmed.empty() && prefixes.empty();
    }
};

/// A passage of a text with the query's words marked.
struct Snippet {
    std::string text;                   ///< the passage, with "…" where the text was cut
    std::vector<Highlight> highlights;  ///< byte ranges in `text`, sorted, not overlapping
};

/// Marks every word of @p text (in @p language, ISO 639-1) that @p terms looks for.
/// Not thread-safe in @p analyzer's sense: pass the calling thread's Analyzer.
std::vector<Highlight> find_highlights(std::string_view text, std::string_view language,
                                       const HighlightTerms& terms, Analyzer& analyzer);

/// make_snippet() looks for the passage in a text's first this many bytes, and in the next
/// such part only when no query word is there, and so on.
inline constexpr std::size_t kSnippetScanBytes = 8 * 1024;
/// A part is tokenized this many bytes at a time, stopping once a passage holds every query
/// word.
inline constexpr std::size_t kSnippetPieceBytes = 1024;

/// The passage of about @p max_chars characters of @p text: the first holding every query word,
/// else the one holding the most distinct query words (then the most occurrences, then the
/// earliest), extended backwards to a sentence or word start; in a text longer than
/// kSnippetScanBytes, starting within the first part of that size that holds a query word (its
/// words just past the part still count and are marked).
/// With no query word in the text, the text's beginning. Whitespace runs (the paragraph
/// breaks) become single spaces.
Snippet make_snippet(std::string_view text, std::string_view language,
                     const HighlightTerms& terms, Analyzer& analyzer, std::size_t max_chars = 200);

}  // namespace wiredesk::searcher
