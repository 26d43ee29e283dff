// libFuzzer target: the analyzer on arbitrary valid UTF-8: tokens are non-empty, within the
// term limit, point inside the text, and positions increase.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/common/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (wiredesk::find_invalid_utf8(text)) return 0;  // readers reject invalid UTF-8 first
    static wiredesk::Analyzer analyzer;
    std::size_t last_position = 0;
    analyzer.tokenize(text, [&](const wiredesk::Token& token) {
        if (token.exact.empty() || token.exact.size() > wiredesk::schema::kMaxWordBytes) std::abort();
        if (token.begin >= token.end || token.end > text.size()) std::abort();
        if (token.position <= last_position) std::abort();
        last_position = token.position;
        for (const char* language : {"en", "ru", "fr", "es", "de", "uk"}) {
            (void)analyzer.stems(token, language);
        }
    });
    (void)analyzer.fold(text);
    return 0;
}
