#include "wiredesk/indexer/reader.hpp"

#include "wiredesk/indexer/html_reader.hpp"
#include "wiredesk/indexer/json_reader.hpp"
#include "wiredesk/indexer/text_reader.hpp"

namespace wiredesk::indexer {

std::vector<std::unique_ptr<Reader>> make_default_readers() {
    std::vector<std::unique_ptr<Reader>> readers;
    // One line per format. Order breaks ties in confidence: most specific first.
    readers.push_back(std::make_unique<JsonReader>());
    readers.push_back(std::make_unique<HtmlReader>());
    readers.push_back(std::make_unique<TextReader>());
    return readers;
}

const Reader* choose_reader(const std::vector<std::unique_ptr<Reader>>& readers,
                            const SourceText& source) {
    const Reader* best = nullptr;
    int best_confidence = 0;
    for (const auto& reader : readers) {
        const int confidence = reader->confidence(source);
        if (confidence > best_confidence) {
            best = reader.get();
            best_confidence = confidence;
        }
    }
    return best;
}

}  // namespace wiredesk::indexer
