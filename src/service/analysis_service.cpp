#include "analysis_service.h"

#include <fmt/format.h>

#include "catalog/version_diff.h"
#include "validate/validator.h"

namespace as::service {
namespace {

Json parse_object(const std::string& text) {
  auto doc = Json::parse(text, nullptr, false);
  return doc.is_object() ? doc : Json::object();
}

// Catalog exceptions become service errors with the catalog's own message.
template <typename Operation>
auto translate(Operation&& operation) -> decltype(operation()) {
  try {
    return operation();
  } catch (const catalog::NotFound& e) {
    throw ServiceError(ErrorCode::NotFound, e.what());
  } catch (const catalog::Conflict& e) {
    throw ServiceError(ErrorCode::Conflict, e.what());
  }
}

Json summary_of(const catalog::Analysis& analysis) {
  return {{"id", analysis.name},
          {"title", analysis.title},
          {"version", analysis.version},
          {"created_at", analysis.created_at},
          {"updated_at", analysis.updated_at},
          {"created_by", analysis.created_by}};
}

}  // namespace

void check_analysis_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (!ok) {
    throw ServiceError(ErrorCode::BadRequest,
                       fmt::format("invalid analysis name '{}': use 1 to 64 letters, digits, '_' or '-'", name),
                       {{"field", "name"}, {"value", name}});
  }
  // These would collide with /api/analysis/jobs/... and /api/analysis/validate.
  if (name == "jobs" || name == "validate") {
    throw ServiceError(ErrorCode::BadRequest, fmt::format("'{}' is reserved and cannot name an analysis", name),
                       {{"field", "name"}, {"value", name}});
  }
}

validate::ValidationResult AnalysisService::run_validator(const std::string& project, const std::string& script,
                                                          const std::string& name) {
  ProjectInfo info = project_info_(project);
  validate::ValidationEnvironment environment;
  environment.datasources = info.datasources;
  environment.analysis_exists = [this, &project](const std::string& other) {
    return store_.find_analysis(project, other).has_value();
  };
  environment.analysis_name = name;
  environment.limits = validation_limits_;
  return validate::validate_analysis(script, environment);
}

AnalysisService::AnalysisService(catalog::Store& store, std::function<ProjectInfo(const std::string&)> project_info,
                                 sandbox::RunLimits validation_limits)
    : store_(store), project_info_(std::move(project_info)), validation_limits_(validation_limits) {}

Json AnalysisService::list(const std::string& project) {
  project_info_(project);
  Json items = Json::array();
  std::map<std::string, catalog::RunRecord> latest = store_.latest_runs(project);
  for (const auto& analysis : store_.list_analyses(project)) {
    Json item = summary_of(analysis);
    auto run = latest.find(analysis.name);
    item["last_run"] = run == latest.end() ? Json(nullptr) : Json(run->second.started_at.value_or(run->second.queued_at));
    item["last_status"] = run == latest.end() ? Json(nullptr) : Json(catalog::to_string(run->second.state));
    items.push_back(std::move(item));
  }
  return items;
}

std::string AnalysisService::list_text(const std::string& project) {
  // The stamp is read before the list: a change that lands in between makes the next call miss.
  catalog::Store::ChangeStamp stamp = store_.change_stamp();
  {
    std::lock_guard lock(list_cache_mutex_);
    auto cached = list_cache_.find(project);
    if (cached != list_cache_.end() && cached->second.stamp == stamp) return cached->second.text;
  }
  std::string text = list(project).dump(-1, ' ', false, Json::error_handler_t::replace);
  std::lock_guard lock(list_cache_mutex_);
  list_cache_[project] = {stamp, text};
  return text;
}

catalog::Analysis AnalysisService::require(const std::string& project, const std::string& name) {
  return translate([&] { return store_.get_analysis(project, name); });
}

Json AnalysisService::get(const std::string& project, const std::string& name, bool with_script) {
  project_info_(project);
  catalog::Analysis analysis = require(project, name);
  Json metadata = parse_object(analysis.metadata_json);
  Json out = summary_of(analysis);
  out["parameters"] = metadata.value("parameters", Json::object());
  out["dependencies"] = metadata.value("dependencies", Json{{"datasources", Json::array()}, {"analyses", Json::array()}});
  if (metadata.contains("schedule")) out["schedule"] = metadata["schedule"];
  if (with_script) {
    out["script"] = analysis.script;
    out["metadata"] = metadata;
  }
  return out;
}

Json AnalysisService::validate(const std::string& project, const std::string& script, const std::string& name) {
  return Json::parse(validate::to_json(run_validator(project, script, name)));
}

AnalysisService::Checked AnalysisService::check_script(const std::string& project, const std::string& script,
                                                       const std::string& name) {
  validate::ValidationResult result = run_validator(project, script, name);
  if (!result.valid) {
    Json report = Json::parse(validate::to_json(result));
    std::string first = report["errors"].empty() ? "invalid script" : report["errors"][0].get<std::string>();
    std::size_t count = report["errors"].size();
    throw ServiceError(ErrorCode::Invalid,
                       count > 1 ? fmt::format("the script is not valid: {} (and {} more)", first, count - 1)
                                 : fmt::format("the script is not valid: {}", first),
                       report);
  }
  const Value* title = result.summary.find("title");
  return {title && title->is<std::string>() ? title->as<std::string>() : name, result.metadata_json};
}

Json AnalysisService::create(const std::string& project, const std::string& name, const std::string& script,
                             const std::string& created_by) {
  check_analysis_name(name);
  Checked checked = check_script(project, script, name);
  catalog::Analysis created = translate([&] {
    return store_.create_analysis({.project = project,
                                   .name = name,
                                   .title = checked.title,
                                   .script = script,
                                   .metadata_json = checked.metadata_json,
                                   .created_by = created_by,
                                   .change_description = "Initial version"});
  });
  return get(project, created.name, true);
}

Json AnalysisService::update(const std::string& project, const std::string& name, const std::string& script,
                             const std::string& change_description, const std::string& changed_by) {
  require(project, name);
  Checked checked = check_script(project, script, name);
  translate([&] {
    return store_.update_analysis(project, name,
                                  {.title = checked.title,
                                   .script = script,
                                   .metadata_json = checked.metadata_json,
                                   .change_description = change_description.empty() ? "Updated" : change_description,
                                   .changed_by = changed_by});
  });
  return get(project, name, true);
}

void AnalysisService::remove(const std::string& project, const std::string& name) {
  project_info_(project);
  translate([&] {
    store_.delete_analysis(project, name);
    return 0;
  });
}

Json AnalysisService::versions(const std::string& project, const std::string& name) {
  project_info_(project);
  catalog::Analysis analysis = require(project, name);
  Json list = Json::array();
  for (const auto& version : translate([&] { return store_.versions(project, name); })) {
    Json item = {{"version", version.version},
                 {"created_at", version.created_at},
                 {"change_description", version.change_description},
                 {"created_by", version.created_by}};
    if (version.restored_from) item["restored_from"] = *version.restored_from;
    list.push_back(std::move(item));
  }
  return {{"id", name}, {"current_version", analysis.version}, {"versions", list}};
}

Json AnalysisService::version(const std::string& project, const std::string& name, int version) {
  project_info_(project);
  catalog::AnalysisVersion found = translate([&] { return store_.version(project, name, version); });
  Json out = {{"version", found.version},
              {"script", found.script},
              {"metadata", parse_object(found.metadata_json)},
              {"created_at", found.created_at},
              {"created_by", found.created_by},
              {"change_description", found.change_description}};
  if (found.restored_from) out["restored_from"] = *found.restored_from;
  return out;
}

Json AnalysisService::diff(const std::string& project, const std::string& name, int version1, int version2) {
  project_info_(project);
  catalog::AnalysisVersion first = translate([&] { return store_.version(project, name, version1); });
  catalog::AnalysisVersion second = translate([&] { return store_.version(project, name, version2); });
  return catalog::diff_versions(first, second);
}

Json AnalysisService::restore(const std::string& project, const std::string& name, int version, const std::string& reason,
                              const std::string& restored_by) {
  project_info_(project);
  if (reason.empty()) {
    throw ServiceError(ErrorCode::BadRequest, "restoring a version needs a reason", {{"field", "reason"}});
  }
  // The restored script must still be valid today (a datasource may have gone since).
  catalog::AnalysisVersion old = translate([&] { return store_.version(project, name, version); });
  Checked checked = check_script(project, old.script, name);
  catalog::Analysis restored =
      translate([&] { return store_.restore_version(project, name, version, checked.title, reason, restored_by); });
  return {{"success", true}, {"new_version", restored.version}, {"restored_from", version}, {"reason", reason}};
}

}  // namespace as::service
