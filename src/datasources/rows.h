#pragma once
// Rows as they come from a SQL datasource: column names once, then one Value per cell, already
// mapped as docs/datasources.md's type table says (the shared table of docs/duckdb.md).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sandbox/value.h"

namespace as::datasources {

struct Rows {
  std::vector<std::string> columns;  // unique: repeated names get _1, _2, ... (as DuckDB does)
  // The DuckDB type ctx.duckdb.load gives each column, from the driver's column metadata; empty
  // (or "" for a column) when the driver cannot tell, and load decides from the values.
  // kJsonText: a JSON column, whose cells are parsed JSON values.
  std::vector<std::string> types;
  std::vector<std::vector<Value>> rows;
  std::size_t bytes = 0;  // approximate size of the cells, as measure_cell() counts them
};

// Rows::types of a JSON column: ctx.duckdb.load writes each cell back as its JSON text into a
// VARCHAR column ("abc" stays "abc" with its quotes, as the database holds it).
inline constexpr const char* kJsonText = "VARCHAR (JSON text)";

struct ExecuteResult {
  std::int64_t rows_affected = 0;
};

// An integer cell as the shared type table says: a number within +-2^53, else a BigInt.
Value integer_cell(std::int64_t value);

// Roughly the bytes a cell takes on the host: 16 for fixed-width values, strings and bytes at
// their length plus 16, arrays and objects as the sum of their parts.
std::size_t measure_cell(const Value& value);

// Gives repeated column names a numeric suffix ("id", "id_1"), case-insensitively, as DuckDB
// does when it makes a table from such a result.
void make_names_unique(std::vector<std::string>& names);

}  // namespace as::datasources
