/// @file document_builder.hpp
/// @brief Turning a resolved Article into a Xapian document laid out as schema.hpp says.
#pragma once

#include <string>

#include <xapian.h>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/common/article.hpp"

namespace wiredesk::indexer {

/// Builds documents; one per thread (it owns an Analyzer, which is not thread-safe).
class DocumentBuilder {
public:
    /// The document for @p article, whose metadata resolve_metadata() has completed.
    /// Terms: exact folded words with positions (headline words also as S-terms, weighted
    /// schema::kTitleWeight), their stems as Z-terms, and the boolean filter terms; values:
    /// day, time, source, language; data: schema::encode_article_data().
    Xapian::Document build(const Article& article);

    /// The analyzer the documents are built with (the same one queries must use).
    Analyzer& analyzer() noexcept { return m_analyzer; }

private:
    void index_text(Xapian::Document& document, std::string_view text, std::string_view prefix,
                    unsigned wdf_increment, std::string_view language, Xapian::termpos& position);

    Analyzer m_analyzer;
};

}  // namespace wiredesk::indexer
