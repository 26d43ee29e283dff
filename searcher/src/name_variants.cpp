#include "wiredesk/searcher/name_variants.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/text.hpp"
#include "wiredesk/searcher/name_variants_data.hpp"  // generated: kBuiltinNameVariants

namespace wiredesk::searcher {
namespace {

/// The endings the automatic folding treats as one (see the header): transliterations of
/// Slavic -ий / -ій. Longest first, so that "zelenskyy" is read as "zelensk" + "yy".
constexpr std::array<std::string_view, 5> kSlavicEndings = {"yy", "iy", "yi", "ii", "y"};
/// A shorter stem is too likely to be an ordinary word ("study" / "studii").
constexpr std::size_t kMinStemLetters = 5;

bool is_ascii_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }

bool is_vowel(char c) noexcept {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

std::string fold_spelling(std::string_view spelling, Analyzer& analyzer) {
    // Several words stay several words, joined by one space: the builder makes them a phrase.
    std::string out;
    for (const Token& token : analyzer.tokenize(spelling)) {
        if (!out.empty()) out += ' ';
        out += token.exact;
    }
    return out;
}

}  // namespace

NameVariants NameVariants::builtin(Analyzer& analyzer) {
    NameVariants variants;
    variants.add_table(kBuiltinNameVariants, "name_variants.txt (built in)", analyzer);
    return variants;
}

void NameVariants::add_table(std::string_view text, std::string_view origin, Analyzer& analyzer) {
    std::size_t line_number = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t stop = text.find('\n', start);
        if (stop == std::string_view::npos) stop = text.size();
        std::string_view line = text.substr(start, stop - start);
        start = stop + 1;
        ++line_number;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) {
            line = line.substr(0, hash);
        }
        if (trim(line).empty()) continue;

        std::vector<std::string> group;
        std::size_t fields = 0;
        std::size_t field_start = 0;
        while (field_start <= line.size()) {
            std::size_t comma = line.find(',', field_start);
            if (comma == std::string_view::npos) comma = line.size();
            ++fields;
            std::string folded = fold_spelling(line.substr(field_start, comma - field_start),
                                               analyzer);
            if (!folded.empty() && std::find(group.begin(), group.end(), folded) == group.end()) {
                group.push_back(std::move(folded));
            }
            field_start = comma + 1;
        }
        if (fields < 2) {
            throw Error(std::string(origin) + ":" + std::to_string(line_number) +
                        ": a variant group needs at least two spellings separated by commas");
        }
        // Spellings that fold alike (erdogan, erdoğan) are one already: nothing to add.
        if (group.size() < 2) continue;
        const std::size_t index = m_groups.size();
        for (const std::string& spelling : group) m_index[spelling].push_back(index);
        m_groups.push_back(std::move(group));
        if (stop == text.size()) break;
    }
}

void NameVariants::add_file(const std::string& path, Analyzer& analyzer) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot read the name-variant file");
    std::ostringstream content;
    content << in.rdbuf();
    add_table(content.str(), path, analyzer);
}

std::vector<std::string> NameVariants::table_variants(std::string_view word) const {
    std::vector<std::string> out;
    const auto found = m_index.find(std::string(word));
    if (found == m_index.end()) return out;
    for (const std::size_t group : found->second) {
        for (const std::string& spelling : m_groups[group]) {
            if (spelling != word && std::find(out.begin(), out.end(), spelling) == out.end()) {
                out.push_back(spelling);
            }
        }
    }
    return out;
}

std::vector<std::string> NameVariants::automatic_variants(std::string_view word) {
    std::vector<std::string> out;
    if (!std::all_of(word.begin(), word.end(), is_ascii_lower)) return out;
    for (const std::string_view ending : kSlavicEndings) {
        if (word.size() < ending.size() + kMinStemLetters || !word.ends_with(ending)) continue;
        const std::string_view stem = word.substr(0, word.size() - ending.size());
        // After a vowel the ending is not a transliterated -ий ("obey", "Hawaii"). What keeps
        // ordinary words ("country") safe is that the searcher only uses variants the archive
        // contains, and English has no -iy/-yy/-ii forms of them.
        if (is_vowel(stem.back())) return out;
        for (const std::string_view other : kSlavicEndings) {
            if (other != ending) out.push_back(std::string(stem) + std::string(other));
        }
        return out;
    }
    return out;
}

std::vector<std::string> NameVariants::variants_of(std::string_view word) const {
    std::vector<std::string> out = table_variants(word);
    if (m_automatic) {
        for (std::string& candidate : automatic_variants(word)) {
            if (candidate != word && std::find(out.begin(), out.end(), candidate) == out.end()) {
                out.push_back(std::move(candidate));
            }
        }
    }
    return out;
}

}  // namespace wiredesk::searcher
