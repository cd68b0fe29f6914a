#pragma once
// MySQL and MariaDB datasources (type = "mysql") through MariaDB Connector/C.
//  - Every call runs in its own transaction: `START TRANSACTION READ ONLY` unless allow_writes,
//    with the session's tx_read_only also on (a DDL statement commits implicitly and would
//    otherwise run outside the read-only transaction). Read-only calls always end in ROLLBACK.
//  - `?` parameters go to the server separately from the SQL (prepared statements, mysql_stmt_*).
//  - Rows are fetched unbuffered, one at a time off the wire (never mysql_stmt_store_result), so
//    query() measures as it reads and stream() keeps memory flat however many rows there are.
//  - The per-statement timeout is the server's (MariaDB max_statement_time, MySQL
//    max_execution_time); a stop of the run sends `KILL QUERY <thread id>` from a second connection.
#include <memory>

#include "config/config.h"
#include "connection.h"

namespace as::datasources {

// Connects with the datasource's settings (password from its environment variable). Throws
// DatasourceError naming the datasource, the server and the client's reason when it cannot.
std::unique_ptr<Connection> connect_mysql(const config::DatasourceConfig& config);

}  // namespace as::datasources
