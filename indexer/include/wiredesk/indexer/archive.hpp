/// @file archive.hpp
/// @brief Where the indexer writes: one database, or a sharded archive of them.
///
/// A sharded archive is a directory holding one Xapian database per period (`2026-01`, or
/// `2026`, or `all`; `undated` for articles without a date; `2026-01.2` when a size cap filled
/// `2026-01`), a database `meta` holding no documents, and a Xapian stub file `XAPIANDB` that
/// lists `meta` first and then the shards. Xapian opens such a directory as one database, so
/// readers need nothing of this. `meta` comes first because Xapian reads metadata (file states,
/// group records, the schema version) from the first database of a combination only; the
/// spelling data lives there too.
///
/// The writer opens every shard and combines them into one Xapian::WritableDatabase in the
/// stub's order, so that its document ids are the readers' ids: a document of shard k (0 is
/// meta) with local id l has id (l - 1) * n + k + 1 among n databases. New documents are placed
/// by choosing that id. Deleting by term, metadata and spelling go through the combination
/// unchanged. docs/SCALING.md describes the layout for users.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "wiredesk/common/dates.hpp"

namespace wiredesk::indexer {

/// How articles are split into shards by their publication date.
enum class ShardBy { kNone, kMonth, kYear };

std::string_view shard_by_name(ShardBy by) noexcept;
/// "none", "month" or "year"; nullopt for anything else.
std::optional<ShardBy> parse_shard_by(std::string_view name) noexcept;

struct ShardOptions {
    /// Set: the database is, or is created as, a sharded archive split this way (an existing
    /// archive must have been created with the same). Unset: whatever the path holds, a plain
    /// database when it is new.
    std::optional<ShardBy> shard_by;
    /// A shard's size cap in articles (0: none). A full shard's period continues in a new
    /// shard, `2026-01.2`; articles already in a shard stay there when it is over the cap.
    std::size_t max_articles = 0;
};

/// The period an article belongs to: "2026-01" (month), "2026" (year), "all" (none), or
/// "undated" when it has no date.
std::string shard_period(ShardBy by, std::optional<UnixTime> time);

/// Whether @p path is a sharded archive: a directory with a stub file.
bool is_archive(const std::string& path);

/// The name of an archive's stub file and of its metadata database.
inline constexpr std::string_view kStubFileName = "XAPIANDB";
inline constexpr std::string_view kMetaShardName = "meta";

/// One shard of an archive and its document count.
struct ShardInfo {
    std::string name;
    Xapian::doccount articles = 0;
};

/// The writer's access to a plain database or an archive.
class ArchiveWriter {
public:
    /// Opens (creating if absent) the database or archive at @p path.
    /// @throws UsageError when @p options ask for an archive and @p path is a plain database,
    ///         or for another split than the archive's; DatabaseError / SchemaMismatch as
    ///         open_database_for_writing().
    ArchiveWriter(const std::string& path, const ShardOptions& options);

    /// Every database combined, meta first: add, replace and delete documents here.
    [[nodiscard]] Xapian::WritableDatabase& database() noexcept { return m_combined; }
    [[nodiscard]] bool sharded() const noexcept { return m_by.has_value(); }
    [[nodiscard]] std::vector<ShardInfo> shards() const;

    /// One article to place: its id term, its date and whether the id is in the database.
    struct Placement {
        std::string id_term;
        std::optional<UnixTime> time;
    };
    /// Where each article goes (shard names, parallel to @p articles; empty strings for a plain
    /// database), and the shards that must be created first with add_shards(). An article
    /// already in a shard of its period stays there; any other goes to the newest shard of its
    /// period with room under the cap. Changes nothing.
    struct Plan {
        std::vector<std::string> shards;
        std::vector<std::string> missing;
    };
    [[nodiscard]] Plan plan(const std::vector<Placement>& articles);

    /// Creates @p names as new shards at the end of the stub. Renumbers the documents of
    /// database(), so call it outside a transaction, with nothing uncommitted.
    void add_shards(const std::vector<std::string>& names);

    /// A batch spans every database. It is committed shard by shard, meta last: a crash
    /// between commits leaves articles whose files' states are not recorded yet, which the
    /// next run reads again and replaces (never states naming articles that are missing).
    void begin_transaction();
    void commit_transaction();
    void cancel_transaction();

    /// Writes @p document, indexed by @p id_term, into @p shard (from plan()); @p exists says
    /// whether a document of that id is in the database (it is replaced, or moved when it is in
    /// another shard). Returns its id in database().
    Xapian::docid write(const std::string& id_term, const Xapian::Document& document,
                        const std::string& shard, bool exists);

private:
    [[nodiscard]] std::size_t index_of(const std::string& shard) const;
    void rebuild_combined();
    void write_stub() const;

    std::string m_path;
    std::optional<ShardBy> m_by;
    std::size_t m_max_articles = 0;
    std::vector<std::string> m_names;                  ///< stub order; [0] is meta
    std::vector<Xapian::WritableDatabase> m_databases;  ///< parallel to m_names
    Xapian::WritableDatabase m_combined;
};

/// Compacts the database or every database of the archive at @p path (Xapian's compaction:
/// smaller, faster to search), replacing each in place. Document ids within a shard, group
/// ids, file states and spelling data are kept. Holds each database's write lock meanwhile.
/// @returns the bytes on disk before and after.
struct CompactionResult {
    std::uintmax_t bytes_before = 0;
    std::uintmax_t bytes_after = 0;
    std::size_t databases = 0;
};
CompactionResult compact_archive(const std::string& path);

}  // namespace wiredesk::indexer
