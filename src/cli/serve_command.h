#pragma once
#include <CLI/CLI.hpp>

namespace as::cli {
// Adds `serve [--config FILE] [--listen HOST:PORT] [--seed DIR]`: the REST API and the job
// workers; the callback sets `exit_code`.
void add_serve_command(CLI::App& app, int& exit_code);
}  // namespace as::cli
