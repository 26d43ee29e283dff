/// @file evaluate_grouping.cpp
/// @brief wiredesk-eval-grouping: indexes labelled JSON Lines and scores the copy and story groups.
///
/// Labels come from a field of each record (`--copy-label`, `--story-label`; null = the record is
/// alone) or from pair files (`--copy-pairs`, `--story-pairs`: JSON Lines with id1/id2, whose
/// connected components are the groups). Prints pairwise precision, recall and F1 and B-cubed F1
/// per level, pairs that must not share a group (`--negatives`) and were merged anyway, a sample
/// of the pairs grouped beyond the labels (`--sample-extra`), and the slowest decisions.
/// See bench/README.md for the commands behind bench/RESULTS.md.
#include <fmt/core.h>
#include <fmt/format.h>
#include <xapian.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "wiredesk/common/schema.hpp"
#include "wiredesk/indexer/grouping.hpp"
#include "wiredesk/indexer/indexer.hpp"
#include "wiredesk/indexer/input_file.hpp"

namespace fs = std::filesystem;
using namespace wiredesk;

namespace {

struct Options {
    std::vector<std::string> inputs;
    std::string copy_label;
    std::string story_label;
    std::vector<std::string> copy_pairs;
    std::vector<std::string> story_pairs;
    std::vector<std::string> negatives;
    std::string database;
    std::size_t sample_extra = 0;
    unsigned seed = 1;
    bool dump = false;
    bool similarities = false;
    indexer::IndexOptions index;
};

/// Union-find over article ids.
class Components {
public:
    void add(const std::string& id) { m_parent.try_emplace(id, id); }
    void join(const std::string& a, const std::string& b) {
        add(a);
        add(b);
        const std::string ra = root(a);
        const std::string rb = root(b);
        if (ra != rb) m_parent[std::max(ra, rb)] = std::min(ra, rb);
    }
    std::string root(const std::string& id) {
        std::string at = id;
        while (m_parent.at(at) != at) at = m_parent.at(at);
        return at;
    }
    [[nodiscard]] bool has(const std::string& id) const { return m_parent.count(id) != 0; }

private:
    std::map<std::string, std::string> m_parent;
};

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
    const std::string text = indexer::read_input_file(path, std::size_t{1} << 31);
    std::vector<nlohmann::json> records;
    std::size_t begin = 0;
    while (begin < text.size()) {
        std::size_t end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        if (end > begin) {
            auto json = nlohmann::json::parse(text.begin() + static_cast<std::ptrdiff_t>(begin),
                                              text.begin() + static_cast<std::ptrdiff_t>(end),
                                              nullptr, false);
            if (json.is_object()) records.push_back(std::move(json));
        }
        begin = end + 1;
    }
    return records;
}

std::string label_text(const nlohmann::json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number() || value.is_boolean()) return value.dump();
    return {};
}

/// What the database says of one article.
struct Stored {
    std::string copy;
    std::string story;
    std::string title;
    std::string date;
    std::string source;
    std::string body;
    indexer::CopyFingerprint fingerprint;
    indexer::StoryProfile profile;
};

std::map<std::string, Stored> read_database(const std::string& path) {
    Xapian::Database database(path);
    std::map<std::string, Stored> stored;
    for (auto posting = database.postlist_begin(""); posting != database.postlist_end("");
         ++posting) {
        const Xapian::Document document = database.get_document(*posting);
        const Article article = schema::decode_article_data(document.get_data());
        Stored entry;
        entry.copy = document.get_value(schema::kSlotCopyGroup);
        entry.story = document.get_value(schema::kSlotStoryGroup);
        entry.title = article.title;
        entry.date = article.date ? format_iso8601(*article.date) : "undated";
        entry.source = article.source;
        entry.body = article.body;
        entry.fingerprint =
            indexer::decode_fingerprint(document.get_value(schema::kSlotCopyFingerprint));
        entry.profile = indexer::decode_profile(document.get_value(schema::kSlotStoryProfile));
        stored.emplace(article.id, std::move(entry));
    }
    return stored;
}

double choose2(std::size_t n) { return static_cast<double>(n) * static_cast<double>(n - 1) / 2.0; }

struct Scores {
    double precision = 0, recall = 0, f1 = 0, bcubed_precision = 0, bcubed_recall = 0,
           bcubed_f1 = 0;
    double predicted_pairs = 0, gold_pairs = 0, true_pairs = 0;
};

/// Scores @p predicted against @p gold, both article id -> cluster, over the same ids.
Scores score(const std::map<std::string, std::string>& predicted,
             const std::map<std::string, std::string>& gold) {
    std::map<std::string, std::size_t> predicted_sizes, gold_sizes;
    std::map<std::pair<std::string, std::string>, std::size_t> cells;
    for (const auto& [id, cluster] : gold) {
        const std::string& mine = predicted.at(id);
        ++predicted_sizes[mine];
        ++gold_sizes[cluster];
        ++cells[{mine, cluster}];
    }
    Scores s;
    for (const auto& [cell, n] : cells) s.true_pairs += choose2(n);
    for (const auto& [cluster, n] : predicted_sizes) s.predicted_pairs += choose2(n);
    for (const auto& [cluster, n] : gold_sizes) s.gold_pairs += choose2(n);
    s.precision = s.predicted_pairs > 0 ? s.true_pairs / s.predicted_pairs : 1.0;
    s.recall = s.gold_pairs > 0 ? s.true_pairs / s.gold_pairs : 1.0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    for (const auto& [id, cluster] : gold) {
        const double overlap = static_cast<double>(cells[{predicted.at(id), cluster}]);
        s.bcubed_precision += overlap / static_cast<double>(predicted_sizes[predicted.at(id)]);
        s.bcubed_recall += overlap / static_cast<double>(gold_sizes[cluster]);
    }
    const auto n = static_cast<double>(gold.size());
    s.bcubed_precision /= n;
    s.bcubed_recall /= n;
    s.bcubed_f1 = 2 * s.bcubed_precision * s.bcubed_recall /
                  std::max(1e-12, s.bcubed_precision + s.bcubed_recall);
    return s;
}

std::string excerpt(const std::string& text, std::size_t bytes) {
    std::string out;
    for (const char c : text.substr(0, std::min(text.size(), bytes))) out += c == '\n' ? ' ' : c;
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    return out + (text.size() > bytes ? "..." : "");
}

int run(Options& options) {
    // Gold labels.
    std::map<std::string, std::string> copy_gold, story_gold;
    std::vector<std::string> ids;
    std::set<std::string> known;
    for (const auto& input : options.inputs) {
        if (fs::is_directory(input)) continue;  // indexed, unlabelled
        for (const auto& record : read_jsonl(input)) {
            const std::string id = label_text(record.value("id", nlohmann::json()));
            if (id.empty() || !known.insert(id).second) continue;
            ids.push_back(id);
            const auto label = [&](const std::string& field) {
                if (field.empty() || !record.contains(field)) return std::string();
                return label_text(record[field]);
            };
            copy_gold[id] = label(options.copy_label);
            story_gold[id] = label(options.story_label);
        }
    }
    const auto apply_pairs = [&](const std::vector<std::string>& files,
                                 std::map<std::string, std::string>& gold) {
        Components components;
        for (const auto& file : files) {
            for (const auto& pair : read_jsonl(file)) {
                components.join(label_text(pair["id1"]), label_text(pair["id2"]));
            }
        }
        for (auto& [id, cluster] : gold) {
            if (components.has(id)) cluster = "pairs:" + components.root(id);
        }
    };
    apply_pairs(options.copy_pairs, copy_gold);
    apply_pairs(options.story_pairs, story_gold);
    for (auto* gold : {&copy_gold, &story_gold}) {
        for (auto& [id, cluster] : *gold) {
            if (cluster.empty()) cluster = "alone:" + id;
        }
    }

    // Index.
    std::optional<fs::path> temporary;
    if (options.database.empty()) {
        temporary = fs::temp_directory_path() /
                    fmt::format("wiredesk-eval-{}-{}", ::getpid(),
                                std::chrono::steady_clock::now().time_since_epoch().count());
        options.database = temporary->string();
    }
    options.index.database = options.database;
    for (const auto& input : options.inputs) options.index.inputs.emplace_back(input);
    std::size_t problems = 0;
    indexer::IndexEvents events;
    events.on_problem = [&](const InputError&) { ++problems; };
    const indexer::IndexSummary summary = indexer::index_tree(options.index, events);
    fmt::print(
        "indexed {} articles from {} file(s) in {:.2f} s ({} problems); grouping {:.2f} s "
        "on the writer\n",
        summary.documents_total, summary.files_seen, summary.seconds, problems,
        summary.grouping.seconds);
    const auto& g = summary.grouping;
    fmt::print(
        "grouping: {} assigned, {} joined a copy group, {} joined a story group, {} merges, "
        "{} re-checks, {} splits; {} fingerprints verified, {} profiles compared\n",
        g.articles, g.copies, g.stories, g.merges, g.rechecks, g.splits, g.copy_candidates,
        g.story_candidates);

    const auto stored = read_database(options.database);
    std::map<std::string, std::string> copy_predicted, story_predicted;
    std::map<std::string, std::string> copy_eval, story_eval;
    std::size_t missing = 0;
    for (const auto& id : ids) {
        const auto found = stored.find(id);
        if (found == stored.end()) {
            ++missing;
            continue;
        }
        copy_predicted[id] = found->second.copy.empty() ? "none:" + id : found->second.copy;
        story_predicted[id] = found->second.story.empty() ? "none:" + id : found->second.story;
        copy_eval[id] = copy_gold[id];
        story_eval[id] = story_gold[id];
    }
    if (missing != 0)
        fmt::print("{} labelled records were not indexed (no text, bad date...)\n", missing);

    for (const bool copy : {true, false}) {
        std::map<std::string, std::size_t> sizes;
        for (const auto& [id, entry] : stored) ++sizes[copy ? entry.copy : entry.story];
        std::vector<std::size_t> largest;
        std::size_t grouped = 0;
        for (const auto& [group, size] : sizes) {
            largest.push_back(size);
            if (size > 1) grouped += size;
        }
        std::sort(largest.rbegin(), largest.rend());
        largest.resize(std::min<std::size_t>(largest.size(), 5));
        fmt::print("{} groups: {} ({} articles in groups of 2 or more); largest: {}\n",
                   copy ? "copy" : "story", sizes.size(), grouped, fmt::join(largest, ", "));
    }
    const auto print_scores = [](const char* level, const Scores& s) {
        fmt::print(
            "{:<6} pairwise P {:.4f} R {:.4f} F1 {:.4f}   B-cubed P {:.4f} R {:.4f} F1 {:.4f}   "
            "pairs: predicted {:.0f}, labelled {:.0f}, both {:.0f}\n",
            level, s.precision, s.recall, s.f1, s.bcubed_precision, s.bcubed_recall, s.bcubed_f1,
            s.predicted_pairs, s.gold_pairs, s.true_pairs);
    };
    if (!options.copy_label.empty() || !options.copy_pairs.empty()) {
        print_scores("copy", score(copy_predicted, copy_eval));
    }
    if (!options.story_label.empty() || !options.story_pairs.empty()) {
        print_scores("story", score(story_predicted, story_eval));
    }

    // Pairs that must stay apart (follow-ups and their originals).
    for (const auto& file : options.negatives) {
        std::size_t total = 0, copy_merged = 0, story_merged = 0;
        for (const auto& pair : read_jsonl(file)) {
            const auto a = stored.find(label_text(pair["id1"]));
            const auto b = stored.find(label_text(pair["id2"]));
            if (a == stored.end() || b == stored.end()) continue;
            ++total;
            if (a->second.copy == b->second.copy) {
                ++copy_merged;
                fmt::print("  follow-up in its original's copy group: {} / {}\n", a->first,
                           b->first);
            }
            if (a->second.story == b->second.story) ++story_merged;
        }
        fmt::print(
            "negatives ({}): {} pairs, {} in one copy group, {} in one story group "
            "(allowed)\n",
            file, total, copy_merged, story_merged);
    }

    // Pairs grouped as copies beyond the labels, sampled for reading.
    if (options.sample_extra > 0) {
        std::map<std::string, std::vector<std::string>> groups;
        for (const auto& [id, group] : copy_predicted) groups[group].push_back(id);
        std::vector<std::pair<std::string, std::string>> extra;
        for (const auto& [group, members] : groups) {
            for (std::size_t i = 0; i < members.size(); ++i) {
                for (std::size_t j = i + 1; j < members.size(); ++j) {
                    if (copy_eval[members[i]] != copy_eval[members[j]]) {
                        extra.emplace_back(members[i], members[j]);
                    }
                }
            }
        }
        std::mt19937 random(options.seed);
        std::shuffle(extra.begin(), extra.end(), random);
        fmt::print("\n{} copy pairs beyond the labels; a sample of {}:\n", extra.size(),
                   std::min(extra.size(), options.sample_extra));
        for (std::size_t k = 0; k < std::min(extra.size(), options.sample_extra); ++k) {
            const auto& a = stored.at(extra[k].first);
            const auto& b = stored.at(extra[k].second);
            const auto s = indexer::compare(a.fingerprint, b.fingerprint);
            fmt::print("\n[{}] {} | {}  J {:.2f} C {:.2f} lead {:.2f} len {:.2f}\n", k + 1,
                       extra[k].first, extra[k].second, s.jaccard, s.containment, s.lead,
                       s.length_ratio);
            for (const auto* side : {&a, &b}) {
                fmt::print("    {} | {} | {}\n      {}\n", side->date, side->title, side->source,
                           excerpt(side->body, 300));
            }
        }
    }

    if (options.dump) {
        for (const bool copy : {true, false}) {
            std::map<std::string, std::vector<std::string>> groups;
            for (const auto& [id, entry] : stored)
                groups[copy ? entry.copy : entry.story].push_back(id);
            fmt::print("\n{} groups of 2 or more:\n", copy ? "copy" : "story");
            for (const auto& [group, members] : groups) {
                if (members.size() < 2) continue;
                fmt::print("  {} ({}):\n", group, members.size());
                for (const auto& id : members) {
                    const auto& entry = stored.at(id);
                    fmt::print("    {} | {} | {} | {}\n", id, entry.date, entry.source,
                               excerpt(entry.title, 70));
                }
            }
        }
    }

    if (options.similarities) {
        fmt::print("\nstory similarity (profile cosine) and copy similarity of every pair:\n");
        for (auto a = stored.begin(); a != stored.end(); ++a) {
            for (auto b = std::next(a); b != stored.end(); ++b) {
                const auto c = indexer::compare(a->second.fingerprint, b->second.fingerprint);
                fmt::print("  {:.3f}  J {:.2f} C {:.2f} lead {:.2f}  {} | {}\n",
                           indexer::story_similarity(a->second.profile, b->second.profile),
                           c.jaccard, c.containment, c.lead, fs::path(a->first).filename().string(),
                           fs::path(b->first).filename().string());
            }
        }
    }

    fmt::print("\nslowest grouping decisions:\n");
    for (const auto& decision : summary.grouping.slowest) {
        fmt::print("  {:8.2f} ms  {} ({} fingerprints verified, {} profiles compared)\n",
                   decision.seconds * 1000, decision.article_id, decision.copy_candidates,
                   decision.story_candidates);
    }
    if (temporary) fs::remove_all(*temporary);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Index labelled JSON Lines and score Wiredesk's copy and story groups"};
    Options options;
    app.add_option("inputs", options.inputs, "Labelled JSON Lines files (.gz allowed)")->required();
    app.add_option("--copy-label", options.copy_label, "Field holding the copy-level cluster");
    app.add_option("--story-label", options.story_label, "Field holding the story-level cluster");
    app.add_option("--copy-pairs", options.copy_pairs, "Pair files (id1, id2) of copies");
    app.add_option("--story-pairs", options.story_pairs, "Pair files (id1, id2) of one story");
    app.add_option("--negatives", options.negatives,
                   "Pair files (id1, id2) that must not share a copy group (follow-ups)");
    app.add_option("--db", options.database, "Keep the database here (default: a temporary one)");
    app.add_option("--threads,-j", options.index.threads, "Indexer workers (0 = one per core)");
    app.add_option("--batch", options.index.batch_articles, "Commit after this many articles");
    app.add_option("--sample-extra", options.sample_extra,
                   "Print this many copy pairs grouped beyond the labels, at random");
    app.add_option("--seed", options.seed, "Seed of that sample");
    app.add_flag("--dump", options.dump, "Print every group of two or more");
    app.add_flag("--similarities", options.similarities,
                 "Print the similarities of every pair (small inputs only)");
    app.add_option("--exclude", options.index.excludes,
                   "Glob of files to leave out (as wiredesk-index)");
    auto& grouping = options.index.grouping;
    app.add_option("--story-threshold", grouping.story_threshold,
                   "Story cosine threshold, both dated");
    app.add_option("--story-threshold-undated", grouping.story_threshold_undated,
                   "Story cosine threshold, either undated");
    app.add_option("--story-threshold-long", grouping.story_threshold_long,
                   "Story cosine threshold, both dated and both long");
    app.add_option("--story-long-terms", grouping.story_long_terms,
                   "Story: profile terms from which an article counts as long");
    app.add_option("--story-window", grouping.story_window_days, "Story date window, days");
    app.add_option("--copy-window", grouping.copy_window_days, "Copy date window, days");
    app.add_option("--copy-jaccard", grouping.copy_jaccard, "Copy: Jaccard threshold");
    app.add_option("--copy-containment", grouping.copy_containment, "Copy: containment threshold");
    app.add_option("--copy-lead", grouping.copy_lead_containment, "Copy: lead containment");
    app.add_option("--copy-length-ratio", grouping.copy_length_ratio, "Copy: length ratio");
    bool no_grouping = false;
    app.add_flag("--no-grouping", no_grouping, "Index without grouping (cost baseline)");
    CLI11_PARSE(app, argc, argv);
    grouping.enabled = !no_grouping;
    try {
        return run(options);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "wiredesk-eval-grouping: %s\n", error.what());
        return 1;
    }
}
