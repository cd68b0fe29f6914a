#include "config_error.h"

#include <utility>

#include <fmt/format.h>

namespace as::config {
namespace {

// "<file>:<line>:<col>: <key>: <problem>", leaving out the parts that do not apply.
std::string describe(const std::string& file, int line, int column, const std::string& key, const std::string& problem) {
  std::string text = file.empty() ? "config" : file;
  if (line > 0) text += fmt::format(":{}:{}", line, column);
  text += ": ";
  if (!key.empty()) text += key + ": ";
  return text + problem;
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, int column, std::string key, std::string problem)
    : std::runtime_error(describe(file, line, column, key, problem)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)),
      problem_(std::move(problem)) {}

}  // namespace as::config
