#include "duck_table_writer.h"

#include <cctype>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "duck_appender_error.h"
#include "datasource_error.h"
#include "identifiers.h"

namespace as::datasources {
namespace {

bool is_identifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_') return false;
  }
  return true;
}

bool fits_int64(double value) {
  return std::trunc(value) == value && value >= -9.2e18 && value <= 9.2e18;
}

bool parse_int64(const std::string& decimal, std::int64_t& out) {
  try {
    std::size_t used = 0;
    long long parsed = std::stoll(decimal, &used);
    out = parsed;
    return used == decimal.size();
  } catch (const std::exception&) {
    return false;
  }
}

// A value's text when it lands in a VARCHAR column.
std::string as_text(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value.data)) return *text;
  if (const auto* big = std::get_if<BigInt>(&value.data)) return big->decimal;
  return to_json(value);  // numbers, booleans, dates (ISO), bytes (base64), arrays and objects (JSON)
}

}  // namespace

std::pair<std::string, std::string> duck_table_name(const std::string& table) {
  std::size_t dot = table.find('.');
  std::string schema = dot == std::string::npos ? "" : table.substr(0, dot);
  std::string name = dot == std::string::npos ? table : table.substr(dot + 1);
  if (!is_identifier(name) || (dot != std::string::npos && !is_identifier(schema))) {
    throw DatasourceError(fmt::format("'{}' is not a DuckDB table name; use letters, digits and '_' (not starting with a digit), "
                                      "optionally after a schema: 'events_raw' or 'main.events_raw'",
                                      table));
  }
  return {schema, name};
}

DuckTableWriter::DuckTableWriter(duckdb_connection connection, std::string schema, std::string table)
    : connection_(connection), schema_(std::move(schema)), table_(std::move(table)) {}

DuckTableWriter::~DuckTableWriter() {
  if (appender_) duckdb_appender_destroy(&appender_);  // unflushed rows are dropped with it
}

std::string DuckTableWriter::quoted_table() const {
  return quote_table(schema_, table_);
}

void DuckTableWriter::run(const std::string& sql) {
  duckdb_result result;
  duckdb_state state = duckdb_query(connection_, sql.c_str(), &result);
  std::string error = state == DuckDBError ? duckdb_result_error(&result) : "";
  duckdb_destroy_result(&result);
  if (state == DuckDBError) throw DatasourceError(fmt::format("DuckDB table {}: {}", quoted_table(), error));
}

void DuckTableWriter::appender_failed(const char* what) {
  std::string message = take_appender_error(appender_);
  throw DatasourceError(fmt::format("DuckDB table {}: {} failed: {}", quoted_table(), what, message));
}

void DuckTableWriter::open_appender() {
  if (duckdb_appender_create(connection_, schema_.empty() ? nullptr : schema_.c_str(), table_.c_str(), &appender_) == DuckDBError) {
    appender_failed("opening the appender");
  }
}

void DuckTableWriter::close_appender() {
  if (!appender_) return;
  if (duckdb_appender_flush(appender_) == DuckDBError) appender_failed("appending rows");
  duckdb_appender_destroy(&appender_);
  appender_ = nullptr;
}

DuckTableWriter::Kind DuckTableWriter::kind_of(const Value& value) {
  if (value.is<std::nullptr_t>()) return Kind::Unknown;
  if (value.is<bool>()) return Kind::Boolean;
  if (const auto* number = std::get_if<double>(&value.data)) return fits_int64(*number) ? Kind::Integer : Kind::Double;
  if (const auto* big = std::get_if<BigInt>(&value.data)) {
    std::int64_t ignored = 0;
    return parse_int64(big->decimal, ignored) ? Kind::Integer : Kind::Text;
  }
  if (value.is<Bytes>()) return Kind::Blob;
  if (value.is<Timestamp>()) return Kind::Timestamp;
  return Kind::Text;  // strings, and arrays / objects as JSON text
}

// What a column must become to hold both what it holds and a value of kind `seen`: integers
// widen to doubles, anything else mixed becomes text.
DuckTableWriter::Kind DuckTableWriter::join(Kind held, Kind seen) {
  if (held == Kind::Declared || seen == Kind::Unknown || held == seen) return held;
  if (held == Kind::Unknown) return seen;
  if ((held == Kind::Integer && seen == Kind::Double) || (held == Kind::Double && seen == Kind::Integer)) return Kind::Double;
  return Kind::Text;
}

std::string DuckTableWriter::sql_type(const Column& column) {
  switch (column.kind) {
    case Kind::Declared: return column.declared;
    case Kind::Boolean: return "BOOLEAN";
    case Kind::Integer: return "BIGINT";
    case Kind::Double: return "DOUBLE";
    case Kind::Blob: return "BLOB";
    case Kind::Timestamp: return "TIMESTAMP";
    case Kind::Unknown:  // only NULLs so far: VARCHAR until a value says otherwise
    case Kind::Text: return "VARCHAR";
  }
  return "VARCHAR";
}

void DuckTableWriter::create(const Rows& batch) {
  columns_.clear();
  for (std::size_t c = 0; c < batch.columns.size(); ++c) {
    Column column{batch.columns[c], Kind::Unknown, c < batch.types.size() ? batch.types[c] : ""};
    if (column.declared == kJsonText) {
      column.declared = "VARCHAR";
      column.json = true;
    }
    if (!column.declared.empty()) column.kind = Kind::Declared;
    columns_.push_back(std::move(column));
  }
  if (columns_.empty()) throw DatasourceError("the query returned no columns, so there is no table to make");
  widen(batch);  // sets the kinds from the values; nothing to ALTER yet
  std::string sql = fmt::format("CREATE OR REPLACE TABLE {} (", quoted_table());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    sql += fmt::format("{}{} {}", c ? ", " : "", quote_identifier(columns_[c].name), sql_type(columns_[c]));
  }
  run(sql + ")");
  created_ = true;
}

void DuckTableWriter::widen(const Rows& batch) {
  std::vector<Kind> wanted(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) wanted[c] = columns_[c].kind;
  for (const auto& row : batch.rows) {
    for (std::size_t c = 0; c < columns_.size() && c < row.size(); ++c) wanted[c] = join(wanted[c], kind_of(row[c]));
  }
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    if (wanted[c] == columns_[c].kind) continue;
    columns_[c].kind = wanted[c];
    if (!created_) continue;
    // The appender holds the table's old shape: flush it first, reopen after.
    close_appender();
    run(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DATA TYPE {}", quoted_table(), quote_identifier(columns_[c].name),
                    sql_type(columns_[c])));
  }
}

void DuckTableWriter::append_cell(const Column& column, const Value& value) {
  duckdb_state state = DuckDBSuccess;
  const auto& data = value.data;
  if (value.is<std::nullptr_t>()) {
    state = duckdb_append_null(appender_);
  } else if (column.json) {
    std::string text = to_json(value);
    state = duckdb_append_varchar_length(appender_, text.data(), text.size());
  } else if (column.kind == Kind::Text || (column.kind == Kind::Declared && (value.is<ValueArray>() || value.is<ValueObject>()))) {
    std::string text = as_text(value);
    state = duckdb_append_varchar_length(appender_, text.data(), text.size());
  } else if (const auto* flag = std::get_if<bool>(&data)) {
    state = duckdb_append_bool(appender_, *flag);
  } else if (const auto* number = std::get_if<double>(&data)) {
    state = column.kind == Kind::Integer ? duckdb_append_int64(appender_, static_cast<std::int64_t>(*number)) : duckdb_append_double(appender_, *number);
  } else if (const auto* big = std::get_if<BigInt>(&data)) {
    std::int64_t integer = 0;
    if (column.kind != Kind::Double && parse_int64(big->decimal, integer)) {
      state = duckdb_append_int64(appender_, integer);
    } else {
      state = duckdb_append_varchar_length(appender_, big->decimal.data(), big->decimal.size());
    }
  } else if (const auto* text = std::get_if<std::string>(&data)) {
    state = duckdb_append_varchar_length(appender_, text->data(), text->size());  // DuckDB casts to a declared type
  } else if (const auto* bytes = std::get_if<Bytes>(&data)) {
    state = duckdb_append_blob(appender_, bytes->data(), bytes->size());
  } else if (const auto* moment = std::get_if<Timestamp>(&data)) {
    state = duckdb_append_timestamp(appender_, duckdb_timestamp{static_cast<std::int64_t>(std::llround(moment->epoch_ms * 1000.0))});
  }
  if (state == DuckDBError) appender_failed(fmt::format("appending to column '{}'", column.name).c_str());
}

void DuckTableWriter::append(const Rows& batch) {
  if (!created_) {
    create(batch);
  } else {
    widen(batch);
  }
  if (batch.rows.empty()) return;
  if (!appender_) open_appender();
  for (const auto& row : batch.rows) {
    for (std::size_t c = 0; c < columns_.size(); ++c) append_cell(columns_[c], c < row.size() ? row[c] : Value());
    if (duckdb_appender_end_row(appender_) == DuckDBError) appender_failed("ending a row");
  }
  rows_ += static_cast<std::int64_t>(batch.rows.size());
}

std::int64_t DuckTableWriter::finish(const Rows& shape) {
  if (!created_) create(shape);
  close_appender();
  return rows_;
}

}  // namespace as::datasources
