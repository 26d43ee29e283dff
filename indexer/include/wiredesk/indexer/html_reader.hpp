/// @file html_reader.hpp
/// @brief Reads one article from an HTML page, with gumbo (a real HTML5 parser).
#pragma once

#include <string_view>

#include "wiredesk/indexer/reader.hpp"

namespace wiredesk::indexer {

/// Reads a saved news page: one article per file.
///
/// Metadata comes from JSON-LD (NewsArticle and its kin, in a single object, an array or an
/// `@graph`), Open Graph and other `<meta>` tags, `<link rel=canonical>`, `<html lang>`,
/// `<h1>`, `<time>` and `<title>`. The body is the text of the longest `<article>` (else
/// `<main>`, `[role=main]`, `<body>`) without navigation, scripts, figure captions and the
/// share/newsletter/related/comments blocks; one paragraph per block element.
///
/// Pages that are not valid UTF-8 are converted from the charset their `<meta>` declares.
/// Throws InputError when they declare none (or it does not help), and when a page has
/// neither a title nor any body text.
class HtmlReader final : public Reader {
public:
    [[nodiscard]] std::string_view name() const noexcept override { return "html"; }

    /// 90 for `.html`/`.htm`/`.xhtml` names whose content looks like markup; 80 for other
    /// names whose content opens with `<!doctype html` or `<html`, or has `<html`, `<head` or
    /// `<body` in its first KB (unless it opens like JSON); 0 otherwise.
    [[nodiscard]] int confidence(const SourceText& source) const override;

    void read(const SourceText& source, const ArticleSink& articles,
              const ProblemSink& problems) const override;
};

}  // namespace wiredesk::indexer
