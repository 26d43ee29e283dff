#include "wiredesk/indexer/text_reader.hpp"

#include <algorithm>
#include <vector>

#include "wiredesk/common/text.hpp"

namespace wiredesk::indexer {
namespace {

constexpr std::size_t kMaxHeadlineBytes = 200;
constexpr std::size_t kSniffBytes = 8192;

bool ends_with(std::string_view text, std::string_view suffix) noexcept {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool looks_binary(std::string_view content) noexcept {
    const auto head = content.substr(0, kSniffBytes);
    return head.find('\0') != std::string_view::npos;
}

std::vector<std::string_view> split_lines(std::string_view content) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= content.size()) {
        auto end = content.find('\n', start);
        if (end == std::string_view::npos) end = content.size();
        auto line = content.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        start = end + 1;
    }
    return lines;
}

/// `date 2026-01-25 ETV Bharat / international`: the word "date", the date (one token), then
/// the source, then an optional section after " / ".
bool parse_metadata_line(std::string_view line, Article& article) {
    const auto text = trim(line);
    if (ascii_lower(text.substr(0, 5)) != "date ") return false;
    auto rest = trim(text.substr(5));
    // "Date night in Paris..." is prose, not metadata: the date must start with a digit.
    if (rest.empty() || rest[0] < '0' || rest[0] > '9') return false;
    const auto date_end = rest.find_first_of(" \t");
    article.date_text = std::string(rest.substr(0, date_end));
    if (date_end != std::string_view::npos) {
        auto source = trim(rest.substr(date_end));
        if (const auto section = source.find(" / "); section != std::string_view::npos) {
            source = trim(source.substr(0, section));
        }
        article.source = std::string(source);
    }
    return true;
}

/// `Title: ...`, `Date: ...` and the like. Returns false for a line that is not such a header.
bool parse_header_line(std::string_view line, Article& article) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 16) return false;
    const std::string key = ascii_lower(trim(line.substr(0, colon)));
    const std::string value(trim(line.substr(colon + 1)));
    if (key == "title" || key == "headline" || key == "subject") {
        article.title = value;
    } else if (key == "date" || key == "published" || key == "pubdate") {
        article.date_text = value;
    } else if (key == "source" || key == "publisher" || key == "outlet" || key == "site") {
        article.source = value;
    } else if (key == "url" || key == "link") {
        article.url = value;
    } else if (key == "id") {
        article.id = value;
    } else if (key == "language" || key == "lang") {
        article.language = value;
    } else {
        return false;
    }
    return true;
}

bool looks_like_headline(std::string_view line) noexcept {
    const auto text = trim(line);
    return !text.empty() && text.size() <= kMaxHeadlineBytes && !ends_with(text, ".") &&
           !ends_with(text, ":") && !ends_with(text, ",");
}

std::size_t line_of_offset(std::string_view content, std::size_t offset) {
    return 1 + static_cast<std::size_t>(
                   std::count(content.begin(), content.begin() + static_cast<long>(offset), '\n'));
}

}  // namespace

int TextReader::confidence(const SourceText& source) const {
    if (looks_binary(source.content)) return 0;
    if (ends_with(source.name, ".txt") || ends_with(source.name, ".text")) return 60;
    // Any other file that is text: the least specific reader, tried after the others.
    return 20;
}

void TextReader::read(const SourceText& source, const ArticleSink& articles,
                      const ProblemSink& /*problems*/) const {
    if (const auto bad = find_invalid_utf8(source.content)) {
        throw InputError(source.path, line_of_offset(source.content, *bad),
                         "invalid UTF-8 at byte " + std::to_string(*bad) +
                             " (convert the file to UTF-8)");
    }
    std::string_view content = source.content;
    if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);  // UTF-8 BOM

    const auto lines = split_lines(content);
    Article article;
    article.path = source.path;
    std::size_t next = 0;
    const auto skip_blank = [&] {
        while (next < lines.size() && trim(lines[next]).empty()) ++next;
    };

    skip_blank();
    if (next < lines.size() && parse_metadata_line(lines[next], article)) {
        ++next;
    } else {
        // Mail-style headers: a run of `Key: value` lines at the top, ended by a blank line.
        std::size_t probe = next;
        Article with_headers = article;
        while (probe < lines.size() && !trim(lines[probe]).empty() &&
               parse_header_line(lines[probe], with_headers)) {
            ++probe;
        }
        if (probe > next && (probe == lines.size() || trim(lines[probe]).empty())) {
            article = std::move(with_headers);
            next = probe;
        }
    }

    skip_blank();
    if (article.title.empty() && next < lines.size() && looks_like_headline(lines[next])) {
        // Only a headline if more text follows: a one-line file is a body.
        std::size_t after = next + 1;
        while (after < lines.size() && trim(lines[after]).empty()) ++after;
        if (after < lines.size()) {
            article.title = collapse_whitespace(lines[next]);
            next = after;
        }
    }

    std::string body;
    for (; next < lines.size(); ++next) {
        const std::string paragraph = collapse_whitespace(lines[next]);
        if (paragraph.empty()) continue;
        if (!body.empty()) body += '\n';
        body += paragraph;
    }
    article.body = std::move(body);
    if (article.body.empty() && article.title.empty()) {
        throw InputError(source.path, std::nullopt, "no article text (only white space)");
    }
    articles(std::move(article));
}

}  // namespace wiredesk::indexer
