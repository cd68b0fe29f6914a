#include "database_registry.h"

namespace as::duck {

DatabaseRegistry::DatabaseRegistry(std::filesystem::path data_dir, SettingsLookup settings_for)
    : data_dir_(std::move(data_dir)), settings_for_(std::move(settings_for)) {}

DatabaseRegistry::DatabaseRegistry(std::filesystem::path data_dir, DuckSettings settings)
    : DatabaseRegistry(std::move(data_dir), [settings](const std::string&) { return settings; }) {}

std::shared_ptr<ProjectDatabase> DatabaseRegistry::open(const std::string& project) {
  validate_project_name(project);
  // Held while opening too, so two runs starting together cannot both open the file.
  std::lock_guard lock(mutex_);
  auto& database = open_[project];
  if (!database) database = ProjectDatabase::open(data_dir_, project, settings_for_(project));
  return database;
}

}  // namespace as::duck
