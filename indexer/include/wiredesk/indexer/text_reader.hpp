/// @file text_reader.hpp
/// @brief Plain-text articles: optional metadata, optional headline, body paragraphs.
#pragma once

#include "wiredesk/indexer/reader.hpp"

namespace wiredesk::indexer {

/// Reads one article per file. Recognised layout, every part optional:
///
///     date 2026-01-25 ETV Bharat / international     <- metadata line: date, source / section
///     Title: ...   Date: ...   Source: ...   URL: ...  <- or mail-style header lines
///
///     Headline on one short line                        <- no final full stop, < 200 chars
///
///     Body paragraph, one per line or blocks separated by blank lines.
///
/// The headline is taken only when more text follows it; a file that is one paragraph is all
/// body. Invalid UTF-8 spoils the file (InputError with the line), as does a file with no text.
class TextReader final : public Reader {
public:
    [[nodiscard]] std::string_view name() const noexcept override { return "text"; }
    [[nodiscard]] int confidence(const SourceText& source) const override;
    void read(const SourceText& source, const ArticleSink& articles,
              const ProblemSink& problems) const override;
};

}  // namespace wiredesk::indexer
