#include <doctest/doctest.h>

#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <xapian.h>

#include "ascii_words.hpp"
#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/common/language.hpp"
#include "wiredesk/common/text.hpp"
#include "test_support.hpp"

using wiredesk::Analyzer;

namespace {

std::vector<std::string> words(Analyzer& analyzer, std::string_view text) {
    std::vector<std::string> out;
    for (const auto& token : analyzer.tokenize(text)) out.push_back(token.exact);
    return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

TEST_CASE("English words are case folded and keep apostrophes, digits and hyphen parts") {
    Analyzer analyzer;
    const auto tokens = words(analyzer, "Don't panic: O’Neill's well-known 3.5 per cent rise in 2026!");
    CHECK(tokens == std::vector<std::string>{"don't", "panic", "o'neill's", "well", "known", "3.5",
                                             "per", "cent", "rise", "in", "2026"});
}

TEST_CASE("positions count words, so phrases line up across punctuation") {
    Analyzer analyzer;
    const auto tokens = analyzer.tokenize("Peace talks -- in Abu Dhabi.");
    REQUIRE(tokens.size() == 5);
    CHECK(tokens[0].position == 1);
    CHECK(tokens[4].position == 5);
    CHECK(tokens[4].exact == "dhabi");
    // Offsets point back into the original text, for highlighting.
    CHECK(std::string("Peace talks -- in Abu Dhabi.").substr(tokens[4].begin, tokens[4].end - tokens[4].begin) == "Dhabi");
}

TEST_CASE("accents fold away in Latin scripts, so café matches cafe and Zürich matches Zurich") {
    Analyzer analyzer;
    CHECK(analyzer.fold("Café") == "cafe");
    CHECK(analyzer.fold("Zürich") == "zurich");
    CHECK(analyzer.fold("São Paulo") == "sao paulo");
    CHECK(analyzer.fold("España") == "espana");
    CHECK(analyzer.fold("Straße") == "strasse");
    CHECK(analyzer.fold("ﬁnance") == "finance");  // NFKC: the fi ligature
}

TEST_CASE("Cyrillic letters made with marks are kept: й and ї are letters, not accents") {
    Analyzer analyzer;
    CHECK(analyzer.fold("Київ") == "київ");
    CHECK(analyzer.fold("Мирний") == "мирний");
    CHECK(analyzer.fold("ПЕРЕГОВОРЫ") == "переговоры");
}

TEST_CASE("Russian and Ukrainian text segments into words") {
    Analyzer analyzer;
    const auto russian = words(analyzer, "Переговоры в Абу-Даби завершились.");
    CHECK(russian == std::vector<std::string>{"переговоры", "в", "абу", "даби", "завершились"});
    const auto ukrainian = words(analyzer, "Україна та Росія домовилися про обмін полоненими.");
    CHECK(contains(ukrainian, "україна"));
    CHECK(contains(ukrainian, "полоненими"));
}

TEST_CASE("German and French and Spanish text segments into folded words") {
    Analyzer analyzer;
    CHECK(words(analyzer, "Die Verhandlungen über den Frieden") ==
          std::vector<std::string>{"die", "verhandlungen", "uber", "den", "frieden"});
    CHECK(words(analyzer, "L'été à Genève") == std::vector<std::string>{"l'ete", "a", "geneve"});
    CHECK(words(analyzer, "Las inundaciones en Valencia") ==
          std::vector<std::string>{"las", "inundaciones", "en", "valencia"});
}

TEST_CASE("Chinese and Japanese text is segmented into dictionary words, not one long token") {
    Analyzer analyzer;
    const auto chinese = words(analyzer, "北京举行和平谈判");
    CHECK(chinese.size() >= 3);
    CHECK(contains(chinese, "北京"));
    const auto japanese = words(analyzer, "東京で会議が開かれた");
    CHECK(japanese.size() >= 3);
    CHECK(contains(japanese, "東京"));
}

TEST_CASE("stemming follows the article's language") {
    Analyzer analyzer;
    CHECK(analyzer.stem("talks", "en") == analyzer.stem("talked", "en"));
    CHECK(analyzer.stem("переговоры", "ru") == analyzer.stem("переговорах", "ru"));
    CHECK(analyzer.stem("verhandlungen", "de") == analyzer.stem("verhandlung", "de"));
    CHECK(analyzer.stem("embalses", "es") == analyzer.stem("embalse", "es"));
    CHECK(analyzer.stem("negociations", "fr") == analyzer.stem("negociation", "fr"));
    // No Snowball stemmer for Ukrainian in Xapian 1.4: words stay as they are.
    CHECK(analyzer.stem("переговорах", "uk") == "переговорах");
    CHECK_FALSE(Analyzer::has_stemmer("uk"));
    CHECK(Analyzer::has_stemmer("en"));
}

TEST_CASE("stems come from the analyzer's memory as the stemmer makes them, per language") {
    // The analyzer remembers the stems it made (a bounded memo, emptied when full). Asked for
    // far more words than it holds, each twice and in a changing order, it answers as the
    // Snowball stemmer itself does; the same word in two languages keeps two stems.
    Analyzer analyzer;
    Xapian::Stem english("english");
    std::vector<std::string> vocabulary;
    const std::string endings[] = {"", "s", "ing", "ed", "ations", "ness", "ly"};
    for (std::size_t i = 0; i < 30'000; ++i) {
        std::string root;
        for (std::size_t n = i; root.size() < 4 || n != 0; n /= 26) {
            root += static_cast<char>('a' + n % 26);
        }
        for (const std::string& ending : endings) vocabulary.push_back(root + ending);
    }
    REQUIRE(vocabulary.size() > 200'000);  // three times what the memo holds
    std::mt19937 shuffle(7);
    std::size_t differing = 0;
    for (int pass = 0; pass < 2; ++pass) {
        std::shuffle(vocabulary.begin(), vocabulary.end(), shuffle);
        for (const std::string& word : vocabulary) {
            if (analyzer.stem(word, "en") != english(word)) ++differing;
        }
    }
    CHECK(differing == 0);

    CHECK(analyzer.stem("verhandlungen", "en") == english("verhandlungen"));
    CHECK(analyzer.stem("verhandlungen", "de") == Xapian::Stem("german")("verhandlungen"));
    CHECK(analyzer.stem("verhandlungen", "de") != analyzer.stem("verhandlungen", "en"));

    // The indexer's form fills a vector it reuses: what it held before is gone.
    std::vector<std::string> stems = {"left", "over", "entries"};
    analyzer.stems(analyzer.tokenize("talks")[0], "en", stems);
    CHECK(stems == std::vector<std::string>{english("talks")});
}

TEST_CASE("an English stem starts with its word's first byte, so highlighting skips the rest") {
    // Analyzer::stem_keeps_first_byte("en") lets the highlighter leave unstemmed every word
    // whose first byte starts no query stem; a stem that began otherwise would go unmarked.
    REQUIRE(Analyzer::stem_keeps_first_byte("en"));
    Analyzer analyzer;
    std::size_t checked = 0;
    const auto check = [&](const std::string& word) {
        const std::string stem = analyzer.stem(word, "en");
        ++checked;
        if (stem.empty() || stem[0] != word[0]) FAIL_CHECK(word << " stems to " << stem);
    };
    // Every word of up to four letters, digits and inner apostrophes...
    const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789'";
    std::vector<std::string> words_so_far = {""};
    for (std::size_t length = 1; length <= 4; ++length) {
        std::vector<std::string> longer;
        for (const std::string& word : words_so_far) {
            for (const char c : alphabet) {
                if (word.empty() && c == '\'') continue;  // the analyzer's words never start so
                longer.push_back(word + c);
            }
        }
        for (const std::string& word : longer) check(word);
        words_so_far = std::move(longer);
    }
    // ... the stemmer's own exceptions, initial y, and longer words with its suffixes.
    for (const char* word :
         {"skis", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early", "only",
          "singly", "sky", "news", "howe", "atlas", "cosmos", "bias", "andes", "inning",
          "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed", "yes",
          "yesterday", "youth", "yielding", "generously", "commune", "communities", "arsenal"}) {
        check(word);
    }
    // ... every word of the sample corpus (all its languages: the property is the stemmer's)...
    std::set<std::string> corpus_words;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(wiredesk::test::source_dir() / "corpus")) {
        if (!entry.is_regular_file() || entry.path().extension() == ".gz") continue;
        const std::string text = wiredesk::test::read_file(entry.path());
        if (wiredesk::find_invalid_utf8(text)) continue;  // the malformed samples
        for (const auto& token : analyzer.tokenize(text)) corpus_words.insert(token.exact);
    }
    CHECK(corpus_words.size() > 2000);
    for (const std::string& word : corpus_words) check(word);
    // ... and random words with the endings the stemmer rewrites.
    std::mt19937 random(20261204);
    const std::vector<std::string> suffixes = {
        "", "s", "es", "ies", "ed", "ing", "ly", "ness", "ment", "ational", "ization", "fulness",
        "iveness", "biliti", "logi", "ator", "alism", "ous", "ive", "ize", "ement", "ent", "y",
        "'s", "s'", "ic", "able", "ible", "ance", "ence"};
    for (int i = 0; i < 50000; ++i) {
        std::string word;
        const std::size_t letters = 1 + random() % 8;
        for (std::size_t k = 0; k < letters; ++k) word += static_cast<char>('a' + random() % 26);
        check(word + suffixes[random() % suffixes.size()]);
    }
    CHECK(checked > 1'000'000);
    CHECK_FALSE(Analyzer::stem_keeps_first_byte("ar"));  // Arabic drops prefixes
    CHECK_FALSE(Analyzer::stem_keeps_first_byte("und"));
}

TEST_CASE("an accented word is stemmed with and without its accents") {
    Analyzer analyzer;
    const auto tokens = analyzer.tokenize("negociación");
    REQUIRE(tokens.size() == 1);
    CHECK(tokens[0].exact == "negociacion");
    CHECK(tokens[0].accented == "negociación");
    const auto stems = analyzer.stems(tokens[0], "es");
    // Typed without accents, singular or plural, the query meets one of these.
    CHECK(std::find(stems.begin(), stems.end(), analyzer.stem("negociacion", "es")) != stems.end());
    CHECK(std::find(stems.begin(), stems.end(), analyzer.stem("negociaciones", "es")) != stems.end());
    // Plain ASCII words carry no accented form and one stem.
    const auto plain = analyzer.tokenize("talks");
    CHECK(plain[0].accented.empty());
    CHECK(analyzer.stems(plain[0], "en").size() == 1);
}

TEST_CASE("words longer than the term limit are dropped but keep their position") {
    Analyzer analyzer;
    const std::string long_word(100, 'x');
    const auto tokens = analyzer.tokenize("before " + long_word + " after");
    REQUIRE(tokens.size() == 2);
    CHECK(tokens[0].position == 1);
    CHECK(tokens[1].position == 3);
}

TEST_CASE("language detection names the language of each article") {
    CHECK(wiredesk::detect_language(
              "Talks end without a deal",
              "Negotiators from both sides met for two days in the capital and agreed to meet "
              "again next week, officials said on Sunday.") == "en");
    CHECK(wiredesk::detect_language(
              "Переговоры завершились",
              "Делегации двух стран провели два дня переговоров в столице и договорились "
              "встретиться снова на следующей неделе, сообщили официальные лица.") == "ru");
    CHECK(wiredesk::detect_language(
              "Переговори завершилися",
              "Делегації двох країн провели два дні переговорів у столиці та домовилися "
              "зустрітися знову наступного тижня, повідомили посадовці.") == "uk");
    CHECK(wiredesk::detect_language(
              "Gespräche ohne Einigung beendet",
              "Die Unterhändler beider Seiten trafen sich zwei Tage lang in der Hauptstadt und "
              "vereinbarten, sich in der nächsten Woche erneut zu treffen.") == "de");
    CHECK(wiredesk::detect_language("", "") == "und");
}

TEST_CASE("declared language codes normalize to ISO 639-1") {
    CHECK(wiredesk::normalize_language_code("en-GB") == "en");
    CHECK(wiredesk::normalize_language_code("RU") == "ru");
    CHECK(wiredesk::normalize_language_code("eng") == "en");
    CHECK(wiredesk::normalize_language_code("pt_BR") == "pt");
    CHECK(wiredesk::normalize_language_code("klingon").empty());
}

namespace {

/// ICU's words of @p text (segments with a word status), as [begin, end) byte offsets.
std::vector<std::pair<std::size_t, std::size_t>> icu_words(icu::BreakIterator& iterator,
                                                           const std::string& text) {
    UErrorCode status = U_ZERO_ERROR;
    UText* utext = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
    iterator.setText(utext, status);
    REQUIRE(U_SUCCESS(status));
    std::vector<std::pair<std::size_t, std::size_t>> out;
    int32_t start = iterator.first();
    for (int32_t end = iterator.next(); end != icu::BreakIterator::DONE; start = end, end = iterator.next()) {
        if (iterator.getRuleStatus() >= UBRK_WORD_NONE_LIMIT) {
            out.emplace_back(static_cast<std::size_t>(start), static_cast<std::size_t>(end));
        }
    }
    utext_close(utext);
    return out;
}

/// ICU's word break iterator of the root locale: what the analyzer's words must agree with.
std::unique_ptr<icu::BreakIterator> root_word_iterator() {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> iterator(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    REQUIRE(U_SUCCESS(status));
    return iterator;
}

/// @p count texts of up to @p max_pieces pieces drawn from @p pieces, after @p samples.
std::vector<std::string> random_texts(std::vector<std::string> samples,
                                      const std::vector<std::string>& pieces,
                                      std::size_t max_pieces, std::uint32_t seed, int count) {
    std::mt19937 random(seed);
    for (int i = 0; i < count; ++i) {
        std::string text;
        const std::size_t length = random() % (max_pieces + 1);
        for (std::size_t k = 0; k < length; ++k) text += pieces[random() % pieces.size()];
        samples.push_back(text);
    }
    return samples;
}

}  // namespace

TEST_CASE("ASCII text is segmented into the words ICU's break iterator finds") {
    // The analyzer segments ASCII text without ICU (ascii_words.hpp): the words must be ICU's,
    // or a term indexed one way is looked for another. Random text over the characters whose
    // word-break class matters (letters, digits, the mid-word and mid-number marks, spaces,
    // line breaks, other punctuation), and news-like samples.
    const auto iterator = root_word_iterator();
    std::vector<std::string> alphabet;
    for (const char c : std::string("aZq09.',;:- \n\r\t\f\v!\"#$%&()*+/<=>?@[\\]^`{|}~")) {
        alphabet.emplace_back(1, c);
    }
    const std::vector<std::string> texts = random_texts(
        {"Don't panic: U.S. output rose 3.5% to $1,000.50 in Q3; e.g. 1;2 and 10:30 a.m.",
         "O'Neill's co-op, rock'n'roll... 'quoted' and ''double'' 1'000'000 x.y. .a a. 1.a a.1",
         "", "...", "a"},
        alphabet, 15, 20261203, 20000);
    std::size_t compared = 0;
    for (const std::string& text : texts) {
        REQUIRE(wiredesk::detail::ascii_words_apply(text));
        std::vector<std::pair<std::size_t, std::size_t>> ours;
        wiredesk::detail::for_each_ascii_word(
            text, [&](std::size_t begin, std::size_t end) { ours.emplace_back(begin, end); });
        const auto theirs = icu_words(*iterator, text);
        CHECK_MESSAGE(ours == theirs, "text: [" << text << "]");
        if (ours != theirs) break;  // one is enough to see
        ++compared;
    }
    CHECK(compared == texts.size());
    // Where the rules differ, ICU decides: underscores and anything beyond ASCII.
    CHECK_FALSE(wiredesk::detail::ascii_words_apply("snake_case"));
    CHECK_FALSE(wiredesk::detail::ascii_words_apply("Ukraine’s"));
    Analyzer analyzer;
    CHECK(words(analyzer, "a__b __ _") == std::vector<std::string>{"a__b", "__"});
}

TEST_CASE("text mixing ASCII and other scripts is segmented as ICU segments it whole") {
    // The analyzer hands ICU only the parts around what the ASCII rules do not cover, split at
    // white space (ascii_words.hpp): the words, their offsets and their positions must be
    // those of ICU's iterator over the whole text. Random text mixing ASCII with curly quotes,
    // accents, combining marks, joiners, CJK, Thai, emoji and flags, underscores, and samples.
    const auto iterator = root_word_iterator();
    const std::vector<std::string> pieces = {
        "a",  "Z",  "0",  "9",  ".",  "'",  ",",  ";",  ":",  "@",  "_",   " ",    " ",
        "\n", "\r", "\t", "-",  "!",  "’",  "é",  "\u0301", "\u200D", "\u00A0", "中", "文",
        "กา", "ร",  "😀", "🇺", "🇸", "Ü",  "ß",  "й",  "—",  "“",  "”",   "\u2060", "٣"};
    const std::vector<std::string> texts = random_texts(
        {"Ukraine’s president met U.S. envoys in Zürich — talks “went well”, he said.",
         "café\u0301 a\u200D😀 b \u0301c d\u00A0e snake_case 1,000 ٣٣ 中文 text"},
        pieces, 13, 3122026, 20000);
    Analyzer analyzer;
    std::size_t compared = 0;
    for (const std::string& text : texts) {
        std::vector<std::pair<std::size_t, std::size_t>> theirs;
        std::vector<std::size_t> their_positions;
        std::size_t position = 0;
        for (const auto& word : icu_words(*iterator, text)) {
            ++position;
            // The analyzer drops a word that folds to nothing (a lone mark); it keeps its
            // position.
            if (!analyzer.fold(std::string_view(text).substr(word.first, word.second - word.first))
                     .empty()) {
                theirs.push_back(word);
                their_positions.push_back(position);
            }
        }
        std::vector<std::pair<std::size_t, std::size_t>> ours;
        std::vector<std::size_t> positions;
        for (const auto& token : analyzer.tokenize(text)) {
            ours.emplace_back(token.begin, token.end);
            positions.push_back(token.position);
        }
        CHECK_MESSAGE(ours == theirs, "text: [" << text << "]");
        CHECK_MESSAGE(positions == their_positions, "text: [" << text << "]");
        if (ours != theirs || positions != their_positions) break;
        ++compared;
    }
    CHECK(compared == texts.size());
}
