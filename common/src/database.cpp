#include "wiredesk/common/database.hpp"

#include <filesystem>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/schema.hpp"

namespace wiredesk {

namespace {

/// Opens the database at @p path read-only and checks its schema version. An indexer that
/// commits twice between the open and the check discards the revision being read
/// (DatabaseModifiedError): open it again, at the latest revision. Each retry needs two more
/// commits to fail, so a few attempts are plenty.
Xapian::Database open_checked(const std::string& path) {
    constexpr int kAttempts = 20;
    for (int attempt = 1;; ++attempt) {
        try {
            Xapian::Database database(path);
            check_schema_version(database, path);
            return database;
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt == kAttempts) throw;
        }
    }
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
    if (paths.empty()) throw DatabaseError("no database given");
    Xapian::Database combined;
    for (const std::string& path : paths) {
        if (!std::filesystem::exists(path)) {
            throw DatabaseError(path + ": no such database (create it with wiredesk-index)");
        }
        try {
            combined.add_database(open_checked(path));
        } catch (const Xapian::DatabaseOpeningError& error) {
            throw DatabaseError(path + ": not a Wiredesk database (" + error.get_msg() + ")");
        } catch (const Xapian::Error& error) {
            throw DatabaseError(path + ": cannot open the database: " + error.get_description());
        }
    }
    return combined;
}

}  // namespace wiredesk
