#pragma once
// Reads a project DuckDB table as row batches for ctx.duckdb.export. Every column is read in
// one of a few plain forms (DuckDB casts the rest in the SELECT it is read with), so the values
// bind in any datasource: integers, doubles, booleans, text, bytes; dates and timestamps as
// their ISO text, which the destination's DATE / TIMESTAMP columns parse.
#include <duckdb.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "rows.h"

namespace as::datasources {

// Decimal: exact, read as DuckDB's text of the value, into NUMERIC/DECIMAL(width, scale).
// Unsigned64: UBIGINT, read as its text and sent as a BigInt (ClickHouse's UInt64).
enum class ExportKind { Integer, Double, Boolean, Text, Blob, Date, Timestamp, TimestampTz, Decimal, Unsigned64 };

struct ExportColumn {
  std::string name;
  ExportKind kind;
  int width = 0;  // Decimal only
  int scale = 0;
};

// The columns of a result (of `SELECT * FROM table LIMIT 0`) and how each is read for a
// datasource of type `destination`: DECIMAL stays exact where the destination has a decimal
// type (PostgreSQL, MySQL/MariaDB), else it goes as a double; UBIGINT goes to ClickHouse as
// UInt64, elsewhere as its text.
std::vector<ExportColumn> export_columns(duckdb_result* result, config::DatasourceType destination = config::DatasourceType::Postgres);
// The SELECT that reads `quoted_table` with every column in its plain form for a datasource of
// type `destination` (MySQL takes no zone in a DATETIME text: TIMESTAMPTZ goes as UTC without one).
std::string export_select(const std::string& quoted_table, const std::vector<ExportColumn>& columns,
                          config::DatasourceType destination = config::DatasourceType::Postgres);
// Appends the rows of `chunk` (a chunk of export_select's result) to `rows`.
void append_chunk(duckdb_data_chunk chunk, const std::vector<ExportColumn>& columns, std::vector<std::vector<Value>>& rows);
// The column type a destination table of datasource type `type` is made with.
std::string destination_type(ExportKind kind, config::DatasourceType type);
std::string destination_type(const ExportColumn& column, config::DatasourceType type);
// A table or column name quoted for datasource type `type` (ClickHouse: backquotes with
// backslash escapes; the others: double quotes). `dotted`: schema.table quotes each part.
std::string quote_destination_name(const std::string& name, bool dotted, config::DatasourceType type);
// What follows the column list of the destination's CREATE TABLE (ClickHouse needs an engine).
std::string destination_table_options(config::DatasourceType type);

}  // namespace as::datasources
