#pragma once
// The authoring and discovery operations every front end shares: the REST API, MCP and the
// `analysis-sandbox analyses` command call these and nothing below them, so a rule (validation
// before saving, the JSON shapes of the spec) holds the same way everywhere.
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/store.h"
#include "sandbox/limits.h"
#include "service_error.h"
#include "validate/validator.h"

namespace as::service {

using Json = nlohmann::ordered_json;

// What the service needs to know about a project besides the catalog.
struct ProjectInfo {
  std::set<std::string> datasources;  // names configured for the project
};

class AnalysisService {
 public:
  // `project_info` answers for a project name; it throws ServiceError(NotFound) for unknown ones.
  AnalysisService(catalog::Store& store, std::function<ProjectInfo(const std::string&)> project_info,
                  sandbox::RunLimits validation_limits);

  Json list(const std::string& project);
  // list() as JSON text, served from a cache while the catalog has not changed (the list is the
  // most requested endpoint; docs/performance.md, "The REST API").
  std::string list_text(const std::string& project);
  // The spec's GET /api/analysis/{id} shape plus version, dependencies, schedule; the script too
  // when `with_script` (authors and MCP).
  Json get(const std::string& project, const std::string& name, bool with_script);
  Json validate(const std::string& project, const std::string& script, const std::string& name = "");
  Json create(const std::string& project, const std::string& name, const std::string& script, const std::string& created_by);
  Json update(const std::string& project, const std::string& name, const std::string& script,
              const std::string& change_description, const std::string& changed_by);
  void remove(const std::string& project, const std::string& name);
  Json versions(const std::string& project, const std::string& name);
  Json version(const std::string& project, const std::string& name, int version);
  Json diff(const std::string& project, const std::string& name, int version1, int version2);
  Json restore(const std::string& project, const std::string& name, int version, const std::string& reason,
               const std::string& restored_by);

  // The stored analysis, or ServiceError(NotFound) naming it.
  catalog::Analysis require(const std::string& project, const std::string& name);

  catalog::Store& store() { return store_; }

 private:
  struct Checked {
    std::string title;
    std::string metadata_json;
  };
  validate::ValidationResult run_validator(const std::string& project, const std::string& script, const std::string& name);
  // Validates or throws ServiceError(Invalid) whose details carry the validator's errors.
  Checked check_script(const std::string& project, const std::string& script, const std::string& name);

  struct CachedList {
    catalog::Store::ChangeStamp stamp;
    std::string text;
  };
  std::mutex list_cache_mutex_;
  std::map<std::string, CachedList> list_cache_;  // by project

  catalog::Store& store_;
  std::function<ProjectInfo(const std::string&)> project_info_;
  sandbox::RunLimits validation_limits_;
};

// Names of analyses (and so their ids in URLs): letters, digits, '_' and '-', 1 to 64 characters.
void check_analysis_name(const std::string& name);

}  // namespace as::service
