#include "duck_chunk_writer.h"


#include <fmt/format.h>

#include "identifiers.h"

namespace as::datasources {
namespace {

// Decoded chunks (2,048 rows each) a load holds between its source and DuckDB.
constexpr std::size_t kQueuedChunks = 64;

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

duck::LogicalType duck_logical_type(const DuckColumn& column) {
  return duck::LogicalType(column.type == DuckColumnType::Decimal ? duckdb_create_decimal_type(column.width, column.scale)
                                                                  : duckdb_create_logical_type(c_type(column.type)));
}

DuckChunkBuilder::DuckChunkBuilder(const std::vector<DuckColumn>& types) : capacity_(duckdb_vector_size()) {
  for (const DuckColumn& type : types) types_.push_back(duck_logical_type(type));
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

namespace {

std::vector<duck::LogicalType> logical_types(const std::vector<DuckColumn>& types) {
  std::vector<duck::LogicalType> logical;
  for (const DuckColumn& type : types) logical.push_back(duck_logical_type(type));
  return logical;
}

}  // namespace

DuckChunkWriter::DuckChunkWriter(duckdb_connection connection, std::string schema, std::string table, const std::vector<std::string>& names,
                                 const std::vector<DuckColumn>& types, std::stop_token stop)
    : connection_(connection),
      schema_(std::move(schema)),
      table_(std::move(table)),
      stream_(names, logical_types(types), kQueuedChunks),
      stop_(stop),
      fail_on_stop_(stop, [this] { stream_.fail(); }) {
  if (names.empty()) throw DuckTableError("the query returned no columns, so there is no table to make");
}

std::string DuckChunkWriter::quoted_table() const {
  return quote_table(schema_, table_);
}

std::int64_t DuckChunkWriter::write() {
  std::string sql = fmt::format("CREATE OR REPLACE TABLE {} AS SELECT * FROM {}", quoted_table(), stream_.table_sql());
  std::string error = duck::run_statement(connection_, sql, stop_);
  if (!error.empty()) {
    stream_.fail();
    throw DuckTableError(fmt::format("DuckDB table {}: {}", quoted_table(), error));
  }
  return stream_.rows();
}

}  // namespace as::datasources
