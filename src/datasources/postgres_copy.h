#pragma once
// PostgreSQL's COPY protocol for bulk transfers with DuckDB (docs/datasources.md, "COPY"):
//  - ctx.duckdb.load reads `COPY (<sql>) TO STDOUT (FORMAT binary)` straight into DuckDB data
//    chunks (no per-cell Value), with the column types read from the statement's description;
//  - ctx.duckdb.export writes `COPY <table> (<columns>) FROM STDIN` in text format.
// The transaction, the cancel-on-stop and the error wording stay with the connection
// (postgres_datasource.cpp); these functions only speak the protocol.
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "duck_chunk_writer.h"
#include "postgres_binary.h"
#include "sandbox/value.h"

// libpq's connection, as libpq-fe.h declares it (which only the driver's own files include).
typedef struct pg_conn PGconn;

namespace as::datasources::postgres {

// Reads the rows of the binary COPY in progress on `connection` (its PGRES_COPY_OUT result
// already taken) into chunks of `builder`, handing each full chunk, and the last one, to `emit`.
// Returns when the server has sent the last row or has failed (the COPY's own result, with its
// error, is then read with PQgetResult), or when `emit` returns false (the COPY is then still
// in progress: the caller abandons it). Checks `stop` every few thousand rows and throws
// StatementCancelled. Throws DatasourceError when the data is not what the columns say.
void read_binary_copy(PGconn* connection, const std::vector<BinaryColumn>& columns, DuckChunkBuilder& builder,
                      const std::function<bool(duck::DataChunk)>& emit, const std::stop_token& stop);

// Appends one row of COPY's text format (tab-separated, \N for NULL, backslash escapes, '\n'
// at the end) to `out`. Throws DatasourceError for a value no column can take (arrays, objects,
// text holding NUL).
void append_copy_text_row(std::string& out, const std::vector<Value>& row);

}  // namespace as::datasources::postgres
