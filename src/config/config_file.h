#pragma once
// Where the configuration comes from, and reading it (docs/configuration.md).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "config.h"
#include "config_error.h"

namespace as::config {

// The environment variable naming the config file when no --config is given.
inline constexpr const char* kConfigFileVariable = "ANALYSIS_SANDBOX_CONFIG";

// Reads and checks one TOML config file. Relative paths in it (data_dir, sqlite paths, CA
// files, spec and WSDL files) resolve against the file's directory. Throws ConfigError naming
// the file, line, column and key of the first problem.
Config load_config_file(const std::filesystem::path& file);

// The configuration used when there is no config file: project "default", data directory
// <working_dir>/data, and the read-only SQLite datasource "demo" (the bundled sample data at
// <working_dir>/data/demo/demo.sqlite, made by ensure_demo_datasources). No tokens: see
// ensure_local_author_token.
Config embedded_defaults(const std::filesystem::path& working_dir);

// The TOML text embedded_defaults() reads (shown in docs/configuration.md).
std::string_view embedded_defaults_toml();

// The lookup order: `explicit_file` (the --config option) when given; else the file named by
// $ANALYSIS_SANDBOX_CONFIG when it is set and not empty; else embedded_defaults(current dir).
Config load_config(const std::optional<std::filesystem::path>& explicit_file);

// "file /abs/path.toml" or "embedded defaults".
std::string describe_source(const Config& config);

}  // namespace as::config
