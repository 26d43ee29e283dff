#include "wiredesk/common/analyzer.hpp"

#include <map>
#include <stdexcept>
#include <unordered_map>

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <xapian.h>

#include "ascii_words.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/common/text.hpp"

namespace wiredesk {
namespace {

bool is_ascii(std::string_view text) noexcept {
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

/// Apostrophe and dash variants that news copy mixes freely ("Ukraine’s" vs "Ukraine's").
UChar32 fold_punctuation(UChar32 c) noexcept {
    switch (c) {
        case 0x2018:  // left single quotation mark
        case 0x2019:  // right single quotation mark
        case 0x02BC:  // modifier letter apostrophe
        case 0x02B9:  // modifier letter prime
        case 0xFF07:  // fullwidth apostrophe
        case 0x2032:  // prime
            return '\'';
        case 0x2010:
        case 0x2011:
        case 0x2012:
        case 0x2013:
        case 0x2014:
        case 0x2015:
        case 0x2212:
            return '-';
        default:
            return c;
    }
}

const char* stemmer_name(std::string_view language) noexcept {
    // Xapian 1.4's Snowball stemmers by ISO 639-1 code. Ukrainian has none in 1.4: its words
    // are indexed unstemmed (exact forms still match).
    static const std::map<std::string_view, const char*> names = {
        {"ar", "arabic"},     {"hy", "armenian"},  {"eu", "basque"},     {"ca", "catalan"},
        {"da", "danish"},     {"nl", "dutch"},     {"en", "english"},    {"fi", "finnish"},
        {"fr", "french"},     {"de", "german"},    {"hu", "hungarian"},  {"id", "indonesian"},
        {"ga", "irish"},      {"it", "italian"},   {"lt", "lithuanian"}, {"ne", "nepali"},
        {"no", "norwegian"},  {"nb", "norwegian"}, {"nn", "norwegian"},  {"pt", "portuguese"},
        {"ro", "romanian"},   {"ru", "russian"},   {"es", "spanish"},    {"sv", "swedish"},
        {"ta", "tamil"},      {"tr", "turkish"},
    };
    const auto found = names.find(language);
    return found == names.end() ? nullptr : found->second;
}

/// Heterogeneous hashing, so that a memo is searched with a string_view without a string made.
struct WordHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view word) const noexcept {
        return std::hash<std::string_view>{}(word);
    }
};

/// A Snowball stemmer with a memo of the words it stemmed. News repeats its words, so most of
/// an article's words were stemmed for earlier ones: over the 7.9 million words of the
/// benchmark's real articles, stemming each took 1.26 s and asking the memo first 0.57 s
/// (bench/RESULTS.md, "Cost, 2026-12-05, afternoon").
class MemoStemmer {
public:
    explicit MemoStemmer(const char* name) : m_stem(name) {}

    const std::string& operator()(std::string_view word) {
        if (const auto found = m_memo.find(word); found != m_memo.end()) return found->second;
        // Bounded, so that an archive of rare words (numbers, names) cannot grow it without
        // end; emptied whole when full, the words that come back come back soon.
        if (m_memo.size() >= kMemoWords) m_memo.clear();
        std::string key(word);
        std::string stemmed = m_stem(key);
        return m_memo.emplace(std::move(key), std::move(stemmed)).first->second;
    }

private:
    /// About 7 MB a thread at news word lengths; the vocabulary of tens of thousands of
    /// articles fits.
    static constexpr std::size_t kMemoWords = 65536;
    Xapian::Stem m_stem;
    std::unordered_map<std::string, std::string, WordHash, std::equal_to<>> m_memo;
};

}  // namespace

struct Analyzer::Impl {
    const icu::Normalizer2* nfkc_casefold = nullptr;
    const icu::Normalizer2* nfd = nullptr;
    const icu::Normalizer2* nfc = nullptr;
    std::unique_ptr<icu::BreakIterator> words;
    std::map<std::string, MemoStemmer, std::less<>> stemmers;

    Impl() {
        UErrorCode status = U_ZERO_ERROR;
        nfkc_casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
        nfd = icu::Normalizer2::getNFDInstance(status);
        nfc = icu::Normalizer2::getNFCInstance(status);
        words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
        if (U_FAILURE(status) || !words) {
            throw Error(std::string("cannot initialise ICU text analysis: ") +
                        u_errorName(status));
        }
    }

    /// Folds @p text; when @p accented is given and folding removed accents, stores the
    /// case-folded form that still has them there.
    std::string fold(std::string_view text, std::string* accented = nullptr) const {
        if (is_ascii(text)) {
            // ASCII needs neither normalization nor accent folding: most words of most archives
            // take this path, which keeps analysis cheap.
            return ascii_lower(text);
        }
        UErrorCode status = U_ZERO_ERROR;
        const auto input = icu::UnicodeString::fromUTF8(
            icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
        icu::UnicodeString folded = nfkc_casefold->normalize(input, status);
        icu::UnicodeString decomposed = nfd->normalize(folded, status);
        if (U_FAILURE(status)) return std::string(text);

        // Drop combining marks, except after Cyrillic letters where the mark makes another
        // letter of the alphabet (й from и, ї from і) rather than an accent.
        icu::UnicodeString stripped;
        UScriptCode base_script = USCRIPT_COMMON;
        bool removed_marks = false;
        for (int32_t i = 0; i < decomposed.length();) {
            const UChar32 c = decomposed.char32At(i);
            i += U16_LENGTH(c);
            if (u_charType(c) == U_NON_SPACING_MARK) {
                if (base_script == USCRIPT_CYRILLIC) {
                    stripped.append(c);
                } else {
                    removed_marks = true;
                }
                continue;
            }
            base_script = uscript_getScript(c, &status);
            stripped.append(fold_punctuation(c));
        }
        icu::UnicodeString composed = nfc->normalize(stripped, status);
        if (U_FAILURE(status)) return std::string(text);
        std::string out;
        composed.toUTF8String(out);
        if (accented != nullptr && removed_marks) {
            accented->clear();
            folded.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x2019)),
                                  icu::UnicodeString(static_cast<UChar32>('\'')));
            folded.toUTF8String(*accented);
        }
        return out;
    }

    MemoStemmer* stemmer_for(std::string_view language) {
        const auto found = stemmers.find(language);
        if (found != stemmers.end()) return &found->second;
        const char* name = stemmer_name(language);
        if (name == nullptr) return nullptr;
        const auto inserted = stemmers.emplace(std::string(language), name);
        return &inserted.first->second;
    }

    /// The stem of @p folded_word for @p language, or the word itself without a stemmer: a
    /// view of the memo's entry, valid until the next word is stemmed.
    std::string_view stem(std::string_view folded_word, std::string_view language) {
        MemoStemmer* stemmer = stemmer_for(language);
        return stemmer == nullptr ? folded_word : std::string_view((*stemmer)(folded_word));
    }
};

Analyzer::Analyzer() : m_impl(std::make_unique<Impl>()) {}
Analyzer::~Analyzer() = default;
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;

std::size_t Analyzer::tokenize(std::string_view text,
                               const std::function<void(const Token&)>& sink,
                               std::size_t first_position) {
    std::size_t position = first_position;
    // @p ascii: the word is known to be ASCII (its folding is lower-casing).
    const auto emit = [&](std::size_t begin, std::size_t stop, bool ascii) {
        Token token{{}, {}, position++, begin, stop};
        const std::string_view word = text.substr(begin, stop - begin);
        token.exact = ascii ? ascii_lower(word) : m_impl->fold(word, &token.accented);
        if (token.exact.empty() || token.exact.size() > schema::kMaxWordBytes) return;
        sink(token);
    };
    // UTF-8 UText: the break iterator's boundaries are then byte offsets into the text, so
    // tokens can point back at the original for highlighting without a UTF-16 copy. One for
    // every part ICU segments (closed however the sink returns).
    struct IcuText {
        UText text = UTEXT_INITIALIZER;
        ~IcuText() { utext_close(&text); }
    } icu_text;
    detail::for_each_part(
        text,
        [&](std::size_t begin, std::size_t end) {
            // The same words as ICU's (ascii_words.hpp), without its iterator.
            detail::for_each_ascii_word(text.substr(begin, end - begin),
                                        [&](std::size_t word_begin, std::size_t word_end) {
                                            emit(begin + word_begin, begin + word_end, true);
                                        });
        },
        [&](std::size_t begin, std::size_t end) {
            UErrorCode status = U_ZERO_ERROR;
            utext_openUTF8(&icu_text.text, text.data() + begin, static_cast<int64_t>(end - begin),
                           &status);
            if (U_FAILURE(status)) {
                throw Error(std::string("ICU cannot read text: ") + u_errorName(status));
            }
            m_impl->words->setText(&icu_text.text, status);
            int32_t start = m_impl->words->first();
            for (int32_t stop = m_impl->words->next(); stop != icu::BreakIterator::DONE;
                 start = stop, stop = m_impl->words->next()) {
                // Rule status UBRK_WORD_NONE marks spaces and punctuation; numbers, letters,
                // kana and ideographs have statuses from UBRK_WORD_NUMBER upwards.
                if (m_impl->words->getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;
                emit(begin + static_cast<std::size_t>(start), begin + static_cast<std::size_t>(stop),
                     false);
            }
        });
    return position;
}

std::vector<Token> Analyzer::tokenize(std::string_view text) {
    std::vector<Token> tokens;
    tokenize(text, [&tokens](const Token& token) { tokens.push_back(token); });
    return tokens;
}

std::string Analyzer::fold(std::string_view text) const { return m_impl->fold(text); }

std::string Analyzer::stem(std::string_view folded_word, std::string_view language) {
    return std::string(m_impl->stem(folded_word, language));
}

void Analyzer::stems(const Token& token, std::string_view language,
                     std::vector<std::string>& out) {
    out.resize(1);
    out.front().assign(m_impl->stem(token.exact, language));  // reusing the string's memory
    if (!token.accented.empty()) {
        std::string accent_aware = fold(stem(token.accented, language));
        if (accent_aware != out.front()) out.push_back(std::move(accent_aware));
    }
}

std::vector<std::string> Analyzer::stems(const Token& token, std::string_view language) {
    std::vector<std::string> out;
    stems(token, language, out);
    return out;
}

bool Analyzer::has_stemmer(std::string_view language) {
    return stemmer_name(language) != nullptr;
}

bool Analyzer::stem_keeps_first_byte(std::string_view language) { return language == "en"; }

}  // namespace wiredesk
