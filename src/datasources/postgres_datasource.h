#pragma once
// PostgreSQL datasources (type = "postgres") through libpq.
//  - Every call runs in its own transaction, opened as `BEGIN READ ONLY` unless allow_writes,
//    with the statement timeout and the session settings the value decoder relies on set LOCAL
//    to it; a read-only call always ends in ROLLBACK, so nothing a script does (including SET)
//    outlives the call.
//  - `$1 ...` parameters go to the server separately from the SQL (PQsendQueryParams).
//  - query() reads rows one at a time (single-row mode) and stops at the size limit; stream()
//    DECLAREs a cursor and FETCHes batches, so memory stays flat however many rows there are.
//  - A stop of the run sends PQcancel for the statement in flight.
#include <memory>

#include "config/config.h"
#include "connection.h"

namespace as::datasources {

// Connects with the datasource's settings (password from its environment variable). Throws
// DatasourceError naming the datasource, the server and libpq's reason when it cannot.
std::unique_ptr<Connection> connect_postgres(const config::DatasourceConfig& config);

}  // namespace as::datasources
