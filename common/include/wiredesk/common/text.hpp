/// @file text.hpp
/// @brief Small UTF-8 helpers shared by the readers and the analyzer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wiredesk {

/// Byte offset of the first invalid UTF-8 sequence in @p text, or std::nullopt if it is valid.
/// Overlong forms, surrogates and code points above U+10FFFF count as invalid.
std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

/// Converts @p bytes from the character set named @p charset ("windows-1252", "ISO-8859-1",
/// "koi8-r"...) to UTF-8 with ICU. @throws Error if ICU does not know the charset.
std::string convert_to_utf8(std::string_view bytes, const std::string& charset);

/// Collapses runs of white space (including NBSP and other Unicode spaces) into one ASCII space
/// and trims both ends. Newlines are white space too.
std::string collapse_whitespace(std::string_view text);

/// ASCII white space: space, tab, line feed, carriage return, form feed, vertical tab.
constexpr bool is_ascii_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Removes leading and trailing ASCII white space (is_ascii_space).
std::string_view trim(std::string_view text) noexcept;

/// ASCII lower-casing, for names of fields, tags and schemes, and for ASCII words (where it is
/// all the analyzer's folding does); not for other text.
std::string ascii_lower(std::string_view text);

}  // namespace wiredesk
