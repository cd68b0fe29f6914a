#include "config_test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "config/config_file.h"

namespace as::config::testing {

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::path(::testing::TempDir()) / ("as-config-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& text) const {
  std::filesystem::path file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) previous_ = old;
  if (value) ::setenv(name_.c_str(), value->c_str(), 1);
  else ::unsetenv(name_.c_str());
}

ScopedEnv::~ScopedEnv() {
  if (previous_) ::setenv(name_.c_str(), previous_->c_str(), 1);
  else ::unsetenv(name_.c_str());
}

ScopedWorkingDir::ScopedWorkingDir(const std::filesystem::path& dir) : previous_(std::filesystem::current_path()) {
  std::filesystem::current_path(dir);
}

ScopedWorkingDir::~ScopedWorkingDir() { std::filesystem::current_path(previous_); }

Config load_text(const TempDir& dir, const std::string& toml) { return load_config_file(dir.write("config.toml", toml)); }

ConfigError load_error(const TempDir& dir, const std::string& toml) {
  try {
    load_text(dir, toml);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "the config loaded, but an error was expected:\n" << toml;
  return ConfigError("", 0, 0, "", "no error");
}

std::string one_datasource(const std::string& body) { return "[projects.p.datasources.ds]\n" + body; }

}  // namespace as::config::testing
