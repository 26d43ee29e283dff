/// Copy detection on its own (no database): each kind of edit a wire copy goes through keeps it a
/// copy; follow-ups, same-story write-ups and unrelated stories are not copies.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "wiredesk/common/analyzer.hpp"
#include "wiredesk/indexer/grouping.hpp"

using namespace wiredesk;
using indexer::compare;
using indexer::copy_fingerprint;
using indexer::is_copy;

namespace {

/// The paragraphs of a corpus .txt file (metadata line, headline, then paragraphs).
std::vector<std::string> paragraphs(const std::string& relative) {
    const std::string text = test::read_file(test::source_dir() / "corpus" / relative);
    std::vector<std::string> lines;
    std::size_t begin = 0;
    while (begin < text.size()) {
        std::size_t end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        if (end > begin) lines.push_back(text.substr(begin, end - begin));
        begin = end + 1;
    }
    return {lines.begin() + 2, lines.end()};  // drop the metadata line and the headline
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) out += part + "\n";
    return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

struct Pair {
    indexer::CopySimilarity similarity;
    bool copy;
    /// Whichever of the two is indexed second finds the first: its probes meet the first's
    /// stored anchors, both ways.
    bool found;
};

/// Whether one of @p later's probes is among @p earlier's stored anchors.
bool probes_meet(const indexer::CopyFingerprint& later, const indexer::CopyFingerprint& earlier) {
    return std::any_of(later.probes.begin(), later.probes.end(), [&](std::uint64_t probe) {
        return std::find(earlier.anchors.begin(), earlier.anchors.end(), probe) !=
               earlier.anchors.end();
    });
}

Pair check(const std::string& a, const std::string& b) {
    Analyzer analyzer;
    const auto first = copy_fingerprint(a, analyzer);
    const auto second = copy_fingerprint(b, analyzer);
    const auto similarity = compare(first, second);
    return {similarity, is_copy(similarity, indexer::GroupingOptions{}),
            probes_meet(first, second) && probes_meet(second, first)};
}

const std::vector<std::string>& original() {
    static const std::vector<std::string> text = paragraphs("wire/afp_rotterdam_strike.txt");
    return text;
}

}  // namespace

TEST_CASE("every edit a wire copy goes through keeps it a copy") {
    const std::vector<std::string>& p = original();
    REQUIRE(p.size() >= 8);
    const std::string base = join(p);

    SUBCASE("identical text") { CHECK(check(base, base).similarity.jaccard == 1.0); }
    SUBCASE("dateline removed") {
        std::vector<std::string> edited = p;
        edited[0] = edited[0].substr(edited[0].find("Thousands"));
        const auto pair = check(base, join(edited));
        CHECK(pair.copy);
        CHECK(pair.found);
        CHECK(pair.similarity.jaccard == 1.0);  // the dateline is not part of the fingerprint
    }
    SUBCASE("byline and photo caption added") {
        std::vector<std::string> edited = p;
        edited.insert(edited.begin(), "By Jan de Vries");
        edited.insert(edited.begin() + 2,
                      "Container ships wait at anchor off Rotterdam on Tuesday. (AFP Photo)");
        CHECK(check(base, join(edited)).similarity.jaccard == 1.0);
    }
    SUBCASE("trimmed from the bottom to 40 per cent") {
        const std::vector<std::string> edited(p.begin(), p.begin() + 3);
        const auto pair = check(base, join(edited));
        CHECK(pair.similarity.jaccard < 0.5);
        CHECK(pair.copy);
        CHECK(pair.found);
    }
    SUBCASE("a middle paragraph dropped") {
        std::vector<std::string> edited = p;
        edited.erase(edited.begin() + 3);
        const auto pair = check(base, join(edited));
        CHECK(pair.copy);
        CHECK(pair.found);
    }
    SUBCASE("a local paragraph added") {
        std::vector<std::string> edited = p;
        edited.insert(edited.begin() + 4,
                      "In Antwerp, port officials said they were preparing to take in diverted "
                      "ships if the stoppage lasted beyond Thursday.");
        const auto pair = check(base, join(edited));
        CHECK(pair.copy);
        CHECK(pair.found);
    }
    SUBCASE("boilerplate tails") {
        std::vector<std::string> edited = p;
        edited.push_back("Copyright 2026 AFP. All rights reserved.");
        edited.push_back("Follow us on X and Facebook for the latest news.");
        edited.push_back("Reuters contributed to this report.");
        CHECK(check(base, join(edited)).similarity.jaccard == 1.0);
    }
    SUBCASE("house style: percent, Kiev, labor, straight quotes") {
        std::string edited = replace_all(base, "per cent", "percent");
        edited = replace_all(edited, "Kyiv", "Kiev");
        edited = replace_all(edited, "labour", "labor");
        edited = replace_all(edited, "\xe2\x80\x9c", "\"");
        edited = replace_all(edited, "\xe2\x80\x9d", "\"");
        edited = replace_all(edited, "\xe2\x80\x99", "'");
        CHECK(check(base, edited).similarity.jaccard > 0.95);
    }
    SUBCASE("a few typos") {
        std::string edited = replace_all(base, "traffic", "trafic");
        edited = replace_all(edited, "negotiator", "negociator");
        edited = replace_all(edited, "walked off", "walked of");
        edited = replace_all(edited, "region", "regoin");
        CHECK(check(base, edited).similarity.jaccard > 0.85);
    }
    SUBCASE("everything at once, with a new headline (headlines are not compared)") {
        std::vector<std::string> edited(p.begin(), p.begin() + 6);
        edited[0] = edited[0].substr(edited[0].find("Thousands"));
        edited.erase(edited.begin() + 2);
        edited.push_back("Copyright 2026 AFP. All rights reserved.");
        const auto pair = check(base, replace_all(join(edited), "per cent", "percent"));
        CHECK(pair.copy);
        CHECK(pair.found);
    }
}

TEST_CASE("a long article stores as anchors what a later copy probes with, and its lead") {
    // A later article queries with its 8 smallest sampled shingles and its first 4. Each anchor
    // stored is a posting list of its own in Xapian's writer, so an article stores the same 8
    // smallest and its first 6 (a copy may have gained or lost a few words at the top), not
    // every sampled shingle: a copy is then found alike whichever of the two came first.
    std::string body;
    for (const char* file : {"wire/afp_rotterdam_strike.txt", "wire/ap_chess_zurich.txt",
                             "wire/galway_storm.txt", "wire/reuters_valencia_floods.txt",
                             "wire/savanna_times_kenya_drought.txt",
                             "wire/deccan_bengaluru_metro.txt"}) {
        body += join(paragraphs(file));
    }
    Analyzer analyzer;
    const auto fingerprint = copy_fingerprint(body, analyzer);
    REQUIRE(fingerprint.shingles.size() > 1000);  // some 60 sampled shingles
    CHECK(fingerprint.anchors.size() <= 8 + 6);
    CHECK(fingerprint.probes.size() >= 8);
    for (const std::uint64_t probe : fingerprint.probes) {
        CHECK(std::find(fingerprint.anchors.begin(), fingerprint.anchors.end(), probe) !=
              fingerprint.anchors.end());
    }
}

TEST_CASE("a follow-up that reuses background paragraphs under a new lead is not a copy") {
    const std::vector<std::string> followup = paragraphs("wire/afp_rotterdam_deal_followup.txt");
    const auto pair = check(join(original()), join(followup));
    CHECK_FALSE(pair.copy);
    CHECK(pair.similarity.containment > 0.1);  // it does share paragraphs
    CHECK(pair.similarity.lead < 0.6);
}

TEST_CASE("a background paragraph lifted into another story's tail is not a copy") {
    const std::vector<std::string>& p = original();
    std::vector<std::string> other = paragraphs("wire/ap_chess_zurich.txt");
    other.push_back(p[4]);
    other.push_back(p[5]);
    CHECK_FALSE(check(join(p), join(other)).copy);
}

TEST_CASE("different write-ups of one event and unrelated stories are not copies") {
    CHECK_FALSE(check(join(original()), join(paragraphs("wire/ap_chess_zurich.txt"))).copy);
    CHECK(check(join(original()), join(paragraphs("wire/ap_chess_zurich.txt"))).similarity.jaccard <
          0.05);
}

TEST_CASE("Chinese text is shingled by characters") {
    Analyzer analyzer;
    const std::string text = "深圳无人机博览会周二开幕，吸引了来自三十个国家的四百多家参展商。";
    const auto fingerprint = copy_fingerprint(text, analyzer);
    CHECK(fingerprint.shingles.size() > 10);
    const auto trimmed =
        copy_fingerprint("深圳无人机博览会周二开幕，吸引了来自三十个国家的参展商。", analyzer);
    CHECK(compare(fingerprint, trimmed).containment > 0.6);
}

TEST_CASE("fingerprints and profiles survive their stored encodings") {
    Analyzer analyzer;
    const auto fingerprint = copy_fingerprint(join(original()), analyzer);
    const auto decoded = indexer::decode_fingerprint(indexer::encode_fingerprint(fingerprint));
    CHECK(decoded.shingles == fingerprint.shingles);
    CHECK(decoded.lead == fingerprint.lead);
    CHECK(decoded.probes == fingerprint.probes);
    CHECK(decoded.exact == fingerprint.exact);
    CHECK(indexer::decode_fingerprint("garbage").empty());

    const indexer::StoryProfile profile{{"Zport", 0.6}, {"Zstrike", 0.8}};
    const auto back = indexer::decode_profile(indexer::encode_profile(profile));
    CHECK(indexer::story_similarity(profile, back) == doctest::Approx(1.0).epsilon(0.001));
}

TEST_CASE("a stored profile keeps its weights to five decimals, in fewer bytes than text") {
    const indexer::StoryProfile profile{
        {"Zport", 0.123456789}, {"Zporter", 0.5}, {"Zstrike", 0.86}, {"Zstriker", 0.000004}};
    const std::string stored = indexer::encode_profile(profile);
    const auto back = indexer::decode_profile(stored);
    // The same numbers the text form `%.5f` would have given back, in term order.
    CHECK(back == indexer::StoryProfile{
                      {"Zport", 0.12346}, {"Zporter", 0.5}, {"Zstrike", 0.86}, {"Zstriker", 0.0}});
    const std::string as_text = "0.12346 Zport\n0.50000 Zporter\n0.86000 Zstrike\n0.00000 Zstriker\n";
    CHECK(stored.size() * 3 < as_text.size() * 2);
    CHECK(indexer::decode_profile(as_text) == back);
    CHECK(indexer::decode_profile("P1\x09").empty());  // cut short
}

TEST_CASE("profiles stored as text by earlier versions are still read") {
    const auto back = indexer::decode_profile("0.60000 Zport\n0.80000 Zstrike\n");
    CHECK(back == indexer::StoryProfile{{"Zport", 0.6}, {"Zstrike", 0.8}});
    // Lines in any order, a term's first line counting: read into term order, each term once.
    CHECK(indexer::decode_profile("0.80000 Zstrike\n0.60000 Zport\n0.10000 Zstrike\n") ==
          indexer::StoryProfile{{"Zport", 0.6}, {"Zstrike", 0.8}});
}

TEST_CASE("the similarity of two profiles sums the products of their shared terms") {
    const indexer::StoryProfile a{{"Zharbor", 0.6}, {"Zport", 0.8}};
    const indexer::StoryProfile b{{"Zport", 0.6}, {"Zstrike", 0.8}};
    CHECK(indexer::story_similarity(a, b) == doctest::Approx(0.48));
    CHECK(indexer::story_similarity(b, a) == indexer::story_similarity(a, b));
    CHECK(indexer::story_similarity(a, a) == doctest::Approx(1.0));
    CHECK(indexer::story_similarity(a, {}) == 0.0);
    CHECK(indexer::story_similarity({{"Zquay", 1.0}}, b) == 0.0);
}
