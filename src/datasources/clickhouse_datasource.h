#pragma once
// ClickHouse datasources (type = "clickhouse") over the HTTP interface with libcurl. Written for
// ClickHouse 18.16 (Debian bookworm's) and later:
//  - Every statement is one POST with its own query_id; the connection to the server is kept
//    open between statements (libcurl's connection cache on the connection's multi handle).
//  - Read-only unless allow_writes: every request carries `readonly=1`, so the server refuses
//    writes (and any SETTINGS clause that would lift it).
//  - `?` parameters are bound client-side as escaped, typed literals (clickhouse_sql.h): 18.16
//    has no server-side parameters.
//  - Results come as TabSeparatedWithNamesAndTypes (the column types travel with the rows) and are
//    read incrementally: the transfer pauses while the reader is behind, so stream() keeps memory
//    flat however many rows there are.
//  - The per-statement timeout is the server's max_execution_time plus a client-side deadline; a
//    stop, the deadline or cancel() end the transfer and send `KILL QUERY WHERE query_id = ...`
//    on a separate request (18.16's sleep() does not notice a KILL, so the transfer is dropped at
//    once rather than waiting for the server).
#include <memory>

#include "config/config.h"
#include "connection.h"

namespace as::datasources {

// Connects with the datasource's settings (password from its environment variable) and checks
// them with a first request. Throws DatasourceError naming the datasource, the server and the
// reason when it cannot.
std::unique_ptr<Connection> connect_clickhouse(const config::DatasourceConfig& config);

}  // namespace as::datasources
