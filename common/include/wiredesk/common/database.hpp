/// @file database.hpp
/// @brief Opening Wiredesk databases with the schema version checked, errors with context:
/// plain databases, and archives whose Xapian stub file lists shards, local or served by
/// xapian-tcpsrv on other hosts (docs/SCALING.md).
#pragma once

#include <string>
#include <vector>

#include <xapian.h>

#include "wiredesk/common/errors.hpp"

namespace wiredesk {

/// Opens (creating if absent) the database at @p path for writing and checks its schema
/// version; a new database is stamped with schema::kVersion.
/// @throws SchemaMismatch for a database of another version (nothing is written to it),
///         DatabaseError when it cannot be created or opened, or another writer holds its lock.
Xapian::WritableDatabase open_database_for_writing(const std::string& path);

/// One shard of an archive: a local database, or one served by xapian-tcpsrv (TCP) or
/// xapian-progsrv (a program run over a pipe, e.g. through ssh).
struct ShardLocation {
    enum class Kind { kLocal, kTcp, kProgram };
    Kind kind = Kind::kLocal;
    std::string path;     ///< kLocal: the database directory (stub lines resolved to the stub)
    std::string host;     ///< kTcp: host name or address
    unsigned port = 0;    ///< kTcp
    std::string program;  ///< kProgram: the program and its arguments
    std::string args;

    [[nodiscard]] bool is_remote() const noexcept { return kind != Kind::kLocal; }
    /// How messages and responses name the shard: `host:port`, `program args`, or the path.
    [[nodiscard]] std::string name() const;
};

/// Timeouts of remote shards, in milliseconds (Xapian::Remote::open()). Both must be positive:
/// Xapian reads 0 as "wait forever", and a search must never hang on a dead host.
struct RemoteTimeouts {
    unsigned connect_ms = 5000;  ///< to connect (a host that is down or drops packets)
    unsigned reply_ms = 10000;   ///< for any one exchange with a connected server
};

/// How an archive is opened for reading.
struct ReadOptions {
    RemoteTimeouts timeouts;
    /// Leave out remote shards that do not answer (ReadableArchive::missing names them)
    /// instead of failing. Local shards must always open.
    bool allow_partial = false;
};

/// A remote shard that does not answer (refused, timed out, dropped the connection).
/// what() names each such shard as `host:port` with Xapian's reason.
class RemoteShardError : public DatabaseError {
public:
    RemoteShardError(const std::string& message, std::vector<std::string> shards)
        : DatabaseError(message), m_shards(std::move(shards)) {}
    /// The shards that do not answer, by ShardLocation::name().
    [[nodiscard]] const std::vector<std::string>& shards() const noexcept { return m_shards; }

private:
    std::vector<std::string> m_shards;
};

/// An archive opened for reading: one Xapian::Database over every shard that answered, in the
/// order the paths and stub lines give (Xapian reads metadata from the first one only, so an
/// archive's `meta` shard comes first), and what could not be opened.
struct ReadableArchive {
    Xapian::Database database;
    std::vector<ShardLocation> shards;  ///< every shard named, in order, opened or not
    std::vector<std::string> missing;   ///< shards left out (ReadOptions::allow_partial)
    std::vector<std::string> missing_reasons;  ///< Xapian's reason for each missing shard
    bool has_remote = false;      ///< at least one opened shard is remote
    /// A local shard holds spelling data. Xapian asks only local shards for spelling
    /// suggestions (the remote protocol has no spelling calls).
    bool local_spelling = false;
    bool first_shard_missing = false;  ///< the metadata shard is among the missing
};

/// The shards @p paths name, in order: a database directory names itself; a stub (a file, or
/// a directory holding `XAPIANDB`) names its lines, `auto|glass|chert PATH` (relative to the
/// stub's directory; a stub may name stubs), `remote HOST:PORT` (`remote [IPv6]:PORT`) and
/// `remote :PROGRAM ARGS`, as Xapian 1.4 reads them. Blank lines and `#` comments are skipped.
/// @throws DatabaseError for a missing path, an unreadable stub, a line Xapian would not read
///         (what() gives `stub:line`), or stubs nested too deep (a loop).
std::vector<ShardLocation> list_shards(const std::vector<std::string>& paths);

/// Opens @p shard alone (remote ones with @p timeouts) and checks its schema version.
/// @throws RemoteShardError if a remote shard does not answer, DatabaseError / SchemaMismatch
///         as open_database_for_reading() does.
Xapian::Database open_shard(const ShardLocation& shard, const RemoteTimeouts& timeouts);

/// Opens every shard @p paths name (list_shards()) read-only as one database, each checked for
/// the schema version. Shards are opened ourselves rather than by Xapian's stub reader so that
/// remote ones get @p options' timeouts and a dead one is named.
/// @throws DatabaseError if a path does not exist or is not a database, SchemaMismatch if a
///         shard was written by another schema version, RemoteShardError if a remote shard
///         does not answer (unless options.allow_partial; then only if none answers at all).
ReadableArchive open_archive_for_reading(const std::vector<std::string>& paths,
                                         const ReadOptions& options);

/// open_archive_for_reading() with the default options, the database alone.
Xapian::Database open_database_for_reading(const std::vector<std::string>& paths);

/// Throws SchemaMismatch unless @p database (opened from @p path) holds schema::kVersion.
/// An empty database without a version is accepted (it holds nothing to misread).
void check_schema_version(const Xapian::Database& database, const std::string& path);

}  // namespace wiredesk
