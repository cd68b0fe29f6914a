#pragma once
// The datasources of every project of a configuration, opened (with their pools) on first use
// and shared by all runs. Thread-safe.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "datasource.h"

namespace as::datasources {

class DatasourceRegistry {
 public:
  // Keeps a copy of each project's datasource settings (secrets stay environment variable names).
  explicit DatasourceRegistry(const config::Config& config);

  // The settings of `project`'s datasource `name`, or nullptr when it has none of that name.
  const config::DatasourceConfig* find(std::string_view project, std::string_view name) const;
  // The names of `project`'s datasources, sorted (none for an unknown project).
  std::vector<std::string> names(std::string_view project) const;
  // The datasource, made on first use. Throws DatasourceError when the project has no such
  // datasource or no driver for its type.
  std::shared_ptr<Datasource> open(std::string_view project, std::string_view name);

 private:
  std::map<std::string, std::map<std::string, config::DatasourceConfig, std::less<>>, std::less<>> configs_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Datasource>> open_;
};

}  // namespace as::datasources
