#include "wiredesk/common/schema.hpp"

#include <cstdint>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/text.hpp"

namespace wiredesk::schema {
namespace {

/// Room left in a 245-byte Xapian term after the longest prefix.
constexpr std::size_t kMaxIdBytes = 200;

}  // namespace

std::string stable_hash_hex(std::string_view text) {
    std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64 offset basis
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;  // FNV-1a 64 prime
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return hex;
}

std::string source_term(std::string_view source_name) {
    // One analyzer per thread: source terms are built on the indexer's workers and the
    // searcher's request threads alike.
    thread_local Analyzer analyzer;
    return std::string(prefix::kSource) + analyzer.fold(collapse_whitespace(source_name));
}

std::string id_term(std::string_view article_id) {
    if (article_id.size() <= kMaxIdBytes) return std::string(prefix::kId) + std::string(article_id);
    // Too long for a term (Xapian allows 245 bytes): keep a readable head and make it unique
    // with a hash of the whole id.
    return std::string(prefix::kId) + std::string(article_id.substr(0, kMaxIdBytes - 17)) + "#" +
           stable_hash_hex(article_id);
}

std::string file_term(std::string_view path) {
    return std::string(prefix::kFile) + stable_hash_hex(path);
}

std::string copy_group_term(std::string_view group_id) {
    return std::string(prefix::kCopyGroup) + std::string(group_id);
}

std::string story_group_term(std::string_view group_id) {
    return std::string(prefix::kStoryGroup) + std::string(group_id);
}

std::string group_key(std::string_view level, std::string_view group_id) {
    return std::string(kGroupKeyPrefix) + std::string(level) + ":" + std::string(group_id);
}

std::string file_state_key(std::string_view path) {
    return std::string(kFileStateKeyPrefix) + stable_hash_hex(path);
}

std::string encode_article_data(const Article& article) {
    nlohmann::json data = {
        {"id", article.id},         {"title", article.title}, {"body", article.body},
        {"source", article.source}, {"url", article.url},     {"lang", article.language},
        {"path", article.path},
    };
    if (article.date) data["date"] = format_iso8601(*article.date);
    if (article.line) data["line"] = *article.line;
    // Input text is validated UTF-8; "replace" only guards against a reader bug.
    return data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Article decode_article_data(std::string_view data) {
    const auto json = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) throw Error("malformed document data in the database");
    Article article;
    article.id = json.value("id", "");
    article.title = json.value("title", "");
    article.body = json.value("body", "");
    article.source = json.value("source", "");
    article.url = json.value("url", "");
    article.language = json.value("lang", "");
    article.path = json.value("path", "");
    if (json.contains("date")) {
        article.date_text = json.value("date", "");
        article.date = parse_date(article.date_text);
    }
    if (json.contains("line")) article.line = json.value("line", std::size_t{0});
    return article;
}

}  // namespace wiredesk::schema
