#pragma once
#include <CLI/CLI.hpp>

namespace as::cli {
// Adds `run FILE.js [--params ...]` to the app; the callback sets `exit_code`.
void add_run_command(CLI::App& app, int& exit_code);
}  // namespace as::cli
