#pragma once
// ctx.duckdb.load is all or nothing: unless the script has its own transaction open on the run's
// DuckDB connection, the load runs in one of its own, committed only when every row is in. A
// load that fails part way (a source error, a stop, the deadline) leaves the table as it was.
// Inside the script's transaction the table is the script's to COMMIT or ROLLBACK.
#include <duckdb.h>

namespace as::datasources {

class DuckLoadTransaction {
 public:
  // Begins a transaction on `connection` unless one is open. Throws DuckTableError.
  explicit DuckLoadTransaction(duckdb_connection connection);
  DuckLoadTransaction(const DuckLoadTransaction&) = delete;
  DuckLoadTransaction& operator=(const DuckLoadTransaction&) = delete;
  ~DuckLoadTransaction();  // rolls back a transaction of its own that commit() did not end

  // Commits the transaction of its own (nothing when the script's is open). Throws DuckTableError.
  void commit();

 private:
  duckdb_connection connection_;
  bool own_ = false;
};

// Whether an explicit transaction is open on `connection`.
bool duck_transaction_open(duckdb_connection connection);

}  // namespace as::datasources
