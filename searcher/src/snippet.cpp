#include "wiredesk/searcher/snippet.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "wiredesk/common/text.hpp"

namespace wiredesk::searcher {
namespace {

/// A marked word of the text: its byte range and which query word it matched.
struct Mark {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string key;  ///< the query word it stands for (distinct-word counting)
};

bool is_continuation(unsigned char c) noexcept { return (c & 0xC0) == 0x80; }

/// Byte offset @p chars characters after @p from (or the end).
std::size_t advance_chars(std::string_view text, std::size_t from, std::size_t chars) noexcept {
    std::size_t i = from;
    while (i < text.size() && chars > 0) {
        ++i;
        while (i < text.size() && is_continuation(static_cast<unsigned char>(text[i]))) ++i;
        --chars;
    }
    return i;
}

std::vector<Mark> find_marks(std::string_view text, std::string_view language,
                             const HighlightTerms& terms, Analyzer& analyzer) {
    std::vector<Mark> marks;
    if (terms.empty()) return marks;
    // Stems of the query words in THIS text's language: the index stemmed the text with it.
    auto known_stems = terms.stems_by_language.find(language);
    if (known_stems == terms.stems_by_language.end()) {
        known_stems = terms.stems_by_language.try_emplace(std::string(language)).first;
        HighlightTerms::LanguageStems& made = known_stems->second;
        for (const std::string& word : terms.stemmed) {
            made.query.emplace(analyzer.stem(word, language), word);
        }
        if (Analyzer::stem_keeps_first_byte(language)) {
            made.first_bytes.emplace();
            for (const auto& [stem, word] : made.query) {
                if (!stem.empty()) made.first_bytes->set(static_cast<unsigned char>(stem[0]));
            }
        }
    }
    const std::map<std::string, std::string, std::less<>>& stems = known_stems->second.query;
    std::unordered_map<std::string, std::string>& word_keys = known_stems->second.text_words;
    const std::optional<std::bitset<256>>& first_bytes = known_stems->second.first_bytes;

    analyzer.tokenize(text, [&](const Token& token) {
        std::string key;
        if (terms.exact.contains(token.exact)) {
            key = token.exact;
        } else if (!stems.empty() &&
                   (!first_bytes || first_bytes->test(static_cast<unsigned char>(token.exact[0])))) {
            // Each distinct word of the query's texts that may match is stemmed once.
            auto [known, fresh] = word_keys.try_emplace(token.exact);
            if (fresh) {
                if (const auto found = stems.find(analyzer.stem(token.exact, language));
                    found != stems.end()) {
                    known->second = found->second;
                }
            }
            key = known->second;
        }
        if (key.empty()) {
            for (const std::string& prefix : terms.prefixes) {
                if (token.exact.starts_with(prefix)) {
                    key = prefix + "*";
                    break;
                }
            }
        }
        if (!key.empty()) marks.push_back({token.begin, token.end, std::move(key)});
    });
    return marks;
}

}  // namespace

std::vector<Highlight> find_highlights(std::string_view text, std::string_view language,
                                       const HighlightTerms& terms, Analyzer& analyzer) {
    std::vector<Highlight> out;
    for (const Mark& mark : find_marks(text, language, terms, analyzer)) {
        out.push_back({mark.begin, mark.end});
    }
    return out;
}

Snippet make_snippet(std::string_view text, std::string_view language,
                     const HighlightTerms& terms, Analyzer& analyzer, std::size_t max_chars) {
    // The passage is looked for in the text's first kSnippetScanBytes (up to a space), and
    // in the next such part only if no query word is there, and so on: tokenizing is most of
    // a search's time, and a few stored pages run to hundreds of kilobytes, while an article's
    // best passage is rarely far down (bench/RESULTS.md). Once a part holds a query word, the
    // text just past it is looked at too, so that a passage starting near the part's end
    // counts (and marks) the words it shows.
    if (max_chars == 0) max_chars = 200;
    std::vector<Mark> marks;
    // Reads about @p bytes from @p from, up to a space, and returns where it stopped. A piece
    // without a space is one enormous word (a run of base64, URLs, unspaced script): the first
    // piece of a part reads up to the next space; a later one reads nothing (returns @p from),
    // ending the part there, so that the run starts the next part, as it did when a part was
    // read in one piece.
    const auto scan = [&](std::size_t from, std::size_t bytes, bool starts_part) {
        std::size_t to = text.size();
        if (to - from > bytes) {
            to = from + bytes;
            while (to > from && !is_ascii_space(text[to])) --to;
            if (to == from) {
                if (!starts_part) return from;
                to = from + bytes;
                while (to < text.size() && !is_ascii_space(text[to])) ++to;
            }
        }
        for (Mark& mark : find_marks(text.substr(from, to - from), language, terms, analyzer)) {
            mark.begin += from;
            mark.end += from;
            marks.push_back(std::move(mark));
        }
        return to;
    };
    // The distinct words of a window starting at mark i, up to @p limit (a byte offset).
    const auto window_words = [&](std::size_t i, std::size_t limit, std::size_t& count) {
        std::vector<std::string_view> distinct;
        count = 0;
        for (std::size_t j = i; j < marks.size() && marks[j].end <= limit; ++j) {
            ++count;
            if (std::find(distinct.begin(), distinct.end(), marks[j].key) == distinct.end()) {
                distinct.push_back(marks[j].key);
            }
        }
        return distinct.size();
    };

    // A part is tokenized a piece at a time, and no further once a window lying wholly in what
    // was read holds every query word: no later window can hold more, and tokenizing is most
    // of a search's time. Such a window is the passage (the first of them). The number of
    // query words is an upper bound (a word both exact and stemmed counts twice): then the
    // stop never comes, and the whole part is read.
    const std::size_t query_words = terms.exact.size() + terms.stemmed.size() + terms.prefixes.size();
    std::optional<std::size_t> complete;  // the first window holding every query word
    std::size_t checked = 0;              // windows before it were complete and were not one
    const auto find_complete = [&](std::size_t scanned) {
        for (; checked < marks.size(); ++checked) {
            const std::size_t limit = advance_chars(text, marks[checked].begin, max_chars);
            if (limit > scanned && scanned < text.size()) return false;  // not wholly read yet
            std::size_t count = 0;
            if (window_words(checked, limit, count) == query_words) {
                complete = checked;
                return true;
            }
        }
        return false;
    };
    std::size_t scanned = 0;
    while (scanned < text.size() && marks.empty()) {
        const std::size_t part_start = scanned;
        while (scanned < text.size() && scanned - part_start < kSnippetScanBytes) {
            const std::size_t next =
                scan(scanned,
                     std::min(kSnippetPieceBytes, kSnippetScanBytes - (scanned - part_start)),
                     scanned == part_start);
            if (next == scanned) break;  // the part ends before a run without spaces
            scanned = next;
            if (!marks.empty() && find_complete(scanned)) break;
        }
    }
    // Windows start at a mark of the part; the tail's marks only complete them. A window is
    // at most max_chars characters of at most 4 bytes each.
    const std::size_t part_marks = marks.size();
    if (!complete && !marks.empty() && scanned < text.size()) scan(scanned, 4 * max_chars, true);

    // The window [start, stop) of the text: the first holding every query word; else the one
    // whose marks cover the most distinct query words, then the most marks, then the earliest.
    // Windows start at a mark.
    std::size_t start = 0;
    std::size_t best_distinct = 0;
    std::size_t best_count = 0;
    if (complete) {
        start = marks[*complete].begin;
        best_count = 1;
    }
    for (std::size_t i = 0; !complete && i < part_marks; ++i) {
        std::size_t count = 0;
        const std::size_t distinct =
            window_words(i, advance_chars(text, marks[i].begin, max_chars), count);
        if (distinct > best_distinct || (distinct == best_distinct && count > best_count)) {
            best_distinct = distinct;
            best_count = count;
            start = marks[i].begin;
        }
    }

    if (best_count > 0) {
        // Give the first mark some context before it: back to the sentence start if that is
        // near, otherwise a few words.
        const std::size_t lead_chars = max_chars / 5;
        std::size_t back = start;
        std::size_t chars = 0;
        std::size_t word_start = start;
        while (back > 0 && chars < lead_chars) {
            std::size_t prev = back - 1;
            while (prev > 0 && is_continuation(static_cast<unsigned char>(text[prev]))) --prev;
            const char c = text[prev];
            if ((c == '.' || c == '!' || c == '?' || c == '\n') && back < start) break;
            if (is_ascii_space(c)) word_start = back;
            back = prev;
            ++chars;
        }
        start = back == 0 ? 0 : word_start;
    }
    while (start < text.size() && is_ascii_space(text[start])) ++start;

    std::size_t stop = advance_chars(text, start, max_chars);
    if (stop < text.size()) {
        // End at a word boundary, not inside a word (unless one word fills the window).
        std::size_t cut = stop;
        while (cut > start && !is_ascii_space(text[cut])) --cut;
        if (cut > start) stop = cut;
    }

    Snippet snippet;
    if (start > 0) snippet.text = "… ";
    const std::size_t shift = snippet.text.size();
    // Collapse white space runs (paragraph breaks) to one space, mapping offsets as we go.
    std::vector<std::size_t> map(stop - start + 1, 0);
    bool in_space = false;
    for (std::size_t i = start; i < stop; ++i) {
        map[i - start] = snippet.text.size();
        if (is_ascii_space(text[i])) {
            if (!in_space) snippet.text += ' ';
            in_space = true;
        } else {
            snippet.text += text[i];
            in_space = false;
        }
    }
    map[stop - start] = snippet.text.size();
    while (snippet.text.size() > shift && snippet.text.back() == ' ') snippet.text.pop_back();
    if (stop < text.size()) snippet.text += " …";
    for (const Mark& mark : marks) {
        if (mark.begin >= start && mark.end <= stop) {
            snippet.highlights.push_back({map[mark.begin - start], map[mark.end - start]});
        }
    }
    return snippet;
}

}  // namespace wiredesk::searcher
