#pragma once
// Which keys each datasource type accepts in the config file, their kinds, ranges and defaults,
// and the rules between keys (exactly one of, all or none). The file reader checks every
// datasource table against this; docs/configuration.md documents the same table.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "config.h"

namespace as::config {

enum class SettingKind {
  Text,     // a non-empty string
  Url,      // an http:// or https:// URL without credentials in it
  Path,     // a file path; relative paths resolve against the config file's directory
  Integer,  // an integer in [min, max]
  Flag,     // true or false
  Choice,   // one of `choices`
  Secret,   // { env = "NAME" }: the name of an environment variable holding the value
  Headers,  // a table of HTTP header name -> string or { env = "NAME" }
};

struct SettingSpec {
  std::string_view key;
  SettingKind kind = SettingKind::Text;
  bool required = false;
  std::optional<SettingValue> default_value;
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::vector<std::string_view> choices;
};

struct TypeSchema {
  DatasourceType type;
  std::vector<SettingSpec> settings;  // besides the keys every type has: type, allow_writes, description
  std::vector<std::vector<std::string_view>> exactly_one_of;
  std::vector<std::vector<std::string_view>> at_most_one_of;
  std::vector<std::vector<std::string_view>> all_or_none;

  const SettingSpec* find(std::string_view key) const;
};

const TypeSchema& schema_for(DatasourceType type);

// Keys every datasource table may have, whatever its type.
inline constexpr std::string_view kCommonDatasourceKeys[] = {"type", "allow_writes", "description"};

// A plain-text value for a header whose name contains auth, token, secret, password, key or
// cookie (any case: Authorization, X-Api-Key, Cookie, ...) is refused: it must be written as
// { env = "NAME" }.
bool is_sensitive_header(std::string_view name);

}  // namespace as::config
