#pragma once
// SQLite datasources (type = "sqlite"): a local database file. Read-only unless allow_writes:
// the file is opened with SQLITE_OPEN_READONLY and `PRAGMA query_only`, so no statement can
// change it. ATTACH (which would reach other files) is refused either way. `?` parameters are
// bound with sqlite3_bind_*; a stop of the run, or statement_timeout_ms, interrupts the
// statement (progress handler + sqlite3_interrupt).
#include <memory>

#include "config/config.h"
#include "connection.h"

namespace as::datasources {

// Opens the file named by the datasource's `path`. Throws DatasourceError naming the
// datasource and the file when it cannot.
std::unique_ptr<Connection> connect_sqlite(const config::DatasourceConfig& config);

}  // namespace as::datasources
