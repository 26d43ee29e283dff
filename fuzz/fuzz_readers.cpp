// libFuzzer target: every reader (text, HTML, JSON) over arbitrary bytes, also behind gzip.
// A reader may throw InputError (that is its way to reject a file); anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/indexer/input_file.hpp"
#include "wiredesk/indexer/reader.hpp"

namespace {

void read_with_every_reader(const std::string& content) {
    static const auto readers = wiredesk::indexer::make_default_readers();
    for (const char* name : {"a.txt", "a.html", "a.jsonl", "a.json", "noext"}) {
        const wiredesk::indexer::SourceText source{"fuzz", name, content};
        for (const auto& reader : readers) {
            (void)reader->confidence(source);
            try {
                reader->read(source, [](wiredesk::Article&&) {}, [](const wiredesk::InputError&) {});
            } catch (const wiredesk::InputError&) {
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string content(reinterpret_cast<const char*>(data), size);
    read_with_every_reader(content);
    if (wiredesk::indexer::is_gzip(content)) {
        try {
            read_with_every_reader(wiredesk::indexer::gunzip(content, "fuzz", 1 << 22));
        } catch (const wiredesk::InputError&) {
        }
    }
    return 0;
}
