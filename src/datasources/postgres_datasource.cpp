#include "postgres_datasource.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <exception>
#include <functional>
#include <thread>

#include <fmt/format.h>

#include "config/secrets.h"
#include "datasource_error.h"
#include "identifiers.h"
#include "postgres_copy.h"
#include "postgres_values.h"

namespace as::datasources {
namespace {

struct FinishConnection {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct FreeCancel {
  void operator()(PGcancel* cancel) const { PQfreeCancel(cancel); }
};
struct ClearResult {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ConnectionHandle = std::unique_ptr<PGconn, FinishConnection>;
using CancelHandle = std::unique_ptr<PGcancel, FreeCancel>;
using ResultHandle = std::unique_ptr<PGresult, ClearResult>;

constexpr Oid kByteaOid = 17;
// PostgreSQL takes at most 65535 parameters in one statement.
constexpr std::size_t kMaxParameters = 65535;
constexpr std::size_t kMaxInsertRows = 1000;

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Parameters as libpq wants them: text for everything but bytes, which go binary as bytea.
class BoundParameters {
 public:
  explicit BoundParameters(const std::vector<Value>& params) {
    std::size_t count = params.size();
    texts_.resize(count);
    values_.resize(count, nullptr);
    lengths_.resize(count, 0);
    formats_.resize(count, 0);
    types_.resize(count, 0);  // 0: the server infers the type from the statement
    for (std::size_t i = 0; i < count; ++i) {
      const Value& value = params[i];
      check_bindable(value, i + 1);
      if (value.is_null()) continue;
      if (value.is<Bytes>()) {
        const auto& bytes = value.as<Bytes>();
        values_[i] = reinterpret_cast<const char*>(bytes.data());
        lengths_[i] = static_cast<int>(bytes.size());
        formats_[i] = 1;
        types_[i] = kByteaOid;
        continue;
      }
      std::string& text = texts_[i];
      if (value.is<bool>()) {
        text = value.as<bool>() ? "true" : "false";
      } else if (value.is<double>()) {
        double number = value.as<double>();
        if (std::isnan(number)) text = "NaN";
        else if (std::isinf(number)) text = number > 0 ? "Infinity" : "-Infinity";
        else if (std::trunc(number) == number && std::fabs(number) < 9.2e18) text = std::to_string(static_cast<std::int64_t>(number));
        else text = fmt::format("{}", number);
      } else if (value.is<std::string>()) {
        text = value.as<std::string>();
        if (text.find('\0') != std::string::npos) {
          throw DatasourceError(fmt::format("parameter ${} holds a NUL character, which PostgreSQL text cannot hold; pass bytes as a Uint8Array", i + 1));
        }
      } else if (value.is<BigInt>()) {
        text = value.as<BigInt>().decimal;
      } else if (value.is<Timestamp>()) {
        text = iso8601_utc(value.as<Timestamp>().epoch_ms);
      }
      values_[i] = text.c_str();
    }
  }
  int count() const { return static_cast<int>(values_.size()); }
  const Oid* types() const { return types_.data(); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::string> texts_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<Oid> types_;
};

class PostgresConnection;

// Arms cancellation for one call: a stop of the run sends PQcancel while the call lasts.
class CallGuard {
 public:
  CallGuard(PostgresConnection& connection, const std::stop_token& stop);

 private:
  std::stop_callback<std::function<void()>> on_stop_;
};

// Reads the rows of a result (several for single-row mode) into Rows.
class RowReader {
 public:
  explicit RowReader(Rows& rows) : rows_(rows) {}
  void columns_from(const PGresult* result) {
    if (described_) return;
    described_ = true;
    int count = PQnfields(result);
    for (int i = 0; i < count; ++i) {
      rows_.columns.emplace_back(PQfname(result, i));
      types_.push_back(PQftype(result, i));
      rows_.types.push_back(postgres::duck_type(types_.back(), PQfmod(result, i)));
    }
    make_names_unique(rows_.columns);
  }
  void add_rows(const PGresult* result) {
    columns_from(result);
    int count = PQntuples(result);
    int fields = PQnfields(result);
    for (int r = 0; r < count; ++r) {
      std::vector<Value> row;
      row.reserve(static_cast<std::size_t>(fields));
      for (int c = 0; c < fields; ++c) {
        if (PQgetisnull(result, r, c)) {
          row.emplace_back(nullptr);
        } else {
          std::string_view text(PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c)));
          row.push_back(postgres::decode_text(types_[static_cast<std::size_t>(c)], text));
        }
        rows_.bytes += measure_cell(row.back());
      }
      rows_.rows.push_back(std::move(row));
    }
  }

 private:
  Rows& rows_;
  bool described_ = false;
  std::vector<Oid> types_;
};

class PostgresCursor;

class PostgresConnection : public Connection {
 public:
  explicit PostgresConnection(const config::DatasourceConfig& config)
      : name_(config.name), read_only_(!config.allow_writes), timeout_ms_(config.integer("statement_timeout_ms").value_or(30'000)) {
    std::string host = config.text("host").value_or("localhost");
    std::string port = std::to_string(config.integer("port").value_or(5432));
    std::string database = config.text("database").value_or("");
    std::string user = config.text("user").value_or("");
    std::string password;
    if (config.has_secret("password")) {
      try {
        password = config::resolve_secret(config, "password");
      } catch (const config::SecretError& e) {
        throw DatasourceError(e.what());
      }
    }
    // libpq counts whole seconds (and treats 1 as 2).
    std::string connect_timeout = std::to_string(std::max<std::int64_t>(1, (config.integer("connect_timeout_ms").value_or(10'000) + 999) / 1000));
    std::string sslmode = config.text("sslmode").value_or("prefer");
    std::string sslrootcert = config.text("sslrootcert").value_or("");
    std::string application_name = config.text("application_name").value_or("analysis-sandbox");
    std::vector<const char*> keys, values;
    auto add = [&](const char* key, const std::string& value) {
      if (value.empty()) return;
      keys.push_back(key);
      values.push_back(value.c_str());
    };
    add("host", host);
    add("port", port);
    add("dbname", database);
    add("user", user);
    add("password", password);
    add("connect_timeout", connect_timeout);
    add("sslmode", sslmode);
    add("sslrootcert", sslrootcert);
    add("application_name", application_name);
    const std::string encoding = "UTF8";
    add("client_encoding", encoding);
    keys.push_back(nullptr);
    values.push_back(nullptr);
    where_ = fmt::format("postgres at {}:{}, database '{}'{}", host, port, database, user.empty() ? "" : fmt::format(", user '{}'", user));
    connection_.reset(PQconnectdbParams(keys.data(), values.data(), 0));
    if (!connection_) throw DatasourceError(fmt::format("cannot connect to datasource '{}' ({}): out of memory", name_, where_));
    if (PQstatus(connection_.get()) != CONNECTION_OK) {
      throw DatasourceError(fmt::format("cannot connect to datasource '{}' ({}): {}", name_, where_, trim(PQerrorMessage(connection_.get()))));
    }
    cancel_.reset(PQgetCancel(connection_.get()));
    // NOTICEs (e.g. "table ... does not exist, skipping") would go to the server's stderr.
    PQsetNoticeProcessor(connection_.get(), [](void*, const char*) {}, nullptr);
  }

  Rows query(const std::string& sql, const std::vector<Value>& params, const StatementLimits& limits, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    begin(stop);
    Rows rows;
    RowReader reader(rows);
    BoundParameters bound(params);
    send(sql, bound);
    if (!PQsetSingleRowMode(connection_.get())) fail_link("could not switch to single-row mode");
    std::optional<std::string> error;
    bool too_large = false;
    while (ResultHandle result{PQgetResult(connection_.get())}) {
      ExecStatusType status = PQresultStatus(result.get());
      if (status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK) {
        if (too_large) continue;
        reader.add_rows(result.get());
        if (rows.bytes > limits.max_result_bytes) {
          too_large = true;
          cancel();
        }
      } else if (status != PGRES_COMMAND_OK && !error) {
        error = describe_error(result.get(), stop);
      }
    }
    end(error.has_value() || too_large);
    if (too_large) {
      throw DatasourceError(fmt::format(
          "the result is larger than {} MB (already {} rows); query() is for results that fit in memory: "
          "read large results with stream(sql, params, batchSize)",
          limits.max_result_bytes >> 20, rows.rows.size()));
    }
    if (error) throw_error(*error, stop);
    return rows;
  }

  std::unique_ptr<Cursor> stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) override;

  ExecuteResult execute(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    begin(stop);
    std::int64_t affected = 0;
    std::optional<std::string> error;
    if (params.empty()) {
      // Without parameters the simple protocol runs every statement of the text.
      if (!PQsendQuery(connection_.get(), sql.c_str())) fail_link("could not send the statement");
    } else {
      BoundParameters bound(params);
      send(sql, bound);
    }
    while (ResultHandle result{PQgetResult(connection_.get())}) {
      ExecStatusType status = PQresultStatus(result.get());
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        affected += affected_rows(result.get());
      } else if (!error) {
        error = describe_error(result.get(), stop);
      }
    }
    end(error.has_value());
    if (error) throw_error(*error, stop);
    return {affected};
  }

  ExecuteResult insert(const std::string& table, const std::vector<std::string>& columns,
                       const std::vector<std::vector<Value>>& rows, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    std::string head = "INSERT INTO " + quote_identifier(table, true) + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) head += (i ? ", " : "") + quote_identifier(columns[i]);
    head += ") VALUES ";
    std::size_t per_batch = std::max<std::size_t>(1, std::min(kMaxInsertRows, kMaxParameters / std::max<std::size_t>(1, columns.size())));
    begin(stop);
    std::int64_t affected = 0;
    try {
      for (std::size_t first = 0; first < rows.size(); first += per_batch) {
        std::size_t last = std::min(rows.size(), first + per_batch);
        std::string sql = head;
        std::vector<Value> params;
        params.reserve((last - first) * columns.size());
        for (std::size_t r = first; r < last; ++r) {
          sql += r == first ? "(" : ", (";
          for (std::size_t c = 0; c < columns.size(); ++c) {
            params.push_back(rows[r][c]);
            sql += fmt::format("{}${}", c ? ", " : "", params.size());
          }
          sql += ")";
        }
        BoundParameters bound(params);
        ResultHandle result(PQexecParams(connection_.get(), sql.c_str(), bound.count(), bound.types(), bound.values(), bound.lengths(),
                                         bound.formats(), 0));
        if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) throw_error(describe_error(result.get(), stop), stop);
        affected += affected_rows(result.get());
      }
    } catch (...) {
      end(true);
      throw;
    }
    end(false);
    return {affected};
  }

  ExecuteResult bulk_insert(const std::string& table, const std::vector<std::string>& columns,
                            const std::vector<std::vector<Value>>& rows, std::stop_token stop) override;
  std::optional<std::int64_t> load_into_duckdb(duckdb_connection duck, const std::string& schema, const std::string& table,
                                               const std::string& sql, const std::vector<Value>& params, std::stop_token stop) override;

  void cancel() override {
    char message[256];
    if (cancel_) PQcancel(cancel_.get(), message, sizeof message);
  }

  bool reusable() const override {
    return PQstatus(connection_.get()) == CONNECTION_OK && PQtransactionStatus(connection_.get()) == PQTRANS_IDLE;
  }

  // ---- for the cursor ----
  // Opens the call's transaction. A connection that went bad while idle in the pool (a server
  // restart) is reset once.
  void begin(const std::stop_token& stop) {
    if (stop.stop_requested()) throw StatementCancelled();
    std::string sql = fmt::format(
        "BEGIN{}; SET LOCAL statement_timeout = {}; SET LOCAL DateStyle = ISO; SET LOCAL TimeZone = 'UTC'; "
        "SET LOCAL IntervalStyle = iso_8601; SET LOCAL bytea_output = hex; SET LOCAL extra_float_digits = 1",
        read_only_ ? " READ ONLY" : "", timeout_ms_);
    for (int attempt = 0;; ++attempt) {
      ResultHandle result(PQexec(connection_.get(), sql.c_str()));
      if (PQresultStatus(result.get()) == PGRES_COMMAND_OK) return;
      if (attempt == 0 && PQstatus(connection_.get()) == CONNECTION_BAD) {
        PQreset(connection_.get());
        cancel_.reset(PQgetCancel(connection_.get()));
        if (PQstatus(connection_.get()) == CONNECTION_OK) continue;
        throw DatasourceError(fmt::format("lost the connection to datasource '{}' ({}) and could not reconnect: {}", name_, where_,
                                          trim(PQerrorMessage(connection_.get()))));
      }
      std::string error = describe_error(result.get(), stop);
      end(true);
      throw_error(error, stop);
    }
  }

  // Ends the call's transaction: COMMIT when writes are allowed and all went well, else ROLLBACK.
  void end(bool failed) {
    if (PQstatus(connection_.get()) != CONNECTION_OK) return;
    const char* sql = (!failed && !read_only_) ? "COMMIT" : "ROLLBACK";
    ResultHandle result(PQexec(connection_.get(), sql));
    if (!failed && PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      throw DatasourceError(fmt::format("{} failed: {}", sql, trim(PQresultErrorMessage(result.get()))));
    }
  }

  void send(const std::string& sql, const BoundParameters& bound) {
    if (!PQsendQueryParams(connection_.get(), sql.c_str(), bound.count(), bound.types(), bound.values(), bound.lengths(), bound.formats(),
                           0)) {
      fail_link("could not send the statement");
    }
  }

  PGconn* handle() const { return connection_.get(); }

  // An error of a statement the run's stop cancelled is reported as the cancellation.
  [[noreturn]] static void throw_error(const std::string& message, const std::stop_token& stop) {
    if (stop.stop_requested()) throw StatementCancelled();
    throw DatasourceError(message);
  }

  // The server's error in the words the script should read.
  std::string describe_error(const PGresult* result, const std::stop_token& stop) const {
    if (!result) return fmt::format("lost the connection to datasource '{}': {}", name_, trim(PQerrorMessage(connection_.get())));
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    std::string sqlstate = state ? state : "";
    if (sqlstate == "57014" && !stop.stop_requested()) {  // query_canceled by the statement timeout (not by us)
      std::string primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : "";
      if (primary.find("statement timeout") != std::string::npos) {
        return fmt::format("the statement ran longer than statement_timeout_ms = {} and was cancelled by the server", timeout_ms_);
      }
    }
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    std::string message = primary ? primary : trim(PQresultErrorMessage(result));
    if (message.empty()) message = trim(PQerrorMessage(connection_.get()));
    if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) message += fmt::format(" (detail: {})", detail);
    if (const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)) message += fmt::format(" (hint: {})", hint);
    if (const char* position = PQresultErrorField(result, PG_DIAG_STATEMENT_POSITION)) message += fmt::format(" at character {}", position);
    if (sqlstate == "25006") {  // read_only_sql_transaction
      message += fmt::format(" (datasource '{}' is read-only: allow_writes = false in its configuration)", name_);
    }
    return message;
  }

 private:
  static std::int64_t affected_rows(const PGresult* result) {
    const char* text = PQcmdTuples(const_cast<PGresult*>(result));
    std::int64_t count = 0;
    if (text && *text) std::from_chars(text, text + std::strlen(text), count);
    return count;
  }

  std::optional<std::int64_t> copy_into_duckdb(duckdb_connection duck, const std::string& schema, const std::string& table,
                                               const std::string& sql, const std::stop_token& stop);
  // Leaves a COPY that an error interrupted, so that ROLLBACK can run: a COPY TO is cancelled
  // and its rest read and dropped, a COPY FROM ended with an error.
  void abandon_copy();
  // Reads the results of the statement in flight to the end; the first error, if any.
  std::optional<std::string> drain_results(const std::stop_token& stop, std::int64_t* affected = nullptr);

  [[noreturn]] void fail_link(const char* what) {
    throw DatasourceError(fmt::format("{} to datasource '{}': {}", what, name_, trim(PQerrorMessage(connection_.get()))));
  }

  std::string name_;
  bool read_only_;
  std::int64_t timeout_ms_;
  std::string where_;
  ConnectionHandle connection_;
  CancelHandle cancel_;
};

CallGuard::CallGuard(PostgresConnection& connection, const std::stop_token& stop)
    : on_stop_(stop, [&connection] { connection.cancel(); }) {}

std::optional<std::string> PostgresConnection::drain_results(const std::stop_token& stop, std::int64_t* affected) {
  std::optional<std::string> error;
  while (ResultHandle result{PQgetResult(connection_.get())}) {
    ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      if (affected) *affected += affected_rows(result.get());
    } else if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
      abandon_copy();  // not expected: a statement we did not mean to be a COPY
      if (!error) error = "the statement unexpectedly started a COPY";
    } else if (!error) {
      error = describe_error(result.get(), stop);
    }
  }
  return error;
}

void PostgresConnection::abandon_copy() {
  PGconn* connection = connection_.get();
  if (PQtransactionStatus(connection) != PQTRANS_ACTIVE) return;
  ResultHandle state(PQgetResult(connection));  // in COPY mode this reports which COPY, without reading
  ExecStatusType status = PQresultStatus(state.get());
  if (status == PGRES_COPY_IN) {
    PQputCopyEnd(connection, "abandoned by the client");
  } else if (status == PGRES_COPY_OUT) {
    cancel();
    char* data = nullptr;
    int length = 0;
    while ((length = PQgetCopyData(connection, &data, 0)) > 0) PQfreemem(data);
  }
  while (ResultHandle rest{PQgetResult(connection)}) {
    if (PQresultStatus(rest.get()) == PGRES_COPY_IN || PQresultStatus(rest.get()) == PGRES_COPY_OUT) break;  // the link is broken
  }
}

std::optional<std::int64_t> PostgresConnection::load_into_duckdb(duckdb_connection duck, const std::string& schema, const std::string& table,
                                                                 const std::string& sql, const std::vector<Value>& params, std::stop_token stop) {
  // COPY cannot take parameters; the cursor path binds them on the server.
  if (!params.empty()) return std::nullopt;
  CallGuard guard(*this, stop);
  begin(stop);
  std::optional<std::int64_t> rows;
  try {
    rows = copy_into_duckdb(duck, schema, table, sql, stop);
  } catch (...) {
    abandon_copy();
    end(true);
    throw;
  }
  end(true);
  return rows;
}

std::optional<std::int64_t> PostgresConnection::copy_into_duckdb(duckdb_connection duck, const std::string& schema, const std::string& table,
                                                                 const std::string& sql, const std::stop_token& stop) {
  PGconn* connection = connection_.get();
  // The statement's columns and types, without running it.
  ResultHandle prepared(PQprepare(connection, "", sql.c_str(), 0, nullptr));
  if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) throw_error(describe_error(prepared.get(), stop), stop);
  ResultHandle description(PQdescribePrepared(connection, ""));
  if (PQresultStatus(description.get()) != PGRES_COMMAND_OK) throw_error(describe_error(description.get(), stop), stop);
  int fields = PQnfields(description.get());
  // No columns (not a query) or parameters: the cursor path says what is wrong.
  if (fields == 0 || PQnparams(description.get()) > 0) return std::nullopt;
  std::vector<std::string> names;
  std::vector<postgres::BinaryColumn> columns;
  std::vector<DuckColumn> types;
  for (int i = 0; i < fields; ++i) {
    auto column = postgres::binary_column(PQftype(description.get(), i), PQfmod(description.get(), i));
    if (!column) return std::nullopt;  // a type the text path decides from the values
    names.emplace_back(PQfname(description.get(), i));
    columns.push_back(*column);
    types.push_back(column->duck);
  }
  make_names_unique(names);

  // The statement goes inside COPY ( ... ): without a trailing ';', and the ')' on its own line
  // so that a trailing -- comment cannot swallow it.
  std::string body = sql;
  while (!body.empty() && (body.back() == ';' || std::isspace(static_cast<unsigned char>(body.back())))) body.pop_back();
  DuckChunkWriter writer(duck, schema, table, names, types, stop);
  std::string copy = "COPY (" + body + "\n) TO STDOUT (FORMAT binary)";
  if (!PQsendQuery(connection, copy.c_str())) fail_link("could not send the statement");
  {
    ResultHandle started(PQgetResult(connection));
    if (PQresultStatus(started.get()) != PGRES_COPY_OUT) {
      std::string error = describe_error(started.get(), stop);
      drain_results(stop);
      throw_error(error, stop);
    }
  }
  // The COPY is read and decoded on a thread of its own while this one runs DuckDB's statement
  // that takes the chunks (and compresses and writes row groups as they fill): the server, the
  // decoding and DuckDB's work overlap instead of taking turns.
  std::exception_ptr read_failure;
  std::int64_t rows = 0;
  {
    std::jthread reader([&] {
      try {
        DuckChunkBuilder builder(types);
        postgres::read_binary_copy(connection, columns, builder, [&](duck::DataChunk chunk) { return writer.push(std::move(chunk)); }, stop);
        writer.finish();
      } catch (...) {
        read_failure = std::current_exception();
        writer.fail();
      }
    });
    try {
      rows = writer.write();
    } catch (...) {
      // The reader stops at its next chunk (write() failed the stream); the COPY is abandoned by
      // the caller. A source failure is the better message than DuckDB's "the source failed".
      reader.join();
      if (read_failure) std::rethrow_exception(read_failure);
      throw;
    }
  }  // the reader has ended
  if (read_failure) std::rethrow_exception(read_failure);
  if (auto error = drain_results(stop)) throw_error(*error, stop);
  return rows;
}

ExecuteResult PostgresConnection::bulk_insert(const std::string& table, const std::vector<std::string>& columns,
                                              const std::vector<std::vector<Value>>& rows, std::stop_token stop) {
  // Rows are sent in pieces of about this size.
  constexpr std::size_t kCopyPieceBytes = 1u << 20;
  CallGuard guard(*this, stop);
  std::string copy = "COPY " + quote_identifier(table, true) + " (";
  for (std::size_t i = 0; i < columns.size(); ++i) copy += (i ? ", " : "") + quote_identifier(columns[i]);
  copy += ") FROM STDIN";
  PGconn* connection = connection_.get();
  begin(stop);
  std::int64_t affected = 0;
  try {
    {
      ResultHandle started(PQexec(connection, copy.c_str()));
      if (PQresultStatus(started.get()) != PGRES_COPY_IN) throw_error(describe_error(started.get(), stop), stop);
    }
    std::string piece;
    piece.reserve(kCopyPieceBytes + 4096);
    auto send_piece = [&] {
      if (piece.empty()) return;
      if (stop.stop_requested()) throw StatementCancelled();
      if (PQputCopyData(connection, piece.data(), static_cast<int>(piece.size())) != 1) fail_link("could not send COPY data");
      piece.clear();
    };
    for (const auto& row : rows) {
      postgres::append_copy_text_row(piece, row);
      if (piece.size() >= kCopyPieceBytes) send_piece();
    }
    send_piece();
    if (PQputCopyEnd(connection, nullptr) != 1) fail_link("could not end the COPY");
    if (auto error = drain_results(stop, &affected)) throw_error(*error, stop);
  } catch (...) {
    abandon_copy();
    end(true);
    throw;
  }
  end(false);
  return {affected};
}

// DECLARE ... CURSOR inside the call's transaction; FETCH FORWARD n per batch; CLOSE and
// ROLLBACK when destroyed.
class PostgresCursor : public Cursor {
 public:
  explicit PostgresCursor(PostgresConnection& connection) : connection_(connection) {}
  PostgresCursor(const PostgresCursor&) = delete;
  PostgresCursor& operator=(const PostgresCursor&) = delete;
  ~PostgresCursor() override {
    if (open_) connection_.end(true);  // ROLLBACK closes the cursor too
  }

  void open(const std::string& sql, const std::vector<Value>& params, const std::stop_token& stop) {
    CallGuard guard(connection_, stop);
    connection_.begin(stop);
    open_ = true;
    BoundParameters bound(params);
    std::string declare = "DECLARE as_stream NO SCROLL CURSOR FOR " + sql;
    ResultHandle result(PQexecParams(connection_.handle(), declare.c_str(), bound.count(), bound.types(), bound.values(), bound.lengths(),
                                     bound.formats(), 0));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) PostgresConnection::throw_error(connection_.describe_error(result.get(), stop), stop);
  }

  Rows fetch(std::size_t max_rows, std::stop_token stop) override {
    Rows rows;
    if (!open_) {
      rows.columns = columns_;
      return rows;
    }
    CallGuard guard(connection_, stop);
    if (stop.stop_requested()) throw StatementCancelled();
    std::string sql = fmt::format("FETCH FORWARD {} FROM as_stream", std::max<std::size_t>(1, max_rows));
    ResultHandle result(PQexec(connection_.handle(), sql.c_str()));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) PostgresConnection::throw_error(connection_.describe_error(result.get(), stop), stop);
    RowReader reader(rows);
    reader.add_rows(result.get());
    if (columns_.empty()) columns_ = rows.columns;
    if (rows.rows.empty()) {
      open_ = false;
      connection_.end(true);
    }
    return rows;
  }

 private:
  PostgresConnection& connection_;
  bool open_ = false;
  std::vector<std::string> columns_;
};

std::unique_ptr<Cursor> PostgresConnection::stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) {
  auto cursor = std::make_unique<PostgresCursor>(*this);
  cursor->open(sql, params, stop);
  return cursor;
}

}  // namespace

std::unique_ptr<Connection> connect_postgres(const config::DatasourceConfig& config) {
  return std::make_unique<PostgresConnection>(config);
}

}  // namespace as::datasources
