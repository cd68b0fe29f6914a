#pragma once
// The few sandbox rules DuckDB's configuration cannot enforce by itself, checked before a
// statement runs. Everything else (files, network, extensions, settings) is refused by DuckDB
// through enable_external_access=false and lock_configuration (see project_database.cpp).
#include <duckdb.h>

#include <string_view>

namespace as::duck {

// Refuses SQL text that calls a DuckDB function the configuration lock does not cover:
//  - enable_logging, disable_logging, truncate_duckdb_logs change logging for the whole
//    database (every run of the project), and a file log storage that the sandbox forbids
//    makes DuckDB throw from a destructor, which ends the process;
//  - query, query_table, json_execute_serialized_sql run SQL text assembled while the
//    statement runs, which would get past this check.
// The check looks at the raw text (string literals and comments included), so it cannot be
// misled about where a literal ends; the price is that such a name inside a string literal is
// refused too. Throws DuckError naming the function.
void refuse_unlockable_functions(std::string_view sql);

// Refuses ATTACH and DETACH (a run works with its project's database only; DETACH of the
// project database would take it away from every run of the project until a restart) and
// SQL-level PREPARE/EXECUTE (which would run a statement this check never saw; use
// ctx.duckdb.query(sql, params) for parameters). Throws DuckError.
void refuse_statement_type(duckdb_statement_type type);

}  // namespace as::duck
