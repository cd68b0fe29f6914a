#pragma once
// The project databases of this process. DuckDB must open a database file only once per
// process (a second open of the same file would not see the first one's writes safely), so
// every run and command asks this registry, which opens each project on first use and keeps
// it open until the registry goes away. Keep one registry per process.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "duck_settings.h"
#include "project_database.h"

namespace as::duck {

class DatabaseRegistry {
 public:
  // Which limits a project's database gets; the config file will supply this per project.
  using SettingsLookup = std::function<DuckSettings(const std::string& project)>;

  DatabaseRegistry(std::filesystem::path data_dir, SettingsLookup settings_for);
  // Every project gets the same settings.
  DatabaseRegistry(std::filesystem::path data_dir, DuckSettings settings);

  // The open database of `project`, opening it on first use. Throws std::invalid_argument for
  // a bad project name and DuckError when the file cannot be opened.
  std::shared_ptr<ProjectDatabase> open(const std::string& project);

  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  std::filesystem::path data_dir_;
  SettingsLookup settings_for_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<ProjectDatabase>> open_;
};

}  // namespace as::duck
