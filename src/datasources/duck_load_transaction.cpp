#include "duck_load_transaction.h"

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "duck/duck_handles.h"
#include "duck_chunk_writer.h"

namespace as::datasources {
namespace {

// Runs `sql`; the error message, or "" when it succeeded.
std::string run(duckdb_connection connection, const char* sql) {
  duck::QueryResult result;
  if (duckdb_query(connection, sql, result.out()) == DuckDBError) return duck::error_text(duckdb_result_error(result.get()));
  return "";
}

}  // namespace

// Two statements see the same transaction id only inside an explicit transaction (a failed
// BEGIN would tell too, but it aborts the transaction it fails in).
bool duck_transaction_open(duckdb_connection connection) {
  auto transaction_id = [&] {
    duck::QueryResult result;
    if (duckdb_query(connection, "SELECT txid_current()", result.out()) == DuckDBError) return std::int64_t{-1};
    return duckdb_value_int64(result.get(), 0, 0);
  };
  std::int64_t first = transaction_id();
  return first >= 0 && first == transaction_id();
}

DuckLoadTransaction::DuckLoadTransaction(duckdb_connection connection) : connection_(connection) {
  if (duck_transaction_open(connection_)) return;
  if (std::string error = run(connection_, "BEGIN TRANSACTION"); !error.empty()) {
    throw DuckTableError(fmt::format("DuckDB: could not begin the load's transaction: {}", error));
  }
  own_ = true;
}

DuckLoadTransaction::~DuckLoadTransaction() {
  if (own_) run(connection_, "ROLLBACK");
}

void DuckLoadTransaction::commit() {
  if (!own_) return;
  own_ = false;
  if (std::string error = run(connection_, "COMMIT"); !error.empty()) {
    throw DuckTableError(fmt::format("DuckDB: the load's COMMIT failed: {}", error));
  }
}

}  // namespace as::datasources
