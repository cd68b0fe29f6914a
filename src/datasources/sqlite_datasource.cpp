#include "sqlite_datasource.h"

#include <sqlite3.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <mutex>
#include <strings.h>

#include <fmt/format.h>

#include "datasource_error.h"
#include "identifiers.h"

namespace as::datasources {
namespace {

using Clock = std::chrono::steady_clock;

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, CloseDatabase>;
using StatementHandle = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// The progress handler looks at the stop flag and the clock every this many VM instructions.
constexpr int kProgressInstructions = 1000;

// Refuses ATTACH and DETACH: they would reach files other than the datasource's own.
int authorize(void*, int action, const char*, const char*, const char*, const char*) {
  return action == SQLITE_ATTACH || action == SQLITE_DETACH ? SQLITE_DENY : SQLITE_OK;
}

bool is_json_declared(sqlite3_stmt* statement, int column) {
  const char* declared = sqlite3_column_decltype(statement, column);
  return declared && (strcasecmp(declared, "JSON") == 0 || strcasecmp(declared, "JSONB") == 0);
}

Value read_cell(sqlite3_stmt* statement, int column, bool json) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_NULL: return Value(nullptr);
    case SQLITE_INTEGER: return integer_cell(sqlite3_column_int64(statement, column));
    case SQLITE_FLOAT: return Value(sqlite3_column_double(statement, column));
    case SQLITE_BLOB: {
      const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement, column));
      int size = sqlite3_column_bytes(statement, column);
      return Value(Bytes(data, data + size));
    }
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
      std::string_view view(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
      if (json) {
        try {
          return parse_json(view);
        } catch (const std::invalid_argument&) {
          // A JSON column holding something else is returned as the text it holds.
        }
      }
      return Value(std::string(view));
    }
  }
}

class SqliteConnection;

// Arms cancellation for one call: the stop token and the statement timeout interrupt whatever
// runs on the connection until the guard ends.
class CallGuard {
 public:
  CallGuard(SqliteConnection& connection, const std::stop_token& stop);
  CallGuard(const CallGuard&) = delete;
  CallGuard& operator=(const CallGuard&) = delete;
  ~CallGuard();

 private:
  SqliteConnection& connection_;
  std::stop_callback<std::function<void()>> on_stop_;
};

class SqliteCursor;

class SqliteConnection : public Connection {
 public:
  explicit SqliteConnection(const config::DatasourceConfig& config)
      : name_(config.name), read_only_(!config.allow_writes),
        timeout_(std::chrono::milliseconds(config.integer("statement_timeout_ms").value_or(30'000))) {
    std::string path = config.text("path").value_or("");
    int flags = read_only_ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_FULLMUTEX, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) {
      std::string why = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
      throw DatasourceError(fmt::format("cannot open datasource '{}' (sqlite file {}{}): {}", name_, path,
                                        read_only_ ? ", read-only" : "", why));
    }
    sqlite3_extended_result_codes(db_.get(), 1);
    sqlite3_busy_timeout(db_.get(), static_cast<int>(config.integer("busy_timeout_ms").value_or(5000)));
    sqlite3_limit(db_.get(), SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_set_authorizer(db_.get(), authorize, nullptr);
    sqlite3_progress_handler(db_.get(), kProgressInstructions, &SqliteConnection::progress, this);
    if (read_only_) run_plain("PRAGMA query_only = 1");
  }

  Rows query(const std::string& sql, const std::vector<Value>& params, const StatementLimits& limits, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    StatementHandle statement = prepare_single(sql, "query");
    bind(statement.get(), params);
    Rows rows = describe(statement.get());
    step_rows(statement.get(), rows, SIZE_MAX, limits.max_result_bytes);
    return rows;
  }

  std::unique_ptr<Cursor> stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) override;

  ExecuteResult execute(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    std::int64_t before = sqlite3_total_changes64(db_.get());
    if (!params.empty()) {
      StatementHandle statement = prepare_single(sql, "execute");
      bind(statement.get(), params);
      run_to_end(statement.get());
    } else {
      const char* rest = sql.c_str();
      const char* end = sql.c_str() + sql.size();
      bool any = false;
      while (rest < end) {
        sqlite3_stmt* raw = nullptr;
        const char* tail = nullptr;
        check(sqlite3_prepare_v2(db_.get(), rest, static_cast<int>(end - rest), &raw, &tail));
        StatementHandle statement(raw);
        rest = tail;
        if (!statement) continue;  // whitespace or a comment
        any = true;
        run_to_end(statement.get());
      }
      if (!any) throw DatasourceError("the SQL holds no statement");
    }
    return {sqlite3_total_changes64(db_.get()) - before};
  }

  ExecuteResult insert(const std::string& table, const std::vector<std::string>& columns,
                       const std::vector<std::vector<Value>>& rows, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    std::string sql = "INSERT INTO " + quote_identifier(table, true) + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + quote_identifier(columns[i]);
    sql += ") VALUES (";
    for (std::size_t i = 0; i < columns.size(); ++i) sql += i ? ", ?" : "?";
    sql += ")";
    run_plain("BEGIN IMMEDIATE");
    try {
      StatementHandle statement = prepare_single(sql, "insert");
      for (const auto& row : rows) {
        bind(statement.get(), row);
        run_to_end(statement.get());
        sqlite3_reset(statement.get());
      }
      run_plain("COMMIT");
    } catch (...) {
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    return {static_cast<std::int64_t>(rows.size())};
  }

  void cancel() override {
    cancel_requested_.store(true);
    sqlite3_interrupt(db_.get());
  }

  bool reusable() const override { return sqlite3_get_autocommit(db_.get()) != 0; }

  // ---- for CallGuard and SqliteCursor ----
  void arm() {
    cancel_requested_.store(false);
    deadline_ = Clock::now() + timeout_;
  }
  void disarm() { deadline_ = Clock::time_point::max(); }

  Rows describe(sqlite3_stmt* statement) const {
    Rows rows;
    int count = sqlite3_column_count(statement);
    for (int i = 0; i < count; ++i) {
      const char* name = sqlite3_column_name(statement, i);
      rows.columns.emplace_back(name ? name : "");
    }
    make_names_unique(rows.columns);
    return rows;
  }

  // Steps up to `max_rows` rows into `rows`; returns false once the statement is done.
  bool step_rows(sqlite3_stmt* statement, Rows& rows, std::size_t max_rows, std::size_t max_bytes) {
    int count = sqlite3_column_count(statement);
    std::vector<bool> json(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) json[static_cast<std::size_t>(i)] = is_json_declared(statement, i);
    while (rows.rows.size() < max_rows) {
      int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) return false;
      if (rc != SQLITE_ROW) check(rc);
      std::vector<Value> row;
      row.reserve(static_cast<std::size_t>(count));
      for (int i = 0; i < count; ++i) {
        row.push_back(read_cell(statement, i, json[static_cast<std::size_t>(i)]));
        rows.bytes += measure_cell(row.back());
      }
      rows.rows.push_back(std::move(row));
      if (rows.bytes > max_bytes) {
        throw DatasourceError(fmt::format(
            "the result is larger than {} MB (already {} rows); query() is for results that fit in memory: "
            "read large results with stream(sql, params, batchSize)",
            max_bytes >> 20, rows.rows.size()));
      }
    }
    return true;
  }

  StatementHandle prepare_single(const std::string& sql, const char* method) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    check(sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, &tail));
    StatementHandle statement(raw);
    if (!statement) throw DatasourceError("the SQL holds no statement");
    sqlite3_stmt* next = nullptr;
    const char* end = sql.c_str() + sql.size();
    if (tail && tail < end && sqlite3_prepare_v2(db_.get(), tail, static_cast<int>(end - tail), &next, nullptr) == SQLITE_OK && next) {
      sqlite3_finalize(next);
      throw DatasourceError(fmt::format("{}() runs one SQL statement, and this SQL holds more than one{}", method,
                                        std::string_view(method) == "execute" ? " (without parameters execute() runs several)"
                                                                              : ""));
    }
    return statement;
  }

 private:
  static int progress(void* self) {
    auto* connection = static_cast<SqliteConnection*>(self);
    if (connection->cancel_requested_.load()) return 1;
    if (Clock::now() >= connection->deadline_) {
      connection->timed_out_ = true;
      return 1;
    }
    return 0;
  }

  void bind(sqlite3_stmt* statement, const std::vector<Value>& params) {
    int expected = sqlite3_bind_parameter_count(statement);
    if (static_cast<std::size_t>(expected) != params.size()) {
      throw DatasourceError(fmt::format("the statement has {} parameter{} but {} value{} given", expected, expected == 1 ? "" : "s",
                                        params.size(), params.size() == 1 ? " was" : "s were"));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& value = params[i];
      check_bindable(value, i + 1);
      int index = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (value.is_null()) {
        rc = sqlite3_bind_null(statement, index);
      } else if (value.is<bool>()) {
        rc = sqlite3_bind_int(statement, index, value.as<bool>() ? 1 : 0);
      } else if (value.is<double>()) {
        double number = value.as<double>();
        if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.2e18) {
          rc = sqlite3_bind_int64(statement, index, static_cast<sqlite3_int64>(number));
        } else {
          rc = sqlite3_bind_double(statement, index, number);
        }
      } else if (value.is<std::string>()) {
        const auto& text = value.as<std::string>();
        rc = sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else if (value.is<BigInt>()) {
        const auto& digits = value.as<BigInt>().decimal;
        std::int64_t number = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
        if (ec == std::errc() && end == digits.data() + digits.size()) {
          rc = sqlite3_bind_int64(statement, index, number);
        } else {
          rc = sqlite3_bind_text64(statement, index, digits.data(), digits.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        }
      } else if (value.is<Timestamp>()) {
        std::string text = iso8601_utc(value.as<Timestamp>().epoch_ms);
        rc = sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else if (value.is<Bytes>()) {
        const auto& bytes = value.as<Bytes>();
        rc = sqlite3_bind_blob64(statement, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
      }
      check(rc);
    }
  }

  void run_to_end(sqlite3_stmt* statement) {
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) check(rc);
  }

  void run_plain(const char* sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
    std::unique_ptr<char, decltype(&sqlite3_free)> owned(message, sqlite3_free);
    if (rc != SQLITE_OK) check(rc);
  }

 public:
  // Throws the error `rc` stands for, in the words the script should read.
  void check(int rc) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    if ((rc & 0xff) == SQLITE_INTERRUPT) {
      if (timed_out_) {
        timed_out_ = false;
        throw DatasourceError(fmt::format("the statement ran longer than statement_timeout_ms = {} and was stopped",
                                          std::chrono::duration_cast<std::chrono::milliseconds>(timeout_).count()));
      }
      throw StatementCancelled();
    }
    std::string message = sqlite3_errmsg(db_.get());
    if ((rc & 0xff) == SQLITE_READONLY || (read_only_ && message.find("query_only") != std::string::npos)) {
      message += fmt::format(" (datasource '{}' is read-only: allow_writes = false in its configuration)", name_);
    } else if ((rc & 0xff) == SQLITE_AUTH) {
      message += " (ATTACH and DETACH are not allowed: a datasource reaches its own database file only)";
    }
    throw DatasourceError(message);
  }

 private:
  std::string name_;
  bool read_only_;
  Clock::duration timeout_;
  DatabaseHandle db_;
  std::atomic<bool> cancel_requested_{false};
  Clock::time_point deadline_ = Clock::time_point::max();  // touched only on the statement's thread
  bool timed_out_ = false;
};

CallGuard::CallGuard(SqliteConnection& connection, const std::stop_token& stop)
    : connection_((connection.arm(), connection)), on_stop_(stop, [&connection] { connection.cancel(); }) {
  if (stop.stop_requested()) throw StatementCancelled();
}

CallGuard::~CallGuard() { connection_.disarm(); }

class SqliteCursor : public Cursor {
 public:
  SqliteCursor(SqliteConnection& connection, StatementHandle statement)
      : connection_(connection), statement_(std::move(statement)), template_(connection.describe(statement_.get())) {}

  Rows fetch(std::size_t max_rows, std::stop_token stop) override {
    Rows rows;
    rows.columns = template_.columns;
    if (done_) return rows;
    CallGuard guard(connection_, stop);
    done_ = !connection_.step_rows(statement_.get(), rows, max_rows == 0 ? 1 : max_rows, SIZE_MAX);
    return rows;
  }

 private:
  SqliteConnection& connection_;
  StatementHandle statement_;
  Rows template_;
  bool done_ = false;
};

std::unique_ptr<Cursor> SqliteConnection::stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) {
  CallGuard guard(*this, stop);
  StatementHandle statement = prepare_single(sql, "stream");
  bind(statement.get(), params);
  return std::make_unique<SqliteCursor>(*this, std::move(statement));
}

}  // namespace

std::unique_ptr<Connection> connect_sqlite(const config::DatasourceConfig& config) {
  return std::make_unique<SqliteConnection>(config);
}

}  // namespace as::datasources
