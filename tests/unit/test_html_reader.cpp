#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "wiredesk/indexer/html_reader.hpp"

using wiredesk::Article;
using wiredesk::InputError;
using wiredesk::indexer::HtmlReader;
using wiredesk::indexer::SourceText;

namespace {

SourceText source_named(const std::string& name, std::string_view content) {
    return SourceText{"pages/" + name, name, content};
}

/// The article of a page; a page is always exactly one article.
Article read_page(std::string_view html, const std::string& name = "story.html") {
    std::vector<Article> articles;
    int problems = 0;
    HtmlReader().read(
        source_named(name, html), [&articles](Article&& article) { articles.push_back(article); },
        [&problems](const InputError&) { ++problems; });
    REQUIRE(problems == 0);
    REQUIRE(articles.size() == 1);
    return articles.front();
}

/// A page with @p head in its <head> and @p body as its <body>'s contents.
std::string page(std::string_view head, std::string_view body) {
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">" + std::string(head) +
           "</head>\n<body>" + std::string(body) + "</body></html>\n";
}

int confidence_of(const std::string& name, std::string_view content) {
    return HtmlReader().confidence(source_named(name, content));
}

std::string reason_of_failure(std::string_view html, const std::string& name = "story.html") {
    try {
        read_page(html, name);
    } catch (const InputError& error) {
        CHECK(error.path() == "pages/" + name);
        CHECK_FALSE(error.line().has_value());
        return error.reason();
    }
    FAIL("expected an InputError");
    return {};
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

}  // namespace

TEST_CASE("HtmlReader is named html") { CHECK(HtmlReader().name() == "html"); }

TEST_CASE("HTML confidence: 90 for .html/.htm/.xhtml names whose content is markup") {
    CHECK(confidence_of("a.html", "<p>Hello</p>") == 90);
    CHECK(confidence_of("a.htm", "\n  <!DOCTYPE html><title>x</title>") == 90);
    CHECK(confidence_of("a.xhtml", "<?xml version=\"1.0\"?><html/>") == 90);
    CHECK(confidence_of("a.html", "Just words, 3 < 4 and no tags.") == 0);
}

TEST_CASE("HTML confidence: 80 for other names that open like HTML") {
    CHECK(confidence_of("page", "  <!doctype HTML>\n<html>") == 80);
    CHECK(confidence_of("page.txt", "<HTML lang=en><body>x</body></HTML>") == 80);
    CHECK(confidence_of("page", "\xEF\xBB\xBF<html><body>x</body></html>") == 80);
    CHECK(confidence_of("page.dat", "<?xml version=\"1.0\"?>\n<!-- saved -->\n<head>") == 80);
    CHECK(confidence_of("page.dat", "Saved page follows\n<body><p>x</p></body>") == 80);
}

TEST_CASE("HTML confidence: 0 for text, JSON that quotes HTML, and markup past the first KB") {
    CHECK(confidence_of("notes.txt", "Markets fell <sharply> today.") == 0);
    CHECK(confidence_of("feed.jsonl", "{\"text\": \"<html><body>x</body></html>\"}") == 0);
    CHECK(confidence_of("a.txt", std::string(2000, 'x') + "<html>") == 0);
    CHECK(confidence_of("feed.xml", "<?xml version=\"1.0\"?><rss><channel/></rss>") == 0);
}

TEST_CASE("HTML: JSON-LD NewsArticle gives headline, date, publisher, url and identifier") {
    const Article article = read_page(page(
        R"(<title>Ignored | Daily</title>
           <script type="application/ld+json">
           {"@context": "https://schema.org", "@type": "NewsArticle",
            "headline": " Storm hits the coast ", "datePublished": "2026-01-24T10:30:00+05:30",
            "publisher": {"@type": "Organization", "name": "ETV Bharat"},
            "url": "https://etv.test/storm", "identifier": "etv-123"}
           </script>)",
        "<article><h1>Storm hits the coast</h1><p>Winds rose.</p></article>"));
    CHECK(article.title == "Storm hits the coast");
    CHECK(article.date_text == "2026-01-24T10:30:00+05:30");
    CHECK(article.source == "ETV Bharat");
    CHECK(article.url == "https://etv.test/storm");
    CHECK(article.id == "etv-123");
    CHECK(article.body == "Winds rose.");
    CHECK(article.path == "pages/story.html");
    CHECK_FALSE(article.line.has_value());
}

TEST_CASE("HTML: JSON-LD in an @graph with an @type array and a publisher by @id") {
    const Article article = read_page(page(
        R"(<script type="application/ld+json">
           {"@context": "https://schema.org", "@graph": [
             {"@type": "WebSite", "@id": "#site", "name": "Site Name", "headline": "No"},
             {"@type": "Organization", "@id": "#org", "name": "The Graph Times"},
             {"@type": ["Article", "NewsArticle"], "headline": "Graph headline",
              "datePublished": "2026-02-01", "publisher": {"@id": "#org"},
              "mainEntityOfPage": {"@type": "WebPage", "@id": "https://graph.test/a"},
              "identifier": 99}
           ]}
           </script>)",
        "<main><p>Text.</p></main>"));
    CHECK(article.title == "Graph headline");
    CHECK(article.date_text == "2026-02-01");
    CHECK(article.source == "The Graph Times");
    CHECK(article.url == "https://graph.test/a");
    CHECK(article.id.empty());  // a numeric identifier is not taken
}

TEST_CASE("HTML: JSON-LD as a top-level array, with a publisher array and a mainEntityOfPage URL") {
    const Article article = read_page(page(
        R"(<script type="application/ld+json">[
             {"@type": "BreadcrumbList", "itemListElement": []},
             {"@type": "http://schema.org/ReportageNewsArticle", "headline": "From the field",
              "publisher": [{"@type": "Organization"}, {"name": "Wire Service"}],
              "mainEntityOfPage": "https://field.test/report"}
           ]</script>)",
        "<p>Body.</p>"));
    CHECK(article.title == "From the field");
    CHECK(article.source == "Wire Service");
    CHECK(article.url == "https://field.test/report");
}

TEST_CASE("HTML: a malformed JSON-LD block is ignored and the next one is used") {
    const Article article = read_page(page(
        R"(<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>
           <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Good",
              "publisher": "Plain Publisher"}</script>)",
        "<p>Body.</p>"));
    CHECK(article.title == "Good");
    CHECK(article.source == "Plain Publisher");
}

TEST_CASE("HTML: Open Graph and article meta beat JSON-LD for date, source and url") {
    const Article article = read_page(page(
        R"(<meta property="og:title" content="OG title">
           <meta property="og:site_name" content="OG Site">
           <meta property="og:url" content="https://og.test/a">
           <meta property="article:published_time" content="2026-03-01T08:00:00Z">
           <script type="application/ld+json">{"@type": "NewsArticle",
             "datePublished": "2020-01-01", "publisher": {"name": "LD Site"},
             "url": "https://ld.test/a"}</script>)",
        "<p>Body.</p>"));
    CHECK(article.title == "OG title");  // the JSON-LD node has no headline
    CHECK(article.date_text == "2026-03-01T08:00:00Z");
    CHECK(article.source == "OG Site");
    CHECK(article.url == "https://og.test/a");
}

TEST_CASE("HTML: the canonical link beats og:url, which beats the JSON-LD url") {
    const std::string ld =
        R"(<script type="application/ld+json">{"@type": "Article", "url": "https://ld.test"})"
        "</script>";
    CHECK(read_page(page(R"(<link rel="alternate canonical" href=" https://c.test/a ">
                            <meta property="og:url" content="https://og.test/a">)" + ld,
                         "<p>x</p>"))
              .url == "https://c.test/a");
    CHECK(read_page(page(R"(<meta property="og:url" content="https://og.test/a">)" + ld,
                         "<p>x</p>"))
              .url == "https://og.test/a");
    CHECK(read_page(page(ld, "<p>x</p>")).url == "https://ld.test");
}

TEST_CASE("HTML: the title falls back to the article's h1, any h1, then <title>") {
    CHECK(read_page(page("<title>T</title>",
                         "<h1>Site banner</h1><article><header><h1>Article headline</h1>"
                         "</header><p>Text.</p></article>"))
              .title == "Article headline");
    CHECK(read_page(page("<title>T</title>", "<div><h1> Page  h1 </h1><p>Text.</p></div>"))
              .title == "Page h1");
    CHECK(read_page(page("<title>Only the title</title>", "<p>Text.</p>")).title ==
          "Only the title");
}

TEST_CASE("HTML: a <title> suffix is stripped only when it is the site name") {
    const std::string site = R"(<meta property="og:site_name" content="The Daily">)";
    CHECK(read_page(page(site + "<title>Big news | The Daily</title>", "<p>x</p>")).title ==
          "Big news");
    CHECK(read_page(page(site + "<title>Big news - the daily</title>", "<p>x</p>")).title ==
          "Big news");
    CHECK(read_page(page(site + "<title>Q&amp;A - Part 2</title>", "<p>x</p>")).title ==
          "Q&A - Part 2");
    CHECK(read_page(page("<title>Big news | The Daily</title>", "<p>x</p>")).title ==
          "Big news | The Daily");
}

TEST_CASE("HTML: the source falls back to application-name") {
    CHECK(read_page(page(R"(<meta name="application-name" content="App News">)", "<p>x</p>"))
              .source == "App News");
}

TEST_CASE("HTML: date meta names are read in order") {
    CHECK(read_page(page(R"(<meta name="date" content="2026-01-01">)", "<p>x</p>")).date_text ==
          "2026-01-01");
    CHECK(read_page(page(R"(<meta name="pubdate" content="20260102">)", "<p>x</p>")).date_text ==
          "20260102");
    CHECK(read_page(page(R"(<meta name="dc.date" content="2026-01-03">)", "<p>x</p>"))
              .date_text == "2026-01-03");
    CHECK(read_page(page(R"(<meta name="DC.date.issued" content="2026-01-04">)", "<p>x</p>"))
              .date_text == "2026-01-04");
    CHECK(read_page(page(R"(<meta name="DC.date.issued" content="2026-01-04">
                            <meta name="date" content="2026-01-01">)",
                         "<p>x</p>"))
              .date_text == "2026-01-01");
}

TEST_CASE("HTML: a <time datetime> inside the article beats one outside, then <time> text") {
    CHECK(read_page(page("", R"(<div><time datetime="2025-12-31">Yesterday</time></div>
                                <article><p>Text.</p><time datetime="2026-01-24T10:30">Today
                                </time></article>)"))
              .date_text == "2026-01-24T10:30");
    CHECK(read_page(page("", R"(<p>Posted <time datetime="2026-01-05">Monday</time></p>)"))
              .date_text == "2026-01-05");
    CHECK(read_page(page("", "<article><p>Text.</p><time> Jan. 24,\n 2026 </time></article>"))
              .date_text == "Jan. 24, 2026");
}

TEST_CASE("HTML: the language comes from <html lang>, og:locale or content-language") {
    CHECK(read_page("<html lang=\"en-GB\"><head><title>t</title></head><body>x</body></html>")
              .language == "en");
    CHECK(read_page(page(R"(<meta property="og:locale" content="fr_FR">)", "<p>x</p>"))
              .language == "fr");
    CHECK(read_page(page(R"(<meta http-equiv="Content-Language" content="DE">)", "<p>x</p>"))
              .language == "de");
    CHECK(read_page(page("", "<p>x</p>")).language.empty());
}

TEST_CASE("HTML: block elements make paragraphs and inline elements join words") {
    const Article article = read_page(page(
        "<title>t</title>",
        "<article><p>First <b>bold</b><i>ly</i>   spaced\n text.</p><div>Second<br>Third</div>"
        "<ul><li>One</li><li>Two</li></ul><h2>Sub</h2>Loose text<blockquote>Quote"
        "</blockquote><p>  </p><table><tr><td>A</td><td>B</td></tr></table></article>"));
    CHECK(article.body ==
          "First boldly spaced text.\nSecond\nThird\nOne\nTwo\nSub\nLoose text\nQuote\nA\nB");
}

TEST_CASE("HTML: scripts, styles, navigation, page chrome, forms, media and comments are not "
          "text") {
    const Article article = read_page(page(
        "<title>t</title><style>p { color: red }</style>",
        "<nav>Home | World</nav><header>Masthead</header>"
        "<article><p>Kept one.</p><script>var x = 1;</script><style>.a{}</style>"
        "<noscript>Enable JS</noscript><!-- a comment --><p>Kept <!-- inline -->two.</p>"
        "<aside>Aside</aside><form><label>Email</label><input></form><button>Click</button>"
        "<iframe src=\"x\">Frame</iframe><svg><text>Chart</text><title>Svg title</title></svg>"
        "<figure><img src=\"a.jpg\"><figcaption>Caption</figcaption></figure>"
        "<template><p>Template</p></template><video>No video support</video>"
        "<p>Kept three.</p></article><footer>Copyright</footer>"));
    CHECK(article.body == "Kept one.\nKept two.\nKept three.");
    CHECK(article.title == "t");
}

TEST_CASE("HTML: share, social, newsletter, related, comments, ads, promos, breadcrumbs and "
          "cookie notices are not text") {
    const Article article = read_page(page(
        "<title>t</title>",
        "<article><p>Kept.</p>"
        "<div class=\"share-buttons\">Share</div><div class=\"Social-Links\">Follow</div>"
        "<div id=\"newsletter-signup\">Subscribe</div><section class=\"related\">More</section>"
        "<div id=\"comments\">Comment</div><div class=\"advert\">Buy</div>"
        "<div class=\"promo-box\">Promo</div><ol class=\"breadcrumb\"><li>Home</li></ol>"
        "<div class=\"cookie-banner\">Cookies</div><p>Also kept.</p></article>"));
    CHECK(article.body == "Kept.\nAlso kept.");
}

TEST_CASE("HTML: a page-level class on <body> or <html> does not hide the article") {
    const std::string html =
        "<html class=\"cookie-ok\"><body class=\"article-page social-enabled\">"
        "<div class=\"share\">Share</div><time datetime=\"2020-01-01\"></time>"
        "<article><p>Story.</p><time datetime=\"2026-01-24\">Jan 24</time></article>"
        "</body></html>";
    const Article article = read_page(html);
    CHECK(article.body == "Story.\nJan 24");
    CHECK(article.date_text == "2026-01-24");
}

TEST_CASE("HTML: entities are decoded") {
    const Article article = read_page(
        page("<title>Caf&eacute; &amp; bar</title>",
             "<p>It&#8217;s&nbsp;here &lt;now&gt; &mdash; &quot;ok&quot; &#x263A;</p>"));
    CHECK(article.title == "Café & bar");
    CHECK(article.body == "It’s here <now> — \"ok\" ☺");
}

TEST_CASE("HTML: the longest <article> is the body, and its h1 is the title") {
    const Article article = read_page(page(
        "", "<article><h1>Teaser</h1><p>Short.</p></article>"
            "<article><h1>Main story</h1><p>This one is much longer than the teaser.</p>"
            "<p>And has two paragraphs.</p></article>"));
    CHECK(article.title == "Main story");
    CHECK(article.body == "This one is much longer than the teaser.\nAnd has two paragraphs.");
}

TEST_CASE("HTML: without an <article>, the body is <main>, then [role=main], then <body>") {
    CHECK(read_page(page("", "<div>Menu</div><main><p>Main text.</p></main>")).body ==
          "Main text.");
    CHECK(read_page(page("", "<div>Menu</div><div role=\"main\"><p>Role text.</p></div>")).body ==
          "Role text.");
    CHECK(read_page(page("", "<div>All</div><p>Of it.</p>")).body == "All\nOf it.");
    // An <article> inside page chrome (a related-stories aside) is not the story.
    CHECK(read_page(page("", "<aside><article><p>Other story.</p></article></aside>"
                             "<main><p>This story.</p></main>"))
              .body == "This story.");
}

TEST_CASE("HTML: the headline is not repeated as the first body paragraph") {
    const Article article = read_page(page(
        "<title>Site</title>", "<article><h1>Flood warning</h1><p>Rivers rose.</p></article>"));
    CHECK(article.title == "Flood warning");
    CHECK(article.body == "Rivers rose.");
}

TEST_CASE("HTML: pre-formatted wire copy is split into paragraphs at blank lines") {
    const Article article = read_page(
        page("<title>t</title>", "<pre>First paragraph\nwrapped by hand.\n\nSecond one.\n</pre>"));
    CHECK(article.body == "First paragraph wrapped by hand.\nSecond one.");
}

TEST_CASE("HTML: a windows-1252 page declared with <meta charset> is converted") {
    const std::string html =
        "<html><head><meta charset=\"windows-1252\"><title>Caf\xE9</title></head>"
        "<body><p>\x93Quoted\x94 \x96 na\xEFve</p></body></html>";
    const Article article = read_page(html);
    CHECK(article.title == "Café");
    CHECK(article.body == "“Quoted” – naïve");
}

TEST_CASE("HTML: a charset declared by http-equiv is used, ISO-8859-1 read as windows-1252") {
    const std::string html =
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">"
        "</head><body><p>\x93Smart\x94 caf\xE9</p></body></html>";
    CHECK(read_page(html, "page").body == "“Smart” café");
}

TEST_CASE("HTML: a valid UTF-8 page is not converted whatever it declares") {
    const std::string html =
        "<html><head><meta charset=\"iso-8859-1\"></head><body><p>café</p></body></html>";
    CHECK(read_page(html).body == "café");
}

TEST_CASE("HTML: invalid UTF-8 without a declared charset is an error naming the byte") {
    const std::string html = "<html><body>\n<p>caf\xE9</p></body></html>";
    const std::string reason = reason_of_failure(html);
    CHECK(reason == "invalid UTF-8 at byte 19 (line 2); declare the charset in a <meta> tag");
    const std::string declared_utf8 =
        "<html><head><meta charset=utf-8></head><body><p>caf\xE9</p></body></html>";
    CHECK(contains(reason_of_failure(declared_utf8), "invalid UTF-8 at byte"));
}

TEST_CASE("HTML: an unknown declared charset is an error naming it") {
    const std::string html =
        "<html><head><meta charset=\"x-no-such-set\"></head><body><p>\xE9</p></body></html>";
    CHECK(contains(reason_of_failure(html), "'x-no-such-set'"));
}

TEST_CASE("HTML: a page with neither title nor text is an error") {
    CHECK(reason_of_failure(page("<script>var a;</script>",
                                 "<nav>Menu</nav><div class=\"cookie\">OK</div>")) ==
          "no article text found");
}

TEST_CASE("HTML: a page with a title and no text is read") {
    const Article article = read_page(page("<title>Photo gallery</title>", "<nav>x</nav>"));
    CHECK(article.title == "Photo gallery");
    CHECK(article.body.empty());
}

TEST_CASE("HTML: a page without extension that opens with <html> reads like any page") {
    const std::string html =
        "\xEF\xBB\xBF<html lang=\"es\"><head><title>Hola</title></head>"
        "<body><main><p>Texto.</p></main></body></html>";
    CHECK(confidence_of("saved-page", html) == 80);
    const Article article = read_page(html, "saved-page");
    CHECK(article.title == "Hola");
    CHECK(article.body == "Texto.");
    CHECK(article.language == "es");
}
