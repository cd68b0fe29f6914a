#include "datasource_registry.h"

#include <fmt/format.h>

#include "datasource_error.h"

namespace as::datasources {

DatasourceRegistry::DatasourceRegistry(const config::Config& config) {
  for (const auto& [project, settings] : config.projects) configs_[project] = settings.datasources;
}

const config::DatasourceConfig* DatasourceRegistry::find(std::string_view project, std::string_view name) const {
  auto p = configs_.find(project);
  if (p == configs_.end()) return nullptr;
  auto d = p->second.find(name);
  return d == p->second.end() ? nullptr : &d->second;
}

std::vector<std::string> DatasourceRegistry::names(std::string_view project) const {
  std::vector<std::string> result;
  if (auto p = configs_.find(project); p != configs_.end()) {
    for (const auto& [name, settings] : p->second) result.push_back(name);
  }
  return result;
}

std::shared_ptr<Datasource> DatasourceRegistry::open(std::string_view project, std::string_view name) {
  const config::DatasourceConfig* settings = find(project, name);
  if (!settings) throw DatasourceError(fmt::format("project '{}' has no datasource '{}'", project, name));
  if (!has_driver(settings->type)) {
    throw DatasourceError(fmt::format("datasource '{}' is of type {}, which this build of the sandbox cannot reach yet", name,
                                      config::to_string(settings->type)));
  }
  std::lock_guard lock(mutex_);
  auto& slot = open_[{std::string(project), std::string(name)}];
  if (!slot) slot = std::make_shared<Datasource>(*settings);
  return slot;
}

}  // namespace as::datasources
