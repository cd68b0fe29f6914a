#pragma once
// Reads one `[projects.P.datasources.NAME]` table into a DatasourceConfig, checking it against
// the type's schema (datasource_schema.h).
#include <filesystem>
#include <string>

#include <toml++/toml.h>

#include "config.h"
#include "toml_checks.h"

namespace as::config {

// Whether `name` can name a datasource: [A-Za-z_][A-Za-z0-9_]*, at most 64 characters, so that
// ctx.datasource.<name> works in scripts.
bool is_datasource_name(std::string_view name);

// `path` is the table's dotted key; relative file paths resolve against `base_dir`.
DatasourceConfig read_datasource(const TomlChecker& checker, const toml::table& table, const std::string& path,
                                 const std::string& name, const std::filesystem::path& base_dir);

}  // namespace as::config
