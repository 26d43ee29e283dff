#include "wiredesk/indexer/document_terms.hpp"

#include "wiredesk/common/schema.hpp"

namespace wiredesk::indexer {

DocumentTerms read_document_terms(const Xapian::Document& document, bool for_grouping) {
    namespace prefix = schema::prefix;
    DocumentTerms terms;
    for (auto term = document.termlist_begin(); term != document.termlist_end(); ++term) {
        std::string name = *term;
        const Xapian::termcount wdf = term.get_wdf();
        terms.length += wdf;
        const unsigned char first = static_cast<unsigned char>(name[0]);
        if (first >= '0' && first <= '9') continue;  // a number: never "did you mean"
        if (first < 'A' || first > 'Z') {
            terms.words.add(name, wdf);  // unprefixed: an exact word
        } else if (name.starts_with(prefix::kId)) {
            if (terms.id_term.empty()) terms.id_term = std::move(name);
        } else if (!for_grouping) {
            continue;
        } else if (schema::is_stem_term(name)) {
            if (wdf != 0) terms.stems.add(name, wdf);
        } else if (name.starts_with(prefix::kCopyAnchor)) {
            // Written as hex16 (add_grouping_features).
            const std::string_view hex = std::string_view(name).substr(prefix::kCopyAnchor.size());
            if (const auto anchor = schema::parse_hex16(hex)) terms.anchors.push_back(*anchor);
        }
    }
    return terms;
}

}  // namespace wiredesk::indexer
