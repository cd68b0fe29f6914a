#pragma once
// Helpers of the config tests: a private temporary folder, files written into it, environment
// variables set for one test, and "load this TOML and give me the error".
#include <filesystem>
#include <optional>
#include <string>

#include "config/config.h"
#include "config/config_error.h"

namespace as::config::testing {

class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to path()/name (creating folders) and returns the file's path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// Sets (or, with nullopt, unsets) an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value);
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv();

 private:
  std::string name_;
  std::optional<std::string> previous_;
};

// Changes the working directory for the life of the object.
class ScopedWorkingDir {
 public:
  explicit ScopedWorkingDir(const std::filesystem::path& dir);
  ScopedWorkingDir(const ScopedWorkingDir&) = delete;
  ScopedWorkingDir& operator=(const ScopedWorkingDir&) = delete;
  ~ScopedWorkingDir();

 private:
  std::filesystem::path previous_;
};

// Loads `toml` written to <dir>/config.toml.
Config load_text(const TempDir& dir, const std::string& toml);
// The ConfigError loading `toml` gives; fails the test when it loads.
ConfigError load_error(const TempDir& dir, const std::string& toml);

// A project with one datasource of the given body, as TOML.
std::string one_datasource(const std::string& body);

}  // namespace as::config::testing
