// libFuzzer target: the date parser never crashes and what it accepts formats and parses back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "wiredesk/common/dates.hpp"
#include "wiredesk/common/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto parsed = wiredesk::parse_date(text, 1769212800);
        if (parsed) {
            // Round trip: the ISO form of any accepted date parses to the same instant.
            const auto again = wiredesk::parse_date(wiredesk::format_iso8601(*parsed));
            if (!again || *again != *parsed) std::abort();
        }
    } catch (const wiredesk::DateError&) {
    }
    return 0;
}
