#include "duck_table_reader.h"

#include <cstdint>

#include <fmt/format.h>

#include "clickhouse_sql.h"
#include "identifiers.h"

namespace as::datasources {
namespace {

ExportKind kind_of(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER: case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT: case DUCKDB_TYPE_UINTEGER:
      return ExportKind::Integer;
    case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE: case DUCKDB_TYPE_DECIMAL:
      return ExportKind::Double;
    case DUCKDB_TYPE_BOOLEAN: return ExportKind::Boolean;
    case DUCKDB_TYPE_BLOB: return ExportKind::Blob;
    case DUCKDB_TYPE_DATE: return ExportKind::Date;
    case DUCKDB_TYPE_TIMESTAMP: case DUCKDB_TYPE_TIMESTAMP_S: case DUCKDB_TYPE_TIMESTAMP_MS: case DUCKDB_TYPE_TIMESTAMP_NS:
      return ExportKind::Timestamp;
    case DUCKDB_TYPE_TIMESTAMP_TZ: return ExportKind::TimestampTz;
    default: return ExportKind::Text;  // VARCHAR, and UBIGINT, HUGEINT, UUID, TIME, INTERVAL, nested types as their text
  }
}

const char* read_as(ExportKind kind) {
  switch (kind) {
    case ExportKind::Integer: return "BIGINT";
    case ExportKind::Double: return "DOUBLE";
    case ExportKind::Boolean: return "BOOLEAN";
    case ExportKind::Blob: return "BLOB";
    default: return "VARCHAR";
  }
}

std::string string_of(duckdb_string_t* text) {
  return std::string(duckdb_string_t_data(text), duckdb_string_t_length(*text));
}

// MySQL/MariaDB: no BYTEA or TIMESTAMPTZ (TIMESTAMPTZ goes as its UTC DATETIME), and TEXT /
// BLOB hold only 64 KB, so the LONG forms.
std::string mysql_destination_type(ExportKind kind) {
  switch (kind) {
    case ExportKind::Integer: return "BIGINT";
    case ExportKind::Double: return "DOUBLE";
    case ExportKind::Boolean: return "BOOLEAN";
    case ExportKind::Blob: return "LONGBLOB";
    case ExportKind::Date: return "DATE";
    case ExportKind::Timestamp:
    case ExportKind::TimestampTz: return "DATETIME(6)";
    case ExportKind::Decimal:  // destination_type(ExportColumn) names the exact type
    case ExportKind::Unsigned64:  // only for ClickHouse
    case ExportKind::Text: return "LONGTEXT";
  }
  return "LONGTEXT";
}

char identifier_quote(config::DatasourceType type) { return type == config::DatasourceType::Mysql ? '`' : '"'; }

}  // namespace

std::vector<ExportColumn> export_columns(duckdb_result* result, config::DatasourceType destination) {
  const bool exact_decimals = destination == config::DatasourceType::Postgres || destination == config::DatasourceType::Mysql;
  std::vector<ExportColumn> columns;
  idx_t count = duckdb_column_count(result);
  for (idx_t i = 0; i < count; ++i) {
    ExportColumn column{duckdb_column_name(result, i), kind_of(duckdb_column_type(result, i))};
    if (destination == config::DatasourceType::Clickhouse && duckdb_column_type(result, i) == DUCKDB_TYPE_UBIGINT) {
      column.kind = ExportKind::Unsigned64;
    }
    if (exact_decimals && duckdb_column_type(result, i) == DUCKDB_TYPE_DECIMAL) {
      duckdb_logical_type type = duckdb_column_logical_type(result, i);
      column.kind = ExportKind::Decimal;
      column.width = duckdb_decimal_width(type);
      column.scale = duckdb_decimal_scale(type);
      duckdb_destroy_logical_type(&type);
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

std::string export_select(const std::string& quoted_table, const std::vector<ExportColumn>& columns, config::DatasourceType destination) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    std::string name = quote_identifier(columns[i].name);
    sql += i ? ", " : "";
    if (columns[i].kind == ExportKind::TimestampTz && destination == config::DatasourceType::Mysql) {
      sql += "strftime(timezone('UTC', " + name + "), '%Y-%m-%d %H:%M:%S.%f') AS " + name;
    } else {
      sql += "CAST(" + name + " AS " + read_as(columns[i].kind) + ") AS " + name;
    }
  }
  return sql + " FROM " + quoted_table;
}

void append_chunk(duckdb_data_chunk chunk, const std::vector<ExportColumn>& columns, std::vector<std::vector<Value>>& rows) {
  idx_t size = duckdb_data_chunk_get_size(chunk);
  std::size_t first = rows.size();
  rows.resize(first + size, std::vector<Value>(columns.size()));
  for (std::size_t c = 0; c < columns.size(); ++c) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
    void* data = duckdb_vector_get_data(vector);
    std::uint64_t* validity = duckdb_vector_get_validity(vector);
    for (idx_t r = 0; r < size; ++r) {
      if (validity && !duckdb_validity_row_is_valid(validity, r)) continue;  // stays NULL
      Value& cell = rows[first + r][c];
      switch (columns[c].kind) {
        case ExportKind::Integer: cell = integer_cell(static_cast<std::int64_t*>(data)[r]); break;
        case ExportKind::Double: cell = Value(static_cast<double*>(data)[r]); break;
        case ExportKind::Boolean: cell = Value(static_cast<bool*>(data)[r]); break;
        case ExportKind::Blob: {
          std::string bytes = string_of(&static_cast<duckdb_string_t*>(data)[r]);
          cell = Value(Bytes(bytes.begin(), bytes.end()));
          break;
        }
        case ExportKind::Unsigned64: cell = Value(BigInt{string_of(&static_cast<duckdb_string_t*>(data)[r])}); break;
        default: cell = Value(string_of(&static_cast<duckdb_string_t*>(data)[r])); break;
      }
    }
  }
}

// ClickHouse: every column Nullable (a DuckDB column may hold NULLs); DateTime('UTC') so a
// timestamp's text without a zone reads as UTC; DateTime holds whole seconds.
std::string clickhouse_type(ExportKind kind) {
  switch (kind) {
    case ExportKind::Integer: return "Nullable(Int64)";
    case ExportKind::Double: return "Nullable(Float64)";
    case ExportKind::Boolean: return "Nullable(UInt8)";
    case ExportKind::Date: return "Nullable(Date)";
    case ExportKind::Timestamp:
    case ExportKind::TimestampTz: return "Nullable(DateTime('UTC'))";
    case ExportKind::Blob:
    case ExportKind::Unsigned64: return "Nullable(UInt64)";
    case ExportKind::Decimal:  // not used: ClickHouse gets DECIMAL as a double
    case ExportKind::Text: return "Nullable(String)";
  }
  return "Nullable(String)";
}

std::string destination_type(const ExportColumn& column, config::DatasourceType type) {
  if (column.kind == ExportKind::Decimal) {
    return fmt::format("{}({}, {})", type == config::DatasourceType::Mysql ? "DECIMAL" : "NUMERIC", column.width, column.scale);
  }
  return destination_type(column.kind, type);
}

std::string destination_type(ExportKind kind, config::DatasourceType type) {
  if (type == config::DatasourceType::Mysql) return mysql_destination_type(kind);
  if (type == config::DatasourceType::Clickhouse) return clickhouse_type(kind);
  bool sqlite = type == config::DatasourceType::Sqlite;
  switch (kind) {
    case ExportKind::Integer: return sqlite ? "INTEGER" : "BIGINT";
    case ExportKind::Double: return sqlite ? "REAL" : "DOUBLE PRECISION";
    case ExportKind::Boolean: return sqlite ? "INTEGER" : "BOOLEAN";
    case ExportKind::Blob: return sqlite ? "BLOB" : "BYTEA";
    case ExportKind::Date: return sqlite ? "TEXT" : "DATE";
    case ExportKind::Timestamp: return sqlite ? "TEXT" : "TIMESTAMP";
    case ExportKind::TimestampTz: return sqlite ? "TEXT" : "TIMESTAMPTZ";
    case ExportKind::Decimal:  // destination_type(ExportColumn) names the exact type
    case ExportKind::Unsigned64:  // only for ClickHouse
    case ExportKind::Text: return "TEXT";
  }
  return "TEXT";
}

std::string quote_destination_name(const std::string& name, bool dotted, config::DatasourceType type) {
  if (type == config::DatasourceType::Clickhouse) return clickhouse::quote_identifier(name, dotted);
  return quote_identifier(name, dotted, identifier_quote(type));
}

std::string destination_table_options(config::DatasourceType type) {
  return type == config::DatasourceType::Clickhouse ? " ENGINE = MergeTree ORDER BY tuple()" : "";
}

}  // namespace as::datasources
