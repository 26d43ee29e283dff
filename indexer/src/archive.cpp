#include "wiredesk/indexer/archive.hpp"

#include <fcntl.h>
#include <stdio.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "wiredesk/common/database.hpp"
#include "wiredesk/common/errors.hpp"

namespace wiredesk::indexer {
namespace fs = std::filesystem;

namespace {

/// Metadata keys (in meta) of the archive's split and size cap, fixed at its creation (the cap
/// may change later).
constexpr std::string_view kShardByKey = "wiredesk:shard-by";
constexpr std::string_view kMaxArticlesKey = "wiredesk:shard-max-articles";

/// "2026-01.2" -> "2026-01": the period a shard holds.
std::string period_of(const std::string& shard) {
    const auto dot = shard.find('.');
    return dot == std::string::npos ? shard : shard.substr(0, dot);
}

/// "2026-01.2" -> 2, "2026-01" -> 1.
unsigned sequence_of(const std::string& shard) {
    const auto dot = shard.find('.');
    return dot == std::string::npos ? 1U : static_cast<unsigned>(std::stoul(shard.substr(dot + 1)));
}

/// The shard names an archive's stub lists, in order. The indexer writes only local `auto`
/// lines; a stub edited to name remote shards belongs to a search host, not to an indexer.
std::vector<std::string> read_stub(const std::string& archive) {
    const fs::path stub = fs::path(archive) / kStubFileName;
    std::ifstream in(stub);
    if (!in) throw DatabaseError(stub.string() + ": cannot read the archive's stub file");
    std::vector<std::string> names;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::string type;
        std::string name;
        words >> type >> name;
        if (type != "auto" || name.empty() || name.find('/') != std::string::npos) {
            throw DatabaseError(stub.string() + ":" + std::to_string(number) + ": `" + line +
                                "` is not a local shard of this archive; the indexer writes "
                                "only to archives it created (auto NAME lines)");
        }
        names.push_back(name);
    }
    if (names.empty() || names.front() != kMetaShardName) {
        throw DatabaseError(stub.string() + ": the first shard must be `" +
                            std::string(kMetaShardName) + "`");
    }
    return names;
}

std::uintmax_t bytes_under(const fs::path& directory) {
    std::uintmax_t bytes = 0;
    std::error_code error;
    for (const auto& entry : fs::recursive_directory_iterator(directory, error)) {
        if (entry.is_regular_file(error)) bytes += entry.file_size(error);
    }
    return bytes;
}

}  // namespace

std::string_view shard_by_name(ShardBy by) noexcept {
    switch (by) {
        case ShardBy::kMonth: return "month";
        case ShardBy::kYear: return "year";
        case ShardBy::kNone: break;
    }
    return "none";
}

std::optional<ShardBy> parse_shard_by(std::string_view name) noexcept {
    if (name == "none") return ShardBy::kNone;
    if (name == "month") return ShardBy::kMonth;
    if (name == "year") return ShardBy::kYear;
    return std::nullopt;
}

std::string shard_period(ShardBy by, std::optional<UnixTime> time) {
    if (by == ShardBy::kNone) return "all";
    if (!time) return "undated";
    const std::string day = format_yyyymmdd(*time);  // YYYYMMDD
    if (by == ShardBy::kYear) return day.substr(0, 4);
    return day.substr(0, 4) + "-" + day.substr(4, 2);
}

bool is_archive(const std::string& path) {
    std::error_code error;
    return fs::is_directory(path, error) && fs::is_regular_file(fs::path(path) / kStubFileName, error);
}

ArchiveWriter::ArchiveWriter(const std::string& path, const ShardOptions& options)
    : m_path(path), m_max_articles(options.max_articles) {
    std::error_code error;
    if (is_archive(path)) {
        m_names = read_stub(path);
        for (const std::string& name : m_names) {
            m_databases.push_back(open_database_for_writing((fs::path(path) / name).string()));
        }
        Xapian::WritableDatabase& meta = m_databases.front();
        m_by = parse_shard_by(meta.get_metadata(std::string(kShardByKey)));
        if (!m_by) throw DatabaseError(path + ": the archive does not say how it is sharded");
        if (options.shard_by && *options.shard_by != *m_by) {
            throw UsageError(path + ": the archive is sharded by " +
                             std::string(shard_by_name(*m_by)) + ", not by " +
                             std::string(shard_by_name(*options.shard_by)) +
                             " (the split is fixed when an archive is created)");
        }
        const std::string stored_cap = meta.get_metadata(std::string(kMaxArticlesKey));
        if (options.max_articles == 0 && !stored_cap.empty()) {
            m_max_articles = std::stoull(stored_cap);
        } else if (std::to_string(options.max_articles) != stored_cap) {
            meta.set_metadata(std::string(kMaxArticlesKey), std::to_string(options.max_articles));
            meta.commit();
        }
    } else if (options.shard_by) {
        if (fs::exists(path, error) &&
            (!fs::is_directory(path, error) || !fs::is_empty(path, error))) {
            throw UsageError(path + ": exists and is not a sharded archive (a plain database, or "
                                    "another directory); give --shard-by a new directory");
        }
        fs::create_directories(path, error);
        if (error) throw DatabaseError(path + ": cannot create the archive: " + error.message());
        m_by = options.shard_by;
        m_names = {std::string(kMetaShardName)};
        m_databases.push_back(
            open_database_for_writing((fs::path(path) / kMetaShardName).string()));
        Xapian::WritableDatabase& meta = m_databases.front();
        meta.set_metadata(std::string(kShardByKey), std::string(shard_by_name(*m_by)));
        meta.set_metadata(std::string(kMaxArticlesKey), std::to_string(m_max_articles));
        meta.commit();
        write_stub();
    } else {
        if (options.max_articles != 0) {
            throw UsageError("--shard-max-articles applies to sharded archives; give --shard-by "
                             "too");
        }
        m_names = {""};
        m_databases.push_back(open_database_for_writing(path));
    }
    rebuild_combined();
}

std::vector<ShardInfo> ArchiveWriter::shards() const {
    std::vector<ShardInfo> shards;
    if (!sharded()) return shards;
    for (std::size_t i = 1; i < m_names.size(); ++i) {
        shards.push_back({m_names[i], m_databases[i].get_doccount()});
    }
    return shards;
}

std::size_t ArchiveWriter::index_of(const std::string& shard) const {
    const auto found = std::find(m_names.begin(), m_names.end(), shard);
    if (found == m_names.end() || found == m_names.begin()) {
        throw Error(m_path + ": no shard named `" + shard + "` (a bug: plan before writing)");
    }
    return static_cast<std::size_t>(found - m_names.begin());
}

ArchiveWriter::Plan ArchiveWriter::plan(const std::vector<Placement>& articles) {
    Plan plan;
    if (!sharded()) {
        plan.shards.assign(articles.size(), std::string());
        return plan;
    }
    const std::size_t n = m_names.size();
    // Articles per shard, counting those this plan adds; new shards included.
    std::map<std::string, std::size_t> counts;
    for (std::size_t i = 1; i < n; ++i) counts[m_names[i]] = m_databases[i].get_doccount();
    // The newest shard of each period (highest sequence number).
    std::map<std::string, std::string> newest;
    const auto note_newest = [&](const std::string& shard) {
        auto [it, added] = newest.emplace(period_of(shard), shard);
        if (!added && sequence_of(shard) > sequence_of(it->second)) it->second = shard;
    };
    for (std::size_t i = 1; i < n; ++i) note_newest(m_names[i]);

    for (const Placement& article : articles) {
        const std::string period = shard_period(*m_by, article.time);
        // Already in a shard of its period: it stays.
        auto posting = m_combined.postlist_begin(article.id_term);
        if (posting != m_combined.postlist_end(article.id_term)) {
            const std::string& current = m_names[(*posting - 1) % n];
            if (period_of(current) == period) {
                plan.shards.push_back(current);
                continue;
            }
        }
        const auto found = newest.find(period);
        std::string target;
        if (found == newest.end()) {
            target = period;
        } else if (m_max_articles != 0 && counts[found->second] >= m_max_articles) {
            target = period + "." + std::to_string(sequence_of(found->second) + 1);
        } else {
            target = found->second;
        }
        if (counts.emplace(target, 0).second) {
            plan.missing.push_back(target);
            note_newest(target);
        }
        ++counts[target];
        plan.shards.push_back(target);
    }
    return plan;
}

void ArchiveWriter::add_shards(const std::vector<std::string>& names) {
    if (names.empty()) return;
    for (const std::string& name : names) {
        // A directory the stub does not list is what a run killed while creating this shard
        // left: documents are written only to listed shards, so it holds none.
        const fs::path directory = fs::path(m_path) / name;
        std::error_code error;
        fs::remove_all(directory, error);
        if (error) {
            throw DatabaseError(directory.string() + ": cannot remove an unfinished shard: " +
                                error.message());
        }
        m_databases.push_back(open_database_for_writing(directory.string()));
        m_names.push_back(name);
    }
    // The new shards exist (empty, committed) before the stub names them: a reader never meets
    // a stub line without its database.
    write_stub();
    rebuild_combined();
}

Xapian::docid ArchiveWriter::write(const std::string& id_term, const Xapian::Document& document,
                                   const std::string& shard, bool exists) {
    if (!sharded()) {
        return exists ? m_combined.replace_document(id_term, document)
                      : m_combined.add_document(document);
    }
    const std::size_t n = m_names.size();
    const std::size_t target = index_of(shard);
    if (exists) {
        auto posting = m_combined.postlist_begin(id_term);
        if (posting != m_combined.postlist_end(id_term)) {
            const Xapian::docid current = *posting;
            if ((current - 1) % n == target) {
                m_combined.replace_document(current, document);
                return current;
            }
            m_combined.delete_document(current);  // its date moved it to another shard
        }
    }
    const Xapian::docid local = m_databases[target].get_lastdocid() + 1;
    const Xapian::docid docid = static_cast<Xapian::docid>((local - 1) * n + target + 1);
    m_combined.replace_document(docid, document);
    return docid;
}

void ArchiveWriter::begin_transaction() {
    for (auto& database : m_databases) database.begin_transaction();
}

void ArchiveWriter::commit_transaction() {
    // Xapian's combined commit goes in shard order, meta first; the documents must be on disk
    // before the file states and group records that speak of them.
    for (std::size_t i = m_databases.size(); i-- > 0;) m_databases[i].commit_transaction();
}

void ArchiveWriter::cancel_transaction() {
    for (auto& database : m_databases) {
        try {
            database.cancel_transaction();
        } catch (const Xapian::InvalidOperationError&) {
            // Not in a transaction (a failure struck between two commits): nothing to drop.
        }
    }
}

void ArchiveWriter::rebuild_combined() {
    m_combined = Xapian::WritableDatabase();
    for (const auto& database : m_databases) m_combined.add_database(database);
}

void ArchiveWriter::write_stub() const {
    // Written whole and renamed into place: a reader sees the old list or the new one.
    const fs::path stub = fs::path(m_path) / kStubFileName;
    const fs::path temporary = fs::path(m_path) / (std::string(kStubFileName) + ".new");
    {
        std::ofstream out(temporary, std::ios::trunc);
        for (const std::string& name : m_names) out << "auto " << name << '\n';
        out.flush();
        if (!out) throw DatabaseError(temporary.string() + ": cannot write the stub file");
    }
    std::error_code error;
    fs::rename(temporary, stub, error);
    if (error) throw DatabaseError(stub.string() + ": cannot replace the stub file: " + error.message());
}

CompactionResult compact_archive(const std::string& path) {
    std::vector<fs::path> databases;
    if (is_archive(path)) {
        for (const std::string& name : read_stub(path)) databases.push_back(fs::path(path) / name);
    } else {
        databases.emplace_back(path);
    }
    CompactionResult result;
    for (const fs::path& database : databases) {
        // The write lock keeps indexers out while the copy is made and swapped in.
        Xapian::WritableDatabase lock = open_database_for_writing(database.string());
        const fs::path compacted = database.string() + ".compacting";
        std::error_code error;
        fs::remove_all(compacted, error);
        result.bytes_before += bytes_under(database);
        try {
            Xapian::Database(database.string())
                .compact(compacted.string(), Xapian::DBCOMPACT_NO_RENUMBER);
        } catch (const Xapian::Error& failure) {
            fs::remove_all(compacted, error);
            throw DatabaseError(database.string() + ": compaction failed: " +
                                failure.get_description());
        }
        result.bytes_after += bytes_under(compacted);
        // One atomic exchange: a reader opening the path meets the old copy or the new one,
        // never nothing, and a crash leaves one of them in place.
        if (renameat2(AT_FDCWD, compacted.c_str(), AT_FDCWD, database.c_str(), RENAME_EXCHANGE) !=
            0) {
            const std::string reason = std::strerror(errno);
            fs::remove_all(compacted, error);
            throw DatabaseError(database.string() + ": cannot swap in the compacted copy: " +
                                reason);
        }
        lock.close();
        fs::remove_all(compacted, error);  // the old copy, now
        ++result.databases;
    }
    return result;
}

}  // namespace wiredesk::indexer
