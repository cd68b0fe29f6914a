#pragma once
// ctx.duckdb.load(datasource, sql, table) and ctx.duckdb.export(table, datasource, destTable):
// rows between a run's declared SQL datasources and its project DuckDB (docs/duckdb.md,
// docs/datasources.md). Lives here, not in src/duck, so the dependency stays one-way: the
// datasources library uses DuckDB's, never the reverse.
#include <memory>
#include <string>
#include <vector>

#include "datasource_registry.h"
#include "duck/duck_methods.h"

namespace as::datasources {

class DuckTransferMethods : public duck::DuckMethods {
 public:
  // `declared`: the analysis's dependencies.datasources; load/export refuse any other name.
  DuckTransferMethods(std::shared_ptr<DatasourceRegistry> registry, std::string project, std::vector<std::string> declared);
  bool install(sandbox::RunScope& scope, JSValueConst duckdb_object, const std::shared_ptr<duck::DuckSession>& session) override;

 private:
  std::shared_ptr<DatasourceRegistry> registry_;
  std::string project_;
  std::vector<std::string> declared_;
};

// Adds load and export to the DuckExtension among `extensions` (no effect when there is none).
void add_duck_transfer(std::vector<std::shared_ptr<sandbox::ContextExtension>>& extensions, std::shared_ptr<DatasourceRegistry> registry,
                       std::string project, std::vector<std::string> declared);

}  // namespace as::datasources
