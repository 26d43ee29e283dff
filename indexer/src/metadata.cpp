#include "wiredesk/indexer/metadata.hpp"

#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/language.hpp"
#include "wiredesk/common/text.hpp"

namespace wiredesk::indexer {

std::string url_host(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return {};
    auto rest = url.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
        rest = rest.substr(0, colon);
    }
    std::string host = ascii_lower(rest);
    if (host.rfind("www.", 0) == 0) host.erase(0, 4);
    return host;
}

void resolve_metadata(Article& article, const MetadataOptions& options) {
    article.title = std::string(trim(article.title));
    article.url = std::string(trim(article.url));
    article.source = collapse_whitespace(article.source);

    if (article.id.empty()) {
        article.id = !article.url.empty() ? article.url : article.path;
        if (article.url.empty() && article.line) article.id += ":" + std::to_string(*article.line);
    }
    if (article.source.empty()) article.source = url_host(article.url);
    if (article.source.empty()) article.source = options.default_source;

    const std::string date_text(trim(article.date_text));
    if (!date_text.empty()) {
        try {
            article.date = parse_date(date_text, options.file_mtime);
        } catch (const DateError& error) {
            throw InputError(article.path, article.line, error.what());
        }
        if (!article.date) {
            throw InputError(article.path, article.line,
                             "unrecognised date '" + date_text +
                                 "' (expected ISO 8601, RFC 2822 or a written date)");
        }
    }
    if (!article.date && options.date_from_mtime) article.date = options.file_mtime;

    std::string language = normalize_language_code(article.language);
    if (language.empty()) language = detect_language(article.title, article.body);
    article.language = language;
}

}  // namespace wiredesk::indexer
