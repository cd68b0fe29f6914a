#pragma once
// Writes rows of known column types into a new project DuckDB table column by column: the
// cells go straight into a DuckDB data chunk's vectors, and each full chunk (duckdb_vector_size()
// rows) is handed to the appender whole. The fast path of ctx.duckdb.load, for drivers that know
// every column's type before the first row (PostgreSQL's binary COPY); DuckTableWriter is the
// row-by-row path for the others.
#include <duckdb.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "datasource_error.h"
#include "duck/chunk_stream.h"
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

// A new project DuckDB table filled with the chunks of a DuckChunkBuilder of the same types, made
// on another thread: one `CREATE OR REPLACE TABLE ... AS SELECT` over a duck::ChunkStream, run on
// the thread that calls write(). DuckDB writes (and compresses) row groups as they fill, from the
// chunks themselves, with nothing buffered a second time. It runs inside the load's transaction
// (DuckLoadTransaction), which makes the load all or nothing.
class DuckChunkWriter {
 public:
  // `connection` must outlive the writer. A stop fails the stream (write() then throws).
  DuckChunkWriter(duckdb_connection connection, std::string schema, std::string table, const std::vector<std::string>& names,
                  const std::vector<DuckColumn>& types, std::stop_token stop);

  // Producer side, from any one thread: push waits while chunks are queued; false once write()
  // has ended (failed), so the producer stops. finish() after the last chunk; fail() instead when
  // the source failed.
  bool push(duck::DataChunk chunk) { return stream_.push(std::move(chunk)); }
  void finish() { stream_.finish(); }
  void fail() { stream_.fail(); }

  // Creates (or replaces) the table from the chunks until finish(). Returns the rows written.
  // Throws DuckTableError (after failing the stream, so the producer stops).
  std::int64_t write();

 private:
  std::string quoted_table() const;

  duckdb_connection connection_;
  std::string schema_;
  std::string table_;
  duck::ChunkStream stream_;
  std::stop_token stop_;
  std::stop_callback<std::function<void()>> fail_on_stop_;
};

// The DuckDB logical type of `column`.
duck::LogicalType duck_logical_type(const DuckColumn& column);

}  // namespace as::datasources
