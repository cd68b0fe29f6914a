#pragma once
// Writes row batches from a SQL datasource into a project DuckDB table through DuckDB's
// appender (ctx.duckdb.load). The table is made with CREATE OR REPLACE from the first batch:
// a column's type is the one the driver names (Rows::types), else the narrowest type that
// holds every value seen so far; a later batch with wider values widens the column
// (BIGINT -> DOUBLE -> VARCHAR) with ALTER TABLE before it is appended.
#include <duckdb.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rows.h"

namespace as::datasources {

// Checks a DuckDB table name (`name` or `schema.name`, letters, digits and '_'); throws
// DatasourceError naming it otherwise. Returns {schema, name} (schema "" for the default one).
std::pair<std::string, std::string> duck_table_name(const std::string& table);

class DuckTableWriter {
 public:
  // `connection` is the run's DuckDB connection; it must outlive the writer.
  DuckTableWriter(duckdb_connection connection, std::string schema, std::string table);
  DuckTableWriter(const DuckTableWriter&) = delete;
  DuckTableWriter& operator=(const DuckTableWriter&) = delete;
  ~DuckTableWriter();

  // Appends `batch` (the first call also creates the table). Throws DatasourceError.
  void append(const Rows& batch);
  // Creates the table from `shape` (the source's columns and types) when no row came, flushes
  // the appender. Returns the rows written.
  std::int64_t finish(const Rows& shape);

 private:
  enum class Kind { Unknown, Boolean, Integer, Double, Text, Blob, Timestamp, Declared };
  struct Column {
    std::string name;
    Kind kind = Kind::Unknown;
    std::string declared;  // the driver's DuckDB type, when it named one
    bool json = false;     // cells are JSON values, written as their JSON text
  };

  static Kind kind_of(const Value& value);  // Unknown for NULL
  static Kind join(Kind held, Kind seen);
  static std::string sql_type(const Column& column);

  void create(const Rows& batch);
  void widen(const Rows& batch);
  void append_cell(const Column& column, const Value& value);
  void open_appender();
  void close_appender();
  void run(const std::string& sql);
  std::string quoted_table() const;
  [[noreturn]] void appender_failed(const char* what);

  duckdb_connection connection_;
  std::string schema_;
  std::string table_;
  std::vector<Column> columns_;
  bool created_ = false;
  duckdb_appender appender_ = nullptr;
  std::int64_t rows_ = 0;
};

}  // namespace as::datasources
