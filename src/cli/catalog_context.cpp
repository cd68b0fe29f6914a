#include "catalog_context.h"

#include <filesystem>

#include <fmt/format.h>

namespace as::cli {

service::ProjectInfo project_info(const config::Config& config, const std::string& project) {
  auto found = config.projects.find(project);
  if (found == config.projects.end()) {
    std::string known;
    for (const auto& [name, _] : config.projects) known += (known.empty() ? "" : ", ") + name;
    throw service::ServiceError(service::ErrorCode::NotFound,
                                fmt::format("project '{}' is not configured (configured: {})", project, known),
                                {{"project", project}});
  }
  service::ProjectInfo info;
  for (const auto& [name, _] : found->second.datasources) info.datasources.insert(name);
  return info;
}

std::filesystem::path catalog_path(const config::Config& config) { return config.data_dir / "catalog.sqlite"; }

sandbox::RunLimits validation_limits() {
  sandbox::RunLimits limits;
  limits.timeout = std::chrono::milliseconds(2'000);
  limits.memory_bytes = 64u << 20;
  return limits;
}

CatalogContext::CatalogContext(const std::string& config_file)
    : config_(config::load_config(config_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(config_file))) {
  std::filesystem::create_directories(config_.data_dir);
  store_ = std::make_unique<catalog::SqliteStore>(catalog_path(config_).string());
  analyses_ = std::make_unique<service::AnalysisService>(
      *store_, [this](const std::string& project) { return project_info(config_, project); }, validation_limits());
}

}  // namespace as::cli
