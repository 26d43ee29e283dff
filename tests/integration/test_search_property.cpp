// The one-analyzer property: every word of an indexed article, typed as a query, finds that
// article, and the snippet (or the headline) highlights it. Run over real text: the BASIL
// articles from ../shared/corpus (300 full English articles) plus the sample corpus/ (German,
// Spanish, French, Japanese, Russian, Ukrainian, Chinese, English wire copy): words with
// apostrophes, hyphens, digits, accents, Cyrillic and CJK among them.

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "test_support.hpp"
#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/searcher/searcher.hpp"

namespace fs = std::filesystem;
namespace search = wiredesk::searcher;
using wiredesk::test::bin_dir;
using wiredesk::test::TempDir;

namespace {

/// Words sampled per article: every "hard" word (non-ASCII, apostrophe, hyphen, digit) up to
/// this many, then plain words spread over the text. Keeps the run to seconds.
constexpr std::size_t kHardWordsPerArticle = 25;
constexpr std::size_t kPlainWordsPerArticle = 15;

bool is_space(unsigned char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/// Punctuation a reader would not type around a word: ASCII, and the typographic marks.
std::size_t punctuation_at_start(std::string_view s) {
    if (s.empty()) return 0;
    const auto c = static_cast<unsigned char>(s[0]);
    if (c < 0x80) return std::isalnum(c) ? 0 : 1;
    for (const std::string_view mark : {"\u201C", "\u201D", "\u2018", "\u2019", "\u00AB", "\u00BB",
                                        "\u2014", "\u2013", "\u2026", "\u201E", "\u00A0",
                                        "\u3002", "\uFF0C", "\u3001", "\u300C", "\u300D"}) {
        if (s.starts_with(mark)) return mark.size();
    }
    return 0;
}

std::size_t punctuation_at_end(std::string_view s) {
    if (s.empty()) return 0;
    const auto c = static_cast<unsigned char>(s.back());
    if (c < 0x80) return std::isalnum(c) ? 0 : 1;
    for (const std::string_view mark : {"\u201C", "\u201D", "\u2018", "\u2019", "\u00AB", "\u00BB",
                                        "\u2014", "\u2013", "\u2026", "\u201E", "\u00A0",
                                        "\u3002", "\uFF0C", "\u3001", "\u300C", "\u300D"}) {
        if (s.ends_with(mark)) return mark.size();
    }
    return 0;
}

/// The words of @p text as a reader would type them: split at white space, surrounding
/// punctuation dropped. Words holding query syntax (quotes, parentheses, *, a field: prefix,
/// an upper-case operator) are left out: those are typed quoted.
std::vector<std::string> typed_words(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_space(static_cast<unsigned char>(text[i]))) ++i;
        std::size_t j = i;
        while (j < text.size() && !is_space(static_cast<unsigned char>(text[j]))) ++j;
        std::string_view word = text.substr(i, j - i);
        i = j;
        for (std::size_t n; (n = punctuation_at_start(word)) > 0;) word.remove_prefix(n);
        for (std::size_t n; (n = punctuation_at_end(word)) > 0;) word.remove_suffix(n);
        if (word.empty() || word.size() > 60) continue;
        if (word.find_first_of("\"()*") != std::string_view::npos) continue;
        if (word.find("\u201C") != std::string_view::npos ||
            word.find("\u201D") != std::string_view::npos) {
            continue;
        }
        if (const auto colon = word.find(':'); colon != std::string_view::npos) {
            const std::string field(word.substr(0, colon));
            static const std::set<std::string> fields = {"title", "headline", "source", "lang",
                                                         "language", "date", "host", "site"};
            std::string lower = field;
            for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (fields.contains(lower)) continue;
        }
        if (word == "AND" || word == "OR" || word == "NOT" || word == "XOR" || word == "NEAR" ||
            word == "ADJ" || word.starts_with("NEAR/") || word.starts_with("ADJ/")) {
            continue;
        }
        out.emplace_back(word);
    }
    return out;
}

bool is_hard(std::string_view word) {
    return std::any_of(word.begin(), word.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x80 || c == '\'' || c == '-' || (c >= '0' && c <= '9') || c == '.';
    });
}

std::vector<std::string> sample(const std::vector<std::string>& words) {
    std::vector<std::string> hard;
    std::vector<std::string> plain;
    std::set<std::string> seen;
    for (const auto& word : words) {
        if (!seen.insert(word).second) continue;
        (is_hard(word) ? hard : plain).push_back(word);
    }
    std::vector<std::string> out(hard.begin(),
                                 hard.begin() + static_cast<std::ptrdiff_t>(
                                                    std::min(hard.size(), kHardWordsPerArticle)));
    const std::size_t step = std::max<std::size_t>(1, plain.size() / kPlainWordsPerArticle);
    for (std::size_t i = 0; i < plain.size() && out.size() < kHardWordsPerArticle + kPlainWordsPerArticle;
         i += step) {
        out.push_back(plain[i]);
    }
    return out;
}

}  // namespace

TEST_CASE("every word of an indexed article, typed as a query, finds it and is highlighted") {
    const fs::path shared = wiredesk::test::require_shared("the real-news corpus");
    TempDir dir;
    fs::create_directories(dir / "in");
    fs::copy_file(shared / "corpus" / "basil_triplets.jsonl.gz", dir / "in" / "basil.jsonl.gz");
    const std::string db = (dir / "news.db").string();
    const auto indexed = wiredesk::test::run(
        bin_dir() / "wiredesk-index",
        {"--db", db, "--quiet", (dir / "in").string(),
         (wiredesk::test::source_dir() / "corpus").string(), "--exclude=malformed",
         "--exclude=README.md"});
    INFO(indexed.err);
    REQUIRE(indexed.exit_code == 0);

    const search::Searcher searcher({db});
    std::vector<wiredesk::Article> articles;
    searcher.for_each_article([&](const wiredesk::Article& a) { articles.push_back(a); });
    REQUIRE(articles.size() >= 300);
    std::set<std::string> languages;
    for (const auto& a : articles) languages.insert(a.language);
    CHECK(languages.size() >= 6);

    wiredesk::Analyzer analyzer;
    std::size_t queries = 0;
    std::vector<std::string> failures;
    for (const auto& a : articles) {
        for (const std::string& word : sample(typed_words(a.title + "\n" + a.body))) {
            const auto tokens = analyzer.tokenize(word);
            if (tokens.empty()) continue;  // punctuation only: nothing was indexed either
            search::Request request;
            request.query = word;
            request.ids = {a.id};
            request.limit = 1;
            request.facets = false;
            request.spelling = false;
            const auto response = searcher.search(request);
            ++queries;
            if (response.total != 1) {
                failures.push_back(a.id + " (" + a.language + "): '" + word + "' not found");
                continue;
            }
            // Highlighted: some marked word of the snippet or headline is a word of the query,
            // exactly or by stem in the article's language.
            const auto& hit = response.results.front();
            bool highlighted = false;
            for (const auto& [text, marks] : {std::pair{&hit.snippet, &hit.snippet_highlights},
                                              std::pair{&hit.title, &hit.title_highlights}}) {
                for (const auto& mark : *marks) {
                    const std::string marked = analyzer.fold(text->substr(mark.begin, mark.end - mark.begin));
                    for (const auto& token : tokens) {
                        if (marked == token.exact ||
                            analyzer.stem(marked, a.language) == analyzer.stem(token.exact, a.language)) {
                            highlighted = true;
                        }
                    }
                }
            }
            if (!highlighted) {
                failures.push_back(a.id + " (" + a.language + "): '" + word + "' not highlighted");
            }
        }
    }
    MESSAGE(queries << " words of " << articles.size() << " articles searched");
    CHECK(queries > 5000);
    std::string report;
    for (std::size_t i = 0; i < failures.size() && i < 30; ++i) report += failures[i] + "\n";
    INFO(failures.size() << " failures, first ones:\n" << report);
    CHECK(failures.empty());
}
