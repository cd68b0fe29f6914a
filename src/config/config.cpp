#include "config.h"

#include <array>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace as::config {
namespace {

constexpr std::array<std::pair<DatasourceType, std::string_view>, 11> kTypeNames{{
    {DatasourceType::Postgres, "postgres"},
    {DatasourceType::Mysql, "mysql"},
    {DatasourceType::Sqlite, "sqlite"},
    {DatasourceType::Clickhouse, "clickhouse"},
    {DatasourceType::S3, "s3"},
    {DatasourceType::Gcs, "gcs"},
    {DatasourceType::Azure, "azure"},
    {DatasourceType::Rest, "rest"},
    {DatasourceType::Openapi, "openapi"},
    {DatasourceType::Soap, "soap"},
    {DatasourceType::Graphql, "graphql"},
}};

template <typename T>
std::optional<T> setting_as(const DatasourceConfig& datasource, std::string_view key) {
  auto found = datasource.settings.find(key);
  if (found == datasource.settings.end()) return std::nullopt;
  if (const T* value = std::get_if<T>(&found->second)) return *value;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Role role) { return role == Role::Author ? "author" : "user"; }

std::optional<Role> role_from_string(std::string_view text) {
  if (text == "user") return Role::User;
  if (text == "author") return Role::Author;
  return std::nullopt;
}

bool role_allows(Role have, Role need) { return have == Role::Author || need == Role::User; }

std::string_view to_string(DatasourceType type) {
  for (const auto& [known, name] : kTypeNames) {
    if (known == type) return name;
  }
  return "unknown";
}

std::optional<DatasourceType> datasource_type_from_string(std::string_view text) {
  for (const auto& [type, name] : kTypeNames) {
    if (name == text) return type;
  }
  return std::nullopt;
}

const std::vector<DatasourceType>& all_datasource_types() {
  static const std::vector<DatasourceType> types = [] {
    std::vector<DatasourceType> list;
    for (const auto& [type, _] : kTypeNames) list.push_back(type);
    return list;
  }();
  return types;
}

bool is_sql(DatasourceType type) {
  return type == DatasourceType::Postgres || type == DatasourceType::Mysql || type == DatasourceType::Sqlite ||
         type == DatasourceType::Clickhouse;
}

std::optional<std::string> DatasourceConfig::text(std::string_view key) const { return setting_as<std::string>(*this, key); }
std::optional<std::int64_t> DatasourceConfig::integer(std::string_view key) const { return setting_as<std::int64_t>(*this, key); }
std::optional<bool> DatasourceConfig::flag(std::string_view key) const { return setting_as<bool>(*this, key); }

const ProjectConfig* Config::find_project(std::string_view name) const {
  auto found = projects.find(name);
  return found == projects.end() ? nullptr : &found->second;
}

duck::DuckSettings duck_settings_for(const Config& config, std::string_view project) {
  const ProjectConfig* found = config.find_project(project);
  if (!found) throw std::invalid_argument(fmt::format("project '{}' is not in the configuration", project));
  return found->duckdb;
}

}  // namespace as::config
