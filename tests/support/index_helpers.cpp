#include "index_helpers.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "wiredesk/common/schema.hpp"

namespace wiredesk::test {

IndexRun index_into(const std::string& database, const std::vector<std::string>& inputs,
                    indexer::IndexOptions options) {
    IndexRun run;
    options.database = database;
    options.inputs.assign(inputs.begin(), inputs.end());
    indexer::IndexEvents events;
    events.on_problem = [&run](const InputError& problem) { run.problems.push_back(problem.what()); };
    run.summary = indexer::index_tree(options, events);
    return run;
}

std::map<std::string, std::pair<std::string, std::string>> article_groups(const std::string& path) {
    Xapian::Database database(path);
    std::map<std::string, std::pair<std::string, std::string>> groups;
    for (auto posting = database.postlist_begin(""); posting != database.postlist_end("");
         ++posting) {
        const Xapian::Document document = database.get_document(*posting);
        groups[schema::decode_article_data(document.get_data()).id] = {
            document.get_value(schema::kSlotCopyGroup), document.get_value(schema::kSlotStoryGroup)};
    }
    return groups;
}

void write_feeds(const std::filesystem::path& root, int first, int count, int per_file,
                 const std::function<FeedArticle(int file, int article)>& make) {
    for (int file = first; file < first + count; ++file) {
        std::string lines;
        for (int article = 0; article < per_file; ++article) {
            const FeedArticle made = make(file, article);
            lines += nlohmann::json{{"id", made.id},
                                    {"title", "Report " + made.id},
                                    {"text", made.text},
                                    {"date", made.date},
                                    {"source", "Harbor Wire"}}
                         .dump() +
                     "\n";
        }
        write_file(root / ("feed-" + std::to_string(1000 + file) + ".jsonl"), lines);
    }
}

std::string gzip_head_lines(const std::filesystem::path& path, std::size_t count) {
    gzFile file = gzopen(path.c_str(), "rb");
    REQUIRE_MESSAGE(file != nullptr, path.string());
    std::string out;
    std::string line;
    char buffer[1 << 16];
    std::size_t taken = 0;
    // gzgets stops at a newline or a full buffer: a long record comes in several pieces.
    while (taken < count && gzgets(file, buffer, sizeof buffer) != nullptr) {
        line += buffer;
        if (!line.empty() && line.back() == '\n') {
            out += line;
            line.clear();
            ++taken;
        }
    }
    gzclose(file);
    return out;
}

std::map<std::string, Article> stored_articles(const std::string& path) {
    Xapian::Database database(path);
    std::map<std::string, Article> articles;
    for (auto posting = database.postlist_begin(""); posting != database.postlist_end("");
         ++posting) {
        Article article = schema::decode_article_data(database.get_document(*posting).get_data());
        articles.emplace(article.id, std::move(article));
    }
    return articles;
}

bool article_has_term(const Xapian::Database& database, const std::string& id,
                      const std::string& term) {
    const std::string id_term = schema::id_term(id);
    auto posting = database.postlist_begin(id_term);
    if (posting == database.postlist_end(id_term)) return false;
    auto terms = database.termlist_begin(*posting);
    terms.skip_to(term);
    return terms != database.termlist_end(*posting) && *terms == term;
}

void check_holds_whole_files(const std::string& path) {
    Xapian::Database database(path);
    std::size_t recorded = 0;
    const std::string prefix(schema::kFileStateKeyPrefix);
    for (auto key = database.metadata_keys_begin(prefix); key != database.metadata_keys_end(prefix);
         ++key) {
        const auto state = nlohmann::json::parse(database.get_metadata(*key));
        const std::string file = state["path"];
        CHECK(database.get_termfreq(schema::file_term(file)) == state["articles"]);
        recorded += state["articles"].get<std::size_t>();
    }
    CHECK(database.get_doccount() == recorded);
    const std::string id_prefix(schema::prefix::kId);
    for (auto term = database.allterms_begin(id_prefix); term != database.allterms_end(id_prefix);
         ++term) {
        CHECK(term.get_termfreq() == 1);
    }
}

}  // namespace wiredesk::test
