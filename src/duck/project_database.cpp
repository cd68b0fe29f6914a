#include "project_database.h"

#include <stdexcept>

#include <fmt/format.h>

#include "chunk_stream.h"
#include "duck_error.h"

namespace as::duck {
namespace {

bool is_project_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// The sandbox rules live in the database configuration, not in each connection, so no
// statement a script runs can relax them: enable_external_access=false blocks files and the
// network (the database's own files stay reachable to DuckDB itself), and lock_configuration
// (set last, once everything else is in place) makes every later SET fail.
ConfigHandle sandbox_config(const DuckSettings& settings) {
  ConfigHandle config;
  if (duckdb_create_config(config.out()) != DuckDBSuccess) throw DuckError("could not create a DuckDB configuration");
  const std::pair<const char*, std::string> options[] = {
      {"memory_limit", fmt::format("{}B", settings.memory_limit_bytes)},
      {"threads", std::to_string(settings.threads)},
      {"enable_external_access", "false"},
      {"autoinstall_known_extensions", "false"},
      {"autoload_known_extensions", "false"},
      {"allow_community_extensions", "false"},
      {"allow_unsigned_extensions", "false"},
      {"allow_persistent_secrets", "false"},
      {"lock_configuration", "true"},
  };
  for (const auto& [name, value] : options) {
    if (duckdb_set_config(config.get(), name, value.c_str()) != DuckDBSuccess) {
      throw DuckError(fmt::format("DuckDB rejected the setting {}='{}'", name, value));
    }
  }
  return config;
}

}  // namespace

void validate_project_name(std::string_view name) {
  bool valid = !name.empty();
  for (char c : name) valid = valid && is_project_name_char(c);
  if (!valid) {
    throw std::invalid_argument(fmt::format(
        "invalid project name '{}': use letters, digits, '_' and '-' only (e.g. 'sales-eu')", name));
  }
}

std::filesystem::path project_database_path(const std::filesystem::path& data_dir, std::string_view project) {
  return data_dir / "projects" / std::string(project) / "analytics.duckdb";
}

ProjectConnection::ProjectConnection(std::shared_ptr<const ProjectDatabase> database, ConnectionHandle connection)
    : database_(std::move(database)), connection_(std::move(connection)) {}

ProjectDatabase::ProjectDatabase(OpenKey, std::string project, std::filesystem::path path, DuckSettings settings,
                                 DatabaseHandle database)
    : project_(std::move(project)), path_(std::move(path)), settings_(settings), database_(std::move(database)) {}

std::shared_ptr<ProjectDatabase> ProjectDatabase::open(const std::filesystem::path& data_dir, std::string project,
                                                       const DuckSettings& settings) {
  validate_project_name(project);
  std::filesystem::path path = project_database_path(data_dir, project);
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) {
    throw DuckError(fmt::format("cannot create the folder of project '{}' at '{}': {}", project,
                                path.parent_path().string(), error.message()));
  }
  ConfigHandle config = sandbox_config(settings);
  DatabaseHandle database;
  char* open_error = nullptr;
  if (duckdb_open_ext(path.c_str(), database.out(), config.get(), &open_error) != DuckDBSuccess) {
    std::string reason = take_text(open_error);
    throw DuckError(fmt::format("cannot open the DuckDB database of project '{}' at '{}': {}", project, path.string(),
                                reason.empty() ? "unknown error" : reason));
  }
  {
    ConnectionHandle setup;
    if (duckdb_connect(database.get(), setup.out()) != DuckDBSuccess) {
      throw DuckError(fmt::format("cannot connect to the DuckDB database of project '{}'", project));
    }
    register_chunk_stream_function(setup.get());
  }
  return std::make_shared<ProjectDatabase>(OpenKey{}, std::move(project), std::move(path), settings, std::move(database));
}

ProjectConnection ProjectDatabase::connect() const {
  ConnectionHandle connection;
  if (duckdb_connect(database_.get(), connection.out()) != DuckDBSuccess) {
    throw DuckError(fmt::format("cannot connect to the DuckDB database of project '{}'", project_));
  }
  return ProjectConnection(shared_from_this(), std::move(connection));
}

}  // namespace as::duck
