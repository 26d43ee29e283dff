#include "wiredesk/common/database.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/schema.hpp"

namespace wiredesk {

namespace {

/// Opens the database at @p path read-only and checks its schema version. An indexer that
/// commits twice between the open and the check discards the revision being read
/// (DatabaseModifiedError): open it again, at the latest revision. Each retry needs two more
/// commits to fail, so a few attempts are plenty. An open raced by commits can also read no
/// version from a database with documents, though every revision since its creation holds
/// one (seen under the sanitizers, where commits are slow): that open is made again too, and
/// only a version missing every time is reported.
Xapian::Database open_checked(const std::string& path) {
    constexpr int kAttempts = 20;
    for (int attempt = 1;; ++attempt) {
        try {
            Xapian::Database database(path);
            check_schema_version(database, path);
            return database;
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt == kAttempts) throw;
        } catch (const SchemaMismatch& mismatch) {
            if (!mismatch.found().empty() || attempt == kAttempts) throw;
        }
    }
}


/// Stubs may name stubs; deeper than this is a loop.
constexpr int kMaxStubDepth = 8;

/// A Xapian network error as a reason a person can act on.
std::string network_reason(const Xapian::NetworkError& error) {
    std::string reason = error.get_msg();
    if (const char* detail = error.get_error_string(); detail != nullptr && *detail != '\0') {
        reason += std::string(" (") + detail + ")";
    }
    if (std::string_view(error.get_type()) == "NetworkTimeoutError") {
        reason = "timed out: " + reason;
    }
    return reason;
}

Xapian::Database open_local(const std::string& path) {
    if (!std::filesystem::exists(path)) {
        throw DatabaseError(path + ": no such database (create it with wiredesk-index)");
    }
    try {
        return open_checked(path);
    } catch (const Xapian::DatabaseOpeningError& error) {
        throw DatabaseError(path + ": not a Wiredesk database (" + error.get_msg() + ")");
    } catch (const Xapian::Error& error) {
        throw DatabaseError(path + ": cannot open the database: " + error.get_description());
    }
}

void add_shards(const std::string& path, int depth, std::vector<ShardLocation>& shards);

/// One line of a stub, in Xapian 1.4's syntax (backends/dbfactory.cc, open_stub()).
void add_stub_line(const std::filesystem::path& stub, std::size_t line_number,
                   const std::string& line, int depth, std::vector<ShardLocation>& shards) {
    const auto bad = [&](const std::string& why) {
        return DatabaseError(stub.string() + ":" + std::to_string(line_number) + ": " + why);
    };
    const std::size_t space = line.find(' ');
    if (space == std::string::npos) {
        throw bad("not a stub line (write 'auto PATH' or 'remote HOST:PORT')");
    }
    const std::string type = line.substr(0, space);
    const std::string rest = line.substr(line.find_first_not_of(' ', space));
    if (type == "auto" || type == "glass" || type == "chert") {
        std::filesystem::path target(rest);
        // Relative paths are relative to the stub's directory, as Xapian reads them.
        if (target.is_relative()) target = stub.parent_path() / target;
        add_shards(target.lexically_normal().string(), depth + 1, shards);
        return;
    }
    if (type != "remote") {
        throw bad("database type '" + type + "' cannot be searched (auto, glass, chert or remote)");
    }
    ShardLocation shard;
    if (rest.starts_with(':')) {
        // remote :PROGRAM ARGS (xapian-progsrv at the far end, e.g. over ssh).
        const std::size_t gap = rest.find(' ');
        shard.kind = ShardLocation::Kind::kProgram;
        shard.program = rest.substr(1, gap == std::string::npos ? std::string::npos : gap - 1);
        if (gap != std::string::npos) shard.args = rest.substr(gap + 1);
        if (shard.program.empty()) throw bad("a remote program is written 'remote :PROGRAM ARGS'");
    } else {
        // remote HOST:PORT, the host possibly an IPv6 address in brackets.
        const std::size_t colon = rest.rfind(':');
        const std::string port = colon == std::string::npos ? std::string() : rest.substr(colon + 1);
        std::string host = colon == std::string::npos ? std::string() : rest.substr(0, colon);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
            host = host.substr(1, host.size() - 2);
        }
        unsigned long number = 0;
        const bool digits = !port.empty() && port.size() <= 5 &&
                            port.find_first_not_of("0123456789") == std::string::npos;
        if (digits) number = std::stoul(port);
        if (host.empty() || !digits || number == 0 || number > 65535) {
            throw bad("a remote TCP shard is written 'remote HOST:PORT'");
        }
        shard.kind = ShardLocation::Kind::kTcp;
        shard.host = host;
        shard.port = static_cast<unsigned>(number);
    }
    shards.push_back(std::move(shard));
}

void add_stub(const std::filesystem::path& stub, int depth, std::vector<ShardLocation>& shards) {
    if (depth >= kMaxStubDepth) {
        throw DatabaseError(stub.string() + ": stubs nested more than " +
                            std::to_string(kMaxStubDepth) + " deep (does a stub name itself?)");
    }
    std::ifstream in(stub);
    if (!in) throw DatabaseError(stub.string() + ": cannot read the stub file");
    std::string line;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
            line.pop_back();
        }
        if (line.empty() || line.front() == '#') continue;
        add_stub_line(stub, line_number, line, depth, shards);
    }
}

void add_shards(const std::string& path, int depth, std::vector<ShardLocation>& shards) {
    namespace fs = std::filesystem;
    std::error_code ignored;
    if (!fs::exists(path, ignored)) {
        throw DatabaseError(path + ": no such database (create it with wiredesk-index)");
    }
    // As Xapian decides: a directory holding a database is one; one holding XAPIANDB is a stub;
    // a file is a stub.
    const fs::path directory(path);
    if (fs::is_directory(directory, ignored)) {
        const bool database = fs::exists(directory / "iamglass", ignored) ||
                              fs::exists(directory / "iamchert", ignored);
        if (database || !fs::exists(directory / "XAPIANDB", ignored)) {
            ShardLocation shard;
            shard.path = path;
            shards.push_back(std::move(shard));
            return;
        }
        add_stub(directory / "XAPIANDB", depth, shards);
        return;
    }
    add_stub(directory, depth, shards);
}
}  // namespace

void check_schema_version(const Xapian::Database& database, const std::string& path) {
    const std::string found = database.get_metadata(std::string(schema::kVersionKey));
    if (found == schema::kVersion) return;
    if (found.empty() && database.get_doccount() == 0) return;
    throw SchemaMismatch(path, found, std::string(schema::kVersion));
}

Xapian::WritableDatabase open_database_for_writing(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ignored;
    if (fs::exists(path, ignored) && !fs::is_directory(path, ignored)) {
        throw DatabaseError(path + ": exists and is not a database directory");
    }
    try {
        Xapian::WritableDatabase database(path, Xapian::DB_CREATE_OR_OPEN);
        check_schema_version(database, path);
        if (database.get_metadata(std::string(schema::kVersionKey)).empty()) {
            database.set_metadata(std::string(schema::kVersionKey), std::string(schema::kVersion));
            database.commit();
        }
        return database;
    } catch (const Xapian::DatabaseLockError&) {
        throw DatabaseError(path +
                            ": another indexer is writing to this database; wait for it to "
                            "finish (only one writer at a time)");
    } catch (const Xapian::Error& error) {
        throw DatabaseError(path + ": cannot open the database for writing: " +
                            error.get_description());
    }
}

Xapian::Database open_database_for_reading(const std::vector<std::string>& paths) {
    return open_archive_for_reading(paths, ReadOptions{}).database;
}

std::string ShardLocation::name() const {
    switch (kind) {
        case Kind::kTcp:
            return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                   std::to_string(port);
        case Kind::kProgram:
            return args.empty() ? program : program + " " + args;
        case Kind::kLocal:
            break;
    }
    return path;
}

std::vector<ShardLocation> list_shards(const std::vector<std::string>& paths) {
    if (paths.empty()) throw DatabaseError("no database given");
    std::vector<ShardLocation> shards;
    for (const std::string& path : paths) add_shards(path, 0, shards);
    return shards;
}

Xapian::Database open_shard(const ShardLocation& shard, const RemoteTimeouts& timeouts) {
    if (!shard.is_remote()) return open_local(shard.path);
    try {
        Xapian::Database database =
            shard.kind == ShardLocation::Kind::kTcp
                ? Xapian::Remote::open(shard.host, shard.port, timeouts.reply_ms,
                                       timeouts.connect_ms)
                : Xapian::Remote::open(shard.program, shard.args, timeouts.reply_ms);
        check_schema_version(database, shard.name());
        return database;
    } catch (const Xapian::NetworkError& error) {
        throw RemoteShardError("remote shard " + shard.name() +
                                   " does not answer: " + network_reason(error),
                               {shard.name()});
    } catch (const Xapian::Error& error) {
        throw DatabaseError("remote shard " + shard.name() +
                            ": cannot open the database: " + error.get_description());
    }
}

ReadableArchive open_archive_for_reading(const std::vector<std::string>& paths,
                                         const ReadOptions& options) {
    for (const unsigned timeout : {options.timeouts.connect_ms, options.timeouts.reply_ms}) {
        if (timeout == 0) throw UsageError("remote timeouts must be at least 1 ms");
    }
    ReadableArchive archive;
    archive.shards = list_shards(paths);
    std::size_t opened = 0;
    for (std::size_t i = 0; i < archive.shards.size(); ++i) {
        const ShardLocation& shard = archive.shards[i];
        try {
            Xapian::Database database = open_shard(shard, options.timeouts);
            if (!shard.is_remote() && !archive.local_spelling) {
                archive.local_spelling = database.spellings_begin() != database.spellings_end();
            }
            archive.has_remote = archive.has_remote || shard.is_remote();
            archive.database.add_database(database);
            ++opened;
        } catch (const RemoteShardError& error) {
            if (!options.allow_partial) throw;
            archive.missing.push_back(shard.name());
            archive.missing_reasons.emplace_back(error.what());
            if (i == 0) archive.first_shard_missing = true;
        }
    }
    if (opened == 0) {
        std::string message = "no shard of the archive answers:";
        for (const std::string& reason : archive.missing_reasons) message += "\n  " + reason;
        throw RemoteShardError(message, archive.missing);
    }
    return archive;
}

}  // namespace wiredesk
