#pragma once
#include <CLI/CLI.hpp>

namespace as::cli {

// Adds `config check [--config FILE]` (prints the effective configuration, secrets redacted) and
// `token create --project P --role user|author [--name N] [--config FILE]` (prints a new token
// once and the [[tokens]] lines, with only its hash, for the config file). Callbacks set `exit_code`.
void add_config_commands(CLI::App& app, int& exit_code);

}  // namespace as::cli
