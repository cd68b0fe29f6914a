#include "redacted_json.h"

#include "config_file.h"
#include "secrets.h"

namespace as::config {
namespace {

constexpr std::size_t kShownHashDigits = 12;
constexpr std::string_view kHeaderPrefix = "headers.";

nlohmann::ordered_json setting_json(const SettingValue& value) {
  return std::visit([](const auto& v) { return nlohmann::ordered_json(v); }, value);
}

nlohmann::ordered_json secret_json(const SecretRef& secret) {
  return {{"env", secret.env_var}, {"set", is_secret_set(secret)}};
}

// Settings and secrets side by side, as the file writes them; "headers.X" goes back under "headers".
void put(nlohmann::ordered_json& object, const std::string& key, nlohmann::ordered_json value) {
  if (key.starts_with(kHeaderPrefix)) {
    object["headers"][key.substr(kHeaderPrefix.size())] = std::move(value);
  } else {
    object[key] = std::move(value);
  }
}

nlohmann::ordered_json datasource_json(const DatasourceConfig& datasource) {
  nlohmann::ordered_json object = {{"type", to_string(datasource.type)}, {"allow_writes", datasource.allow_writes}};
  for (const auto& [key, value] : datasource.settings) put(object, key, setting_json(value));
  for (const auto& [key, secret] : datasource.secrets) put(object, key, secret_json(secret));
  return object;
}

}  // namespace

nlohmann::ordered_json to_redacted_json(const Config& config) {
  nlohmann::ordered_json projects = nlohmann::ordered_json::object();
  for (const auto& [name, project] : config.projects) {
    nlohmann::ordered_json datasources = nlohmann::ordered_json::object();
    for (const auto& [ds_name, datasource] : project.datasources) datasources[ds_name] = datasource_json(datasource);
    projects[name] = {{"duckdb", {{"memory_limit_bytes", project.duckdb.memory_limit_bytes}, {"threads", project.duckdb.threads}}},
                      {"dataframes", {{"memory_limit_bytes", project.dataframe_memory_bytes}}},
                      {"datasources", std::move(datasources)}};
  }
  nlohmann::ordered_json tokens = nlohmann::ordered_json::array();
  for (const auto& token : config.tokens) {
    tokens.push_back({{"name", token.name},
                      {"role", to_string(token.role)},
                      {"project", token.project},
                      {"sha256_prefix", token.sha256_hex.substr(0, kShownHashDigits)}});
  }
  return {{"source", describe_source(config)},
          {"data_dir", config.data_dir.string()},
          {"server", {{"host", config.server.host}, {"port", config.server.port}, {"workers", config.server.workers},
                      {"retain_freed_memory_bytes", config.server.retain_freed_memory_bytes}}},
          {"projects", std::move(projects)},
          {"tokens", std::move(tokens)}};
}

std::string redacted_json(const Config& config) { return to_redacted_json(config).dump(2); }

}  // namespace as::config
