/// @file document_builder.hpp
/// @brief Turning a resolved Article into a Xapian document laid out as schema.hpp says.
#pragma once

#include <string>

#include <xapian.h>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/common/article.hpp"
#include "wiredesk/indexer/grouping.hpp"

namespace wiredesk::indexer {

/// Builds documents; one per thread (it owns an Analyzer, which is not thread-safe).
class DocumentBuilder {
public:
    /// @p grouping_features: also add what grouping needs (add_grouping_features()).
    explicit DocumentBuilder(bool grouping_features = true) : m_grouping(grouping_features) {}

    /// The document for @p article, whose metadata resolve_metadata() has completed.
    /// Terms: exact folded words with positions (headline words also as S-terms, weighted
    /// schema::kTitleWeight), their stems as Z-terms, and the boolean filter terms; values:
    /// day, time, source, language; data: schema::encode_article_data(); and, unless disabled,
    /// the grouping features (copy anchors and fingerprint, story terms).
    Xapian::Document build(const Article& article);

    /// The analyzer the documents are built with (the same one queries must use).
    Analyzer& analyzer() noexcept { return m_analyzer; }

private:
    void index_text(Xapian::Document& document, std::string_view text, std::string_view prefix,
                    unsigned wdf_increment, std::string_view language, Xapian::termpos& position,
                    std::vector<GroupingToken>* collect = nullptr, bool title = false);

    Analyzer m_analyzer;
    bool m_grouping = true;
    std::vector<GroupingToken> m_tokens;  // reused between articles
    std::vector<std::string> m_stems;     // one word's stems, reused between words
};

}  // namespace wiredesk::indexer
