#include "wiredesk/common/language.hpp"

#include <algorithm>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include "wiredesk/common/text.hpp"

namespace wiredesk {
namespace {

/// CLD2 reads at most this much: enough for a confident answer, and long crawled pages
/// (reader comments, boilerplate) then cost no more than a normal article.
constexpr std::size_t kDetectionBytes = 16 * 1024;

std::string_view clip_utf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::size_t cut = max_bytes;
    // Back up to a code point boundary (never inside a continuation byte).
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut);
}

}  // namespace

std::string detect_language(std::string_view title, std::string_view body) {
    // CLD2 answers "English" for text with no letters at all: that is no evidence.
    const auto has_letter = [](std::string_view text) {
        return std::any_of(text.begin(), text.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   static_cast<unsigned char>(c) >= 0x80;
        });
    };
    if (!has_letter(title) && !has_letter(body)) return "und";
    std::string sample(title);
    sample += '\n';
    sample += clip_utf8(body, kDetectionBytes);
    bool is_reliable = false;
    const CLD2::Language language = CLD2::DetectLanguage(
        sample.data(), static_cast<int>(sample.size()), /*is_plain_text=*/true, &is_reliable);
    if (language == CLD2::UNKNOWN_LANGUAGE || language == CLD2::TG_UNKNOWN_LANGUAGE) {
        return "und";
    }
    std::string code = CLD2::LanguageCode(language);
    // CLD2 says "zh-Hant" for traditional Chinese; the script does not change the analysis.
    if (const auto dash = code.find('-'); dash != std::string::npos) code.resize(dash);
    return normalize_language_code(code).empty() ? "und" : normalize_language_code(code);
}

std::string normalize_language_code(std::string_view declared) {
    std::string code = ascii_lower(trim(declared));
    if (const auto cut = code.find_first_of("-_"); cut != std::string::npos) code.resize(cut);
    // Three-letter codes that archives use for the languages we stem.
    static constexpr std::pair<std::string_view, std::string_view> iso639_2[] = {
        {"eng", "en"}, {"rus", "ru"}, {"ukr", "uk"}, {"deu", "de"}, {"ger", "de"},
        {"fra", "fr"}, {"fre", "fr"}, {"spa", "es"}, {"ita", "it"}, {"por", "pt"},
        {"zho", "zh"}, {"chi", "zh"}, {"jpn", "ja"}, {"ara", "ar"}, {"nld", "nl"},
    };
    for (const auto& [long_code, short_code] : iso639_2) {
        if (code == long_code) return std::string(short_code);
    }
    if (code.size() != 2) return {};
    for (const char c : code) {
        if (c < 'a' || c > 'z') return {};
    }
    return code;
}

}  // namespace wiredesk
