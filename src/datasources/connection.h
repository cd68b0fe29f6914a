#pragma once
// One open connection to a SQL datasource, whatever the database. Each driver (sqlite, postgres,
// ...) implements it in its own file pair. A connection runs one statement at a time; only
// cancel() may be called from another thread while a statement runs.
//
// Every statement method watches `stop` (the run's stop token): when it fires, the statement is
// cancelled on the server and the method throws StatementCancelled. Errors are DatasourceError
// with the database's own message.
#include <duckdb.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "rows.h"
#include "sandbox/value.h"

namespace as::datasources {

// What a statement may cost before the driver gives up on it.
struct StatementLimits {
  std::size_t max_result_bytes = 256u << 20;  // query(): bytes of cells buffered (measure_cell)
};

// A server-side cursor opened by Connection::stream(). It borrows its connection, which runs
// nothing else until the cursor is destroyed; destroying it closes the cursor.
class Cursor {
 public:
  virtual ~Cursor() = default;
  // Up to `max_rows` further rows; an empty batch (rows.empty()) once the rows are exhausted.
  virtual Rows fetch(std::size_t max_rows, std::stop_token stop) = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one statement with positional parameters bound on the server and returns all its rows.
  // Throws DatasourceError when the rows measure more than limits.max_result_bytes.
  virtual Rows query(const std::string& sql, const std::vector<Value>& params, const StatementLimits& limits,
                     std::stop_token stop) = 0;
  // Opens a server-side cursor over one statement's rows.
  virtual std::unique_ptr<Cursor> stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) = 0;
  // Runs a statement for its effect (several statements when there are no parameters, where the
  // database allows it).
  virtual ExecuteResult execute(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) = 0;
  // Inserts `rows` (each a list of values in `columns` order) into `table` in one transaction.
  virtual ExecuteResult insert(const std::string& table, const std::vector<std::string>& columns,
                               const std::vector<std::vector<Value>>& rows, std::stop_token stop) = 0;

  // Rows for a bulk load (ctx.duckdb.export): as insert(), by the fastest way the database has
  // (PostgreSQL: COPY FROM STDIN).
  virtual ExecuteResult bulk_insert(const std::string& table, const std::vector<std::string>& columns,
                                    const std::vector<std::vector<Value>>& rows, std::stop_token stop) {
    return insert(table, columns, rows, stop);
  }
  // ctx.duckdb.load's fast path: creates (or replaces) `schema`.`table` (schema "" for the
  // default one) in the DuckDB `duck` and fills it with the statement's rows, returning their
  // count; std::nullopt when this driver has no such path for this statement (nothing was done:
  // the caller streams the rows instead). DuckDB-side errors are DuckTableError.
  virtual std::optional<std::int64_t> load_into_duckdb(duckdb_connection /*duck*/, const std::string& /*schema*/,
                                                       const std::string& /*table*/, const std::string& /*sql*/,
                                                       const std::vector<Value>& /*params*/, std::stop_token /*stop*/) {
    return std::nullopt;
  }

  // Asks the server to stop the statement in progress (no effect when none runs). Thread-safe.
  virtual void cancel() = 0;
  // Whether the connection can serve another statement (false after a broken link, or when it
  // was left in a state the next user must not inherit).
  virtual bool reusable() const = 0;
};

// Refuses a value no database column can take: arrays and objects (pass JSON text instead).
// `position` is 1-based. Throws DatasourceError naming the parameter.
void check_bindable(const Value& value, std::size_t position);

}  // namespace as::datasources
