/// @file input_file.hpp
/// @brief Reading one input file into memory, gunzipping it when it is gzip-compressed.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace wiredesk::indexer {

/// Reads @p path whole. Content that starts with the gzip magic bytes is decompressed whatever
/// the file is called (several concatenated gzip members are read as one stream).
/// @param max_bytes the largest (decompressed) size accepted.
/// @throws InputError naming the file: unreadable, empty, larger than @p max_bytes,
///         truncated or corrupt gzip data.
std::string read_input_file(const std::filesystem::path& path, std::size_t max_bytes);

/// Whether @p bytes start with the gzip magic number.
bool is_gzip(std::string_view bytes) noexcept;

/// Decompresses a gzip stream. @p path and @p max_bytes as for read_input_file().
std::string gunzip(std::string_view compressed, const std::string& path, std::size_t max_bytes);

}  // namespace wiredesk::indexer
