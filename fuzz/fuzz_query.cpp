// libFuzzer target: the query builder reads any text without throwing (malformed queries are
// read leniently, with warnings), and date filters never crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/common/text.hpp"
#include "wiredesk/searcher/query_builder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (wiredesk::find_invalid_utf8(text)) return 0;  // the searcher rejects invalid UTF-8 first
    static wiredesk::Analyzer analyzer;
    wiredesk::searcher::QueryContext context;
    context.languages = {"en", "ru", "uk"};
    const auto built = wiredesk::searcher::build_query(text, context, analyzer);
    (void)built.query.get_description();
    std::vector<std::string> warnings;
    (void)wiredesk::searcher::date_filter(text, warnings);
    return 0;
}
