#include "wiredesk/searcher/query_builder.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "wiredesk/common/language.hpp"
#include "wiredesk/common/schema.hpp"
#include "wiredesk/common/text.hpp"

namespace wiredesk::searcher {
namespace {

namespace prefix = schema::prefix;

/// Window of NEAR and ADJ without /n (QueryParser's default).
constexpr Xapian::termcount kDefaultNearWindow = 10;

enum class Kind { kTerm, kPhrase, kOpen, kClose, kAnd, kOr, kNot, kXor, kNear, kAdj };

/// One lexical unit of the query text.
struct Lexeme {
    Kind kind = Kind::kTerm;
    std::string text;   ///< word, phrase content or field value, as typed
    std::string field;  ///< known field name (title, source, lang, date, host) or ""
    char sign = 0;      ///< '+', '-' or 0
    bool wildcard = false;
    Xapian::termcount window = kDefaultNearWindow;
    std::size_t begin = 0;  ///< byte range of the text (without sign and field)
    std::size_t end = 0;
};

bool is_space_at(std::string_view text, std::size_t i, std::size_t* length = nullptr) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = 0;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        n = 1;
    } else if (text.substr(i, 2) == "\xC2\xA0") {  // no-break space
        n = 2;
    } else if (text.substr(i, 3) == "\xE3\x80\x80" ||  // ideographic space
               text.substr(i, 3) == "\xE2\x80\xAF") {  // narrow no-break space
        n = 3;
    }
    if (length != nullptr) *length = n;
    return n > 0;
}

/// Byte length of a quotation mark starting at @p i, or 0. Typographic quotes count, so that
/// a phrase pasted from an article is still a phrase.
std::size_t quote_at(std::string_view text, std::size_t i) {
    if (text[i] == '"') return 1;
    for (const std::string_view quote : {"\u201C", "\u201D", "\u201E", "\u00AB", "\u00BB"}) {
        if (text.substr(i, quote.size()) == quote) return quote.size();
    }
    return 0;
}

bool is_field_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

/// Field names, and the canonical name each stands for.
std::optional<std::string> known_field(std::string_view name) {
    const std::string lower = ascii_lower(name);
    if (lower == "title" || lower == "headline") return "title";
    if (lower == "source") return "source";
    if (lower == "lang" || lower == "language") return "lang";
    if (lower == "date") return "date";
    if (lower == "host" || lower == "site") return "host";
    return std::nullopt;
}

bool is_filter_field(std::string_view field) {
    return field == "source" || field == "lang" || field == "date" || field == "host";
}

class Lexer {
public:
    Lexer(std::string_view text, std::vector<std::string>& warnings)
        : m_text(text), m_warnings(warnings) {}

    std::vector<Lexeme> run() {
        std::vector<Lexeme> out;
        std::size_t i = 0;
        const std::size_t n = m_text.size();
        while (i < n) {
            std::size_t space = 0;
            if (is_space_at(m_text, i, &space)) {
                i += space;
                continue;
            }
            Lexeme lexeme;
            const char c = m_text[i];
            if ((c == '+' || c == '-') && i + 1 < n && !is_space_at(m_text, i + 1) &&
                m_text[i + 1] != '+' && m_text[i + 1] != '-' && m_text[i + 1] != ')') {
                lexeme.sign = c;
                ++i;
            }
            if (m_text[i] == '(') {
                lexeme.kind = Kind::kOpen;
                lexeme.begin = i;
                lexeme.end = ++i;
                out.push_back(lexeme);
                continue;
            }
            if (m_text[i] == ')') {
                lexeme.kind = Kind::kClose;
                lexeme.begin = i;
                lexeme.end = ++i;
                out.push_back(lexeme);
                continue;
            }
            if (const std::size_t q = quote_at(m_text, i); q > 0) {
                i = read_phrase(i + q, lexeme);
                out.push_back(std::move(lexeme));
                continue;
            }
            // field:value
            std::size_t j = i;
            while (j < n && is_field_char(m_text[j])) ++j;
            if (j > i && j + 1 < n && m_text[j] == ':' && !is_space_at(m_text, j + 1)) {
                const std::string_view name = m_text.substr(i, j - i);
                if (const auto field = known_field(name)) {
                    lexeme.field = *field;
                    if (const std::size_t q = quote_at(m_text, j + 1); q > 0) {
                        i = read_phrase(j + 1 + q, lexeme);
                    } else {
                        i = read_word(j + 1, lexeme, /*operators=*/false);
                    }
                    if (!lexeme.text.empty() || lexeme.kind == Kind::kPhrase) {
                        out.push_back(std::move(lexeme));
                    }
                    continue;
                }
                const std::string lower = ascii_lower(name);
                if (lower != "http" && lower != "https" && lower != "ftp" && lower != "mailto") {
                    m_warnings.push_back("unknown field '" + std::string(name) +
                                         ":' (known: title: source: lang: date: host:); '" +
                                         std::string(name) + ":' was searched as text");
                }
            }
            i = read_word(i, lexeme, /*operators=*/lexeme.sign == 0);
            if (!lexeme.text.empty() || lexeme.kind != Kind::kTerm) out.push_back(std::move(lexeme));
        }
        return out;
    }

private:
    std::size_t read_phrase(std::size_t i, Lexeme& lexeme) {
        lexeme.kind = Kind::kPhrase;
        lexeme.begin = i;
        std::size_t j = i;
        while (j < m_text.size() && quote_at(m_text, j) == 0) ++j;
        lexeme.end = j;
        lexeme.text = std::string(m_text.substr(i, j - i));
        if (j >= m_text.size()) {
            m_warnings.push_back("a quotation mark is not closed; the phrase runs to the end");
            return j;
        }
        return j + quote_at(m_text, j);
    }

    std::size_t read_word(std::size_t i, Lexeme& lexeme, bool operators) {
        std::size_t j = i;
        while (j < m_text.size() && !is_space_at(m_text, j) && m_text[j] != '(' &&
               m_text[j] != ')' && quote_at(m_text, j) == 0) {
            ++j;
        }
        lexeme.begin = i;
        lexeme.end = j;
        std::string_view word = m_text.substr(i, j - i);
        if (operators) {
            if (word == "AND") lexeme.kind = Kind::kAnd;
            if (word == "OR") lexeme.kind = Kind::kOr;
            if (word == "NOT") lexeme.kind = Kind::kNot;
            if (word == "XOR") lexeme.kind = Kind::kXor;
            for (const auto& [name, kind] : {std::pair{std::string_view("NEAR"), Kind::kNear},
                                             std::pair{std::string_view("ADJ"), Kind::kAdj}}) {
                if (word == name) lexeme.kind = kind;
                if (word.starts_with(name) && word.size() > name.size() + 1 &&
                    word[name.size()] == '/') {
                    const std::string_view digits = word.substr(name.size() + 1);
                    if (digits.size() <= 4 && std::all_of(digits.begin(), digits.end(), [](char d) {
                            return d >= '0' && d <= '9';
                        })) {
                        lexeme.kind = kind;
                        lexeme.window = static_cast<Xapian::termcount>(
                            std::max(1, std::stoi(std::string(digits))));
                    }
                }
            }
            if (lexeme.kind != Kind::kTerm) return j;
        }
        while (word.ends_with('*')) {
            word.remove_suffix(1);
            lexeme.wildcard = true;
        }
        lexeme.text = std::string(word);
        return j;
    }

    std::string_view m_text;
    std::vector<std::string>& m_warnings;
};

/// A parsed piece of the query: documents matching `weighted` (scored) AND `filter`
/// (boolean), minus any of `negatives`. Keeping filters apart lets AND-ed filters apply to the
/// whole query without weighing, as QueryParser's boolean prefixes do.
struct Part {
    std::optional<Xapian::Query> weighted;
    std::optional<Xapian::Query> filter;
    std::vector<Xapian::Query> negatives;

    [[nodiscard]] bool empty() const { return !weighted && !filter && negatives.empty(); }
};

Xapian::Query and_of(const std::optional<Xapian::Query>& a, const Xapian::Query& b) {
    return a ? Xapian::Query(Xapian::Query::OP_AND, *a, b) : b;
}

Xapian::Query to_query(const Part& part) {
    Xapian::Query base;
    if (part.weighted && part.filter) {
        base = Xapian::Query(Xapian::Query::OP_FILTER, *part.weighted, *part.filter);
    } else if (part.weighted) {
        base = *part.weighted;
    } else if (part.filter) {
        base = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, *part.filter, 0.0);
    } else if (!part.negatives.empty()) {
        base = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query::MatchAll, 0.0);
    } else {
        return Xapian::Query::MatchNothing;
    }
    if (part.negatives.empty()) return base;
    return Xapian::Query(Xapian::Query::OP_AND_NOT, base,
                         Xapian::Query(Xapian::Query::OP_OR, part.negatives.begin(),
                                       part.negatives.end()));
}

Part and_parts(Part a, const Part& b) {
    if (b.weighted) a.weighted = and_of(a.weighted, *b.weighted);
    if (b.filter) a.filter = and_of(a.filter, *b.filter);
    a.negatives.insert(a.negatives.end(), b.negatives.begin(), b.negatives.end());
    return a;
}

Part combine(Xapian::Query::op op, const Part& a, const Part& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    Part out;
    out.weighted = Xapian::Query(op, to_query(a), to_query(b));
    return out;
}

class Builder {
public:
    Builder(std::string_view text, const QueryContext& context, Analyzer& analyzer,
            BuiltQuery& out)
        : m_text(text), m_context(context), m_analyzer(analyzer), m_out(out) {}

    void run() {
        m_lexemes = Lexer(m_text, m_out.warnings).run();
        Part whole = parse_or();
        while (m_pos < m_lexemes.size()) {
            // Only a stray ')' stops parse_or() before the end.
            m_out.warnings.push_back("a closing parenthesis has no opening one; ignored");
            ++m_pos;
            const Part more = parse_or();
            whole = m_context.match_all_words ? and_parts(whole, more)
                                              : combine(Xapian::Query::OP_OR, whole, more);
        }
        m_out.query = to_query(whole);
        if (whole.empty()) m_out.query = Xapian::Query::MatchNothing;
    }

private:
    [[nodiscard]] bool at(Kind kind) const {
        return m_pos < m_lexemes.size() && m_lexemes[m_pos].kind == kind;
    }
    [[nodiscard]] bool at_end_of_expression() const {
        return m_pos >= m_lexemes.size() || at(Kind::kClose);
    }

    Part parse_or() {
        Part left = parse_and();
        while (at(Kind::kOr) || at(Kind::kXor)) {
            const bool is_xor = at(Kind::kXor);
            const std::string name = is_xor ? "XOR" : "OR";
            ++m_pos;
            if (at_end_of_expression()) {
                m_out.warnings.push_back("'" + name + "' at the end has nothing to join; ignored");
                break;
            }
            const Part right = parse_and();
            if (left.empty() || right.empty()) {
                m_out.warnings.push_back("'" + name + "' lacks a word on one side; ignored");
            }
            left = combine(is_xor ? Xapian::Query::OP_XOR : Xapian::Query::OP_OR, left, right);
        }
        return left;
    }

    Part parse_and() {
        Part left = parse_group();
        while (at(Kind::kAnd) || at(Kind::kNot)) {
            bool negate = at(Kind::kNot);
            const std::string name = negate ? "NOT" : "AND";
            ++m_pos;
            if (!negate && at(Kind::kNot)) {
                negate = true;
                ++m_pos;
            }
            if (at_end_of_expression() || at(Kind::kOr) || at(Kind::kXor) || at(Kind::kAnd)) {
                m_out.warnings.push_back("'" + name + "' at the end has nothing to join; ignored");
                continue;
            }
            if (left.empty() && !negate) {
                m_out.warnings.push_back("'AND' at the start has nothing to join; ignored");
            }
            const bool saved = m_positive;
            if (negate) m_positive = false;
            const Part right = parse_group();
            m_positive = saved;
            if (negate) {
                if (!right.empty()) left.negatives.push_back(to_query(right));
            } else {
                left = and_parts(left, right);
            }
        }
        return left;
    }

    /// Juxtaposed items, joined by the default operator, with + and - and filters.
    Part parse_group() {
        std::vector<Part> required;
        std::vector<Part> optional;
        std::vector<Xapian::Query> negatives;
        std::map<std::string, std::vector<Xapian::Query>> filters;

        while (m_pos < m_lexemes.size()) {
            const Lexeme& lexeme = m_lexemes[m_pos];
            if (lexeme.kind == Kind::kAnd || lexeme.kind == Kind::kOr ||
                lexeme.kind == Kind::kNot || lexeme.kind == Kind::kXor ||
                lexeme.kind == Kind::kClose) {
                break;
            }
            if (lexeme.kind == Kind::kNear || lexeme.kind == Kind::kAdj) {
                m_out.warnings.push_back(std::string(lexeme.kind == Kind::kNear ? "NEAR" : "ADJ") +
                                         " needs a word on each side; ignored");
                ++m_pos;
                continue;
            }
            const char sign = lexeme.sign;
            const bool saved = m_positive;
            if (sign == '-') m_positive = false;
            Part item;
            if (lexeme.kind == Kind::kOpen) {
                ++m_pos;
                item = parse_or();
                if (at(Kind::kClose)) {
                    ++m_pos;
                } else {
                    m_out.warnings.push_back("a parenthesis is not closed; closed at the end");
                }
            } else if (is_filter_field(lexeme.field)) {
                ++m_pos;
                if (auto filter = filter_query(lexeme)) {
                    m_out.has_filters = true;
                    if (sign == '-') {
                        negatives.push_back(*filter);
                    } else {
                        filters[lexeme.field].push_back(*filter);
                    }
                }
                m_positive = saved;
                continue;
            } else if (m_pos + 1 < m_lexemes.size() &&
                       (m_lexemes[m_pos + 1].kind == Kind::kNear ||
                        m_lexemes[m_pos + 1].kind == Kind::kAdj)) {
                item = near_chain();
            } else {
                item = leaf(lexeme);
                ++m_pos;
            }
            m_positive = saved;
            if (item.empty()) continue;
            if (sign == '-') {
                negatives.push_back(to_query(item));
            } else if (sign == '+' || m_context.match_all_words) {
                required.push_back(std::move(item));
            } else {
                optional.push_back(std::move(item));
            }
        }

        Part group;
        for (const Part& part : required) group = and_parts(group, part);
        if (!optional.empty()) {
            std::vector<Xapian::Query> alternatives;
            for (const Part& part : optional) alternatives.push_back(to_query(part));
            Xapian::Query any(Xapian::Query::OP_OR, alternatives.begin(), alternatives.end());
            if (required.empty()) {
                group.weighted = any;
            } else {
                group.weighted = Xapian::Query(
                    Xapian::Query::OP_AND_MAYBE,
                    group.weighted ? *group.weighted
                                   : Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                                                   Xapian::Query::MatchAll, 0.0),
                    any);
            }
        }
        // Filters: OR within a field (source:AFP source:Reuters), AND across fields.
        for (const auto& [field, queries] : filters) {
            group.filter =
                and_of(group.filter, Xapian::Query(Xapian::Query::OP_OR, queries.begin(),
                                                   queries.end()));
        }
        group.negatives.insert(group.negatives.end(), negatives.begin(), negatives.end());
        return group;
    }

    /// a NEAR b NEAR/5 c, a ADJ b: positional, so on exact (unstemmed) words.
    Part near_chain() {
        std::vector<Xapian::Query> terms;
        std::string field_prefix;
        bool ordered = true;
        Xapian::termcount window = kDefaultNearWindow;
        bool first = true;
        while (m_pos < m_lexemes.size()) {
            const Lexeme& operand = m_lexemes[m_pos];
            if (operand.kind != Kind::kTerm && operand.kind != Kind::kPhrase) break;
            if (first) field_prefix = operand.field == "title" ? std::string(prefix::kTitle) : "";
            if (operand.wildcard) {
                m_out.warnings.push_back("a wildcard cannot be used with NEAR or ADJ; '" +
                                         operand.text + "*' was searched as '" + operand.text +
                                         "'");
            }
            for (const Token& token : m_analyzer.tokenize(operand.text)) {
                if (!count_word()) break;
                terms.emplace_back(field_prefix + token.exact);
                if (m_positive) m_out.highlights.exact.insert(token.exact);
            }
            ++m_pos;
            first = false;
            if (at(Kind::kNear) || at(Kind::kAdj)) {
                if (at(Kind::kNear)) ordered = false;
                window = m_lexemes[m_pos].window;  // the last NEAR/n of a chain sets it
                ++m_pos;
                if (!at(Kind::kTerm) && !at(Kind::kPhrase)) {
                    m_out.warnings.push_back(std::string(ordered ? "ADJ" : "NEAR") +
                                             " has nothing after it; ignored");
                    break;
                }
                continue;
            }
            break;
        }
        Part part;
        if (terms.empty()) return part;
        if (m_positive) m_out.has_terms = true;
        if (terms.size() == 1) {
            part.weighted = terms.front();
            return part;
        }
        window = std::max<Xapian::termcount>(window, static_cast<Xapian::termcount>(terms.size()));
        part.weighted = Xapian::Query(ordered ? Xapian::Query::OP_PHRASE : Xapian::Query::OP_NEAR,
                                      terms.begin(), terms.end(), window);
        return part;
    }

    /// Counts a query word; false (and one warning) beyond kMaxQueryWords.
    bool count_word() {
        if (++m_words <= kMaxQueryWords) return true;
        if (m_words == kMaxQueryWords + 1) {
            m_out.warnings.push_back("the query has more than " + std::to_string(kMaxQueryWords) +
                                     " words; the rest were ignored");
        }
        return false;
    }

    /// The exact terms of @p tokens as a phrase (or one term).
    Xapian::Query phrase(const std::vector<Token>& tokens, const std::string& field_prefix) {
        std::vector<Xapian::Query> terms;
        for (const Token& token : tokens) {
            if (!count_word()) break;
            terms.emplace_back(field_prefix + token.exact);
            if (m_positive) m_out.highlights.exact.insert(token.exact);
        }
        if (terms.size() == 1) return terms.front();
        if (terms.empty()) return Xapian::Query::MatchNothing;
        return Xapian::Query(Xapian::Query::OP_PHRASE, terms.begin(), terms.end(),
                             static_cast<Xapian::termcount>(terms.size()));
    }

    /// Stems of @p word in each language of the archive (the index stemmed each article with
    /// its own language's stemmer), language list per distinct stem.
    std::map<std::string, std::vector<std::string>> stems_of(const std::string& word) {
        std::map<std::string, std::vector<std::string>> by_stem;
        for (const std::string& language : m_context.languages) {
            by_stem[m_analyzer.stem(word, language)].push_back(language);
        }
        return by_stem;
    }

    /// An unquoted word: its stem, per language, each stem limited to its language's articles
    /// (one term when every language stems it alike).
    Xapian::Query word_query(const std::string& word, const std::string& field_prefix) {
        const std::string stem_prefix = std::string(prefix::kStemmed) + field_prefix;
        const auto by_stem = stems_of(word);
        if (by_stem.empty()) return Xapian::Query(stem_prefix + word);
        if (by_stem.size() == 1) return Xapian::Query(stem_prefix + by_stem.begin()->first);
        std::vector<Xapian::Query> alternatives;
        for (const auto& [stem, languages] : by_stem) {
            std::vector<Xapian::Query> language_terms;
            for (const std::string& language : languages) {
                language_terms.emplace_back(std::string(prefix::kLanguage) + language);
            }
            alternatives.emplace_back(
                Xapian::Query::OP_FILTER, Xapian::Query(stem_prefix + stem),
                Xapian::Query(Xapian::Query::OP_OR, language_terms.begin(), language_terms.end()));
        }
        return Xapian::Query(Xapian::Query::OP_OR, alternatives.begin(), alternatives.end());
    }

    /// An unquoted word with its name variants, each variant weighing variant_weight.
    Xapian::Query word_with_variants(const std::string& word, const std::string& field_prefix) {
        Xapian::Query main = word_query(word, field_prefix);
        if (m_positive) m_out.highlights.stemmed.insert(word);
        if (m_context.variants == nullptr) return main;
        const auto own_stems = stems_of(word);
        std::vector<Xapian::Query> variants;
        for (const std::string& variant : m_context.variants->variants_of(word)) {
            if (variant.find(' ') != std::string::npos) {
                const auto tokens = m_analyzer.tokenize(variant);
                if (m_context.database != nullptr &&
                    m_context.database->get_termfreq(field_prefix + tokens.front().exact) == 0) {
                    continue;
                }
                variants.push_back(phrase(tokens, field_prefix));
                continue;
            }
            // Only spellings the archive holds: keeps the query small and the automatic folding
            // from inventing terms.
            if (m_context.database != nullptr &&
                !m_context.database->term_exists(field_prefix + variant)) {
                continue;
            }
            // A variant that stems like the word itself in every language adds nothing (and
            // would count its matches twice).
            if (!m_context.languages.empty() && stems_of(variant) == own_stems) continue;
            variants.push_back(word_query(variant, field_prefix));
            if (m_positive) m_out.highlights.stemmed.insert(variant);
        }
        if (variants.empty()) return main;
        return Xapian::Query(
            Xapian::Query::OP_OR, main,
            Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                          Xapian::Query(Xapian::Query::OP_OR, variants.begin(), variants.end()),
                          m_context.variant_weight));
    }

    Xapian::Query wildcard(const std::string& folded, const std::string& field_prefix,
                           const std::string& typed) {
        const std::string pattern = field_prefix + folded;
        const std::size_t limit = m_context.max_wildcard_expansion;
        if (m_positive) m_out.highlights.prefixes.insert(folded);
        if (m_context.database == nullptr) {
            return Xapian::Query(Xapian::Query::OP_WILDCARD, pattern,
                                 static_cast<Xapian::termcount>(limit),
                                 Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
        }
        // Expanded here, over the whole archive, rather than by OP_WILDCARD: Xapian expands
        // that per shard, so each shard would pick its own most frequent words, and remote
        // shards would weigh them apart from local ones. One explicit list gives every shard the
        // same words and the same scores wherever it lives.
        std::vector<std::pair<Xapian::doccount, std::string>> words;
        for (auto it = m_context.database->allterms_begin(pattern);
             it != m_context.database->allterms_end(pattern); ++it) {
            words.emplace_back(it.get_termfreq(), *it);
        }
        if (words.empty()) {
            m_out.warnings.push_back("no word in the archive starts with '" + typed + "'");
            return Xapian::Query(Xapian::Query::OP_WILDCARD, pattern);  // matches nothing
        }
        if (words.size() > limit) {
            m_out.warnings.push_back("'" + typed + "*' matches more than " +
                                     std::to_string(limit) + " words; only the " +
                                     std::to_string(limit) + " most frequent were searched");
            std::partial_sort(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(limit),
                              words.end(), [](const auto& a, const auto& b) {
                                  return a.first != b.first ? a.first > b.first
                                                            : a.second < b.second;
                              });
            words.resize(limit);
        }
        std::vector<Xapian::Query> terms;
        for (const auto& [frequency, word] : words) terms.emplace_back(word);
        return Xapian::Query(Xapian::Query::OP_SYNONYM, terms.begin(), terms.end());
    }

    Part leaf(const Lexeme& lexeme) {
        Part part;
        const std::string field_prefix =
            lexeme.field == "title" ? std::string(prefix::kTitle) : std::string();
        const std::vector<Token> tokens = m_analyzer.tokenize(lexeme.text);
        if (tokens.empty()) return part;
        if (lexeme.kind == Kind::kPhrase) {
            // Quoted: exact words only, no stemming, no variants.
            part.weighted = phrase(tokens, field_prefix);
        } else if (lexeme.wildcard && tokens.size() == 1) {
            if (!count_word()) return part;
            part.weighted = wildcard(tokens.front().exact, field_prefix, lexeme.text);
        } else if (tokens.size() == 1) {
            if (!count_word()) return part;
            const std::string& word = tokens.front().exact;
            part.weighted = word_with_variants(word, field_prefix);
            if (m_positive) m_out.words.push_back({word, lexeme.begin, lexeme.end, field_prefix});
        } else {
            // One typed word the analyzer splits (abu-dhabi, a CJK run): its parts, in a row.
            if (lexeme.wildcard) {
                m_out.warnings.push_back("a wildcard works on single words; '" + lexeme.text +
                                         "*' was searched as '" + lexeme.text + "'");
            }
            part.weighted = phrase(tokens, field_prefix);
        }
        if (m_positive && part.weighted) m_out.has_terms = true;
        return part;
    }

    std::optional<Xapian::Query> filter_query(const Lexeme& lexeme) {
        if (lexeme.field == "date") return date_filter(lexeme.text, m_out.warnings);
        if (lexeme.field == "source") {
            const std::string term = schema::source_term(lexeme.text);
            if (m_context.database != nullptr && !m_context.database->term_exists(term)) {
                m_out.warnings.push_back("no articles from source '" + lexeme.text + "'");
            }
            return Xapian::Query(term);
        }
        if (lexeme.field == "lang") {
            std::string code = normalize_language_code(lexeme.text);
            if (code.empty()) code = ascii_lower(lexeme.text);
            const std::string term = std::string(prefix::kLanguage) + code;
            if (m_context.database != nullptr && !m_context.database->term_exists(term)) {
                m_out.warnings.push_back("no articles in language '" + lexeme.text + "'");
            }
            return Xapian::Query(term);
        }
        // host:
        std::string host = ascii_lower(lexeme.text);
        if (host.starts_with("www.")) host.erase(0, 4);
        return Xapian::Query(Xapian::Query::OP_OR,
                             Xapian::Query(std::string(prefix::kHost) + host),
                             Xapian::Query(std::string(prefix::kHost) + "www." + host));
    }

    std::string_view m_text;
    const QueryContext& m_context;
    Analyzer& m_analyzer;
    BuiltQuery& m_out;
    std::vector<Lexeme> m_lexemes;
    std::size_t m_pos = 0;
    std::size_t m_words = 0;
    bool m_positive = true;  ///< false inside NOT / -: those words are not highlighted
};

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<std::string> parse_day_bound(std::string_view text, bool upper) {
    text = trim(text);
    std::vector<std::string_view> parts;
    if (text.size() == 8 && all_digits(text)) {
        parts = {text.substr(0, 4), text.substr(4, 2), text.substr(6, 2)};
    } else {
        std::size_t start = 0;
        for (std::size_t i = 0; i <= text.size(); ++i) {
            if (i == text.size() || text[i] == '-' || text[i] == '/' || text[i] == '.') {
                parts.push_back(text.substr(start, i - start));
                start = i + 1;
            }
        }
    }
    if (parts.empty() || parts.size() > 3 || parts[0].size() != 4) return std::nullopt;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (!all_digits(parts[i]) || (i > 0 && parts[i].size() > 2)) return std::nullopt;
    }
    const int year = std::stoi(std::string(parts[0]));
    unsigned month = upper ? 12U : 1U;
    if (parts.size() > 1) month = static_cast<unsigned>(std::stoi(std::string(parts[1])));
    if (month < 1 || month > 12) return std::nullopt;
    unsigned day = 1;
    if (parts.size() > 2) {
        day = static_cast<unsigned>(std::stoi(std::string(parts[2])));
    } else if (upper) {
        day = 31;
        while (day > 28 && !is_valid_civil(year, month, day)) --day;
    }
    if (!is_valid_civil(year, month, day)) return std::nullopt;
    char out[16];
    std::snprintf(out, sizeof out, "%04d%02u%02u", year, month, day);
    return std::string(out);
}

Xapian::Query day_range_query(const std::string& low, const std::string& high) {
    if (!low.empty() && !high.empty()) {
        return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, schema::kSlotDay, low, high);
    }
    if (!low.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_GE, schema::kSlotDay, low);
    return Xapian::Query(Xapian::Query::OP_VALUE_LE, schema::kSlotDay, high);
}

std::optional<Xapian::Query> date_filter(std::string_view value,
                                         std::vector<std::string>& warnings) {
    if (ascii_lower(value) == "undated") return Xapian::Query(std::string(prefix::kUndated));
    std::string_view low_text = value;
    std::string_view high_text = value;
    if (const auto dots = value.find(".."); dots != std::string_view::npos) {
        low_text = value.substr(0, dots);
        high_text = value.substr(dots + 2);
    }
    std::optional<std::string> low;
    std::optional<std::string> high;
    for (const auto& [text, bound, upper] :
         {std::tuple{low_text, &low, false}, std::tuple{high_text, &high, true}}) {
        if (trim(text).empty()) continue;
        *bound = parse_day_bound(text, upper);
        if (!*bound) {
            warnings.push_back("date:" + std::string(value) + ": '" + std::string(text) +
                               "' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY); the date "
                               "filter was ignored");
            return std::nullopt;
        }
    }
    if (!low && !high) {
        warnings.push_back("date:" + std::string(value) + " gives no date; ignored");
        return std::nullopt;
    }
    if (low && high && *low > *high) {
        low = parse_day_bound(high_text, false);
        high = parse_day_bound(low_text, true);
        warnings.push_back("date range " + std::string(value) + " is reversed; searched " +
                           std::string(trim(high_text)) + ".." + std::string(trim(low_text)));
    }
    return day_range_query(low.value_or(""), high.value_or(""));
}

BuiltQuery build_query(std::string_view text, const QueryContext& context, Analyzer& analyzer) {
    BuiltQuery out;
    Builder(text, context, analyzer, out).run();
    return out;
}

std::vector<std::string> database_languages(const Xapian::Database& database) {
    std::vector<std::string> languages;
    const std::string language_prefix(prefix::kLanguage);
    for (auto it = database.allterms_begin(language_prefix);
         it != database.allterms_end(language_prefix); ++it) {
        languages.push_back((*it).substr(language_prefix.size()));
    }
    return languages;
}

}  // namespace wiredesk::searcher
