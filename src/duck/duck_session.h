#pragma once
// One run's use of its project database. The connection is made on first use (a run that never
// touches ctx.duckdb costs nothing), statements run one at a time on it, a stop of the run
// interrupts the running statement, and when the session goes away the connection closes,
// which rolls back whatever transaction the run left open.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "fetched_rows.h"
#include "project_database.h"
#include "query_parameters.h"

namespace as::duck {

class DuckSession {
 public:
  using DatabaseOpener = std::function<std::shared_ptr<ProjectDatabase>()>;

  explicit DuckSession(DatabaseOpener open_database);
  DuckSession(const DuckSession&) = delete;
  DuckSession& operator=(const DuckSession&) = delete;

  // Runs every statement of `sql` in order; stops at the first error (DuckError).
  void execute(const std::string& sql, std::stop_token stop);
  // Runs `sql` and fetches the rows of its last statement, up to the project's
  // max_query_result_bytes (see measure_vector). Parameters need a single statement. Throws DuckError.
  FetchedRows query(const std::string& sql, const QueryParameters& parameters, std::stop_token stop);

  // Runs `sql` as query() does and hands the last statement's columns to `start`, then its
  // chunks, measured against max_query_result_bytes as query() does, to `take` one at a time as
  // they are fetched, while the statement lock is held; `take` returning false stops fetching.
  // Throws DuckError.
  void query_chunks(const std::string& sql, const QueryParameters& parameters, std::stop_token stop,
                    const std::function<void(const ResultColumns&)>& start, const std::function<bool(DataChunk)>& take);

  // Runs `sql` as query() does (sandbox rules, every statement in order) and hands the last
  // statement's streaming result to `consume` while the statement lock is held, so another
  // binding can read it in its own form (src/frame reads it as Arrow). Throws DuckError.
  using ResultConsumer = std::function<void(duckdb_result* result, const ProjectConnection& connection)>;
  void query_result(const std::string& sql, std::stop_token stop, const ResultConsumer& consume);
  // Runs `work` on the session's connection with the statement lock held and a stop of the run
  // interrupting it; `work` runs only SQL it built itself (the sandbox rules are the caller's
  // job). Throws DuckError when the run is already stopped.
  void with_connection(std::stop_token stop, const std::function<void(duckdb_connection)>& work);

  // The run is over: the running statement is interrupted and no new one starts. Callable
  // from any thread.
  void end_run();

 private:
  // Serialises statements: a DuckDB connection runs one query at a time.
  using StatementLock = std::unique_lock<std::mutex>;

  // The connection, made on first use; only called with the statement lock held.
  const ProjectConnection& connection(const StatementLock& held);
  // Executes one prepared statement; `streaming` leaves its rows to be fetched chunk by chunk.
  void run(duckdb_prepared_statement statement, bool streaming, const std::stop_token& stop, QueryResult& result);
  // query() and query_result(): every statement of `sql`, the last one's result to `consume`.
  void run_query(const std::string& sql, const QueryParameters& parameters, const std::stop_token& stop,
                 const ResultConsumer& consume);
  void interrupt();
  bool stopped(const std::stop_token& stop) const { return stop.stop_requested() || ended_.load(); }

  DatabaseOpener open_database_;
  std::mutex statement_mutex_;
  // Guards connection_ between the statement thread that creates it and threads that interrupt it.
  std::mutex connection_mutex_;
  std::optional<ProjectConnection> connection_;
  std::atomic<bool> ended_{false};
};

}  // namespace as::duck
