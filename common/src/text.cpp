#include "wiredesk/common/text.hpp"

#include <unicode/ucnv.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "wiredesk/common/errors.hpp"

namespace wiredesk {

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    const auto length = static_cast<int32_t>(text.size());
    int32_t offset = 0;
    while (offset < length) {
        // Fast path: ASCII needs no decoding.
        if (bytes[offset] < 0x80) {
            ++offset;
            continue;
        }
        const int32_t start = offset;
        UChar32 code_point = 0;
        U8_NEXT(bytes, offset, length, code_point);
        if (code_point < 0) return static_cast<std::size_t>(start);
    }
    return std::nullopt;
}

std::string convert_to_utf8(std::string_view bytes, const std::string& charset) {
    UErrorCode status = U_ZERO_ERROR;
    // Worst case: every input byte becomes a 3-byte UTF-8 sequence, plus the terminator.
    std::string out(bytes.size() * 3 + 1, '\0');
    const int32_t written =
        ucnv_convert("UTF-8", charset.c_str(), out.data(), static_cast<int32_t>(out.size()),
                     bytes.data(), static_cast<int32_t>(bytes.size()), &status);
    if (U_FAILURE(status)) {
        throw Error("cannot convert from character set '" + charset + "': " + u_errorName(status));
    }
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::string collapse_whitespace(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    const auto length = static_cast<int32_t>(text.size());
    bool pending_space = false;
    int32_t offset = 0;
    while (offset < length) {
        const int32_t start = offset;
        UChar32 code_point = 0;
        U8_NEXT(bytes, offset, length, code_point);
        if (code_point >= 0 && (u_isUWhiteSpace(code_point) || code_point == 0x200B)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out.append(text.substr(static_cast<std::size_t>(start),
                               static_cast<std::size_t>(offset - start)));
    }
    return out;
}

std::string_view trim(std::string_view text) noexcept {
    constexpr std::string_view space = " \t\r\n\f\v";
    const auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(space);
    return text.substr(first, last - first + 1);
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace wiredesk
