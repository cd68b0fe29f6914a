#include "duck_session.h"

#include <fmt/format.h>

#include "duck_error.h"
#include "statement_rules.h"

namespace as::duck {
namespace {

// Splits `sql` into statements; DuckDB prepares them one by one.
ExtractedStatements extract(duckdb_connection connection, const std::string& sql, idx_t& count) {
  ExtractedStatements statements;
  count = duckdb_extract_statements(connection, sql.c_str(), statements.out());
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(statements.get());
    throw DuckError(error && *error ? explain_duckdb_error(error) : "the SQL text holds no statement");
  }
  return statements;
}

// Prepares statement `index`, then applies the statement-type rules to it.
PreparedStatement prepare(duckdb_connection connection, duckdb_extracted_statements statements, idx_t index) {
  PreparedStatement statement;
  if (duckdb_prepare_extracted_statement(connection, statements, index, statement.out()) != DuckDBSuccess) {
    const char* error = duckdb_prepare_error(statement.get());
    throw DuckError(explain_duckdb_error(error ? error : ""));
  }
  refuse_statement_type(duckdb_prepared_statement_type(statement.get()));
  return statement;
}

// A streaming result is never destroyed before its end. DuckDB 1.4.4 can still run tasks of a
// streaming query whose result goes away unfinished, and when the connection closes soon after,
// such a task uses the freed client context: a hang in ~TaskNotifier or heap corruption
// (reproduced by tests/unit/duck_query_stream_test.cpp, "RunsEndingMidStream...", before this).
// So whatever way the reading ends (all rows, the size limit, a stop, a reader that gave up), the
// statement is interrupted and fetched to its end, which then takes no time, before it goes.
class FinishStreamingResult {
 public:
  FinishStreamingResult(duckdb_connection connection, QueryResult& result) : connection_(connection), result_(result) {}
  FinishStreamingResult(const FinishStreamingResult&) = delete;
  FinishStreamingResult& operator=(const FinishStreamingResult&) = delete;
  ~FinishStreamingResult() {
    duckdb_interrupt(connection_);  // the flag is cleared when the connection's next statement starts
    while (DataChunk rest{duckdb_fetch_chunk(*result_.get())}) {
    }
  }

 private:
  duckdb_connection connection_;
  QueryResult& result_;
};

[[noreturn]] void throw_interrupted() { throw DuckError("the statement was interrupted: the run was stopped (cancelled, out of time or over)"); }

}  // namespace

DuckSession::DuckSession(DatabaseOpener open_database) : open_database_(std::move(open_database)) {}

void DuckSession::end_run() {
  ended_.store(true);
  interrupt();
}

void DuckSession::interrupt() {
  std::lock_guard lock(connection_mutex_);
  if (connection_) duckdb_interrupt(connection_->get());
}

const ProjectConnection& DuckSession::connection(const StatementLock&) {
  {
    std::lock_guard lock(connection_mutex_);
    if (connection_) return *connection_;
  }
  // Opening the database may take a while (first use in this process); do it unlocked so an
  // interrupt does not wait for it. Only the statement thread (holding the statement lock) gets here.
  ProjectConnection made = open_database_()->connect();
  std::lock_guard lock(connection_mutex_);
  connection_.emplace(std::move(made));
  return *connection_;
}

void DuckSession::run(duckdb_prepared_statement statement, bool streaming, const std::stop_token& stop, QueryResult& result) {
  PendingResult pending;
  // The streaming variant is deprecated in the C API but still the only way to read a result
  // chunk by chunk without DuckDB materialising all of it first, which the size limit needs.
  duckdb_state started = streaming ? duckdb_pending_prepared_streaming(statement, pending.out())
                                   : duckdb_pending_prepared(statement, pending.out());
  if (started != DuckDBSuccess) {
    const char* error = duckdb_pending_error(pending.get());
    throw DuckError(explain_duckdb_error(error ? error : ""));
  }
  // DuckDB clears a connection's interrupt flag when a statement starts, so a stop that came
  // before this point is caught by the check below and one that comes later by the callback.
  std::stop_callback on_stop(stop, [this] { interrupt(); });
  if (stopped(stop)) throw_interrupted();
  if (duckdb_execute_pending(pending.get(), result.out()) != DuckDBSuccess) {
    if (stopped(stop)) throw_interrupted();
    const char* error = duckdb_result_error(result.get());
    throw DuckError(explain_duckdb_error(error ? error : ""));
  }
}

void DuckSession::execute(const std::string& sql, std::stop_token stop) {
  refuse_unlockable_functions(sql);
  StatementLock held(statement_mutex_);
  if (stopped(stop)) throw_interrupted();
  duckdb_connection con = connection(held).get();
  idx_t count = 0;
  ExtractedStatements statements = extract(con, sql, count);
  for (idx_t i = 0; i < count; ++i) {
    PreparedStatement statement = prepare(con, statements.get(), i);
    QueryResult result;
    run(statement.get(), false, stop, result);
  }
}

FetchedRows DuckSession::query(const std::string& sql, const QueryParameters& parameters, std::stop_token stop) {
  FetchedRows rows;
  run_query(sql, parameters, stop, [&](duckdb_result* result, const ProjectConnection& project_connection) {
    rows = fetch_rows(result, project_connection.database().settings().max_query_result_bytes, [&] { return stopped(stop); });
  });
  return rows;
}

void DuckSession::query_chunks(const std::string& sql, const QueryParameters& parameters, std::stop_token stop,
                               const std::function<void(const ResultColumns&)>& start, const std::function<bool(DataChunk)>& take) {
  run_query(sql, parameters, stop, [&](duckdb_result* result, const ProjectConnection& project_connection) {
    const ResultColumns columns = result_columns(result);
    start(columns);
    fetch_chunks(result, columns.types, project_connection.database().settings().max_query_result_bytes, [&] { return stopped(stop); }, take);
  });
}

void DuckSession::query_result(const std::string& sql, std::stop_token stop, const ResultConsumer& consume) {
  run_query(sql, QueryParameters{}, stop, consume);
}

void DuckSession::with_connection(std::stop_token stop, const std::function<void(duckdb_connection)>& work) {
  StatementLock held(statement_mutex_);
  if (stopped(stop)) throw_interrupted();
  duckdb_connection con = connection(held).get();
  std::stop_callback on_stop(stop, [this] { interrupt(); });
  try {
    work(con);
  } catch (const DuckError&) {
    if (stopped(stop)) throw_interrupted();
    throw;
  }
}

void DuckSession::run_query(const std::string& sql, const QueryParameters& parameters, const std::stop_token& stop,
                            const ResultConsumer& consume) {
  refuse_unlockable_functions(sql);
  StatementLock held(statement_mutex_);
  if (stopped(stop)) throw_interrupted();
  const ProjectConnection& project_connection = connection(held);
  duckdb_connection con = project_connection.get();
  idx_t count = 0;
  ExtractedStatements statements = extract(con, sql, count);
  if (count > 1 && !parameters.empty()) {
    throw DuckError(fmt::format("parameters need a single SQL statement, got {}; run the others with exec()", count));
  }
  for (idx_t i = 0; i + 1 < count; ++i) {
    PreparedStatement statement = prepare(con, statements.get(), i);
    QueryResult result;
    run(statement.get(), false, stop, result);
  }
  PreparedStatement last = prepare(con, statements.get(), count - 1);
  bind_parameters(last.get(), parameters);
  QueryResult result;
  run(last.get(), true, stop, result);
  FinishStreamingResult finish(con, result);
  // Fetching a streaming result runs the rest of the query, so it must be interruptible too.
  std::stop_callback on_stop(stop, [this] { interrupt(); });
  try {
    consume(result.get(), project_connection);
  } catch (const DuckError&) {
    if (stopped(stop)) throw_interrupted();
    throw;
  }
}

}  // namespace as::duck
