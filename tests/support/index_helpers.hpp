/// @file index_helpers.hpp
/// @brief Indexing fixtures for the tests: run the library on a tree, read back what was stored.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <xapian.h>

#include "wiredesk/common/article.hpp"
#include "wiredesk/indexer/indexer.hpp"

namespace wiredesk::test {

/// The outcome of one index_tree() run with every reported problem kept.
struct IndexRun {
    indexer::IndexSummary summary;
    std::vector<std::string> problems;  ///< `path[:line]: reason`, in report order
};

/// Runs the indexer library over @p inputs into @p database with @p options as the base.
IndexRun index_into(const std::string& database, const std::vector<std::string>& inputs,
                    indexer::IndexOptions options = {});

/// Every stored article by id.
std::map<std::string, Article> stored_articles(const std::string& database);

/// Article id -> (copy group, story group), over every stored article (of every shard).
std::map<std::string, std::pair<std::string, std::string>> article_groups(const std::string& database);

/// The first @p count lines (records) of the gzip-compressed JSON Lines file @p path.
std::string gzip_head_lines(const std::filesystem::path& path, std::size_t count);

/// One article of a generated feed (write_feeds).
struct FeedArticle {
    std::string id;
    std::string text;
    std::string date = "2026-01-24";
};

/// Writes the JSON Lines feeds @p root/feed-<1000 + file>.jsonl for each file in
/// [@p first, @p first + @p count), each of @p per_file articles made by @p make(file, article),
/// titled "Report <id>", from "Harbor Wire". The fixture of the crash, concurrency and disk
/// tests: many small files, so that many batches commit.
void write_feeds(const std::filesystem::path& root, int first, int count, int per_file,
                 const std::function<FeedArticle(int file, int article)>& make);

/// Whether the document of article @p id holds @p term.
bool article_has_term(const Xapian::Database& database, const std::string& id,
                      const std::string& term);

/// Checks (doctest CHECKs) that @p database opens and holds whole files only: each file with a
/// recorded state has exactly the articles that state counts, those are all the articles, and
/// no id appears twice. What a crash or a failed write must leave.
void check_holds_whole_files(const std::string& database);

}  // namespace wiredesk::test
