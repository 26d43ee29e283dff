/// @file xapian_floor.cpp
/// @brief The raw-Xapian floor of the benchmark: the least any Xapian-based engine pays.
///
///   xapian-floor index DB FILE.jsonl...   one thread: TermGenerator, English stemmer, positions;
///                                         headline also as S terms; id as a Q term; title+text
///                                         stored as document data; one commit at the end.
///   xapian-floor search DB QUERIES [RUNS] QueryParser (English stemmer, STEM_SOME, AND, phrases),
///                                         top 10, the 10 documents' data read; one untimed pass to
///                                         warm up, then RUNS timed passes (default 1). Prints JSON
///                                         with the per-query latencies in milliseconds.
///
/// It has no metadata, no incremental runs, no language detection and no ICU: it is a floor,
/// not an engine. The JSON Lines reading is deliberately simple (fields id, title, text).
/// Built by bench/run.sh with g++ directly (bench/ has no CMake target for it).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

namespace {

using Clock = std::chrono::steady_clock;

int index_main(const std::string& db_path, const std::vector<std::string>& inputs) {
    const auto start = Clock::now();
    Xapian::WritableDatabase db(db_path, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator generator;
    generator.set_stemmer(Xapian::Stem("english"));
    std::size_t articles = 0;
    std::size_t bytes = 0;
    for (const std::string& input : inputs) {
        std::ifstream in(input);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            const auto record = nlohmann::json::parse(line);
            const std::string id = record.value("id", "");
            const std::string title =
                record.contains("title") && record["title"].is_string() ? record["title"].get<std::string>() : "";
            const std::string text =
                record.contains("text") && record["text"].is_string() ? record["text"].get<std::string>() : "";
            Xapian::Document doc;
            generator.set_document(doc);
            generator.index_text(title, 1, "S");
            generator.index_text(title, 5);
            generator.increase_termpos(100);
            generator.index_text(text);
            doc.add_boolean_term("Q" + id);
            doc.set_data(title + "\n" + text);
            db.add_document(doc);
            ++articles;
            bytes += title.size() + text.size();
        }
    }
    db.commit();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("{\"articles\": %zu, \"bytes\": %zu, \"seconds\": %.3f}\n", articles, bytes, seconds);
    return 0;
}

int search_main(const std::string& db_path, const std::string& queries_path, int runs) {
    Xapian::Database db(db_path);
    std::vector<std::string> queries;
    {
        std::ifstream in(queries_path);
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty()) queries.push_back(line);
        }
    }
    Xapian::QueryParser parser;
    parser.set_database(db);
    parser.set_stemmer(Xapian::Stem("english"));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser.set_default_op(Xapian::Query::OP_AND);
    Xapian::Enquire enquire(db);
    std::vector<double> latencies;
    std::size_t checksum = 0;
    for (int pass = 0; pass <= runs; ++pass) {
        for (const std::string& text : queries) {
            const auto start = Clock::now();
            enquire.set_query(parser.parse_query(
                text, Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_PHRASE));
            const Xapian::MSet mset = enquire.get_mset(0, 10);
            for (auto it = mset.begin(); it != mset.end(); ++it) checksum += it.get_document().get_data().size();
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            if (pass > 0) latencies.push_back(ms);  // pass 0 warms the caches
        }
    }
    std::cout << "{\"checksum\": " << checksum << ", \"latencies_ms\": [";
    for (std::size_t i = 0; i < latencies.size(); ++i) std::cout << (i ? "," : "") << latencies[i];
    std::cout << "]}\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        if (args.size() >= 3 && args[0] == "index") {
            return index_main(args[1], std::vector<std::string>(args.begin() + 2, args.end()));
        }
        if ((args.size() == 3 || args.size() == 4) && args[0] == "search") {
            return search_main(args[1], args[2], args.size() == 4 ? std::stoi(args[3]) : 1);
        }
        std::cerr << "usage: xapian-floor index DB FILE.jsonl... | search DB QUERIES [RUNS]\n";
        return 2;
    } catch (const Xapian::Error& error) {
        std::cerr << "xapian-floor: " << error.get_description() << '\n';
        return 1;
    } catch (const std::exception& error) {
        std::cerr << "xapian-floor: " << error.what() << '\n';
        return 1;
    }
}
