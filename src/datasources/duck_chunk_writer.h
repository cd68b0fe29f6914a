#pragma once
// Writes rows of known column types into a new project DuckDB table column by column: the
// cells go straight into a DuckDB data chunk's vectors, and each full chunk (duckdb_vector_size()
// rows) is handed to the appender whole. The fast path of ctx.duckdb.load, for drivers that know
// every column's type before the first row (PostgreSQL's binary COPY); DuckTableWriter is the
// row-by-row path for the others.
#include <duckdb.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasource_error.h"
#include "duck/duck_handles.h"

namespace as::datasources {

// An error on the DuckDB side of a load (not the source's): ctx.duckdb.load does not prefix it
// with the datasource's name.
class DuckTableError : public DatasourceError {
 public:
  using DatasourceError::DatasourceError;
};

// The column types the chunk writer fills, and the C types of their vector cells.
enum class DuckColumnType {
  Boolean,      // bool
  BigInt,       // int64_t
  Double,       // double
  Varchar,      // set_string
  Blob,         // set_string
  Uuid,         // duckdb_hugeint (DuckDB's order-preserving form: top bit flipped)
  Date,         // int32_t days since 1970-01-01
  Timestamp,    // int64_t microseconds since 1970-01-01
  TimestampTz,  // int64_t microseconds since 1970-01-01 UTC
  Time,         // int64_t microseconds since midnight
  Decimal,      // the value times 10^scale: int16_t (width <= 4), int32_t (<= 9), int64_t (<= 18), duckdb_hugeint
};

// A column's type; DECIMAL's width (precision, 1-38) and scale are only set for Decimal.
struct DuckColumn {
  DuckColumnType type;
  std::uint8_t width = 0;
  std::uint8_t scale = 0;
  bool operator==(const DuckColumn&) const = default;
};

// The DuckDB SQL name of `column`'s type ("BIGINT", "TIMESTAMP WITH TIME ZONE", "DECIMAL(12,2)").
std::string duck_sql_type(const DuckColumn& column);

// Fills DuckDB data chunks of fixed column types, a row at a time. Needs no connection, so it
// can run on another thread than the one appending the chunks.
class DuckChunkBuilder {
 public:
  explicit DuckChunkBuilder(const std::vector<DuckColumn>& types);

  // The current row's cell of `column`, typed as DuckColumnType says.
  template <class T>
  T& cell(std::size_t column) {
    return static_cast<T*>(data_[column])[row_];
  }
  void set_string(std::size_t column, const char* text, std::size_t length) {
    duckdb_vector_assign_string_element_len(vectors_[column], row_, text, length);
  }
  void set_null(std::size_t column);
  // Ends the current row; true when the chunk is full (take() it before the next row).
  bool end_row() { return ++row_ == capacity_; }
  std::size_t rows() const { return row_; }
  // The chunk with the rows so far; the builder starts a new one.
  duck::DataChunk take();

 private:
  void start_chunk();

  std::vector<duck::LogicalType> types_;
  duck::DataChunk chunk_;
  std::vector<duckdb_vector> vectors_;
  std::vector<void*> data_;
  std::vector<std::uint64_t*> validity_;  // made writable on a column's first NULL of a chunk
  idx_t capacity_;
  idx_t row_ = 0;
};

// A new project DuckDB table and the appender that fills it with chunks of a DuckChunkBuilder
// of the same types. It runs inside the load's transaction (DuckLoadTransaction), which makes
// the load all or nothing, and is also what lets DuckDB write the rows once, as row groups
// fill, instead of again at a checkpoint after every flush.
class DuckChunkWriter {
 public:
  // Creates (or replaces) `schema`.`table` with these columns. `connection` must outlive the
  // writer. Throws DuckTableError.
  DuckChunkWriter(duckdb_connection connection, std::string schema, std::string table, const std::vector<std::string>& names,
                  const std::vector<DuckColumn>& types);
  DuckChunkWriter(const DuckChunkWriter&) = delete;
  DuckChunkWriter& operator=(const DuckChunkWriter&) = delete;
  ~DuckChunkWriter();

  // Appends `chunk`; every row group's worth of rows is flushed, so that DuckDB compresses and
  // writes while the source is still sending.
  void append(const duck::DataChunk& chunk);
  // Flushes the appender. Returns the rows written.
  std::int64_t finish();

 private:
  [[noreturn]] void appender_failed(const char* what);
  std::string quoted_table() const;
  // Runs `sql`; the error message, or "" when it succeeded.
  std::string run(const std::string& sql);

  duckdb_connection connection_;
  std::string schema_;
  std::string table_;
  duckdb_appender appender_ = nullptr;
  std::int64_t rows_ = 0;
  std::int64_t unflushed_ = 0;
};

}  // namespace as::datasources
