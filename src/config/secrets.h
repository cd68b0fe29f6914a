#pragma once
// Reading a datasource's secrets from the environment, at the moment they are needed.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"

namespace as::config {

// A secret that cannot be read. The message names the datasource, the key and the environment
// variable, never a value.
class SecretError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Whether `name` can be an environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool is_env_var_name(std::string_view name);

// Whether the secret's environment variable is set and not empty right now (its value unread).
bool is_secret_set(const SecretRef& secret);

// The value of the datasource's secret `key` (e.g. "password", "headers.Authorization") from
// its environment variable. Throws SecretError when the datasource has no such secret or the
// variable is unset or empty.
std::string resolve_secret(const DatasourceConfig& datasource, std::string_view key);

// One line per configured secret whose environment variable is unset or empty right now, e.g.
// "projects.sales.datasources.pg.password: environment variable PG_PASSWORD is not set".
std::vector<std::string> unset_secrets(const Config& config);

}  // namespace as::config
