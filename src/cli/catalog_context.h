#pragma once
// What the catalog commands open: the configuration, the SQLite catalog in its data directory and
// the service layer over both.
#include <memory>
#include <string>

#include "catalog/sqlite_store.h"
#include "config/config.h"
#include "config/config_file.h"
#include "service/analysis_service.h"

namespace as::cli {

class CatalogContext {
 public:
  // `config_file` empty: the lookup order of config::load_config.
  explicit CatalogContext(const std::string& config_file);

  const config::Config& config() const { return config_; }
  config::Config& mutable_config() { return config_; }
  catalog::Store& store() { return *store_; }
  service::AnalysisService& analyses() { return *analyses_; }

 private:
  config::Config config_;
  std::unique_ptr<catalog::SqliteStore> store_;
  std::unique_ptr<service::AnalysisService> analyses_;
};

// The datasources a project's scripts may declare, or ServiceError(NotFound) naming the project.
service::ProjectInfo project_info(const config::Config& config, const std::string& project);
// Where the catalog of a configuration lives.
std::filesystem::path catalog_path(const config::Config& config);
// Limits for reading a script's default export during validation (docs/validation.md).
sandbox::RunLimits validation_limits();

}  // namespace as::cli
