#include "wiredesk/web/assets.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "wiredesk/common/errors.hpp"

namespace wiredesk::web {

std::string_view content_type_for(std::string_view name) noexcept {
    const auto ends_with = [name](std::string_view suffix) { return name.ends_with(suffix); };
    if (ends_with(".html")) return "text/html; charset=utf-8";
    if (ends_with(".js")) return "text/javascript; charset=utf-8";
    if (ends_with(".css")) return "text/css; charset=utf-8";
    if (ends_with(".svg")) return "image/svg+xml";
    if (ends_with(".json")) return "application/json";
    return "application/octet-stream";
}

std::optional<Asset> find_asset(std::string_view name, const std::string& assets_dir) {
    for (const EmbeddedFile& file : embedded_files()) {
        if (file.name != name) continue;
        Asset asset{std::string(file.name), std::string(content_type_for(file.name)), {}};
        if (assets_dir.empty()) {
            asset.content = std::string(file.content);
            return asset;
        }
        // Development: the same name, read fresh from the folder (the name is one of ours, so
        // it holds no separators or "..").
        const std::filesystem::path path = std::filesystem::path(assets_dir) / asset.name;
        std::ifstream in(path, std::ios::binary);
        if (!in) throw Error("cannot read asset " + path.string());
        std::ostringstream content;
        content << in.rdbuf();
        asset.content = std::move(content).str();
        return asset;
    }
    return std::nullopt;
}

}  // namespace wiredesk::web
