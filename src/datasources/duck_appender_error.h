#pragma once
// The error a failed DuckDB appender call left, for the row-by-row load writer (DuckTableWriter).
// The appender is destroyed: after an error it cannot be used again.
#include <duckdb.h>

#include <string>

namespace as::datasources {

inline std::string take_appender_error(duckdb_appender& appender) {
  std::string message = "unknown error";
  if (!appender) return message;
  duckdb_error_data error = duckdb_appender_error_data(appender);
  if (error) {
    if (duckdb_error_data_has_error(error)) message = duckdb_error_data_message(error);
    duckdb_destroy_error_data(&error);
  }
  duckdb_appender_destroy(&appender);
  appender = nullptr;
  return message;
}

}  // namespace as::datasources
