#pragma once
// ctx.duckdb.tables() and ctx.duckdb.describe(name), answered from DuckDB's own catalog
// functions through the run's session (so they see the run's uncommitted changes too).
#include <stop_token>
#include <string>
#include <vector>

#include "duck_session.h"
#include "sandbox/value.h"

namespace as::duck {

// Tables and views of the project database, sorted; those outside the main schema as "schema.name".
std::vector<std::string> list_tables(DuckSession& session, std::stop_token stop);

// { name, columns: [{ name, type, nullable }], rowCount, sizeBytes } for a table or view
// ("name" or "schema.name"). sizeBytes is approximate: the storage blocks the table occupies
// (0 for a view). Throws DuckError naming the table when there is none by that name.
Value describe_table(DuckSession& session, const std::string& name, std::stop_token stop);

}  // namespace as::duck
