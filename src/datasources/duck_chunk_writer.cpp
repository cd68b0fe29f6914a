#include "duck_chunk_writer.h"


#include <fmt/format.h>

#include "duck_appender_error.h"
#include "identifiers.h"

namespace as::datasources {
namespace {

duckdb_type c_type(DuckColumnType type) {
  switch (type) {
    case DuckColumnType::Boolean: return DUCKDB_TYPE_BOOLEAN;
    case DuckColumnType::BigInt: return DUCKDB_TYPE_BIGINT;
    case DuckColumnType::Double: return DUCKDB_TYPE_DOUBLE;
    case DuckColumnType::Varchar: return DUCKDB_TYPE_VARCHAR;
    case DuckColumnType::Blob: return DUCKDB_TYPE_BLOB;
    case DuckColumnType::Uuid: return DUCKDB_TYPE_UUID;
    case DuckColumnType::Date: return DUCKDB_TYPE_DATE;
    case DuckColumnType::Timestamp: return DUCKDB_TYPE_TIMESTAMP;
    case DuckColumnType::TimestampTz: return DUCKDB_TYPE_TIMESTAMP_TZ;
    case DuckColumnType::Time: return DUCKDB_TYPE_TIME;
    case DuckColumnType::Decimal: return DUCKDB_TYPE_DECIMAL;  // made with its width and scale instead
  }
  return DUCKDB_TYPE_VARCHAR;
}

}  // namespace

std::string duck_sql_type(const DuckColumn& column) {
  switch (column.type) {
    case DuckColumnType::Boolean: return "BOOLEAN";
    case DuckColumnType::BigInt: return "BIGINT";
    case DuckColumnType::Double: return "DOUBLE";
    case DuckColumnType::Varchar: return "VARCHAR";
    case DuckColumnType::Blob: return "BLOB";
    case DuckColumnType::Uuid: return "UUID";
    case DuckColumnType::Date: return "DATE";
    case DuckColumnType::Timestamp: return "TIMESTAMP";
    case DuckColumnType::TimestampTz: return "TIMESTAMP WITH TIME ZONE";
    case DuckColumnType::Time: return "TIME";
    case DuckColumnType::Decimal: return fmt::format("DECIMAL({},{})", column.width, column.scale);
  }
  return "VARCHAR";
}

DuckChunkBuilder::DuckChunkBuilder(const std::vector<DuckColumn>& types) : capacity_(duckdb_vector_size()) {
  for (const DuckColumn& type : types) {
    types_.emplace_back(type.type == DuckColumnType::Decimal ? duckdb_create_decimal_type(type.width, type.scale)
                                                             : duckdb_create_logical_type(c_type(type.type)));
  }
  vectors_.resize(types.size());
  data_.resize(types.size());
  validity_.resize(types.size());
  start_chunk();
}

void DuckChunkBuilder::start_chunk() {
  std::vector<duckdb_logical_type> logical;
  for (const auto& type : types_) logical.push_back(type.get());
  chunk_ = duck::DataChunk(duckdb_create_data_chunk(logical.data(), logical.size()));
  for (std::size_t c = 0; c < vectors_.size(); ++c) {
    vectors_[c] = duckdb_data_chunk_get_vector(chunk_.get(), c);
    data_[c] = duckdb_vector_get_data(vectors_[c]);
    validity_[c] = nullptr;
  }
  row_ = 0;
}

void DuckChunkBuilder::set_null(std::size_t column) {
  if (!validity_[column]) {
    duckdb_vector_ensure_validity_writable(vectors_[column]);
    validity_[column] = duckdb_vector_get_validity(vectors_[column]);
  }
  duckdb_validity_set_row_invalid(validity_[column], row_);
}

duck::DataChunk DuckChunkBuilder::take() {
  duckdb_data_chunk_set_size(chunk_.get(), row_);
  duck::DataChunk full = std::move(chunk_);
  start_chunk();
  return full;
}

DuckChunkWriter::DuckChunkWriter(duckdb_connection connection, std::string schema, std::string table, const std::vector<std::string>& names,
                                 const std::vector<DuckColumn>& types)
    : connection_(connection), schema_(std::move(schema)), table_(std::move(table)) {
  if (names.empty()) throw DuckTableError("the query returned no columns, so there is no table to make");
  std::string sql = fmt::format("CREATE OR REPLACE TABLE {} (", quoted_table());
  for (std::size_t c = 0; c < names.size(); ++c) sql += fmt::format("{}{} {}", c ? ", " : "", quote_identifier(names[c]), duck_sql_type(types[c]));
  if (std::string error = run(sql + ")"); !error.empty()) throw DuckTableError(fmt::format("DuckDB table {}: {}", quoted_table(), error));
  if (duckdb_appender_create(connection, schema_.empty() ? nullptr : schema_.c_str(), table_.c_str(), &appender_) == DuckDBError) {
    appender_failed("opening the appender");
  }
}

DuckChunkWriter::~DuckChunkWriter() {
  if (appender_) duckdb_appender_destroy(&appender_);
}

std::string DuckChunkWriter::run(const std::string& sql) {
  duck::QueryResult result;
  if (duckdb_query(connection_, sql.c_str(), result.out()) == DuckDBError) {
    const char* error = duckdb_result_error(result.get());
    return error && *error ? error : "unknown error";
  }
  return "";
}

std::string DuckChunkWriter::quoted_table() const {
  return schema_.empty() ? quote_identifier(table_) : quote_identifier(schema_) + "." + quote_identifier(table_);
}

void DuckChunkWriter::append(const duck::DataChunk& chunk) {
  // DuckDB's row group: a flush of this many rows lets it write one out.
  constexpr std::int64_t kFlushRows = 122'880;
  auto size = static_cast<std::int64_t>(duckdb_data_chunk_get_size(chunk.get()));
  if (size == 0) return;
  if (duckdb_append_data_chunk(appender_, chunk.get()) == DuckDBError) appender_failed("appending rows");
  rows_ += size;
  unflushed_ += size;
  if (unflushed_ >= kFlushRows) {
    if (duckdb_appender_flush(appender_) == DuckDBError) appender_failed("appending rows");
    unflushed_ = 0;
  }
}

std::int64_t DuckChunkWriter::finish() {
  if (duckdb_appender_flush(appender_) == DuckDBError) appender_failed("appending rows");
  duckdb_appender_destroy(&appender_);
  appender_ = nullptr;
  return rows_;
}

void DuckChunkWriter::appender_failed(const char* what) {
  std::string message = take_appender_error(appender_);
  throw DuckTableError(fmt::format("DuckDB table {}: {} failed: {}", quoted_table(), what, message));
}

}  // namespace as::datasources
