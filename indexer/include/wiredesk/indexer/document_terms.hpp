/// @file document_terms.hpp
/// @brief What the writer's side reads of a built document's terms, read once by the worker
/// that built it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xapian.h>

namespace wiredesk::indexer {

/// Terms with their wdf, in the order added, packed in one buffer: a document's hundreds of
/// terms as strings of their own took about 35 kB while it waited for the writer, two and a
/// half times this.
class PackedTerms {
public:
    void add(std::string_view name, Xapian::termcount wdf) {
        m_names.append(name);
        m_ends.emplace_back(static_cast<std::uint32_t>(m_names.size()), wdf);
    }
    /// Calls @p visit(name, wdf) for each term, in the order added.
    template <typename Visit>
    void for_each(Visit&& visit) const {
        std::uint32_t begin = 0;
        for (const auto& [end, wdf] : m_ends) {
            visit(std::string_view(m_names).substr(begin, end - begin), wdf);
            begin = end;
        }
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_ends.size(); }
    [[nodiscard]] bool empty() const noexcept { return m_ends.empty(); }

private:
    std::string m_names;
    std::vector<std::pair<std::uint32_t, Xapian::termcount>> m_ends;  ///< end in m_names, wdf
};

/// The terms of a document built for writing, as the writer's thread needs them: the grouper
/// its id, length, stems and copy anchors; the batch its "did you mean" words.
///
/// Read by the worker that built the document, in one pass. Xapian lists an unsaved
/// document's terms from its in-memory map, and that list's skip_to() steps term by term:
/// each of these lookups, made on the writer's thread, walked most of the document's terms
/// again (the stems and the length all of them), on the thread that bounds the run.
struct DocumentTerms {
    std::string id_term;           ///< its Q term; empty if it has none
    Xapian::termcount length = 0;  ///< the sum of its terms' wdf: its length as Xapian counts it
    PackedTerms stems;             ///< its stems (Z terms) with a wdf, in term order
    std::vector<std::uint64_t> anchors;  ///< its copy anchors (XCA terms), in term order
    /// Its exact words (unprefixed, not numbers), in term order: what a user types, so what
    /// feeds "did you mean".
    PackedTerms words;
};

/// Reads @p document's terms (one walk over them); its stems and anchors only @p for_grouping
/// (kept until the document is written, they would only take memory otherwise).
[[nodiscard]] DocumentTerms read_document_terms(const Xapian::Document& document,
                                                bool for_grouping = true);

}  // namespace wiredesk::indexer
