/// @file language.hpp
/// @brief Language detection per article (CLD2), choosing the stemmer.
#pragma once

#include <string>
#include <string_view>

namespace wiredesk {

/// ISO 639-1 code ("en", "ru", "uk", "zh", "ja"...) of the main language of @p text, or "und"
/// when CLD2 finds none. @p text must be valid UTF-8. Thread-safe: CLD2 keeps no state.
/// Short texts (a headline only) are guessed too; CLD2's guess beats no stemming.
std::string detect_language(std::string_view title, std::string_view body);

/// Normalizes a declared language ("en-GB", "EN", "en_US", "eng") to ISO 639-1, or "" if it is
/// not recognised.
std::string normalize_language_code(std::string_view declared);

}  // namespace wiredesk
