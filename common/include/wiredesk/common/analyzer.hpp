/// @file analyzer.hpp
/// @brief The one text pipeline: what a word becomes in the index is what it becomes in a query.
///
/// Steps: ICU word segmentation (dictionary-based for CJK and Thai), NFKC case folding,
/// accent folding (combining marks removed, except on Cyrillic letters where they make other
/// letters: й, ї), apostrophe and dash variants folded to ASCII, then Snowball stemming by
/// language for the stemmed form. Words keep their exact (folded, unstemmed) form too, so a
/// quoted phrase matches exactly while an unquoted word matches its stem.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wiredesk {

/// One word as the analyzer emits it.
struct Token {
    std::string exact;     ///< folded surface form: "zelensky", "don't", "3.5", "café" -> "cafe"
    /// Case-folded but with its accents, when folding removed some ("negociación"); else empty.
    /// Snowball stemmers know their language's accents: see Analyzer::stems().
    std::string accented;
    std::size_t position;  ///< 1-based word position within the analyzed text
    std::size_t begin;     ///< byte offset of the word in the input text
    std::size_t end;       ///< byte offset one past the word
};

/// Segments, folds and stems text. Not thread-safe: each thread uses its own Analyzer (they are
/// cheap to create: the ICU rules and Snowball tables are shared underneath).
class Analyzer {
public:
    Analyzer();
    ~Analyzer();
    Analyzer(Analyzer&&) noexcept;
    Analyzer& operator=(Analyzer&&) noexcept;
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    /// Calls @p sink for each word of @p text (punctuation and spaces are not words), in order,
    /// with positions counted from @p first_position. Words longer than schema::kMaxWordBytes
    /// after folding are skipped but still take a position, so phrases never match across them.
    /// @return the position after the last word (the next text's first position).
    /// @p text must be valid UTF-8.
    std::size_t tokenize(std::string_view text, const std::function<void(const Token&)>& sink,
                         std::size_t first_position = 1);

    /// Convenience form of tokenize() collecting the tokens.
    std::vector<Token> tokenize(std::string_view text);

    /// The folded form of any text (no segmentation): NFKC case folding, accent folding,
    /// apostrophes and dashes to ASCII. fold("Zürich’s") == "zurich's".
    std::string fold(std::string_view text) const;

    /// The stemmed form of an already folded word, with the Snowball stemmer for @p language
    /// (ISO 639-1). Languages without a stemmer (uk, zh, ja, und...) return the word unchanged.
    /// Each Analyzer remembers the stems of the words it saw last (a bounded memo), as news
    /// repeats its words and stemming costs more than looking one up.
    std::string stem(std::string_view folded_word, std::string_view language);

    /// The stemmed terms of @p token for @p language: stem(exact), and also fold(stem(accented))
    /// when the word had accents and that differs. Spanish "negociación" then meets both
    /// "negociacion" (typed without accents) and "negociaciones" (whose stem is "negoci").
    std::vector<std::string> stems(const Token& token, std::string_view language);
    /// stems() into @p out (replacing what it held): for the indexer's loop over every word,
    /// which then reuses one vector's memory.
    void stems(const Token& token, std::string_view language, std::vector<std::string>& out);

    /// Whether a Snowball stemmer exists for @p language (ISO 639-1).
    static bool has_stemmer(std::string_view language);

    /// Whether stem(word, @p language) always starts with the word's first byte (for the
    /// analyzer's words, which never start with an apostrophe). Then a word whose first byte
    /// starts none of a query's stems cannot match one by stem, and need not be stemmed. True
    /// for English, whose Snowball stemmer rewrites endings only (tests/unit/test_analyzer.cpp
    /// checks every word of up to four letters and the sample corpus); false where that is
    /// not known.
    static bool stem_keeps_first_byte(std::string_view language);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace wiredesk
