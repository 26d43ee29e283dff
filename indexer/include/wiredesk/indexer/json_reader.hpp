/// @file json_reader.hpp
/// @brief Reads articles from JSON Lines, JSON arrays and single JSON objects.
#pragma once

#include <string_view>

#include "wiredesk/indexer/reader.hpp"

namespace wiredesk::indexer {

/// Reads JSON in the shapes news dumps come in:
///   - JSON Lines (`.jsonl`, `.ndjson`, or any file whose first line is a whole JSON value):
///     one object per line; a malformed line is a problem for that line and the rest is read;
///     each article gets its 1-based `line`.
///   - a JSON array of objects, a single object, or an object that wraps the array under
///     `articles`, `items`, `data` or `results`: parsed whole, so a malformed document throws.
///     Each article gets the line where its element begins (the indexer's id disambiguator).
///
/// Field names are matched case-insensitively and the first present, non-null, non-empty one
/// wins: title (`title`, `headline`, `name` when there is a text field), body (`text`, `body`,
/// `content`, `article`, `articleBody`, then `description`, `summary`), date, source, url, id,
/// language; see json_reader.cpp for the full lists.
class JsonReader final : public Reader {
public:
    [[nodiscard]] std::string_view name() const noexcept override { return "json"; }

    /// 90 for `.json`/`.jsonl`/`.ndjson` names that open with `{` or `[`; 70 for other names
    /// whose content opens like JSON (the first line parses, or the bracket is followed by
    /// what starts a member or an element); 0 otherwise.
    [[nodiscard]] int confidence(const SourceText& source) const override;

    void read(const SourceText& source, const ArticleSink& articles,
              const ProblemSink& problems) const override;
};

}  // namespace wiredesk::indexer
