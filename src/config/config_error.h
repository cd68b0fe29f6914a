#pragma once
// A configuration problem, told the way a compiler would: where (file, line, column), which key,
// and what is wrong with it. The message never contains a secret: only keys that are not secrets
// have their value quoted.
#include <stdexcept>
#include <string>

namespace as::config {

class ConfigError : public std::runtime_error {
 public:
  // line and column are 1-based; 0 when the problem has no place in the file (a missing file).
  // key is a dotted path such as "projects.sales.datasources.pg.port"; empty when none applies.
  ConfigError(std::string file, int line, int column, std::string key, std::string problem);

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& key() const { return key_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string key_;
  std::string problem_;
};

}  // namespace as::config
