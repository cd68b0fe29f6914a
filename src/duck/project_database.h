#pragma once
// One project's persistent DuckDB: the database file `<data_dir>/projects/<name>/analytics.duckdb`,
// opened with the sandbox configuration (no file or network access from SQL, no extension
// installs, configuration locked) and the project's memory and thread limits.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "duck_handles.h"
#include "duck_settings.h"

namespace as::duck {

// Throws std::invalid_argument naming the value unless `name` matches [A-Za-z0-9_-]+.
void validate_project_name(std::string_view name);
// Where the project's DuckDB file lives under the data directory.
std::filesystem::path project_database_path(const std::filesystem::path& data_dir, std::string_view project);
// The catalog name DuckDB gives the project database (taken from the file name analytics.duckdb).
inline constexpr const char* kProjectCatalog = "analytics";

class ProjectDatabase;

// A connection to a project database. It keeps the database open while it lives; closing it
// rolls back whatever transaction it left open (DuckDB does that on disconnect).
class ProjectConnection {
 public:
  ProjectConnection(std::shared_ptr<const ProjectDatabase> database, ConnectionHandle connection);
  duckdb_connection get() const { return connection_.get(); }
  const ProjectDatabase& database() const { return *database_; }

 private:
  // Declared first so it is destroyed last: the connection closes before the database may.
  std::shared_ptr<const ProjectDatabase> database_;
  ConnectionHandle connection_;
};

class ProjectDatabase : public std::enable_shared_from_this<ProjectDatabase> {
 public:
  // Opens (creating the folder and file when needed) the project's database. Throws DuckError
  // naming the file when DuckDB cannot open it (another process holds it, it is corrupt, ...).
  static std::shared_ptr<ProjectDatabase> open(const std::filesystem::path& data_dir, std::string project,
                                               const DuckSettings& settings);

  // Only open() can make the key, so every ProjectDatabase went through open().
  class OpenKey {
    friend class ProjectDatabase;
    OpenKey() = default;
  };
  ProjectDatabase(OpenKey, std::string project, std::filesystem::path path, DuckSettings settings, DatabaseHandle database);
  ProjectDatabase(const ProjectDatabase&) = delete;
  ProjectDatabase& operator=(const ProjectDatabase&) = delete;

  // A new connection for one run or one operator command.
  ProjectConnection connect() const;

  const std::string& project() const { return project_; }
  const std::filesystem::path& path() const { return path_; }
  const DuckSettings& settings() const { return settings_; }

 private:
  std::string project_;
  std::filesystem::path path_;
  DuckSettings settings_;
  DatabaseHandle database_;
};

}  // namespace as::duck
