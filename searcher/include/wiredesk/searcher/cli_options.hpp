/// @file cli_options.hpp
/// @brief Command-line options of the searcher library shared by the tools built on it
/// (wiredesk-search, wiredesk-serve): declared once so both spell, check and explain them alike.
/// Header-only: the library itself does not depend on CLI11.
#pragma once

#include <CLI/CLI.hpp>

#include "wiredesk/searcher/searcher.hpp"

namespace wiredesk::searcher {

/// Adds --remote-timeout, --remote-connect-timeout and --allow-partial, bound to @p options.
inline void add_remote_options(CLI::App& app, SearcherOptions& options) {
    app.add_option("--remote-timeout", options.remote_timeouts.reply_ms,
                   "Milliseconds to wait for each reply of a remote shard")
        ->check(CLI::Range(1u, 3600000u))
        ->capture_default_str();
    app.add_option("--remote-connect-timeout", options.remote_timeouts.connect_ms,
                   "Milliseconds to wait when connecting to a remote shard")
        ->check(CLI::Range(1u, 3600000u))
        ->capture_default_str();
    app.add_flag("--allow-partial", options.allow_partial,
                 "Search the shards that answer when remote ones do not; answers say which are "
                 "missing (JSON: partial, missing_shards)");
}

}  // namespace wiredesk::searcher
