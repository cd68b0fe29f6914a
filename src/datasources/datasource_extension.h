#pragma once
// ctx.datasource for one run: the SQL datasources its analysis declares in
// dependencies.datasources, each with query, stream, execute and insert (docs/datasources.md).
// Reading ctx.datasource.<name> for any other name throws an error naming it and saying why
// (not declared, not configured in the project, or of a type this build cannot reach yet).
#include <memory>
#include <string>
#include <vector>

#include "datasource_registry.h"
#include "sandbox/run_scope.h"

namespace as::datasources {

// The names in metadata JSON's dependencies.datasources (none when absent); invalid_argument
// when the JSON is malformed or the member is not an array of strings.
std::vector<std::string> declared_datasources(const std::string& metadata_json);

class DatasourceExtension : public sandbox::ContextExtension {
 public:
  DatasourceExtension(std::shared_ptr<DatasourceRegistry> registry, std::string project, std::vector<std::string> declared);

  bool install(sandbox::RunScope& scope, JSValueConst ctx_object) override;

 private:
  std::shared_ptr<DatasourceRegistry> registry_;
  std::string project_;
  std::vector<std::string> declared_;
};

}  // namespace as::datasources
