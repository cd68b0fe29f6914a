#pragma once
// The server's configuration (docs/configuration.md): where data lives, what it listens on, the
// projects with their datasources and DuckDB limits, and the API tokens. It comes from one TOML
// file, or from the embedded defaults when there is none (config_file.h says which).
//
// Secrets (passwords, keys, tokens) are never stored here: the config names the environment
// variable that holds each one, and resolve_secret() reads it only when a datasource connects.
// So a Config can be printed, logged or copied without leaking anything.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "duck/duck_settings.h"

namespace as::config {

enum class Role {
  User,    // list, read, get options, execute, watch, stop and delete
  Author,  // everything a user may do, plus create, update, versions, schedules and validate
};
std::string_view to_string(Role role);
std::optional<Role> role_from_string(std::string_view text);
// Whether a caller with role `have` may do what needs role `need` (an author may do all a user may).
bool role_allows(Role have, Role need);

enum class DatasourceType { Postgres, Mysql, Sqlite, Clickhouse, S3, Gcs, Azure, Rest, Openapi, Soap, Graphql };
std::string_view to_string(DatasourceType type);
std::optional<DatasourceType> datasource_type_from_string(std::string_view text);
// Every type, in the order of docs/configuration.md.
const std::vector<DatasourceType>& all_datasource_types();
// SQL databases: read-only unless allow_writes, enforced by the database itself.
bool is_sql(DatasourceType type);

// A secret written in the config file as `key = { env = "NAME" }`: only the variable's name.
struct SecretRef {
  std::string env_var;
};

// A non-secret setting as the file wrote it (after defaults and path resolution).
using SettingValue = std::variant<std::string, std::int64_t, bool>;

struct DatasourceConfig {
  std::string name;  // the name scripts use: ctx.datasource.<name>
  DatasourceType type = DatasourceType::Sqlite;
  bool allow_writes = false;
  // Non-secret settings by key: host, port, database, path, url, bucket, ... Defaults are filled
  // in, relative paths are absolute. HTTP headers are "headers.<Header-Name>".
  std::map<std::string, SettingValue, std::less<>> settings;
  // Secret settings by key (password, secret_access_key, "headers.Authorization", ...).
  std::map<std::string, SecretRef, std::less<>> secrets;

  // The setting's value when present with that type, else nullopt.
  std::optional<std::string> text(std::string_view key) const;
  std::optional<std::int64_t> integer(std::string_view key) const;
  std::optional<bool> flag(std::string_view key) const;
  bool has_secret(std::string_view key) const { return secrets.contains(key); }
};

// 1 GiB: what a run's DataFrames may hold unless the project says otherwise (docs/dataframes.md).
inline constexpr std::uint64_t kDefaultDataframeMemoryBytes = std::uint64_t{1} << 30;

struct ProjectConfig {
  std::string name;
  std::map<std::string, DatasourceConfig, std::less<>> datasources;
  // The project DuckDB's limits: the file's [projects.NAME.duckdb] over
  // DuckSettings::for_this_machine().
  duck::DuckSettings duckdb;
  // Native memory one run's DataFrames may hold at once ([projects.NAME.dataframes] memory_limit).
  std::uint64_t dataframe_memory_bytes = kDefaultDataframeMemoryBytes;
};

struct TokenConfig {
  std::string name;        // who or what holds it (shown in logs and as created_by)
  std::string sha256_hex;  // lowercase hex SHA-256 of the token text; the token itself is never kept
  Role role = Role::User;
  std::string project;  // the one project the token gives access to
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 lets the system pick a free port
  int workers = 2;  // job worker threads
  // Freed heap kept per allocator arena for the next runs (sandbox::retain_freed_heap); 0 =
  // glibc's defaults. The default is one run's default JS heap limit.
  std::uint64_t retain_freed_memory_bytes = std::uint64_t{256} << 20;
};

struct Config {
  std::filesystem::path data_dir;  // absolute
  ServerConfig server;
  std::map<std::string, ProjectConfig, std::less<>> projects;
  std::vector<TokenConfig> tokens;
  std::optional<std::filesystem::path> file;  // the file it came from (absolute); none for embedded defaults
  bool embedded_defaults = false;

  const ProjectConfig* find_project(std::string_view name) const;
};

// The DuckDB settings of `project`; throws std::invalid_argument naming it when the config has
// no such project. Fits duck::DatabaseRegistry::SettingsLookup:
//   DatabaseRegistry registry(config.data_dir, [&config](const std::string& p) { return duck_settings_for(config, p); });
duck::DuckSettings duck_settings_for(const Config& config, std::string_view project);

}  // namespace as::config
