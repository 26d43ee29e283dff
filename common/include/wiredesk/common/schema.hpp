/// @file schema.hpp
/// @brief The database schema: term prefixes, value slots, metadata keys and the schema version.
///
/// This header is the single owner of the layout the indexer writes and the searcher reads.
/// Prefixes follow Omega's conventions (docs/termprefixes.rst): single capitals are the
/// conventional ones, Wiredesk's own start with X. docs/ARCHITECTURE.md has the same table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <xapian.h>

#include "wiredesk/common/article.hpp"

namespace wiredesk::schema {

/// Bumped whenever the meaning of a term, slot or stored field changes. The indexer refuses to
/// write to, and the searcher refuses to read, a database of another version.
inline constexpr std::string_view kVersion = "1";

/// Metadata key holding kVersion.
inline constexpr std::string_view kVersionKey = "wiredesk:schema";
/// Metadata key prefix of the per-file state: `wiredesk:file:<hash of path>` -> JSON
/// {"path", "size", "mtime_ns", "articles"}. Written in the same commit as the file's articles.
inline constexpr std::string_view kFileStateKeyPrefix = "wiredesk:file:";
/// Metadata key of the time (ISO 8601) of the last commit by the indexer.
inline constexpr std::string_view kLastCommitKey = "wiredesk:last-commit";
/// Metadata key prefix of a group's record: `wiredesk:group:copy:<id>` and
/// `wiredesk:group:story:<id>` -> JSON {"founder": article id, "earliest": article id,
/// "earliest_time": Unix seconds or null}. "earliest" is the earliest dated member (the founder
/// when no member is dated); "founder" is the member whose text stands for the group when two
/// groups may merge. Kept right by the indexer as members come and go (docs/GROUPING.md).
inline constexpr std::string_view kGroupKeyPrefix = "wiredesk:group:";

/// Term prefixes. Body words carry no prefix.
namespace prefix {
/// Unique article id (boolean); re-indexing replaces by this term, never duplicates.
inline constexpr std::string_view kId = "Q";
/// Words of the headline (with positions), like Omega's S.
inline constexpr std::string_view kTitle = "S";
/// Stemmed forms are the same prefix with Z before it (Xapian's TermGenerator convention,
/// which QueryParser's STEM_SOME expects): `Zword` for body, `ZSword` for headline.
inline constexpr std::string_view kStemmed = "Z";
/// Publication day `YYYYMMDD`, month `YYYYMM`, year `YYYY` (boolean filters).
inline constexpr std::string_view kDay = "D";
inline constexpr std::string_view kMonth = "M";
inline constexpr std::string_view kYear = "Y";
/// Language, ISO 639-1 (`Len`), boolean.
inline constexpr std::string_view kLanguage = "L";
/// Host of the article's URL, lower-case (`Hwww.example.com`), boolean.
inline constexpr std::string_view kHost = "H";
/// Source (outlet) key: the name folded by source_key() (`XSRCetv bharat`), boolean.
inline constexpr std::string_view kSource = "XSRC";
/// The file the article came from (hashed path, see file_key()), boolean: deleting or
/// replacing a file removes exactly its articles.
inline constexpr std::string_view kFile = "XFILE";
/// Articles without a date carry this term, so "undated" can be filtered and counted.
inline constexpr std::string_view kUndated = "XUNDATED";
/// Copy group (`XCOPY<16 hex>`), boolean: the same wire text republished with edits. Its
/// termfreq is the exact size of the group; the id is also in kSlotCopyGroup.
inline constexpr std::string_view kCopyGroup = "XCOPY";
/// Story group (`XSTORY<16 hex>`), boolean: write-ups of the same event (every copy group lies
/// inside one story group). Termfreq = exact size; the id is also in kSlotStoryGroup.
inline constexpr std::string_view kStoryGroup = "XSTORY";
/// Copy-detection anchors (`XCA<16 hex>`), boolean: sampled 5-word shingles of the normalised
/// body (hash = 0 mod 16, at most 64) plus its first shingles; candidates are found by them.
inline constexpr std::string_view kCopyAnchor = "XCA";
/// Hash of the whole normalised body (`XCH<16 hex>`), boolean: exact copies share it.
inline constexpr std::string_view kCopyExact = "XCH";
}  // namespace prefix

/// Value slots. Each slot's encoding is given beside it.
enum Slot : Xapian::valueno {
    /// `YYYYMMDD` string (sorts as text; Xapian::DateRangeProcessor reads it).
    kSlotDay = 0,
    /// Xapian::sortable_serialise(seconds since the epoch, UTC): exact time for sorting and the
    /// recency boost.
    kSlotTime = 1,
    /// The source's display name, as first seen ("ETV Bharat"). Facets count this.
    kSlotSource = 2,
    /// ISO 639-1 language code ("en"); "und" when detection was not reliable.
    kSlotLanguage = 3,
    /// Copy group id, 16 lower-case hex digits (the suffix of the XCOPY term): the collapse key
    /// for `--group copy`. Empty on documents indexed without grouping.
    kSlotCopyGroup = 4,
    /// Story group id, 16 hex digits (the suffix of the XSTORY term): the collapse key for
    /// `--group story`.
    kSlotStoryGroup = 5,
    /// Copy fingerprint, binary (indexer/grouping.hpp, encode_fingerprint()): the sorted 32-bit
    /// hashes of the body's normalised 5-word shingles and of its lead, for exact verification.
    kSlotCopyFingerprint = 6,
    /// Story profile, binary (indexer/grouping.hpp, encode_profile()): Z-terms in string order
    /// with their weights, tf-idf, L2-normalised. Earlier databases hold `weight term` text lines.
    kSlotStoryProfile = 7,
};

/// Whether @p term is a stem term: prefix::kStemmed and a stem after it.
inline bool is_stem_term(std::string_view term) noexcept {
    return term.size() > prefix::kStemmed.size() && term.starts_with(prefix::kStemmed);
}

/// Terms longer than this are not indexed (Xapian's limit is 245 bytes; longer "words" are URLs,
/// base64 or markup debris that nobody searches for).
inline constexpr std::size_t kMaxWordBytes = 64;

/// The headline counts this many times a body occurrence (its wdf increment), which BM25 then
/// weighs; Omega uses 5 for titles too.
inline constexpr unsigned kTitleWeight = 5;

/// The term for a source name: case-folded, accent-folded, white space collapsed, so that
/// `source:"etv bharat"` and "ETV Bharat" meet.
std::string source_term(std::string_view source_name);

/// The unique id term; ids longer than a term can hold are replaced by a hash of themselves.
std::string id_term(std::string_view article_id);

/// The term tying an article to its input file, and the metadata key of that file's state.
std::string file_term(std::string_view path);
std::string file_state_key(std::string_view path);

/// The document data: a JSON object {"id", "title", "body", "source", "url", "lang", "date"
/// (ISO 8601 UTC, absent when undated), "path", "line" (absent unless the format has lines)}.
/// The body is stored whole: snippets and the article view are made from it.
std::string encode_article_data(const Article& article);
/// Reads document data written by encode_article_data(). @throws Error on malformed data.
Article decode_article_data(std::string_view data);
/// decode_article_data() without the body (left empty): what lists of reports need, without
/// copying bodies of up to hundreds of kilobytes. @throws Error on malformed data.
Article decode_article_metadata(std::string_view data);

/// The group terms for a group id (16 hex digits): `XCOPY<id>` and `XSTORY<id>`.
std::string copy_group_term(std::string_view group_id);
std::string story_group_term(std::string_view group_id);
/// The metadata key of a group's record; @p level is "copy" or "story".
std::string group_key(std::string_view level, std::string_view group_id);

/// Stable 64-bit FNV-1a hash, as 16 hex digits: used where a name must become a short key.
/// Stable across builds and platforms (unlike std::hash).
std::string stable_hash_hex(std::string_view text);
/// @p value as 16 lower-case hex digits: the form hashes take in terms and keys.
std::string hex16(std::uint64_t value);
/// The number @p text spells when it is exactly 16 hex digits (hex16's form), else nothing.
std::optional<std::uint64_t> parse_hex16(std::string_view text);

/// A document's time (kSlotTime), as the indexer wrote it; none for an undated article.
std::optional<double> document_time(const Xapian::Document& document);
/// A document's id term (prefix::kId), read from its term list; empty if it has none.
std::string document_id_term(const Xapian::Document& document);

}  // namespace wiredesk::schema
