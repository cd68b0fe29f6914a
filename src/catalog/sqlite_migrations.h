#pragma once
#include "sqlite_handle.h"

namespace as::catalog {
// Applies every numbered migration not yet in schema_migrations, each in its own transaction.
// Returns the schema version the database is at afterwards.
int apply_sqlite_migrations(SqliteDatabase& db);
}  // namespace as::catalog
