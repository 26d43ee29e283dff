#include <doctest/doctest.h>

#include "test_support.hpp"
#include "wiredesk/common/errors.hpp"
#include "wiredesk/indexer/input_file.hpp"

using wiredesk::InputError;
using wiredesk::indexer::read_input_file;
using wiredesk::test::TempDir;

TEST_CASE("gzip files are decompressed, whatever their name") {
    TempDir dir;
    wiredesk::test::write_gzip_file(dir / "a.txt.gz", "Headline\n\nBody.\n");
    wiredesk::test::write_gzip_file(dir / "no-extension", "Headline\n\nBody.\n");
    CHECK(read_input_file(dir / "a.txt.gz", 1 << 20) == "Headline\n\nBody.\n");
    CHECK(read_input_file(dir / "no-extension", 1 << 20) == "Headline\n\nBody.\n");
}

TEST_CASE("a truncated gzip file is an error naming the file") {
    TempDir dir;
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i * 7919) + " of a long article\n";
    wiredesk::test::write_gzip_file(dir / "a.jsonl.gz", text);
    const std::string whole = wiredesk::test::read_file(dir / "a.jsonl.gz");
    wiredesk::test::write_file(dir / "cut.jsonl.gz", whole.substr(0, whole.size() * 6 / 10));
    try {
        read_input_file(dir / "cut.jsonl.gz", 1 << 20);
        FAIL("expected an error");
    } catch (const InputError& error) {
        CHECK(error.path() == (dir / "cut.jsonl.gz").string());
        CHECK(error.reason().find("truncated gzip") != std::string::npos);
    }
}

TEST_CASE("empty files and files over the size limit are errors") {
    TempDir dir;
    wiredesk::test::write_file(dir / "empty.txt", "");
    wiredesk::test::write_file(dir / "big.txt", std::string(3 << 20, 'a'));
    CHECK_THROWS_WITH_AS(read_input_file(dir / "empty.txt", 1 << 20),
                         doctest::Contains("empty file"), InputError);
    CHECK_THROWS_WITH_AS(read_input_file(dir / "big.txt", 1 << 20),
                         doctest::Contains("--max-file-size"), InputError);
}

TEST_CASE("a gzip bomb stops at the size limit") {
    TempDir dir;
    wiredesk::test::write_gzip_file(dir / "bomb.gz", std::string(8 << 20, 'a'));
    CHECK_THROWS_WITH_AS(read_input_file(dir / "bomb.gz", 1 << 20),
                         doctest::Contains("decompresses to more than"), InputError);
}
