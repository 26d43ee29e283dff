/// @file database.hpp
/// @brief Opening Wiredesk databases with the schema version checked, errors with context.
#pragma once

#include <string>
#include <vector>

#include <xapian.h>

namespace wiredesk {

/// Opens (creating if absent) the database at @p path for writing and checks its schema
/// version; a new database is stamped with schema::kVersion.
/// @throws SchemaMismatch for a database of another version (nothing is written to it),
///         DatabaseError when it cannot be created or opened, or another writer holds its lock.
Xapian::WritableDatabase open_database_for_writing(const std::string& path);

/// Opens the databases at @p paths read-only as one (Xapian combines them).
/// @throws DatabaseError if a path does not exist or is not a database, SchemaMismatch if
///         one was written by another schema version.
Xapian::Database open_database_for_reading(const std::vector<std::string>& paths);

/// Throws SchemaMismatch unless @p database (opened from @p path) holds schema::kVersion.
/// An empty database without a version is accepted (it holds nothing to misread).
void check_schema_version(const Xapian::Database& database, const std::string& path);

}  // namespace wiredesk
