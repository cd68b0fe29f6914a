#pragma once
#include <CLI/CLI.hpp>

namespace as::cli {
// Adds `analyses create|update|list|show|versions|version|diff|restore|validate|delete`, the
// catalog operations of the service layer on the configured store; the callback sets `exit_code`.
void add_analyses_command(CLI::App& app, int& exit_code);
}  // namespace as::cli
