#pragma once
// Values a script passes to ctx.duckdb.query(sql, params): an array binds $1, $2, ... (or ?
// in order), an object binds $name. Bound through DuckDB's prepared statements, never pasted
// into the SQL text.
#include <duckdb.h>

#include <string>
#include <utility>
#include <vector>

#include "sandbox/value.h"

namespace as::duck {

struct QueryParameters {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> named;
  bool empty() const { return positional.empty() && named.empty(); }

  // From the script's argument (already a host value). Throws DuckError unless it is an array
  // or a plain object.
  static QueryParameters from(const Value& argument);
};

// Binds every value; throws DuckError naming the parameter and the problem (count mismatch,
// unknown name, a value of a kind that cannot be bound).
void bind_parameters(duckdb_prepared_statement statement, const QueryParameters& parameters);

}  // namespace as::duck
