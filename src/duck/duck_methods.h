#pragma once
// More members of ctx.duckdb, added by other rooms on the run's session (src/frame adds
// saveDataFrame and queryFrame). DuckExtension calls each after installing its own members.
#include <quickjs.h>

#include <memory>

#include "duck_session.h"
#include "sandbox/run_scope.h"

namespace as::duck {

class DuckMethods {
 public:
  virtual ~DuckMethods() = default;
  // Adds members to `duckdb_object` (the run's ctx.duckdb). The session is the one the run's
  // other ctx.duckdb calls use (same connection, same transaction). False with a pending JS
  // exception on failure.
  virtual bool install(sandbox::RunScope& scope, JSValueConst duckdb_object, const std::shared_ptr<DuckSession>& session) = 0;
};

}  // namespace as::duck
