#include "wiredesk/indexer/html_reader.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gumbo.h>
#include <nlohmann/json.hpp>

#include "wiredesk/common/text.hpp"

namespace wiredesk::indexer {
namespace {

using Json = nlohmann::json;

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// ---------------------------------------------------------------------------------------------
// Bytes: sniffing and character sets

std::string_view skip_spaces(std::string_view text) {
    while (!text.empty() && is_ascii_space(text.front())) text.remove_prefix(1);
    return text;
}

std::string_view without_bom(std::string_view content) {
    if (content.starts_with(utf8_bom)) content.remove_prefix(utf8_bom.size());
    return content;
}

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool has_html_name(std::string_view name) {
    return name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".xhtml");
}

/// Whether the first KB has something tag-like: `<` followed by a letter, `!`, `/` or `?`.
bool looks_like_markup(std::string_view text) {
    text = text.substr(0, 1024);
    for (auto at = text.find('<'); at != std::string_view::npos; at = text.find('<', at + 1)) {
        if (at + 1 == text.size()) return false;
        const char next = text[at + 1];
        if (is_ascii_letter(next) || next == '!' || next == '/' || next == '?') return true;
    }
    return false;
}

/// Whether a file of any name is an HTML page by its first KB.
bool opens_like_html(std::string_view text) {
    const std::string head = ascii_lower(text.substr(0, 1024));
    const std::string_view start = skip_spaces(head);
    if (start.starts_with("<!doctype html") || start.starts_with("<html")) return true;
    // JSON records often quote whole pages; the JSON reader is the one for them.
    if (start.starts_with('{') || start.starts_with('[')) return false;
    return head.find("<html") != std::string::npos || head.find("<head") != std::string::npos ||
           head.find("<body") != std::string::npos;
}

/// The value of `charset=` in one lower-cased `<meta ...` tag, or "".
std::string charset_in_meta(std::string_view tag) {
    constexpr std::string_view name = "charset";
    for (auto at = tag.find(name); at != std::string_view::npos; at = tag.find(name, at + 1)) {
        std::string_view rest = skip_spaces(tag.substr(at + name.size()));
        if (!rest.starts_with('=')) continue;
        rest = skip_spaces(rest.substr(1));
        if (rest.starts_with('"') || rest.starts_with('\'')) rest.remove_prefix(1);
        return std::string(rest.substr(0, rest.find_first_of("\"'; \t\r\n\f/>")));
    }
    return {};
}

/// The charset that `<meta charset=...>` or `<meta http-equiv="Content-Type" content="...;
/// charset=...">` declares in the first 2 KB, lower-cased, or "". This is a byte-level prescan
/// (as browsers do before parsing): the page cannot be parsed until it is decoded.
std::string declared_charset(std::string_view page) {
    const std::string head = ascii_lower(page.substr(0, 2048));
    const std::string_view view = head;
    for (auto meta = view.find("<meta"); meta != std::string_view::npos;
         meta = view.find("<meta", meta + 1)) {
        const auto end = view.find('>', meta);
        std::string charset = charset_in_meta(view.substr(meta, end - meta));
        if (!charset.empty()) return charset;
    }
    return {};
}

/// The ICU converter name for a declared charset label. Browsers decode the Latin-1 and
/// ASCII labels as windows-1252 (WHATWG Encoding Standard), and pages that declare them use
/// its curly quotes and dashes in 0x80-0x9F; ICU's ISO-8859-1 would make them C1 controls.
std::string converter_name(const std::string& label) {
    constexpr std::array windows_1252_labels{
        "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1",      "us-ascii",
        "ascii",      "cp1252",    "x-cp1252",   "cp819",  "ibm819", "iso-ir-100",
    };
    for (const std::string_view windows_1252 : windows_1252_labels) {
        if (label == windows_1252) return "windows-1252";
    }
    return label;
}

/// @p source's page as valid UTF-8 without a BOM: a view of the content itself when it is
/// valid, else its conversion (kept in @p storage) from the charset it declares.
std::string_view utf8_page(const SourceText& source, std::string& storage) {
    const std::string_view page = without_bom(source.content);
    const auto invalid = find_invalid_utf8(page);
    if (!invalid) return page;

    const std::string charset = declared_charset(page);
    if (!charset.empty() && charset != "utf-8" && charset != "utf8") {
        try {
            storage = convert_to_utf8(page, converter_name(charset));
        } catch (const Error& error) {
            throw InputError(source.path, std::nullopt,
                             "cannot decode the character set '" + charset +
                                 "' that its <meta> tag declares: " + error.what());
        }
        if (!find_invalid_utf8(storage)) return storage;
    }
    const std::size_t offset = *invalid + (source.content.size() - page.size());
    const std::size_t line =
        1 + static_cast<std::size_t>(
                std::count(source.content.begin(), source.content.begin() + offset, '\n'));
    throw InputError(source.path, std::nullopt,
                     "invalid UTF-8 at byte " + std::to_string(offset) + " (line " +
                         std::to_string(line) + "); declare the charset in a <meta> tag");
}

// ---------------------------------------------------------------------------------------------
// The parse tree

/// Owns gumbo's parse tree of one page.
class ParsedHtml {
public:
    explicit ParsedHtml(std::string_view html) {
        GumboOptions options = kGumboDefaultOptions;
        options.max_errors = 0;  // real pages have many parse errors and we read none of them
        m_output = gumbo_parse_with_options(&options, html.data(), html.size());
    }
    ~ParsedHtml() { gumbo_destroy_output(&kGumboDefaultOptions, m_output); }
    ParsedHtml(const ParsedHtml&) = delete;
    ParsedHtml& operator=(const ParsedHtml&) = delete;

    [[nodiscard]] const GumboNode* root() const { return m_output->root; }

private:
    GumboOutput* m_output;
};

bool is_element(const GumboNode* node) { return node->type == GUMBO_NODE_ELEMENT; }

bool is_tag(const GumboNode* node, GumboTag tag) {
    return is_element(node) && node->v.element.tag == tag;
}

/// The element's children; nothing for text, comments and template contents (which are not
/// part of the page as shown).
const GumboVector* children_of(const GumboNode* node) {
    return is_element(node) ? &node->v.element.children : nullptr;
}

template <typename Visit>
void for_each_child(const GumboNode* node, Visit&& visit) {
    if (const GumboVector* children = children_of(node)) {
        for (unsigned i = 0; i < children->length; ++i) {
            visit(static_cast<const GumboNode*>(children->data[i]));
        }
    }
}

std::string_view attribute(const GumboNode* node, const char* name) {
    if (!is_element(node)) return {};
    const GumboAttribute* found = gumbo_get_attribute(&node->v.element.attributes, name);
    return found == nullptr ? std::string_view() : std::string_view(found->value);
}

/// The first element under @p root (itself included), in document order, that @p matches.
const GumboNode* find_element(const GumboNode* root,
                              const std::function<bool(const GumboNode*)>& matches) {
    if (root == nullptr || !is_element(root)) return nullptr;
    if (matches(root)) return root;
    const GumboNode* found = nullptr;
    for_each_child(root, [&](const GumboNode* child) {
        if (found == nullptr) found = find_element(child, matches);
    });
    return found;
}

bool is_script_like(const GumboNode* node) {
    return is_tag(node, GUMBO_TAG_SCRIPT) || is_tag(node, GUMBO_TAG_STYLE) ||
           is_tag(node, GUMBO_TAG_NOSCRIPT) || is_tag(node, GUMBO_TAG_TEMPLATE);
}

/// Appends the text under @p node as written (entities decoded by gumbo), without scripts.
void append_raw_text(const GumboNode* node, std::string& out) {
    switch (node->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_WHITESPACE:
        case GUMBO_NODE_CDATA: out += node->v.text.text; return;
        case GUMBO_NODE_ELEMENT:
            if (is_script_like(node)) return;
            for_each_child(node, [&out](const GumboNode* child) { append_raw_text(child, out); });
            return;
        default: return;  // comments are never text
    }
}

/// The text under @p node on one line, white space collapsed: for headlines, dates, titles.
std::string element_text(const GumboNode* node) {
    std::string raw;
    append_raw_text(node, raw);
    return collapse_whitespace(raw);
}

/// The raw contents of a `<script>`: its text children (gumbo does not decode them).
std::string script_text(const GumboNode* node) {
    std::string text;
    for_each_child(node, [&text](const GumboNode* child) {
        if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE ||
            child->type == GUMBO_NODE_CDATA) {
            text += child->v.text.text;
        }
    });
    return text;
}

// ---------------------------------------------------------------------------------------------
// Boilerplate and blocks

/// Elements whose text is never article text: code, navigation, page chrome, widgets,
/// embedded media (whose fallback text is "your browser does not support..."), captions.
bool is_skipped_tag(GumboTag tag) {
    switch (tag) {
        case GUMBO_TAG_SCRIPT:
        case GUMBO_TAG_STYLE:
        case GUMBO_TAG_NOSCRIPT:
        case GUMBO_TAG_TEMPLATE:
        case GUMBO_TAG_NAV:
        case GUMBO_TAG_HEADER:
        case GUMBO_TAG_FOOTER:
        case GUMBO_TAG_ASIDE:
        case GUMBO_TAG_FORM:
        case GUMBO_TAG_BUTTON:
        case GUMBO_TAG_SELECT:
        case GUMBO_TAG_TEXTAREA:
        case GUMBO_TAG_IFRAME:
        case GUMBO_TAG_OBJECT:
        case GUMBO_TAG_AUDIO:
        case GUMBO_TAG_VIDEO:
        case GUMBO_TAG_SVG:
        case GUMBO_TAG_MATH:
        case GUMBO_TAG_FIGCAPTION: return true;
        default: return false;
    }
}

/// Class or id fragments of the blocks that sit inside articles without being part of them.
constexpr std::array boilerplate_name_parts{
    "share", "social", "newsletter", "related", "comments", "advert", "promo", "breadcrumb",
    "cookie",
};

bool has_boilerplate_name(const GumboNode* node) {
    const std::string_view class_name = attribute(node, "class");
    const std::string_view id = attribute(node, "id");
    if (class_name.empty() && id.empty()) return false;
    std::string names = ascii_lower(class_name);
    names += ' ';
    names += ascii_lower(id);
    for (const std::string_view part : boilerplate_name_parts) {
        if (names.find(part) != std::string::npos) return true;
    }
    return false;
}

bool is_boilerplate(const GumboNode* node) {
    if (!is_element(node)) return false;
    const GumboTag tag = node->v.element.tag;
    // <html> and <body> classes describe the page's state ("cookie-consent-pending",
    // "social-enabled"), not a block of it.
    const bool is_page = tag == GUMBO_TAG_HTML || tag == GUMBO_TAG_BODY;
    return is_skipped_tag(tag) || (!is_page && has_boilerplate_name(node));
}

/// Elements that end the paragraph before them and start a new one.
bool is_block(GumboTag tag) {
    switch (tag) {
        case GUMBO_TAG_ADDRESS:
        case GUMBO_TAG_ARTICLE:
        case GUMBO_TAG_BLOCKQUOTE:
        case GUMBO_TAG_BODY:
        case GUMBO_TAG_CAPTION:
        case GUMBO_TAG_CENTER:
        case GUMBO_TAG_DD:
        case GUMBO_TAG_DETAILS:
        case GUMBO_TAG_DIV:
        case GUMBO_TAG_DL:
        case GUMBO_TAG_DT:
        case GUMBO_TAG_FIELDSET:
        case GUMBO_TAG_FIGURE:
        case GUMBO_TAG_H1:
        case GUMBO_TAG_H2:
        case GUMBO_TAG_H3:
        case GUMBO_TAG_H4:
        case GUMBO_TAG_H5:
        case GUMBO_TAG_H6:
        case GUMBO_TAG_HGROUP:
        case GUMBO_TAG_HR:
        case GUMBO_TAG_LI:
        case GUMBO_TAG_MAIN:
        case GUMBO_TAG_OL:
        case GUMBO_TAG_P:
        case GUMBO_TAG_PRE:
        case GUMBO_TAG_SECTION:
        case GUMBO_TAG_SUMMARY:
        case GUMBO_TAG_TABLE:
        case GUMBO_TAG_TBODY:
        case GUMBO_TAG_TD:
        case GUMBO_TAG_TFOOT:
        case GUMBO_TAG_TH:
        case GUMBO_TAG_THEAD:
        case GUMBO_TAG_TR:
        case GUMBO_TAG_UL: return true;
        default: return false;
    }
}

/// Collects the paragraphs of an element's readable text, leaving boilerplate out.
class ParagraphCollector {
public:
    /// The paragraphs under @p container (whose own tag and class are not judged: it was
    /// chosen as the article).
    std::vector<std::string> collect(const GumboNode* container) && {
        for_each_child(container, [this](const GumboNode* child) { visit(child); });
        end_paragraph();
        return std::move(m_paragraphs);
    }

private:
    void visit(const GumboNode* node) {
        switch (node->type) {
            case GUMBO_NODE_TEXT:
            case GUMBO_NODE_WHITESPACE:
            case GUMBO_NODE_CDATA: m_current += node->v.text.text; return;
            case GUMBO_NODE_ELEMENT: break;
            default: return;  // comments, template contents
        }
        if (is_boilerplate(node)) return;
        const GumboTag tag = node->v.element.tag;
        if (tag == GUMBO_TAG_BR) {
            end_paragraph();
        } else if (tag == GUMBO_TAG_PRE) {
            visit_preformatted(node);
        } else {
            const bool block = is_block(tag);
            if (block) end_paragraph();
            for_each_child(node, [this](const GumboNode* child) { visit(child); });
            if (block) end_paragraph();
        }
    }

    /// Wire copy in `<pre>` wraps its lines by hand: only a blank line ends a paragraph.
    void visit_preformatted(const GumboNode* node) {
        end_paragraph();
        std::string raw;
        append_raw_text(node, raw);
        std::string_view rest = raw;
        while (!rest.empty()) {
            const auto newline = rest.find('\n');
            const std::string_view line = rest.substr(0, newline);
            rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
            if (trim(line).empty()) {
                end_paragraph();
            } else {
                m_current += line;
                m_current += ' ';
            }
        }
        end_paragraph();
    }

    void end_paragraph() {
        if (m_current.empty()) return;
        std::string paragraph = collapse_whitespace(m_current);
        m_current.clear();
        if (!paragraph.empty()) m_paragraphs.push_back(std::move(paragraph));
    }

    std::string m_current;
    std::vector<std::string> m_paragraphs;
};

std::size_t total_length(const std::vector<std::string>& paragraphs) {
    std::size_t length = 0;
    for (const auto& paragraph : paragraphs) length += paragraph.size();
    return length;
}

// ---------------------------------------------------------------------------------------------
// JSON-LD

std::string json_string(const Json& object, const char* key) {
    if (!object.is_object()) return {};
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) return {};
    return std::string(trim(found->get_ref<const std::string&>()));
}

/// "NewsArticle", "schema:NewsArticle", "https://schema.org/NewsArticle" → "NewsArticle".
std::string_view unqualified_type(std::string_view type) {
    const auto separator = type.find_last_of("/:#");
    return separator == std::string_view::npos ? type : type.substr(separator + 1);
}

bool is_article_type(std::string_view type) {
    // NewsArticle's schema.org subtypes are news articles too.
    constexpr std::array article_types{
        "NewsArticle",         "Article",           "ReportageNewsArticle",
        "AnalysisNewsArticle", "OpinionNewsArticle", "BackgroundNewsArticle",
        "ReviewNewsArticle",
    };
    type = unqualified_type(type);
    for (const std::string_view article_type : article_types) {
        if (type == article_type) return true;
    }
    return false;
}

/// Whether a node's `@type` (a string or an array of them) names an article.
bool has_article_type(const Json& node) {
    const auto type = node.find("@type");
    if (type == node.end()) return false;
    if (type->is_string()) return is_article_type(type->get_ref<const std::string&>());
    if (!type->is_array()) return false;
    for (const auto& each : *type) {
        if (each.is_string() && is_article_type(each.get_ref<const std::string&>())) return true;
    }
    return false;
}

/// The linked data of a page's `<script type="application/ld+json">` blocks.
class JsonLd {
public:
    /// Adds one block; a malformed one is ignored (pages ship broken JSON-LD more than rarely).
    void add_block(std::string_view text) {
        Json document = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
        if (document.is_discarded()) return;
        m_documents.push_back(std::move(document));
        add_nodes(m_documents.back());
    }

    /// The first node typed as an article, or nullptr.
    [[nodiscard]] const Json* article() const {
        for (const Json* node : m_nodes) {
            if (has_article_type(*node)) return node;
        }
        return nullptr;
    }

    /// The publisher's name: `publisher` may be a string, an object, an array of either, or
    /// a reference `{"@id": ...}` to another node of the page's graph.
    [[nodiscard]] std::string publisher_name(const Json& article) const {
        const auto publisher = article.find("publisher");
        if (publisher == article.end()) return {};
        if (!publisher->is_array()) return name_of(*publisher);
        for (const auto& each : *publisher) {
            std::string name = name_of(each);
            if (!name.empty()) return name;
        }
        return {};
    }

private:
    /// Flattens arrays and `@graph`s into the list of nodes.
    void add_nodes(const Json& value) {
        if (value.is_array()) {
            for (const auto& each : value) add_nodes(each);
        } else if (value.is_object()) {
            m_nodes.push_back(&value);
            const auto graph = value.find("@graph");
            if (graph != value.end()) add_nodes(*graph);
        }
    }

    [[nodiscard]] std::string name_of(const Json& organization) const {
        if (organization.is_string()) return std::string(trim(organization.get<std::string>()));
        std::string name = json_string(organization, "name");
        if (!name.empty()) return name;
        const std::string id = json_string(organization, "@id");
        if (id.empty()) return {};
        for (const Json* node : m_nodes) {
            if (node != &organization && json_string(*node, "@id") == id) {
                return json_string(*node, "name");
            }
        }
        return {};
    }

    std::deque<Json> m_documents;  // a deque: m_nodes points into it as it grows
    std::vector<const Json*> m_nodes;
};

/// The article's own URL: `url`, else `mainEntityOfPage` (a URL or a WebPage node).
std::string json_ld_url(const Json& article) {
    std::string url = json_string(article, "url");
    if (!url.empty()) return url;
    const auto page = article.find("mainEntityOfPage");
    if (page == article.end()) return {};
    if (page->is_string()) return std::string(trim(page->get_ref<const std::string&>()));
    url = json_string(*page, "@id");
    return url.empty() ? json_string(*page, "url") : url;
}

// ---------------------------------------------------------------------------------------------
// The page's parts

/// What one walk over the page finds.
struct PageParts {
    const GumboNode* root = nullptr;
    std::map<std::string, std::string, std::less<>> meta;  ///< lower-cased name → content
    std::string canonical_url;
    std::string html_lang;
    std::string title_element;
    JsonLd json_ld;
    std::vector<const GumboNode*> articles;  ///< `<article>`s outside page chrome
    const GumboNode* main = nullptr;
    const GumboNode* role_main = nullptr;
    const GumboNode* body = nullptr;
};

void note_meta(const GumboNode* node, PageParts& parts) {
    const std::string_view content = attribute(node, "content");
    if (trim(content).empty()) return;
    for (const char* key_attribute : {"property", "name", "http-equiv"}) {
        const std::string key = ascii_lower(trim(attribute(node, key_attribute)));
        if (!key.empty()) parts.meta.emplace(key, std::string(content));  // the first one wins
    }
}

bool has_rel(const GumboNode* node, std::string_view wanted) {
    const std::string rel = ascii_lower(attribute(node, "rel"));
    std::string_view rest = rel;
    while (!(rest = skip_spaces(rest)).empty()) {
        const auto end = rest.find_first_of(" \t\n\r\f");
        if (rest.substr(0, end) == wanted) return true;
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    return false;
}

bool is_json_ld(const GumboNode* node) {
    return ascii_lower(trim(attribute(node, "type"))) == "application/ld+json";
}

void note_element(const GumboNode* node, bool in_boilerplate, PageParts& parts) {
    const GumboElement& element = node->v.element;
    if (element.tag_namespace != GUMBO_NAMESPACE_HTML) return;  // an SVG <title> is not ours
    switch (element.tag) {
        case GUMBO_TAG_HTML:
            parts.html_lang = std::string(trim(attribute(node, "lang")));
            if (parts.html_lang.empty()) parts.html_lang = trim(attribute(node, "xml:lang"));
            break;
        case GUMBO_TAG_META: note_meta(node, parts); break;
        case GUMBO_TAG_LINK:
            if (parts.canonical_url.empty() && has_rel(node, "canonical")) {
                parts.canonical_url = trim(attribute(node, "href"));
            }
            break;
        case GUMBO_TAG_TITLE:
            if (parts.title_element.empty()) parts.title_element = element_text(node);
            break;
        case GUMBO_TAG_SCRIPT:
            if (is_json_ld(node)) parts.json_ld.add_block(script_text(node));
            break;
        case GUMBO_TAG_ARTICLE:
            if (!in_boilerplate && !is_boilerplate(node)) parts.articles.push_back(node);
            break;
        case GUMBO_TAG_MAIN:
            if (parts.main == nullptr) parts.main = node;
            break;
        case GUMBO_TAG_BODY:
            if (parts.body == nullptr) parts.body = node;
            break;
        default: break;
    }
    if (parts.role_main == nullptr && ascii_lower(trim(attribute(node, "role"))) == "main") {
        parts.role_main = node;
    }
}

/// Walks the whole page once, noting metadata and the candidate containers of the text.
void collect_parts(const GumboNode* node, bool in_boilerplate, PageParts& parts) {
    if (!is_element(node)) return;
    note_element(node, in_boilerplate, parts);
    const bool boilerplate_below = in_boilerplate || is_boilerplate(node);
    for_each_child(node, [&](const GumboNode* child) {
        collect_parts(child, boilerplate_below, parts);
    });
}

// ---------------------------------------------------------------------------------------------
// Fields

/// The chosen container of the text, and its paragraphs.
struct BodyChoice {
    const GumboNode* article = nullptr;  ///< the `<article>` chosen, if any
    std::vector<std::string> paragraphs;
};

/// The longest `<article>`'s text; without one (or with only empty ones) `<main>`'s, then
/// `[role=main]`'s, then `<body>`'s.
BodyChoice choose_body(const PageParts& parts) {
    BodyChoice choice;
    std::size_t best_length = 0;
    for (const GumboNode* article : parts.articles) {
        std::vector<std::string> paragraphs = ParagraphCollector().collect(article);
        const std::size_t length = total_length(paragraphs);
        if (choice.article == nullptr || length > best_length) {
            choice = {article, std::move(paragraphs)};
            best_length = length;
        }
    }
    if (!choice.paragraphs.empty()) return choice;
    for (const GumboNode* container : {parts.main, parts.role_main, parts.body}) {
        if (container == nullptr) continue;
        choice.paragraphs = ParagraphCollector().collect(container);
        if (!choice.paragraphs.empty()) break;
    }
    return choice;
}

std::string meta_value(const PageParts& parts, std::string_view key) {
    const auto found = parts.meta.find(key);
    return found == parts.meta.end() ? std::string() : std::string(trim(found->second));
}

std::string first_meta_value(const PageParts& parts, std::initializer_list<std::string_view> keys) {
    for (const std::string_view key : keys) {
        std::string value = meta_value(parts, key);
        if (!value.empty()) return value;
    }
    return {};
}

/// The first element under @p scope, then under the whole page, that has non-empty @p text.
std::string first_in(const GumboNode* scope, const GumboNode* page,
                     const std::function<std::string(const GumboNode*)>& text) {
    for (const GumboNode* root : {scope, page}) {
        std::string found;
        find_element(root, [&](const GumboNode* node) {
            found = text(node);
            return !found.empty();
        });
        if (!found.empty()) return found;
    }
    return {};
}

std::string h1_text(const GumboNode* node) {
    return is_tag(node, GUMBO_TAG_H1) ? element_text(node) : std::string();
}

std::string time_datetime(const GumboNode* node) {
    return is_tag(node, GUMBO_TAG_TIME) ? std::string(trim(attribute(node, "datetime")))
                                        : std::string();
}

std::string time_text(const GumboNode* node) {
    return is_tag(node, GUMBO_TAG_TIME) ? element_text(node) : std::string();
}

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           ascii_lower(text.substr(text.size() - suffix.size())) == ascii_lower(suffix);
}

/// "Headline | The Daily" → "Headline" when the site is "The Daily"; any other suffix may be
/// part of the headline ("Q&A - Part 2") and stays.
std::string without_site_suffix(const std::string& title, const std::string& site) {
    if (site.empty()) return title;
    for (const std::string_view separator : {" | ", " - ", " – ", " — ", " · ", " :: "}) {
        const std::string suffix = std::string(separator) + site;
        if (title.size() > suffix.size() && ends_with_ignoring_case(title, suffix)) {
            const std::string_view headline(title.data(), title.size() - suffix.size());
            return collapse_whitespace(headline);
        }
    }
    return title;
}

std::string page_title(const PageParts& parts, const Json* json_ld, const GumboNode* article,
                       const std::string& site) {
    if (json_ld != nullptr) {
        std::string headline = collapse_whitespace(json_string(*json_ld, "headline"));
        if (!headline.empty()) return headline;
    }
    std::string title = collapse_whitespace(meta_value(parts, "og:title"));
    if (!title.empty()) return title;
    title = first_in(article, parts.root, h1_text);
    if (!title.empty()) return title;
    return without_site_suffix(parts.title_element, collapse_whitespace(site));
}

std::string page_date(const PageParts& parts, const Json* json_ld, const GumboNode* article) {
    std::string date = meta_value(parts, "article:published_time");
    if (date.empty() && json_ld != nullptr) date = json_string(*json_ld, "datePublished");
    if (date.empty()) {
        date = first_meta_value(parts, {"date", "pubdate", "dc.date", "dc.date.issued"});
    }
    if (date.empty()) date = first_in(article, parts.root, time_datetime);
    if (date.empty()) date = first_in(article, parts.root, time_text);
    return date;
}

std::string page_source(const PageParts& parts, const Json* json_ld) {
    std::string source = meta_value(parts, "og:site_name");
    if (source.empty() && json_ld != nullptr) source = parts.json_ld.publisher_name(*json_ld);
    if (source.empty()) source = meta_value(parts, "application-name");
    return source;
}

std::string page_url(const PageParts& parts, const Json* json_ld) {
    if (!parts.canonical_url.empty()) return parts.canonical_url;
    std::string url = meta_value(parts, "og:url");
    if (url.empty() && json_ld != nullptr) url = json_ld_url(*json_ld);
    return url;
}

/// "en", "en-GB", "en_US", "EN" → "en"; anything else (a three-letter code, "english") → "".
std::string language_code(std::string_view text) {
    text = trim(text);
    if (text.size() < 2 || !is_ascii_letter(text[0]) || !is_ascii_letter(text[1])) return {};
    if (text.size() > 2 && text[2] != '-' && text[2] != '_' && text[2] != ',') return {};
    return ascii_lower(text.substr(0, 2));
}

std::string page_language(const PageParts& parts) {
    for (const std::string& declared : {parts.html_lang, meta_value(parts, "og:locale"),
                                        meta_value(parts, "content-language")}) {
        std::string code = language_code(declared);
        if (!code.empty()) return code;
    }
    return {};
}

std::string joined_lines(const std::vector<std::string>& paragraphs) {
    std::string joined;
    for (const auto& paragraph : paragraphs) {
        if (!joined.empty()) joined += '\n';
        joined += paragraph;
    }
    return joined;
}

Article article_of(const PageParts& parts) {
    const Json* json_ld = parts.json_ld.article();
    BodyChoice body = choose_body(parts);
    Article article;
    article.source = page_source(parts, json_ld);
    article.title = page_title(parts, json_ld, body.article, article.source);
    article.date_text = page_date(parts, json_ld, body.article);
    article.url = page_url(parts, json_ld);
    article.language = page_language(parts);
    if (json_ld != nullptr) article.id = json_string(*json_ld, "identifier");
    // The article's <h1> is usually in its <header> (skipped), but not always.
    if (!body.paragraphs.empty() && body.paragraphs.front() == article.title) {
        body.paragraphs.erase(body.paragraphs.begin());
    }
    article.body = joined_lines(body.paragraphs);
    return article;
}

}  // namespace

int HtmlReader::confidence(const SourceText& source) const {
    const std::string_view content = without_bom(source.content);
    if (has_html_name(source.name)) return looks_like_markup(content) ? 90 : 0;
    return opens_like_html(content) ? 80 : 0;
}

void HtmlReader::read(const SourceText& source, const ArticleSink& articles,
                      const ProblemSink& /*problems: one page is one article*/) const {
    std::string converted;
    const ParsedHtml parsed(utf8_page(source, converted));
    PageParts parts;
    parts.root = parsed.root();
    collect_parts(parts.root, false, parts);

    Article article = article_of(parts);
    if (article.title.empty() && article.body.empty()) {
        throw InputError(source.path, std::nullopt, "no article text found");
    }
    article.path = source.path;
    articles(std::move(article));
}

}  // namespace wiredesk::indexer
