#include "secrets.h"

#include <cstdlib>

#include <fmt/format.h>

namespace as::config {
bool is_secret_set(const SecretRef& secret) {
  const char* value = std::getenv(secret.env_var.c_str());
  return value != nullptr && *value != '\0';
}

bool is_env_var_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string resolve_secret(const DatasourceConfig& datasource, std::string_view key) {
  auto found = datasource.secrets.find(key);
  if (found == datasource.secrets.end()) {
    throw SecretError(fmt::format("datasource '{}' has no secret '{}' in the configuration", datasource.name, key));
  }
  const std::string& variable = found->second.env_var;
  const char* value = std::getenv(variable.c_str());
  if (!value) {
    throw SecretError(fmt::format("datasource '{}': environment variable {} (for {}) is not set in the server's environment",
                                  datasource.name, variable, key));
  }
  if (!*value) {
    throw SecretError(fmt::format("datasource '{}': environment variable {} (for {}) is empty", datasource.name, variable, key));
  }
  return value;
}

std::vector<std::string> unset_secrets(const Config& config) {
  std::vector<std::string> lines;
  for (const auto& [project_name, project] : config.projects) {
    for (const auto& [datasource_name, datasource] : project.datasources) {
      for (const auto& [key, secret] : datasource.secrets) {
        if (is_secret_set(secret)) continue;
        lines.push_back(fmt::format("projects.{}.datasources.{}.{}: environment variable {} is not set or empty",
                                    project_name, datasource_name, key, secret.env_var));
      }
    }
  }
  return lines;
}

}  // namespace as::config
