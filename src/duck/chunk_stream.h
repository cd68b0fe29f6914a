#pragma once
// Data chunks made by host code on one thread, read by a SQL statement on another: the statement
// names the stream as a table (`as_host_chunks('<token>')`, a table function every project
// database registers when it opens) and DuckDB pulls the chunks as it runs, so a load is one
// `CREATE TABLE ... AS SELECT` that DuckDB plans and writes like any other, with no appender
// buffering the rows a second time. The stream exists only while the host call that made it
// runs; its token is random, so SQL a script writes cannot name one, and the function fails with a
// clear error when a script calls it.
#include <duckdb.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "duck_handles.h"

namespace as::duck {

// Registers as_host_chunks on the database `connection` belongs to (once per database, at open).
// Throws DuckError.
void register_chunk_stream_function(duckdb_connection connection);

class ChunkStream {
 public:
  // A stream of chunks whose columns are `names` and `types` (each chunk pushed has exactly these
  // types), holding at most `capacity` chunks in flight.
  ChunkStream(std::vector<std::string> names, std::vector<LogicalType> types, std::size_t capacity);
  ChunkStream(const ChunkStream&) = delete;
  ChunkStream& operator=(const ChunkStream&) = delete;
  ~ChunkStream();  // fails the stream (a reader still waiting gets an error, not an early end)

  // The SQL table expression that reads this stream: as_host_chunks('<token>').
  std::string table_sql() const;

  // Producer side. push waits while the stream is full; false when the reader side has ended
  // (the statement failed or was stopped), so the producer stops.
  bool push(DataChunk chunk);
  // Every chunk has been pushed: the reading statement sees the end of its table.
  void finish();
  // No more chunks will come and the reading statement must fail rather than see an end.
  void fail();
  // Rows pushed so far.
  std::int64_t rows() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Runs the single statement `sql` on `connection` to its end, on this thread. While DuckDB's
// worker threads hold every task of the statement this thread sleeps instead of polling
// (duckdb_execute_prepared polls the task queue, which takes a core from the work). A stop
// interrupts the statement. Returns DuckDB's error message, or "" when it succeeded.
std::string run_statement(duckdb_connection connection, const std::string& sql, const std::stop_token& stop);

}  // namespace as::duck
