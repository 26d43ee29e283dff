/// @file query_builder.hpp
/// @brief The query language -> a Xapian::Query, with the same Analyzer that built the index.
///
/// Why our own parser and not Xapian::QueryParser: QueryParser (1.4) splits words with its own
/// rules (apostrophes, dots in numbers and acronyms, CJK runs, no accent folding), so a word
/// typed exactly as it appears in an article could become different terms from the ones the
/// indexer (ICU, common/analyzer.hpp) wrote. Here the syntax is QueryParser's (AND OR NOT XOR,
/// + -, "phrases", NEAR, ADJ, parentheses, field:value, trailing *), but every word goes
/// through Analyzer::tokenize, so query terms are index terms by construction; and the parser
/// is lenient by design: it never throws on syntax, it warns and reads on.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/searcher/name_variants.hpp"
#include "wiredesk/searcher/snippet.hpp"

namespace wiredesk::searcher {

/// What the builder needs to know about the archive.
struct QueryContext {
    /// The archive, for wildcard expansion counts and for keeping only name variants it
    /// contains. May be null (unit tests): then every variant is kept and wildcards are not
    /// counted.
    const Xapian::Database* database = nullptr;
    /// Languages present in the archive (from the L terms; database_languages()). An unquoted
    /// word is stemmed once per language and each stem only matches articles of its language.
    /// Empty (an empty archive): a word matches its unstemmed Z-term only.
    std::vector<std::string> languages;
    const NameVariants* variants = nullptr;  ///< null: no variants
    bool match_all_words = true;             ///< default operator between words: AND / OR
    std::size_t max_wildcard_expansion = 100;
    double variant_weight = 0.8;  ///< a variant spelling scores this fraction of the exact one
};

/// A word of the query as typed, for spelling suggestions.
struct QueryWord {
    std::string folded;  ///< the word as the analyzer folds it
    std::size_t begin = 0;  ///< byte range in the query text
    std::size_t end = 0;
    std::string prefix;  ///< "" for body words, "S" for title:
};

/// The result of reading a query.
struct BuiltQuery {
    Xapian::Query query;      ///< MatchNothing when the text held nothing searchable
    bool has_terms = false;   ///< some part of the query weighs (else filters only)
    bool has_filters = false;
    HighlightTerms highlights;
    std::vector<QueryWord> words;
    std::vector<std::string> warnings;

    /// Nothing searchable at all (query is MatchNothing); "-word" alone is not empty.
    [[nodiscard]] bool empty() const noexcept { return query.empty(); }
};

/// Reads @p text. Never throws on syntax (see the file comment); @p analyzer is the calling
/// thread's. Words beyond kMaxQueryWords are dropped with a warning.
BuiltQuery build_query(std::string_view text, const QueryContext& context, Analyzer& analyzer);

/// The boolean filter for a date range given as in `date:` (`2026-01-20..2026-01-31`,
/// `2026-01..`, `..2026-02-10`, `2026-01`, `undated`). A reversed range is swapped with a
/// warning; an unreadable one gives nullopt and a warning.
std::optional<Xapian::Query> date_filter(std::string_view value,
                                         std::vector<std::string>& warnings);

/// The filter for day bounds `YYYYMMDD` (either may be empty: open-ended).
Xapian::Query day_range_query(const std::string& low, const std::string& high);

/// Languages present in @p database (ISO codes of its L terms).
std::vector<std::string> database_languages(const Xapian::Database& database);

}  // namespace wiredesk::searcher
