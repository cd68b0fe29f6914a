#pragma once
#include <string>

#include <CLI/CLI.hpp>

namespace as::cli {

// Adds `--project NAME` (default "default") and `--data-dir DIR` (default ./data): which
// project's DuckDB a command uses and where the data directory is.
void add_project_options(CLI::App& command, std::string& project, std::string& data_dir);

// Adds `duckdb PROJECT "SQL" [--data-dir DIR] [--format json|table]`, the operator's view of a
// project's DuckDB; the callback sets `exit_code`.
void add_duckdb_command(CLI::App& app, int& exit_code);

}  // namespace as::cli
