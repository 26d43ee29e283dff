#include "wiredesk/indexer/document_builder.hpp"

#include "wiredesk/common/schema.hpp"
#include "wiredesk/indexer/metadata.hpp"

namespace wiredesk::indexer {
namespace {

/// Positions between the headline and the body, so that a phrase never matches across them.
constexpr Xapian::termpos kFieldGap = 100;

}  // namespace

void DocumentBuilder::index_text(Xapian::Document& document, std::string_view text,
                                 std::string_view prefix, unsigned wdf_increment,
                                 std::string_view language, Xapian::termpos& position,
                                 std::vector<GroupingToken>* collect, bool title) {
    const std::string exact_prefix(prefix);
    const std::string stem_prefix = std::string(schema::prefix::kStemmed) + exact_prefix;
    const auto next = m_analyzer.tokenize(
        text,
        [&](const Token& token) {
            document.add_posting(exact_prefix + token.exact,
                                 static_cast<Xapian::termpos>(token.position), wdf_increment);
            m_analyzer.stems(token, language, m_stems);
            for (const std::string& stem : m_stems) {
                document.add_term(stem_prefix + stem, wdf_increment);
            }
            if (collect != nullptr) {
                collect->push_back({token.exact, m_stems.empty() ? token.exact : m_stems.front(),
                                    token.begin, token.end, title});
            }
        },
        position);
    position = static_cast<Xapian::termpos>(next);
}

Xapian::Document DocumentBuilder::build(const Article& article) {
    namespace prefix = schema::prefix;
    Xapian::Document document;
    const std::string& language = article.language;

    Xapian::termpos position = 1;
    std::vector<GroupingToken>* collect = m_grouping ? &m_tokens : nullptr;
    m_tokens.clear();
    if (!article.title.empty()) {
        // The headline once as S-terms (for title:) and once unprefixed with a heavier wdf, so
        // that a plain query ranks a headline match above a body match.
        Xapian::termpos title_position = 1;
        index_text(document, article.title, prefix::kTitle, 1, language, title_position, collect,
                   true);
        index_text(document, article.title, "", schema::kTitleWeight, language, position);
        position += kFieldGap;
    }
    index_text(document, article.body, "", 1, language, position, collect, false);

    document.add_boolean_term(schema::id_term(article.id));
    document.add_boolean_term(schema::file_term(article.path));
    document.add_boolean_term(std::string(prefix::kLanguage) + language);
    document.add_value(schema::kSlotLanguage, language);
    if (!article.source.empty()) {
        document.add_boolean_term(schema::source_term(article.source));
        document.add_value(schema::kSlotSource, article.source);
    }
    if (const std::string host = url_host(article.url); !host.empty()) {
        document.add_boolean_term(std::string(prefix::kHost) + host);
    }
    if (article.date) {
        const std::string day = format_yyyymmdd(*article.date);
        document.add_boolean_term(std::string(prefix::kDay) + day);
        document.add_boolean_term(std::string(prefix::kMonth) + day.substr(0, 6));
        document.add_boolean_term(std::string(prefix::kYear) + day.substr(0, 4));
        document.add_value(schema::kSlotDay, day);
        document.add_value(schema::kSlotTime,
                           Xapian::sortable_serialise(static_cast<double>(*article.date)));
    } else {
        document.add_boolean_term(std::string(prefix::kUndated));
    }
    if (m_grouping) add_grouping_features(document, article, m_tokens);
    document.set_data(schema::encode_article_data(article));
    return document;
}

}  // namespace wiredesk::indexer
