#pragma once
// ctx.duckdb for one project: exec, query, tables and describe (the spec's "DuckDB
// Operations"). Each run gets its own session on the project's database; the database itself
// is opened once per process by the registry.
#include <memory>
#include <string>
#include <vector>

#include "database_registry.h"
#include "duck_methods.h"
#include "sandbox/run_scope.h"

namespace as::duck {

class DuckExtension : public sandbox::ContextExtension {
 public:
  // `project` must be a valid project name (validate_project_name).
  DuckExtension(std::shared_ptr<DatabaseRegistry> databases, std::string project);

  bool install(sandbox::RunScope& scope, JSValueConst ctx_object) override;
  // More ctx.duckdb members, installed after ours on the same session (e.g. frame::add_frames).
  void add_methods(std::shared_ptr<DuckMethods> methods) { methods_.push_back(std::move(methods)); }

 private:
  std::shared_ptr<DatabaseRegistry> databases_;
  std::string project_;
  std::vector<std::shared_ptr<DuckMethods>> methods_;
};

}  // namespace as::duck
