// Snippet marking and passage choice, facet arithmetic, and the name-variant rules.

#include <doctest/doctest.h>

#include <algorithm>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/searcher/facets.hpp"
#include "wiredesk/searcher/json.hpp"
#include "wiredesk/searcher/name_variants.hpp"
#include "wiredesk/searcher/snippet.hpp"

namespace search = wiredesk::searcher;

namespace {

std::string marked(const search::Snippet& snippet) {
    return search::mark_highlights(snippet.text, snippet.highlights, "[", "]");
}

search::HighlightTerms stemmed(std::initializer_list<std::string> words) {
    search::HighlightTerms terms;
    for (const auto& word : words) terms.stemmed.insert(word);
    return terms;
}

}  // namespace

TEST_CASE("the snippet marks stemmed forms in the article's language") {
    wiredesk::Analyzer analyzer;
    const auto snippet = search::make_snippet("Negotiators talked for two days.", "en",
                                              stemmed({"talks"}), analyzer);
    CHECK(marked(snippet) == "Negotiators [talked] for two days.");
}

TEST_CASE("the snippet marks exact words only in their exact form") {
    wiredesk::Analyzer analyzer;
    search::HighlightTerms terms;
    terms.exact = {"talks"};
    const auto snippet = search::make_snippet("They talked; talks went on.", "en", terms, analyzer);
    CHECK(marked(snippet) == "They talked; [talks] went on.");
}

TEST_CASE("the snippet marks words with accents, apostrophes, digits and Cyrillic as typed") {
    wiredesk::Analyzer analyzer;
    search::HighlightTerms terms = stemmed({"zurich's", "3.5", "cafe"});
    terms.exact.insert("києві");
    const auto snippet = search::make_snippet(
        "In Zürich’s old town the Café raised prices 3.5 percent; у Києві теж.", "en", terms,
        analyzer);
    CHECK(marked(snippet) ==
          "In [Zürich’s] old town the [Café] raised prices [3.5] percent; у [Києві] теж.");
}

TEST_CASE("the snippet window holds the most distinct query words and stays near 200 chars") {
    wiredesk::Analyzer analyzer;
    std::string text = "Abu Dhabi hosted many events. ";
    for (int i = 0; i < 30; ++i) text += "Filler sentence number " + std::to_string(i) + ". ";
    text += "Later the peace talks in Abu Dhabi resumed. ";
    for (int i = 0; i < 30; ++i) text += "More filler " + std::to_string(i) + ". ";
    const auto snippet =
        search::make_snippet(text, "en", stemmed({"peace", "talks", "dhabi"}), analyzer, 200);
    CHECK(marked(snippet).find("[peace] [talks] in Abu [Dhabi]") != std::string::npos);
    CHECK(snippet.text.starts_with("… "));
    CHECK(snippet.text.ends_with(" …"));
    CHECK(snippet.text.size() <= 200 + 8);
}

TEST_CASE("the first passage holding every query word is the snippet, and all its words are marked") {
    wiredesk::Analyzer analyzer;
    // The first "harbour" holds the one query word: the passage, although a later one has the
    // word three times (reading stops once a passage holds every query word).
    std::string text = "Harbour fees rise this spring. ";
    for (int i = 0; i < 40; ++i) text += "Filler sentence number " + std::to_string(i) + ". ";
    text += "Harbour upon harbour, harbours everywhere.";
    const auto one = search::make_snippet(text, "en", stemmed({"harbour"}), analyzer, 200);
    CHECK(marked(one).starts_with("[Harbour] fees rise this spring."));
    CHECK(one.highlights.size() == 1);
    // Two words: the first window holding both, past several pieces of the text, with every
    // occurrence inside it marked.
    std::string two = "Harbour fees rise. ";
    while (two.size() < 3 * search::kSnippetPieceBytes) two += "The committee met again. ";
    two += "Dredging of the harbour starts; harbour dredging ends in May. ";
    for (int i = 0; i < 40; ++i) two += "Filler sentence number " + std::to_string(i) + ". ";
    const auto both =
        search::make_snippet(two, "en", stemmed({"harbour", "dredging"}), analyzer, 200);
    CHECK(marked(both).find("[Dredging] of the [harbour] starts; [harbour] [dredging] ends") !=
          std::string::npos);
}

TEST_CASE("a passage holding every query word across a piece's end is found, not a later one") {
    wiredesk::Analyzer analyzer;
    // "Harbour" ends the first piece read and "dredging" begins the next: the passage holding
    // both is judged only once the words after the first piece are read. A later passage
    // holds both words too.
    std::string text;
    while (text.size() < search::kSnippetPieceBytes - 12) text += "The committee met. ";
    text.resize(search::kSnippetPieceBytes - 12);
    text.back() = ' ';
    text += "Harbour dredging begins in March. ";
    for (int i = 0; i < 20; ++i) text += "Filler sentence number " + std::to_string(i) + ". ";
    text += "Harbour dredging ends in May.";
    REQUIRE(text.find("dredging") > text.rfind(' ', search::kSnippetPieceBytes));
    const auto snippet =
        search::make_snippet(text, "en", stemmed({"harbour", "dredging"}), analyzer, 200);
    CHECK(marked(snippet).find("[Harbour] [dredging] begins in March.") != std::string::npos);
}

TEST_CASE("a text without query words gives its beginning, unmarked") {
    wiredesk::Analyzer analyzer;
    const auto snippet = search::make_snippet("Short text.\n\nSecond paragraph.", "en",
                                              stemmed({"absent"}), analyzer);
    CHECK(snippet.text == "Short text. Second paragraph.");
    CHECK(snippet.highlights.empty());
}

TEST_CASE("a long text's passage comes from its first part when a query word is there, and "
          "from further down when not") {
    wiredesk::Analyzer analyzer;
    std::string filler;
    while (filler.size() < search::kSnippetScanBytes) filler += "The committee met again. ";
    // "harbour" early and "harbour dredging" (two distinct words) past the scanned part: the
    // early passage wins, although the later one holds more query words.
    const std::string text = "Harbour fees rise. " + filler + "Harbour dredging starts in March.";
    const auto early = search::make_snippet(text, "en", stemmed({"harbour", "dredging"}), analyzer);
    CHECK(marked(early).starts_with("[Harbour] fees rise."));
    // A word found only past the scanned part is still found, and its passage shown.
    const auto late = search::make_snippet(text, "en", stemmed({"dredging"}), analyzer);
    CHECK(marked(late).find("[dredging] starts in March.") != std::string::npos);
    REQUIRE(late.highlights.size() == 1);
}

TEST_CASE("a passage that starts near the end of the scanned part marks the words just past it") {
    wiredesk::Analyzer analyzer;
    // "Harbour" ends inside the first part, "dredging" straddles its end.
    std::string filler;
    while (filler.size() < search::kSnippetScanBytes) filler += "The committee met again. ";
    filler.resize(search::kSnippetScanBytes - 10);
    filler.back() = ' ';
    const std::string text = filler + "Harbour dredging starts in March.";
    REQUIRE(text.find("dredging") < search::kSnippetScanBytes);
    REQUIRE(text.find("dredging") + 8 > search::kSnippetScanBytes);
    const auto snippet =
        search::make_snippet(text, "en", stemmed({"harbour", "dredging"}), analyzer);
    CHECK(marked(snippet).find("[Harbour] [dredging] starts") != std::string::npos);
}

TEST_CASE("wildcard prefixes are marked") {
    wiredesk::Analyzer analyzer;
    search::HighlightTerms terms;
    terms.prefixes = {"zelen"};
    const auto highlights = search::find_highlights("Zelenskyy met Zelenska.", "en", terms, analyzer);
    CHECK(highlights.size() == 2);
}

TEST_CASE("JSON highlights count code points and the HTML form escapes the text") {
    const std::string text = "Café <b> talks";
    const std::vector<search::Highlight> highlights = {{0, 5}, {10, 15}};
    CHECK(search::highlights_json(text, highlights).dump() == "[[0,4],[9,14]]");
    CHECK(search::html_marked(text, highlights) ==
          "<mark>Café</mark> &lt;b&gt; <mark>talks</mark>");
}

TEST_CASE("the date bucket follows the span of the matches") {
    CHECK(search::choose_bucket("20260101", "20260131") == search::DateBucket::kDay);
    CHECK(search::choose_bucket("20260101", "20260601") == search::DateBucket::kWeek);
    CHECK(search::choose_bucket("20200101", "20260601") == search::DateBucket::kMonth);
    CHECK(search::choose_bucket("19870226", "20120815") == search::DateBucket::kYear);
}

TEST_CASE("bucket keys: ISO weeks cross year ends correctly") {
    CHECK(search::bucket_key("20260120", search::DateBucket::kDay) == "2026-01-20");
    CHECK(search::bucket_key("20260120", search::DateBucket::kWeek) == "2026-W04");
    CHECK(search::bucket_key("20210101", search::DateBucket::kWeek) == "2020-W53");
    CHECK(search::bucket_key("20241230", search::DateBucket::kWeek) == "2025-W01");
    CHECK(search::bucket_key("20260120", search::DateBucket::kMonth) == "2026-01");
    CHECK(search::bucket_key("20260120", search::DateBucket::kYear) == "2026");
    CHECK(search::bucket_key("20260230", search::DateBucket::kDay).empty());
}

TEST_CASE("the histogram fills empty buckets between the first and last match") {
    const std::map<std::string, std::size_t> days = {{"20260120", 2}, {"20260123", 1}};
    const auto histogram = search::make_histogram(days, 4, search::DateBucket::kAuto);
    CHECK(histogram.bucket == search::DateBucket::kDay);
    REQUIRE(histogram.buckets.size() == 4);
    CHECK(histogram.buckets[0].value == "2026-01-20");
    CHECK(histogram.buckets[0].count == 2);
    CHECK(histogram.buckets[1].count == 0);
    CHECK(histogram.buckets[3].count == 1);
    CHECK(histogram.undated == 4);
    CHECK(histogram.first == "2026-01-20");
    CHECK(histogram.last == "2026-01-23");

    const auto months = search::make_histogram(days, 0, search::DateBucket::kMonth);
    REQUIRE(months.buckets.size() == 1);
    CHECK(months.buckets[0].count == 3);
}

TEST_CASE("a chosen bucket over a huge span lists only non-empty buckets") {
    const std::map<std::string, std::size_t> days = {{"19000101", 1}, {"20260101", 1}};
    const auto histogram = search::make_histogram(days, 0, search::DateBucket::kDay);
    CHECK(histogram.buckets.size() == 2);
}

TEST_CASE("the source facet lists the top N and sums the rest as other") {
    search::Facets facets;
    search::fill_sources(facets, {{"AFP", 5}, {"Reuters", 7}, {"AP", 5}, {"dpa", 1}}, 2);
    REQUIRE(facets.sources.size() == 2);
    CHECK(facets.sources[0].value == "Reuters");
    CHECK(facets.sources[1].value == "AFP");  // ties by name: AFP before AP
    CHECK(facets.other_sources == 6);
    CHECK(facets.other_source_values == 2);
}

TEST_CASE("the variant table links every spelling of a group, folded") {
    wiredesk::Analyzer analyzer;
    const auto variants = search::NameVariants::builtin(analyzer);
    const auto of_zelensky = variants.table_variants("zelensky");
    CHECK(std::find(of_zelensky.begin(), of_zelensky.end(), "zelenskyy") != of_zelensky.end());
    const auto of_qaddafi = variants.table_variants("qaddafi");
    CHECK(std::find(of_qaddafi.begin(), of_qaddafi.end(), "kadhafi") != of_qaddafi.end());
    CHECK(variants.table_variants("kiev") == std::vector<std::string>{"kyiv"});
}

TEST_CASE("a user variant file extends the table and a bad line names file and line") {
    wiredesk::Analyzer analyzer;
    search::NameVariants variants;
    variants.add_table("# comment\nNavalny, Nawalny\nSchröder, Schroeder\n", "mine.txt", analyzer);
    CHECK(variants.table_variants("schroder") == std::vector<std::string>{"schroeder"});
    CHECK_THROWS_WITH(variants.add_table("ok, fine\njust-one\n", "mine.txt", analyzer),
                      doctest::Contains("mine.txt:2:"));
}

TEST_CASE("automatic folding joins -y/-iy/-yy transliterations of one name") {
    const auto zelensky = search::NameVariants::automatic_variants("zelensky");
    CHECK(std::find(zelensky.begin(), zelensky.end(), "zelenskyy") != zelensky.end());
    CHECK(std::find(zelensky.begin(), zelensky.end(), "zelenskiy") != zelensky.end());
    const auto dmitriy = search::NameVariants::automatic_variants("dmitriy");
    CHECK(std::find(dmitriy.begin(), dmitriy.end(), "dmitry") != dmitriy.end());
}

TEST_CASE("automatic folding does not merge different names") {
    auto merges = [](const std::string& a, const std::string& b) {
        const auto variants = search::NameVariants::automatic_variants(a);
        return std::find(variants.begin(), variants.end(), b) != variants.end();
    };
    CHECK_FALSE(merges("zelensky", "zelenska"));  // Olena Zelenska, another person
    CHECK_FALSE(merges("ivanov", "ivanova"));
    CHECK_FALSE(merges("kim", "kym"));
    CHECK_FALSE(merges("kennedy", "kenney"));
    CHECK_FALSE(merges("kiev", "kyiv"));         // only through the table
    CHECK_FALSE(merges("study", "studii"));      // too short a stem
    CHECK_FALSE(merges("hawaii", "hawaiy"));
    CHECK(search::NameVariants::automatic_variants("müller").empty());  // Latin a-z only
}
