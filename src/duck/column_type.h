#pragma once
// The shape of a result column, read once from DuckDB's logical type: everything needed to walk
// its vectors (on the pool thread, to measure them) and to turn its values into JS (on the JS
// thread), without touching the logical type again.
#include <duckdb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace as::duck {

struct ColumnType {
  duckdb_type id = DUCKDB_TYPE_INVALID;
  // DECIMAL and ENUM: the integer type their vectors store (SMALLINT ... HUGEINT, UTINYINT ...).
  duckdb_type storage = DUCKDB_TYPE_INVALID;
  std::uint8_t scale = 0;         // DECIMAL
  bool is_json = false;           // VARCHAR with DuckDB's JSON alias: parsed into JS values
  std::uint64_t array_size = 0;   // ARRAY (fixed length)
  // STRUCT field names, UNION member names (in member order).
  std::vector<std::string> names;
  // ENUM: the dictionary, indexed by the stored integer.
  std::vector<std::string> dictionary;
  // LIST, ARRAY: {element}; STRUCT: fields; UNION: members; MAP: {key, value}.
  std::vector<ColumnType> children;

  // Reads a logical type; throws DuckError for a type no column of a result can have.
  static ColumnType from(duckdb_logical_type type);
};

// Bytes one value takes in a vector's data array (list entries and string headers included);
// 0 for types that keep their data only in child vectors (STRUCT, UNION, ARRAY, SQLNULL).
std::size_t value_width(duckdb_type id);

// DuckDB's SQL name of a type id, for error messages ("HUGEINT", "STRUCT", ...).
const char* type_id_name(duckdb_type id);

}  // namespace as::duck
