/// @file name_variants.hpp
/// @brief Spelling variants of names (Zelensky/Zelenskyy, Kyiv/Kiev, Gaddafi/Qaddafi).
///
/// Two sources of variants, both applied at query time (the searcher opens databases
/// read-only, so Xapian's synonym table, which needs a writer, is not used):
///   - a table: the built-in searcher/data/name_variants.txt (compiled in) plus any files the
///     user adds (`--variants FILE`). Format: one group per line, spellings separated by commas;
///     `#` starts a comment; a spelling may be several words ("abu zabi"). Every spelling of a
///     group finds the others.
///   - an automatic folding, deliberately narrow: a Latin-letter word of at least 6 letters
///     ending in a consonant followed by -y, -iy, -yy, -yi or -ii (the transliterations of
///     Slavic -ий/-ій: Zelensky/Zelenskyy/Zelenskiy, Dmitry/Dmitriy/Dmitrii) finds the other
///     endings. Nothing else is folded: Zelenska (a different person) is not Zelensky, Ivanova
///     is not Ivanov, Kim is not Kym; Kiev/Kyiv is in the table, not guessed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wiredesk/common/analyzer.hpp"

namespace wiredesk::searcher {

class NameVariants {
public:
    /// An empty table.
    NameVariants() = default;

    /// The built-in table.
    static NameVariants builtin(Analyzer& analyzer);

    /// Adds the groups in @p text (the format above); @p origin names it in errors.
    /// @throws Error `origin:line: reason` for a line with fewer than two spellings.
    void add_table(std::string_view text, std::string_view origin, Analyzer& analyzer);

    /// Adds the groups in file @p path. @throws Error if it cannot be read or is malformed.
    void add_file(const std::string& path, Analyzer& analyzer);

    void set_automatic(bool enabled) noexcept { m_automatic = enabled; }
    [[nodiscard]] bool automatic() const noexcept { return m_automatic; }

    /// Spellings listed with the folded word @p word in the table (not @p word itself).
    [[nodiscard]] std::vector<std::string> table_variants(std::string_view word) const;

    /// Automatic variants of the folded word @p word (empty if the rule does not apply).
    /// They are candidates: the searcher keeps only those the archive contains.
    [[nodiscard]] static std::vector<std::string> automatic_variants(std::string_view word);

    /// Table variants, then automatic ones if enabled, without duplicates or @p word.
    [[nodiscard]] std::vector<std::string> variants_of(std::string_view word) const;

    [[nodiscard]] std::size_t group_count() const noexcept { return m_groups.size(); }

private:
    std::vector<std::vector<std::string>> m_groups;
    std::unordered_map<std::string, std::vector<std::size_t>> m_index;  // spelling -> groups
    bool m_automatic = true;
};

}  // namespace wiredesk::searcher
