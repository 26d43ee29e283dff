#include "wiredesk/indexer/json_reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "wiredesk/common/text.hpp"

namespace wiredesk::indexer {
namespace {

using Json = nlohmann::json;
using OptionalLine = std::optional<std::size_t>;

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view no_fields_reason =
    "no title or text field (looked for title/headline, text/body/content)";

// ---------------------------------------------------------------------------------------------
// Bytes and lines

std::string_view without_bom(std::string_view content) {
    if (content.starts_with(utf8_bom)) content.remove_prefix(utf8_bom.size());
    return content;
}

// RFC 8259 white space: the only bytes JSON allows around values.
bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view skip_json_space(std::string_view text) {
    const auto first = std::find_if_not(text.begin(), text.end(), is_json_space);
    text.remove_prefix(static_cast<std::size_t>(first - text.begin()));
    return text;
}

bool is_blank(std::string_view text) { return skip_json_space(text).empty(); }

std::string_view first_line(std::string_view text) {
    return text.substr(0, text.find('\n'));
}

bool has_json_name(std::string_view name) {
    return name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".ndjson");
}

bool has_json_lines_name(std::string_view name) {
    return name.ends_with(".jsonl") || name.ends_with(".ndjson");
}

bool parses_as_json(std::string_view text) { return Json::accept(text.begin(), text.end()); }

/// Turns increasing byte offsets into 1-based line numbers, counting each newline only once
/// however many offsets are asked about.
class LineCounter {
public:
    explicit LineCounter(std::string_view text) : m_text(text) {}

    std::size_t line_at(std::size_t offset) {
        offset = std::min(offset, m_text.size());
        if (offset < m_offset) {  // not expected, but stay correct: count again from the start
            m_offset = 0;
            m_line = 1;
        }
        const auto* begin = m_text.data();
        m_line += static_cast<std::size_t>(std::count(begin + m_offset, begin + offset, '\n'));
        m_offset = offset;
        return m_line;
    }

private:
    std::string_view m_text;
    std::size_t m_offset = 0;
    std::size_t m_line = 1;
};

/// 1-based column of @p offset in @p text (in bytes).
std::size_t column_at(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    const auto newline = text.substr(0, offset).rfind('\n');
    return newline == std::string_view::npos ? offset + 1 : offset - newline;
}

/// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1,
/// column 7: " prefix: we give the position ourselves, relative to the whole file.
std::string short_parse_message(const Json::parse_error& error) {
    const std::string_view message = error.what();
    const auto parse_error = message.find("parse error");
    const auto colon =
        parse_error == std::string_view::npos ? parse_error : message.find(": ", parse_error);
    if (colon == std::string_view::npos) return std::string(message);
    return std::string(message.substr(colon + 2));
}

/// Offset of the byte nlohmann stopped at (its `byte` is a 1-based count of bytes read).
std::size_t error_offset(const Json::parse_error& error) {
    return error.byte == 0 ? 0 : error.byte - 1;
}

const char* json_type_name(const Json& value) {
    switch (value.type()) {
        case Json::value_t::object: return "an object";
        case Json::value_t::array: return "an array";
        case Json::value_t::string: return "a string";
        case Json::value_t::boolean: return "a boolean";
        case Json::value_t::null: return "null";
        default: return "a number";
    }
}

// ---------------------------------------------------------------------------------------------
// Fields

enum class Field { title, title_if_text, body, date, source, url, id, language };

struct FieldKey {
    std::string_view key;  ///< lower-case; input keys are compared case-insensitively
    Field field;
};

// Within each field, in order of preference: the first key present with a usable value wins.
constexpr std::array field_keys{
    FieldKey{"title", Field::title},          FieldKey{"headline", Field::title},
    FieldKey{"name", Field::title_if_text},   FieldKey{"text", Field::body},
    FieldKey{"body", Field::body},            FieldKey{"content", Field::body},
    FieldKey{"article", Field::body},         FieldKey{"articlebody", Field::body},
    FieldKey{"description", Field::body},     FieldKey{"summary", Field::body},
    FieldKey{"date", Field::date},            FieldKey{"published", Field::date},
    FieldKey{"publishedat", Field::date},     FieldKey{"published_at", Field::date},
    FieldKey{"pubdate", Field::date},         FieldKey{"datepublished", Field::date},
    FieldKey{"publish_date", Field::date},    FieldKey{"timestamp", Field::date},
    FieldKey{"created_at", Field::date},      FieldKey{"source", Field::source},
    FieldKey{"site", Field::source},          FieldKey{"outlet", Field::source},
    FieldKey{"publisher", Field::source},     FieldKey{"source_name", Field::source},
    FieldKey{"sitename", Field::source},      FieldKey{"url", Field::url},
    FieldKey{"link", Field::url},             FieldKey{"canonical_url", Field::url},
    FieldKey{"href", Field::url},             FieldKey{"id", Field::id},
    FieldKey{"uid", Field::id},               FieldKey{"guid", Field::id},
    FieldKey{"_id", Field::id},               FieldKey{"article_id", Field::id},
    FieldKey{"language", Field::language},    FieldKey{"lang", Field::language},
    FieldKey{"locale", Field::language},
};

constexpr std::array<std::string_view, 4> wrapper_keys{"articles", "items", "data", "results"};

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
    if (text.size() != lower.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

const Json* find_ignoring_case(const Json& object, std::string_view lower_key) {
    for (const auto& [key, value] : object.items()) {
        if (equals_ignoring_case(key, lower_key)) return &value;
    }
    return nullptr;
}

/// The values of an object's known keys, by their index in field_keys (nullptr: absent/null).
using FoundKeys = std::array<const Json*, field_keys.size()>;

FoundKeys find_known_keys(const Json& object) {
    FoundKeys found{};
    // Null values are found too (has_article_key() counts them); first_usable() skips them.
    for (const auto& [key, value] : object.items()) {
        for (std::size_t i = 0; i < field_keys.size(); ++i) {
            // The first spelling wins when an object has both "Title" and "title".
            if (found[i] == nullptr && equals_ignoring_case(key, field_keys[i].key)) {
                found[i] = &value;
                break;
            }
        }
    }
    return found;
}

std::string trimmed_string(const Json& value) {
    if (!value.is_string()) return {};
    return std::string(trim(value.get_ref<const std::string&>()));
}

/// Appends the non-empty paragraphs of @p text (one per line), each with its white space
/// collapsed, to @p body, separated by "\n".
void append_paragraphs(std::string_view text, std::string& body) {
    while (true) {
        const auto newline = text.find('\n');
        std::string paragraph = collapse_whitespace(text.substr(0, newline));
        if (!paragraph.empty()) {
            if (!body.empty()) body += '\n';
            body += paragraph;
        }
        if (newline == std::string_view::npos) return;
        text.remove_prefix(newline + 1);
    }
}

std::string body_text(const Json& value) {
    std::string body;
    if (value.is_string()) {
        append_paragraphs(value.get_ref<const std::string&>(), body);
    } else if (value.is_array()) {  // a list of paragraphs
        for (const auto& paragraph : value) {
            if (!paragraph.is_string()) continue;
            append_paragraphs(paragraph.get_ref<const std::string&>(), body);
        }
    }
    return body;
}

std::string title_text(const Json& value) {
    return value.is_string() ? collapse_whitespace(value.get_ref<const std::string&>())
                             : std::string();
}

std::string source_text(const Json& value) {
    if (value.is_object()) {  // {"name": "Reuters", "id": "reuters"}
        for (const std::string_view key : {"name", "title"}) {
            const Json* name = find_ignoring_case(value, key);
            if (name != nullptr && name->is_string()) return trimmed_string(*name);
        }
        return {};
    }
    return trimmed_string(value);
}

std::string id_text(const Json& value) {
    if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
    if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
    if (value.is_number_float()) {
        const double number = value.get<double>();
        // 1.0 is id "1"; a fractional id keeps nlohmann's shortest round-trip form.
        if (std::trunc(number) == number && std::fabs(number) < 9.0e15) {
            return std::to_string(static_cast<std::int64_t>(number));
        }
        return value.dump();
    }
    return trimmed_string(value);
}

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/// "en", "en-GB", "en_US", "EN" → "en"; anything else (a three-letter code, "english") → "".
std::string language_code(std::string_view text) {
    text = trim(text);
    if (text.size() < 2 || !is_ascii_letter(text[0]) || !is_ascii_letter(text[1])) return {};
    if (text.size() > 2 && text[2] != '-' && text[2] != '_') return {};
    return ascii_lower(text.substr(0, 2));
}

std::string language_text(const Json& value) {
    return value.is_string() ? language_code(value.get_ref<const std::string&>()) : std::string();
}

std::string field_text(Field field, const Json& value) {
    switch (field) {
        case Field::title:
        case Field::title_if_text: return title_text(value);
        case Field::body: return body_text(value);
        case Field::source: return source_text(value);
        // Dates only as written: a numeric timestamp (epoch seconds or milliseconds?) is what
        // parse_date rejects as ambiguous, so it is left out like a missing date.
        case Field::date:
        case Field::url: return trimmed_string(value);
        case Field::id: return id_text(value);
        case Field::language: return language_text(value);
    }
    return {};
}

/// The first non-empty value among the keys of @p field, in order of preference.
std::string first_usable(const FoundKeys& found, Field field) {
    for (std::size_t i = 0; i < field_keys.size(); ++i) {
        if (field_keys[i].field != field || found[i] == nullptr) continue;
        std::string text = field_text(field, *found[i]);
        if (!text.empty()) return text;
    }
    return {};
}

/// Whether the record names a title or body field at all, even as null: then it is an article
/// record (archives hold such husks: a dead link, a flash never written), indexed with its
/// metadata, and not some other kind of record (a pair list, a config).
bool has_article_key(const FoundKeys& found) {
    for (std::size_t i = 0; i < field_keys.size(); ++i) {
        const Field field = field_keys[i].field;
        if (found[i] != nullptr && (field == Field::title || field == Field::body)) return true;
    }
    return false;
}

/// The article in @p object, or std::nullopt if it has no title or body field at all.
std::optional<Article> article_from_object(const Json& object) {
    const FoundKeys found = find_known_keys(object);
    Article article;
    article.body = first_usable(found, Field::body);
    article.title = first_usable(found, Field::title);
    // "name" is a headline only next to a text: alone it names a person, a source, a tag...
    if (article.title.empty() && !article.body.empty()) {
        article.title = first_usable(found, Field::title_if_text);
    }
    if (article.title.empty() && article.body.empty() && !has_article_key(found)) {
        return std::nullopt;
    }
    article.date_text = first_usable(found, Field::date);
    article.source = first_usable(found, Field::source);
    article.url = first_usable(found, Field::url);
    article.id = first_usable(found, Field::id);
    article.language = first_usable(found, Field::language);
    return article;
}

/// The array an object wraps its articles in ({"articles": [...]}), or nullptr.
const Json* wrapped_array(const Json& object, std::string* key_found = nullptr) {
    for (const std::string_view wrapper : wrapper_keys) {
        for (const auto& [key, value] : object.items()) {
            if (value.is_array() && equals_ignoring_case(key, wrapper)) {
                if (key_found != nullptr) *key_found = key;
                return &value;
            }
        }
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Where array elements begin

/// Walks the bytes of a document that nlohmann has already accepted (so it is well-formed),
/// knowing only strings and brackets: enough to find where values begin, which nlohmann does
/// not say. (A parse callback fed by a position-publishing iterator could, but makes the parse
/// 2.5 times slower; this pass costs a tenth of the parse.)
class JsonSkimmer {
public:
    explicit JsonSkimmer(std::string_view text) : m_text(text) {}

    /// Offset of the document's value (after a BOM and white space).
    [[nodiscard]] std::size_t root() const {
        return skip_space(m_text.starts_with(utf8_bom) ? utf8_bom.size() : 0);
    }

    /// Offset of each element of the array whose `[` is at @p array_at.
    [[nodiscard]] std::vector<std::size_t> element_offsets(std::size_t array_at) const {
        std::vector<std::size_t> offsets;
        std::size_t at = skip_space(array_at + 1);
        while (at < m_text.size() && m_text[at] != ']') {
            offsets.push_back(at);
            at = skip_space(skip_value(at));
            if (at < m_text.size() && m_text[at] == ',') at = skip_space(at + 1);
        }
        return offsets;
    }

    /// Offset of the value of @p key in the object whose `{` is at @p object_at, or nullopt
    /// (also when the key is written with escapes: it is compared as written).
    [[nodiscard]] std::optional<std::size_t> member_offset(std::size_t object_at,
                                                           std::string_view key) const {
        std::size_t at = skip_space(object_at + 1);
        while (at < m_text.size() && m_text[at] == '"') {
            const std::size_t key_end = skip_string(at);
            const std::string_view written = m_text.substr(at + 1, key_end - at - 2);
            const std::size_t value_at = skip_space(skip_space(key_end) + 1);  // past ':'
            if (written == key) return value_at;
            at = skip_space(skip_value(value_at));
            if (at < m_text.size() && m_text[at] == ',') at = skip_space(at + 1);
        }
        return std::nullopt;
    }

private:
    [[nodiscard]] std::size_t skip_space(std::size_t at) const {
        while (at < m_text.size() && is_json_space(m_text[at])) ++at;
        return at;
    }

    /// From the opening quote at @p at to just past the closing one.
    [[nodiscard]] std::size_t skip_string(std::size_t at) const {
        for (std::size_t quote = m_text.find('"', at + 1); quote != std::string_view::npos;
             quote = m_text.find('"', quote + 1)) {
            std::size_t backslashes = 0;
            while (m_text[quote - 1 - backslashes] == '\\') ++backslashes;
            if (backslashes % 2 == 0) return quote + 1;  // not itself escaped
        }
        return m_text.size();
    }

    /// Just past the value that begins at @p at.
    [[nodiscard]] std::size_t skip_value(std::size_t at) const {
        if (m_text[at] == '"') return skip_string(at);
        if (m_text[at] != '{' && m_text[at] != '[') {  // a number or a literal
            while (at < m_text.size() && !is_json_space(m_text[at]) && m_text[at] != ',' &&
                   m_text[at] != ']' && m_text[at] != '}') {
                ++at;
            }
            return at;
        }
        std::size_t depth = 0;
        while (at < m_text.size()) {
            const char c = m_text[at];
            if (c == '"') {
                at = skip_string(at);
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            if ((c == '}' || c == ']') && --depth == 0) return at + 1;
            ++at;
        }
        return at;
    }

    std::string_view m_text;
};

/// The 1-based line of each of the increasing @p offsets in @p text.
std::vector<std::size_t> lines_of(std::string_view text, const std::vector<std::size_t>& offsets) {
    LineCounter counter(text);
    std::vector<std::size_t> lines;
    lines.reserve(offsets.size());
    for (const std::size_t offset : offsets) lines.push_back(counter.line_at(offset));
    return lines;
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Emits the articles of parsed JSON values, and the problems of those that hold none.
class ArticleEmitter {
public:
    ArticleEmitter(const SourceText& source, const ArticleSink& articles,
                   const ProblemSink& problems)
        : m_source(source), m_articles(articles), m_problems(problems) {}

    /// One JSON Lines record: an object, a wrapper of an array, or an array of objects.
    void emit_line(const Json& value, std::size_t line) {
        if (value.is_object()) {
            if (emit_object(value, line)) return;
            if (const Json* array = wrapped_array(value)) {
                emit_elements(*array, {}, line);
                return;
            }
            if (m_emitted == 0) {
                // The first record already has no article field: this is some other JSON Lines
                // file (a list of id pairs, a log). One message for the file, not one per line.
                throw InputError(m_source.path, line,
                                 "not an article file: its first record has " +
                                     std::string(no_fields_reason));
            }
            problem(line, std::string(no_fields_reason));
        } else if (value.is_array()) {
            emit_elements(value, {}, line);
        } else {
            problem(line, std::string("not a JSON object (found ") + json_type_name(value) + ")");
        }
    }

    /// The elements of @p array; @p element_lines gives each one's line when known, else all
    /// share @p line.
    void emit_elements(const Json& array, const std::vector<std::size_t>& element_lines,
                       OptionalLine line) {
        // A count mismatch means the lines are of another array: trust none then.
        const bool lines_known = element_lines.size() == array.size();
        for (std::size_t i = 0; i < array.size(); ++i) {
            const OptionalLine element_line = lines_known ? OptionalLine(element_lines[i]) : line;
            emit_element(array[i], i + 1, element_line);
        }
    }

    /// @return whether @p object held an article.
    bool emit_object(const Json& object, OptionalLine line) {
        std::optional<Article> article = article_from_object(object);
        if (!article) return false;
        article->path = m_source.path;
        article->line = line;
        m_articles(std::move(*article));
        ++m_emitted;
        return true;
    }

    void problem(OptionalLine line, std::string reason) const {
        m_problems(InputError(m_source.path, line, std::move(reason)));
    }

private:
    void emit_element(const Json& element, std::size_t number, OptionalLine line) {
        const std::string label = "element " + std::to_string(number) + ": ";
        if (!element.is_object()) {
            problem(line, label + "not a JSON object (found " + json_type_name(element) + ")");
        } else if (!emit_object(element, line)) {
            problem(line, label + std::string(no_fields_reason));
        }
    }

    const SourceText& m_source;
    const ArticleSink& m_articles;
    const ProblemSink& m_problems;
    std::size_t m_emitted = 0;  ///< articles emitted so far
};

/// Reads one article per line; a bad line is a problem and the next line is read.
void read_json_lines(const SourceText& source, ArticleEmitter& emitter) {
    std::string_view rest = source.content;
    std::size_t line_number = 0;
    while (!rest.empty()) {
        ++line_number;
        const auto newline = rest.find('\n');
        std::string_view line = rest.substr(0, newline);
        rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
        // A BOM before the first record: nlohmann would skip it, but the blank check would not.
        const std::size_t skipped = line_number == 1 && line.starts_with(utf8_bom) ? 3 : 0;
        line.remove_prefix(skipped);
        if (is_blank(line)) continue;  // "\r" alone included: JSON white space

        if (const auto invalid = find_invalid_utf8(line)) {
            emitter.problem(line_number, "invalid UTF-8 at column " +
                                             std::to_string(skipped + *invalid + 1));
            continue;
        }
        try {
            emitter.emit_line(Json::parse(line.begin(), line.end()), line_number);
        } catch (const Json::parse_error& error) {
            emitter.problem(line_number, "malformed JSON at column " +
                                             std::to_string(skipped + error_offset(error) + 1) +
                                             ": " + short_parse_message(error));
        }
    }
}

/// Parses a whole document and reads its array, wrapped array or single object.
void read_json_document(const SourceText& source, ArticleEmitter& emitter) {
    const std::string_view content = source.content;
    if (const auto invalid = find_invalid_utf8(content)) {
        LineCounter lines(content);
        throw InputError(source.path, lines.line_at(*invalid),
                         "invalid UTF-8 at column " +
                             std::to_string(column_at(content, *invalid)) + " (byte " +
                             std::to_string(*invalid) + ")");
    }
    Json root;
    try {
        root = Json::parse(content.begin(), content.end());
    } catch (const Json::parse_error& error) {
        const std::size_t offset = error_offset(error);
        LineCounter lines(content);
        throw InputError(source.path, lines.line_at(offset),
                         "malformed JSON at column " + std::to_string(column_at(content, offset)) +
                             ": " + short_parse_message(error));
    }

    const JsonSkimmer skimmer(content);
    if (root.is_array()) {
        emitter.emit_elements(root, lines_of(content, skimmer.element_offsets(skimmer.root())),
                              std::nullopt);
        return;
    }
    if (!root.is_object()) {
        throw InputError(source.path, std::nullopt,
                         std::string("not a JSON object or array (found ") +
                             json_type_name(root) + ")");
    }
    if (emitter.emit_object(root, std::nullopt)) return;
    std::string key;
    if (const Json* array = wrapped_array(root, &key)) {
        const auto array_at = skimmer.member_offset(skimmer.root(), key);
        emitter.emit_elements(
            *array,
            array_at ? lines_of(content, skimmer.element_offsets(*array_at))
                     : std::vector<std::size_t>(),
            std::nullopt);
        return;
    }
    throw InputError(source.path, std::nullopt,
                     std::string(no_fields_reason) +
                         ", and no array under articles/items/data/results");
}

/// Whether the first line alone is a whole JSON value: then the file is JSON Lines (a
/// one-line document reads the same either way).
bool first_line_is_a_record(std::string_view content) {
    return parses_as_json(first_line(skip_json_space(without_bom(content))));
}

/// Whether a line after the first is a whole JSON object: a file whose first line is broken
/// but whose next record is fine is JSON Lines with one bad line, not a broken document.
bool second_record_is_whole(std::string_view content) {
    content = skip_json_space(without_bom(content));
    const auto newline = content.find('\n');
    if (newline == std::string_view::npos) return false;
    const std::string_view second = first_line(skip_json_space(content.substr(newline + 1)));
    return second.starts_with('{') && parses_as_json(second);
}

/// Whether @p text (starting at `{` or `[`) continues like JSON: a key after `{`, a value that
/// could hold articles after `[` ("[Updated] ..." in a text file does not).
bool opens_like_json(std::string_view text) {
    const std::string_view after = skip_json_space(text.substr(1));
    if (!after.empty()) {
        const char next = after.front();
        if (text.front() == '{' && (next == '"' || next == '}')) return true;
        if (text.front() == '[' && std::string_view("{[\"]").find(next) != std::string_view::npos) {
            return true;
        }
    }
    return parses_as_json(first_line(text));
}

}  // namespace

int JsonReader::confidence(const SourceText& source) const {
    const std::string_view text = skip_json_space(without_bom(source.content));
    if (text.empty() || (text.front() != '{' && text.front() != '[')) return 0;
    if (has_json_name(source.name)) return 90;
    return opens_like_json(text) ? 70 : 0;
}

void JsonReader::read(const SourceText& source, const ArticleSink& articles,
                      const ProblemSink& problems) const {
    ArticleEmitter emitter(source, articles, problems);
    const std::string_view start = skip_json_space(without_bom(source.content));
    // A `.jsonl` name is trusted even when its first line is broken; an array in a `.jsonl`
    // file is JSON Lines only if its first line is a whole array.
    const bool json_lines = start.starts_with('{')
                                ? has_json_lines_name(source.name) ||
                                      first_line_is_a_record(source.content)
                                : has_json_lines_name(source.name) &&
                                      first_line_is_a_record(source.content);
    if (json_lines) {
        read_json_lines(source, emitter);
        return;
    }
    try {
        read_json_document(source, emitter);
    } catch (const InputError&) {
        if (!start.starts_with('{') || !second_record_is_whole(source.content)) throw;
        read_json_lines(source, emitter);
    }
}

}  // namespace wiredesk::indexer
