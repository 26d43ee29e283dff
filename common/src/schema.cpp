#include "wiredesk/common/schema.hpp"

#include <charconv>
#include <cstdint>

#include <nlohmann/json.hpp>
#include <simdjson.h>

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
    return hex16(hash);
}

std::string hex16(std::uint64_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex(16, '0');
    for (auto digit = hex.rbegin(); digit != hex.rend(); ++digit, value >>= 4) {
        *digit = kDigits[value & 0xF];
    }
    return hex;
}

std::optional<std::uint64_t> parse_hex16(std::string_view text) {
    std::uint64_t value = 0;
    const char* const last = text.data() + text.size();
    const auto [end, error] = std::from_chars(text.data(), last, value, 16);
    if (text.size() != 16 || error != std::errc() || end != last) return std::nullopt;
    return value;
}

std::optional<double> document_time(const Xapian::Document& document) {
    const std::string value = document.get_value(kSlotTime);
    if (value.empty()) return std::nullopt;
    return Xapian::sortable_unserialise(value);
}

std::string document_id_term(const Xapian::Document& document) {
    const std::string id_prefix(prefix::kId);
    auto term = document.termlist_begin();
    term.skip_to(id_prefix);
    if (term != document.termlist_end() && (*term).starts_with(id_prefix)) return *term;
    return {};
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

namespace {

Article decode_article(std::string_view data, bool with_body) {
    // simdjson, not nlohmann: every search decodes its page's documents and their groups'
    // members, whole bodies of up to hundreds of kilobytes included, and nlohmann's
    // character-at-a-time lexer was a sixth of a search's time (bench/RESULTS.md).
    thread_local simdjson::ondemand::parser parser;
    const simdjson::padded_string padded(data);
    Article article;
    try {
        simdjson::ondemand::document document = parser.iterate(padded);
        for (simdjson::ondemand::field field : document.get_object()) {
            const std::string_view key = field.unescaped_key();
            const auto text = [&field] { return std::string(std::string_view(field.value())); };
            if (key == "id") {
                article.id = text();
            } else if (key == "title") {
                article.title = text();
            } else if (key == "body") {
                if (with_body) article.body = text();
            } else if (key == "source") {
                article.source = text();
            } else if (key == "url") {
                article.url = text();
            } else if (key == "lang") {
                article.language = text();
            } else if (key == "path") {
                article.path = text();
            } else if (key == "date") {
                article.date_text = text();
                article.date = parse_date(article.date_text);
            } else if (key == "line") {
                article.line = static_cast<std::size_t>(std::uint64_t(field.value()));
            }
        }
    } catch (const simdjson::simdjson_error& error) {
        throw Error(std::string("malformed document data in the database: ") + error.what());
    }
    return article;
}

}  // namespace

Article decode_article_data(std::string_view data) { return decode_article(data, true); }

Article decode_article_metadata(std::string_view data) { return decode_article(data, false); }

}  // namespace wiredesk::schema
