#pragma once
// Typed reads from a parsed TOML document that fail with a ConfigError naming the file, the
// line and column, the dotted key and what is wrong (and, for keys that are not secrets, the
// value found). The config reader is written in terms of these.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config_error.h"

namespace as::config {

// "parent.key", quoting the key when it is not a bare TOML key ("headers.\"X.Y\"").
std::string child_key(std::string_view parent, std::string_view key);

// How a value reads in an error message: strings quoted (long ones shortened), numbers and
// booleans as written, tables and arrays by kind. Never used for secret keys.
std::string describe_value(const toml::node& node);

// The allowed key closest to `key` by edit distance when it is close enough to be a typo.
std::optional<std::string_view> closest_key(std::string_view key, const std::vector<std::string_view>& allowed);

class TomlChecker {
 public:
  explicit TomlChecker(std::string file_name) : file_(std::move(file_name)) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& key, const std::string& problem) const;
  [[noreturn]] void fail(const toml::node& at, const std::string& key, const std::string& problem) const {
    fail(at.source(), key, problem);
  }

  // Throws naming the first key of `table` not in `allowed` (with a "did you mean" when one is close).
  void check_keys(const toml::table& table, std::string_view path, const std::vector<std::string_view>& allowed,
                  std::string_view what) const;

  const toml::table& table(const toml::node& node, const std::string& key) const;
  std::string text(const toml::node& node, const std::string& key) const;  // a non-empty string
  std::int64_t integer(const toml::node& node, const std::string& key, std::int64_t min, std::int64_t max) const;
  bool flag(const toml::node& node, const std::string& key) const;

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace as::config
