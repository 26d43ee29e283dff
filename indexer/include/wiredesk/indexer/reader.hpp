/// @file reader.hpp
/// @brief The interface every input format implements, and the registry that picks one.
///
/// A new format is one new Reader subclass and one line in make_default_readers().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wiredesk/common/article.hpp"
#include "wiredesk/common/errors.hpp"

namespace wiredesk::indexer {

/// Receives each article a reader extracts, in input order.
using ArticleSink = std::function<void(Article&&)>;
/// Receives each problem with one record (`path:line: reason`) that did not stop the file.
using ProblemSink = std::function<void(const InputError&)>;

/// A file's decompressed content and what is known of its name.
struct SourceText {
    std::string path;          ///< path as given to the user (for messages and ids)
    std::string name;          ///< file name with any `.gz` removed, lower-cased: "a.jsonl"
    std::string_view content;  ///< decompressed bytes
};

class Reader {
public:
    virtual ~Reader() = default;

    /// Short name for messages and `--format`: "text", "html", "json".
    [[nodiscard]] virtual std::string_view name() const noexcept = 0;

    /// How sure this reader is that it can read @p source: 0 (not its format) to 100. Looks at
    /// the content as well as the extension, so a mis-named file still finds its reader.
    [[nodiscard]] virtual int confidence(const SourceText& source) const = 0;

    /// Extracts every article of @p source. Problems with single records go to @p problems and
    /// the rest of the file is read; a problem that spoils the whole file throws InputError.
    virtual void read(const SourceText& source, const ArticleSink& articles,
                      const ProblemSink& problems) const = 0;
};

/// The readers of the built-in formats, most specific first.
std::vector<std::unique_ptr<Reader>> make_default_readers();

/// The reader with the highest confidence for @p source, or nullptr if none claims it.
const Reader* choose_reader(const std::vector<std::unique_ptr<Reader>>& readers,
                            const SourceText& source);

}  // namespace wiredesk::indexer
