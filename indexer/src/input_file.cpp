#include "wiredesk/indexer/input_file.hpp"

#include <fstream>
#include <sstream>

#include <zlib.h>

#include "wiredesk/common/errors.hpp"

namespace wiredesk::indexer {
namespace {

std::string megabytes(std::size_t bytes) {
    return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MB";
}

}  // namespace

bool is_gzip(std::string_view bytes) noexcept {
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
           static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(std::string_view compressed, const std::string& path, std::size_t max_bytes) {
    z_stream stream{};
    // 15 + 16: a gzip wrapper (not zlib or raw deflate), the largest window.
    if (inflateInit2(&stream, 15 + 16) != Z_OK) {
        throw InputError(path, std::nullopt, "cannot initialise gzip decompression");
    }
    std::string out;
    out.reserve(std::min(compressed.size() * 4, max_bytes));
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    char buffer[1 << 16];
    int status = Z_OK;
    while (true) {
        stream.next_out = reinterpret_cast<Bytef*>(buffer);
        stream.avail_out = sizeof buffer;
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) break;
        out.append(buffer, sizeof buffer - stream.avail_out);
        if (out.size() > max_bytes) {
            inflateEnd(&stream);
            throw InputError(path, std::nullopt,
                             "decompresses to more than " + megabytes(max_bytes) +
                                 " (raise --max-file-size to read it)");
        }
        if (status == Z_STREAM_END) {
            // Concatenated members (what `cat a.gz b.gz` makes) are one stream to gzip(1).
            if (stream.avail_in == 0) break;
            if (inflateReset(&stream) != Z_OK) break;
        }
    }
    inflateEnd(&stream);
    if (status == Z_STREAM_END) return out;
    if (status == Z_BUF_ERROR || (status == Z_OK && stream.avail_in == 0)) {
        throw InputError(path, std::nullopt,
                         "truncated gzip data (the file ends after " +
                             std::to_string(compressed.size()) + " bytes, mid-stream)");
    }
    throw InputError(path, std::nullopt,
                     std::string("corrupt gzip data: ") + (stream.msg ? stream.msg : "inflate failed"));
}

std::string read_input_file(const std::filesystem::path& path, std::size_t max_bytes) {
    const std::string name = path.string();
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) throw InputError(name, std::nullopt, "cannot read: " + error.message());
    if (size == 0) throw InputError(name, std::nullopt, "empty file");
    if (size > max_bytes) {
        throw InputError(name, std::nullopt,
                         "file is " + megabytes(size) + ", more than the " + megabytes(max_bytes) +
                             " limit (raise --max-file-size to read it)");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(name, std::nullopt, "cannot open for reading");
    std::string content(size, '\0');
    in.read(content.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::size_t>(in.gcount()) != size) {
        throw InputError(name, std::nullopt, "read error (the file changed while being read?)");
    }
    if (is_gzip(content)) content = gunzip(content, name, max_bytes);
    if (content.empty()) throw InputError(name, std::nullopt, "empty file (after decompression)");
    return content;
}

}  // namespace wiredesk::indexer
