#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "test_support.hpp"
#include "wiredesk/common/schema.hpp"

using wiredesk::test::run;
using wiredesk::test::TempDir;
using wiredesk::test::write_file;

namespace {

std::filesystem::path indexer() { return wiredesk::test::bin_dir() / "wiredesk-index"; }

void write_good_article(const TempDir& dir) {
    write_file(dir / "archive/a.txt", "Port strike ends\n\nDock workers returned on Monday.\n");
}

}  // namespace

TEST_CASE("wiredesk-index --help teaches usage, examples and exit codes") {
    const auto result = run(indexer(), {"--help"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("--db") != std::string::npos);
    CHECK(result.out.find("Examples:") != std::string::npos);
    CHECK(result.out.find("Exit codes:") != std::string::npos);
    CHECK(result.out.find("--strict") != std::string::npos);
}

TEST_CASE("wiredesk-index --version prints the version") {
    const auto result = run(indexer(), {"--version"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("wiredesk-index 0.") != std::string::npos);
}

TEST_CASE("wiredesk-index without --db or inputs is a usage error") {
    const auto no_db = run(indexer(), {"somewhere"});
    CHECK(no_db.exit_code != 0);
    CHECK(no_db.err.find("--db") != std::string::npos);
    const auto bad_number = run(indexer(), {"--db", "x", "--threads", "many", "dir"});
    CHECK(bad_number.exit_code != 0);
}

TEST_CASE("wiredesk-index on a clean tree exits 0 and --json prints the summary") {
    TempDir dir;
    write_good_article(dir);
    const auto result = run(indexer(), {"--db", (dir / "db").string(), "--json",
                                        (dir / "archive").string()});
    CHECK(result.exit_code == 0);
    const auto summary = nlohmann::json::parse(result.out);
    CHECK(summary["articles"]["added"] == 1);
    CHECK(summary["articles"]["total"] == 1);
    CHECK(summary["problems"] == 0);
    CHECK(result.err.empty());  // no progress bar when stderr is not a terminal
}

TEST_CASE("wiredesk-index --json says what grouping did: copies and stories joined, candidates, time") {
    TempDir dir;
    const std::string corpus = (wiredesk::test::source_dir() / "corpus").string();
    const std::vector<std::string> good = {"--exclude", "malformed", "--exclude", "README.md", corpus};
    const auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), good.begin(), good.end());
        return args;
    };
    const auto grouped = run(indexer(), with({"--db", (dir / "db").string(), "--json"}));
    REQUIRE(grouped.exit_code == 0);
    const auto summary = nlohmann::json::parse(grouped.out);
    CHECK(summary["grouping"]["assigned"] == summary["articles"]["added"]);
    // corpus/ holds one AFP story reprinted by five outlets (corpus/README.md).
    CHECK(summary["grouping"]["copies"].get<int>() >= 5);
    CHECK(summary["grouping"]["stories"].get<int>() >= summary["grouping"]["copies"].get<int>());
    // Each copy was verified against at least one fingerprint; each article that joined a story
    // other than through a copy compared at least one profile.
    CHECK(summary["grouping"]["copy_candidates"].get<int>() >=
          summary["grouping"]["copies"].get<int>());
    CHECK(summary["grouping"]["story_candidates"].get<int>() >=
          summary["grouping"]["stories"].get<int>() - summary["grouping"]["copies"].get<int>());
    CHECK(summary["grouping"]["seconds"].get<double>() >= 0);

    const auto ungrouped =
        run(indexer(), with({"--db", (dir / "plain").string(), "--json", "--no-grouping"}));
    REQUIRE(ungrouped.exit_code == 0);
    CHECK(nlohmann::json::parse(ungrouped.out)["grouping"]["assigned"] == 0);
    // The same articles, searchable, without group labels.
    const Xapian::Database plain((dir / "plain").string());
    CHECK(plain.get_doccount() == Xapian::Database((dir / "db").string()).get_doccount());
    CHECK(plain.get_doccount() == summary["articles"]["added"].get<Xapian::doccount>());
    CHECK(plain.get_termfreq("rotterdam") > 0);
    CHECK(plain.allterms_begin(wiredesk::schema::copy_group_term("")) ==
          plain.allterms_end(wiredesk::schema::copy_group_term("")));

    const auto text = run(indexer(), with({"--db", (dir / "text").string()}));
    CHECK(text.out.find("joined a copy group") != std::string::npos);
}

TEST_CASE("wiredesk-index reports bad files as path: reason, goes on, and exits 3") {
    TempDir dir;
    write_good_article(dir);
    write_file(dir / "archive/empty.txt", "");
    write_file(dir / "archive/lines.jsonl",
               "{\"title\": \"Good\", \"text\": \"A good line.\"}\n{\"title\": broken\n");
    const auto result = run(indexer(), {"--db", (dir / "db").string(), (dir / "archive").string()});
    CHECK(result.exit_code == 3);
    CHECK(result.err.find((dir / "archive/empty.txt").string() + ": empty file") != std::string::npos);
    CHECK(result.err.find((dir / "archive/lines.jsonl").string() + ":2: ") != std::string::npos);
    CHECK(Xapian::Database((dir / "db").string()).get_doccount() == 2);
    CHECK(result.out.find("2 articles added") != std::string::npos);
}

TEST_CASE("wiredesk-index --strict stops at the first problem with exit code 2") {
    TempDir dir;
    write_file(dir / "archive/a.txt", "First\n\nA good article.\n");
    write_file(dir / "archive/b.txt", "");
    write_file(dir / "archive/c.txt", "Third\n\nNever reached.\n");
    const auto result = run(indexer(), {"--db", (dir / "db").string(), "--strict", "--threads", "1",
                                        (dir / "archive").string()});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("b.txt: empty file") != std::string::npos);
    // The file before the bad one was committed; nothing after it was written.
    CHECK(Xapian::Database((dir / "db").string()).get_doccount() == 1);
}

TEST_CASE("wiredesk-index with a missing input directory exits 1 naming it") {
    TempDir dir;
    const auto result = run(indexer(), {"--db", (dir / "db").string(), (dir / "nowhere").string()});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("nowhere: no such file or directory") != std::string::npos);
}

TEST_CASE("wiredesk-index with an unwritable --db exits 1 with a clear message") {
    TempDir dir;
    write_good_article(dir);
    write_file(dir / "not-a-dir", "a plain file where the database should be");
    const auto file_in_way = run(indexer(), {"--db", (dir / "not-a-dir").string(), (dir / "archive").string()});
    CHECK(file_in_way.exit_code == 1);
    CHECK(file_in_way.err.find("not a database directory") != std::string::npos);
    const auto no_parent = run(indexer(), {"--db", (dir / "missing/parent/db").string(), (dir / "archive").string()});
    CHECK(no_parent.exit_code == 1);
    CHECK(no_parent.err.find("cannot open the database for writing") != std::string::npos);
}

TEST_CASE("wiredesk-index refuses a database of another schema version and leaves it alone") {
    TempDir dir;
    write_good_article(dir);
    const std::string db = (dir / "db").string();
    {
        Xapian::WritableDatabase old(db, Xapian::DB_CREATE);
        old.set_metadata(std::string(wiredesk::schema::kVersionKey), "0");
        Xapian::Document document;
        document.add_term("legacy");
        old.add_document(document);
        old.commit();
    }
    const auto result = run(indexer(), {"--db", db, (dir / "archive").string()});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("schema version 0") != std::string::npos);
    CHECK(Xapian::Database(db).get_doccount() == 1);
}

TEST_CASE("wiredesk-index reports a 50 MB single-article file as too large and indexes the rest") {
    TempDir dir;
    write_good_article(dir);
    std::string huge = "A headline\n\n";
    const std::string sentence = "The same sentence again and again fills this runaway file. ";
    while (huge.size() < (50u << 20)) huge += sentence;
    write_file(dir / "archive/huge.txt", huge);
    const auto result = run(indexer(), {"--db", (dir / "db").string(), (dir / "archive").string()});
    CHECK(result.exit_code == 3);
    CHECK(result.err.find("huge.txt: a single text article of 50 MB is over the --max-article-size limit") !=
          std::string::npos);
    CHECK(Xapian::Database((dir / "db").string()).get_doccount() == 1);
}

TEST_CASE("wiredesk-index takes one pattern per --exclude, inputs after it stay inputs") {
    TempDir dir;
    write_good_article(dir);
    write_file(dir / "archive/skip/b.txt", "Skipped\n\nNot indexed.\n");
    for (const std::string& form : {std::string("--exclude=skip"), std::string("--exclude")}) {
        std::vector<std::string> args = {"--db", (dir / ("db" + form)).string(), form};
        if (form == "--exclude") args.push_back("skip");
        args.push_back((dir / "archive").string());
        const auto result = run(indexer(), args);
        CHECK_MESSAGE(result.exit_code == 0, form << ": " << result.err);
        CHECK(Xapian::Database((dir / ("db" + form)).string()).get_doccount() == 1);
    }
}
