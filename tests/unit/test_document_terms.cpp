// read_document_terms(): what the writer's side reads of a built document, read once by the
// worker, must be what Xapian itself finds in the document once it is written.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xapian.h>

#include "wiredesk/common/article.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/indexer/document_builder.hpp"
#include "wiredesk/indexer/document_terms.hpp"

using namespace wiredesk;
using indexer::DocumentTerms;
using indexer::read_document_terms;

namespace {

using TermsWithWdf = std::vector<std::pair<std::string, Xapian::termcount>>;

Article wire_report() {
    Article article;
    article.id = "afp-2026-0124";
    article.title = "Peace talks open in Abu Dhabi";
    article.body =
        "ABU DHABI, Jan 24 (AFP) - Negotiators from both sides met in Abu Dhabi on Saturday for "
        "the first direct talks in 2026, officials said.\n"
        "The delegations discussed a ceasefire, the exchange of 150 prisoners and the return of "
        "displaced families, according to a statement released after the meeting.\n"
        "A second round is expected next week, the statement added.";
    article.source = "AFP";
    article.language = "en";
    article.date = 1769212800;  // 2026-01-24
    article.path = "wire/afp.jsonl";
    return article;
}

TermsWithWdf unpacked(const indexer::PackedTerms& terms) {
    TermsWithWdf out;
    terms.for_each(
        [&](std::string_view name, Xapian::termcount wdf) { out.emplace_back(name, wdf); });
    return out;
}

/// The written document's terms with @p prefix (and a wdf), as the database lists them.
TermsWithWdf written_terms(const Xapian::Database& database, Xapian::docid docid,
                           const std::string& prefix) {
    TermsWithWdf terms;
    for (auto term = database.termlist_begin(docid); term != database.termlist_end(docid); ++term) {
        const std::string name = *term;
        const Xapian::termcount wdf = term.get_wdf();
        if (name.starts_with(prefix) && wdf != 0) terms.emplace_back(name, wdf);
    }
    return terms;
}

}  // namespace

TEST_CASE("a built document's terms as read by its worker are those Xapian writes") {
    indexer::DocumentBuilder builder(true);
    const Article article = wire_report();
    const Xapian::Document document = builder.build(article);
    const DocumentTerms terms = read_document_terms(document);

    Xapian::WritableDatabase database(std::string(), Xapian::DB_BACKEND_INMEMORY);
    const Xapian::docid docid = database.add_document(document);

    CHECK(terms.id_term == schema::id_term(article.id));
    CHECK(terms.length == database.get_doclength(docid));
    const std::string stem_prefix(schema::prefix::kStemmed);
    CHECK(unpacked(terms.stems) == written_terms(database, docid, stem_prefix));
    CHECK_FALSE(terms.stems.empty());

    std::vector<std::uint64_t> anchors;
    const std::string anchor_prefix(schema::prefix::kCopyAnchor);
    for (auto term = database.termlist_begin(docid); term != database.termlist_end(docid); ++term) {
        const std::string name = *term;
        if (!name.starts_with(anchor_prefix)) continue;
        const auto anchor =
            schema::parse_hex16(std::string_view(name).substr(anchor_prefix.size()));
        REQUIRE(anchor.has_value());
        anchors.push_back(*anchor);
    }
    CHECK(terms.anchors == anchors);
    CHECK_FALSE(terms.anchors.empty());
}

TEST_CASE("a document's spelling words are its exact words, without numbers or prefixed terms") {
    indexer::DocumentBuilder builder(true);
    const Xapian::Document document = builder.build(wire_report());
    const DocumentTerms terms = read_document_terms(document);

    TermsWithWdf expected;
    Xapian::WritableDatabase database(std::string(), Xapian::DB_BACKEND_INMEMORY);
    const Xapian::docid docid = database.add_document(document);
    bool saw_number = false;
    for (auto term = database.termlist_begin(docid); term != database.termlist_end(docid); ++term) {
        const std::string name = *term;
        if (name[0] >= '0' && name[0] <= '9') {
            saw_number = true;
        } else if (name[0] < 'A' || name[0] > 'Z') {
            expected.emplace_back(name, term.get_wdf());
        }
    }
    CHECK(saw_number);  // "2026", "150", "24": in the document, not among the words
    const TermsWithWdf words = unpacked(terms.words);
    CHECK(words == expected);
    CHECK(std::find(words.begin(), words.end(),
                    std::pair<std::string, Xapian::termcount>("negotiators", 1)) != words.end());
}

TEST_CASE("without grouping a document's terms keep its id, length and words only") {
    indexer::DocumentBuilder builder(true);
    const Article article = wire_report();
    const Xapian::Document document = builder.build(article);
    const DocumentTerms full = read_document_terms(document);
    const DocumentTerms plain = read_document_terms(document, false);
    CHECK(plain.id_term == full.id_term);
    CHECK(plain.length == full.length);
    CHECK(unpacked(plain.words) == unpacked(full.words));
    CHECK(plain.stems.empty());
    CHECK(plain.anchors.empty());
}
