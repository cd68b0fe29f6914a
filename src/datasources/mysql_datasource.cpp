#include "mysql_datasource.h"

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>

#include <fmt/format.h>

#include "config/secrets.h"
#include "datasource_error.h"
#include "identifiers.h"
#include "mysql_values.h"
#include "postgres_values.h"

namespace as::datasources {
namespace {

struct CloseConnection {
  void operator()(MYSQL* connection) const { mysql_close(connection); }
};
struct CloseStatement {
  void operator()(MYSQL_STMT* statement) const { mysql_stmt_close(statement); }
};
struct FreeResult {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};
using ConnectionHandle = std::unique_ptr<MYSQL, CloseConnection>;
using StatementHandle = std::unique_ptr<MYSQL_STMT, CloseStatement>;
using ResultHandle = std::unique_ptr<MYSQL_RES, FreeResult>;

// MySQL takes at most 65535 placeholders in one statement; past a few thousand, preparing a
// statement costs more than the round trips it saves (measured: 1,000 rows of 6 columns per
// statement 2.5 times faster than 10,000).
constexpr std::size_t kMaxParameters = 65535;
constexpr std::size_t kMaxInsertRows = 1000;
// An INSERT of insert() sends at most this many bytes of values (less when the server's
// max_allowed_packet is smaller): larger statements gain little and cost the server memory.
constexpr std::size_t kMaxInsertBytes = 8u << 20;
// The value of a cell a row does not have.
const Value kNull;
constexpr unsigned kBinaryCharset = 63;
// MySQL's own code for max_execution_time (MariaDB's is ER_STATEMENT_TIMEOUT, 1969).
constexpr unsigned kMysqlExecutionTimeExceeded = 3024;
constexpr unsigned kMariadbStatementTimeout = 1969;

// Where to connect, kept so cancel() can open a second connection for KILL QUERY.
struct ServerAddress {
  std::string host, database, user, password, ssl_mode, ssl_ca;
  unsigned port = 3306;
  unsigned connect_timeout_s = 10;
};

// A connected handle, or DatasourceError with the client's reason.
ConnectionHandle open_connection(const ServerAddress& address, unsigned long flags, std::string& error) {
  ConnectionHandle connection(mysql_init(nullptr));
  if (!connection) {
    error = "out of memory";
    return nullptr;
  }
  MYSQL* handle = connection.get();
  mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &address.connect_timeout_s);
  mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (address.ssl_mode != "disabled" && address.ssl_mode != "preferred") {
    my_bool enforce = 1;
    mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &enforce);
    if (address.ssl_mode == "verify-ca" || address.ssl_mode == "verify-identity") {
      my_bool verify = 1;
      mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    }
  }
  if (!address.ssl_ca.empty()) mysql_options(handle, MYSQL_OPT_SSL_CA, address.ssl_ca.c_str());
  if (!mysql_real_connect(handle, address.host.c_str(), address.user.empty() ? nullptr : address.user.c_str(),
                          address.password.empty() ? nullptr : address.password.c_str(),
                          address.database.empty() ? nullptr : address.database.c_str(), address.port, nullptr, flags)) {
    error = mysql_error(handle);
    return nullptr;
  }
  return connection;
}

// Parameters as MYSQL_BIND: storage that stays put while the statement uses it.
class BoundParameters {
 public:
  explicit BoundParameters(const std::vector<Value>& params) : BoundParameters(pointers(params)) {}
  // The values the pointers show, which must outlive this object (insert() binds rows in place).
  explicit BoundParameters(const std::vector<const Value*>& params) : binds_(params.size()), integers_(params.size()),
                                                                      doubles_(params.size()), times_(params.size()),
                                                                      lengths_(params.size()) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& value = *params[i];
      check_bindable(value, i + 1);
      MYSQL_BIND& bind = binds_[i];
      std::memset(&bind, 0, sizeof bind);
      if (value.is_null()) {
        bind.buffer_type = MYSQL_TYPE_NULL;
      } else if (value.is<bool>()) {
        integers_[i] = value.as<bool>() ? 1 : 0;
        bind_integer(bind, i);
      } else if (value.is<double>()) {
        double number = value.as<double>();
        if (!std::isfinite(number)) {
          throw DatasourceError(fmt::format("parameter {} is {}, which MySQL and MariaDB cannot store", i + 1, number));
        }
        if (std::trunc(number) == number && std::fabs(number) < 9.2e18) {
          integers_[i] = static_cast<long long>(number);
          bind_integer(bind, i);
        } else {
          doubles_[i] = number;
          bind.buffer_type = MYSQL_TYPE_DOUBLE;
          bind.buffer = &doubles_[i];
        }
      } else if (value.is<std::string>()) {
        bind_bytes(bind, i, MYSQL_TYPE_STRING, value.as<std::string>().data(), value.as<std::string>().size());
      } else if (value.is<BigInt>()) {
        // Digits as a decimal: the server converts them to the column's integer type exactly.
        bind_bytes(bind, i, MYSQL_TYPE_NEWDECIMAL, value.as<BigInt>().decimal.data(), value.as<BigInt>().decimal.size());
      } else if (value.is<Bytes>()) {
        bind_bytes(bind, i, MYSQL_TYPE_BLOB, value.as<Bytes>().data(), value.as<Bytes>().size());
      } else if (value.is<Timestamp>()) {
        // UTC, as the session's time_zone is: the value reads back unchanged from a TIMESTAMP.
        std::string iso = iso8601_utc(value.as<Timestamp>().epoch_ms);  // YYYY-MM-DDTHH:MM:SS.mmmZ
        MYSQL_TIME& time = times_[i];
        std::memset(&time, 0, sizeof time);
        if (std::sscanf(iso.c_str(), "%4u-%2u-%2uT%2u:%2u:%2u.%3lu", &time.year, &time.month, &time.day, &time.hour, &time.minute,
                        &time.second, &time.second_part) != 7) {
          throw DatasourceError(fmt::format("parameter {} is a Date MySQL cannot take ({})", i + 1, iso));
        }
        time.second_part *= 1000;
        time.time_type = MYSQL_TIMESTAMP_DATETIME;
        bind.buffer_type = MYSQL_TYPE_DATETIME;
        bind.buffer = &time;
      }
    }
  }
  std::size_t count() const { return binds_.size(); }
  MYSQL_BIND* binds() { return binds_.data(); }

 private:
  static std::vector<const Value*> pointers(const std::vector<Value>& params) {
    std::vector<const Value*> out;
    out.reserve(params.size());
    for (const Value& value : params) out.push_back(&value);
    return out;
  }
  void bind_integer(MYSQL_BIND& bind, std::size_t i) {
    bind.buffer_type = MYSQL_TYPE_LONGLONG;
    bind.buffer = &integers_[i];
  }
  void bind_bytes(MYSQL_BIND& bind, std::size_t i, enum_field_types type, const void* data, std::size_t size) {
    bind.buffer_type = type;
    bind.buffer = const_cast<void*>(data);
    bind.buffer_length = static_cast<unsigned long>(size);
    lengths_[i] = static_cast<unsigned long>(size);
    bind.length = &lengths_[i];
  }

  std::vector<MYSQL_BIND> binds_;
  std::vector<long long> integers_;
  std::vector<double> doubles_;
  std::vector<MYSQL_TIME> times_;
  std::vector<unsigned long> lengths_;
};

// How a result column is read and mapped.
enum class ColumnKind { Integer, Unsigned, Float, Double, Date, DateTime, Timestamp, Time, Decimal, Text, Json, Bytes, Bits };

bool is_json_column(const MYSQL_FIELD* field) {
  if (field->type == MYSQL_TYPE_JSON) return true;
  MARIADB_CONST_STRING format{};
  return mariadb_field_attr(&format, field, MARIADB_FIELD_ATTR_FORMAT_NAME) == 0 && format.length == 4 &&
         std::strncmp(format.str, "json", 4) == 0;
}

ColumnKind kind_of(const MYSQL_FIELD* field) {
  switch (field->type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR: return (field->flags & UNSIGNED_FLAG) ? ColumnKind::Unsigned : ColumnKind::Integer;
    case MYSQL_TYPE_FLOAT: return ColumnKind::Float;
    case MYSQL_TYPE_DOUBLE: return ColumnKind::Double;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE: return ColumnKind::Date;
    case MYSQL_TYPE_DATETIME: return ColumnKind::DateTime;
    case MYSQL_TYPE_TIMESTAMP: return ColumnKind::Timestamp;
    case MYSQL_TYPE_TIME: return ColumnKind::Time;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: return ColumnKind::Decimal;
    case MYSQL_TYPE_BIT: return ColumnKind::Bits;
    default:
      if (is_json_column(field)) return ColumnKind::Json;
      return field->charsetnr == kBinaryCharset ? ColumnKind::Bytes : ColumnKind::Text;
  }
}

// The precision of a DECIMAL column from its display length (digits, plus a sign unless
// unsigned, plus a point when there is a scale), as the server's own
// my_decimal_length_to_precision computes it.
unsigned decimal_precision(const MYSQL_FIELD* field) {
  unsigned long length = field->length;
  if (field->decimals > 0 && length > 0) --length;
  if (!(field->flags & UNSIGNED_FLAG) && length > 0) --length;
  return static_cast<unsigned>(length);
}

// The DuckDB type ctx.duckdb.load gives a column, from the result's metadata; "" lets the
// values decide (a NULL-typed column, a DECIMAL wider than DuckDB's 38 digits).
std::string duck_type_of(const MYSQL_FIELD* field, ColumnKind kind) {
  switch (kind) {
    case ColumnKind::Integer: return "BIGINT";
    case ColumnKind::Unsigned: return field->type == MYSQL_TYPE_LONGLONG ? "UBIGINT" : "BIGINT";
    case ColumnKind::Float:
    case ColumnKind::Double: return "DOUBLE";
    case ColumnKind::Date: return "DATE";
    case ColumnKind::DateTime: return "TIMESTAMP";
    case ColumnKind::Timestamp: return "TIMESTAMPTZ";  // read in the session's time zone, UTC
    case ColumnKind::Time: return "TIME";
    case ColumnKind::Decimal: {
      unsigned precision = decimal_precision(field);
      if (precision == 0 || precision > 38 || field->decimals > precision) return "";
      return fmt::format("DECIMAL({}, {})", precision, field->decimals);
    }
    case ColumnKind::Json: return kJsonText;  // the JSON text, as PostgreSQL's json
    case ColumnKind::Bytes: return "BLOB";
    case ColumnKind::Bits: return field->length > 63 ? "UBIGINT" : "BIGINT";
    case ColumnKind::Text: return field->type == MYSQL_TYPE_NULL ? "" : "VARCHAR";
  }
  return "";
}

mysql::TimeParts parts_of(const MYSQL_TIME& time) {
  return {time.year, time.month, time.day, time.hour, time.minute, time.second, time.second_part, time.neg != 0};
}

// The result buffers of one statement, bound once and grown when a value does not fit.
class ResultBuffers {
 public:
  ResultBuffers(MYSQL_STMT* statement, MYSQL_RES* metadata, Rows& rows) : statement_(statement) {
    unsigned count = mysql_num_fields(metadata);
    MYSQL_FIELD* fields = mysql_fetch_fields(metadata);
    columns_.resize(count);
    binds_.resize(count);
    for (unsigned i = 0; i < count; ++i) {
      rows.columns.emplace_back(fields[i].name, fields[i].name_length);
      Column& column = columns_[i];
      column.kind = kind_of(&fields[i]);
      rows.types.push_back(duck_type_of(&fields[i], column.kind));
      MYSQL_BIND& bind = binds_[i];
      std::memset(&bind, 0, sizeof bind);
      bind.is_null = &column.is_null;
      bind.length = &column.length;
      bind.error = &column.truncated;
      switch (column.kind) {
        case ColumnKind::Integer:
        case ColumnKind::Unsigned:
          bind.buffer_type = MYSQL_TYPE_LONGLONG;
          bind.buffer = &column.integer;
          bind.is_unsigned = column.kind == ColumnKind::Unsigned;
          break;
        case ColumnKind::Float:
          bind.buffer_type = MYSQL_TYPE_FLOAT;
          bind.buffer = &column.single;
          break;
        case ColumnKind::Double:
          bind.buffer_type = MYSQL_TYPE_DOUBLE;
          bind.buffer = &column.number;
          break;
        case ColumnKind::Date:
        case ColumnKind::DateTime:
        case ColumnKind::Timestamp:
        case ColumnKind::Time:
          bind.buffer_type = fields[i].type == MYSQL_TYPE_NEWDATE ? MYSQL_TYPE_DATE : fields[i].type;
          bind.buffer = &column.time;
          break;
        default:
          column.bytes.resize(256);
          bind.buffer_type = MYSQL_TYPE_BLOB;
          bind.buffer = column.bytes.data();
          bind.buffer_length = static_cast<unsigned long>(column.bytes.size());
      }
    }
    make_names_unique(rows.columns);
    rebind();
  }

  // The next row into `rows`; false when there are no more. Throws the server's error text as
  // `fail(message, errno)` would.
  bool next(Rows& rows, const std::function<void()>& fail) {
    int status = mysql_stmt_fetch(statement_);
    if (status == MYSQL_NO_DATA) return false;
    if (status == 1) fail();
    if (status == MYSQL_DATA_TRUNCATED) refetch_truncated();
    std::vector<Value> row;
    row.reserve(columns_.size());
    for (auto& column : columns_) {
      row.push_back(column.is_null ? Value(nullptr) : cell(column));
      rows.bytes += measure_cell(row.back());
    }
    rows.rows.push_back(std::move(row));
    return true;
  }

 private:
  struct Column {
    ColumnKind kind = ColumnKind::Text;
    my_bool is_null = 0;
    my_bool truncated = 0;
    unsigned long length = 0;
    long long integer = 0;
    float single = 0;
    double number = 0;
    MYSQL_TIME time{};
    std::vector<char> bytes;
  };

  void rebind() {
    if (mysql_stmt_bind_result(statement_, binds_.data())) {
      throw DatasourceError(fmt::format("could not bind the result columns: {}", mysql_stmt_error(statement_)));
    }
  }

  // Values longer than their buffer: grow the buffer, read the value again, keep the size.
  void refetch_truncated() {
    bool grown = false;
    for (unsigned i = 0; i < columns_.size(); ++i) {
      Column& column = columns_[i];
      if (!column.truncated || column.bytes.empty()) continue;
      column.bytes.resize(std::max<std::size_t>(column.length, column.bytes.size() * 2));
      binds_[i].buffer = column.bytes.data();
      binds_[i].buffer_length = static_cast<unsigned long>(column.bytes.size());
      if (mysql_stmt_fetch_column(statement_, &binds_[i], i, 0)) {
        throw DatasourceError(fmt::format("could not read column {}: {}", i + 1, mysql_stmt_error(statement_)));
      }
      grown = true;
    }
    if (grown) rebind();
  }

  static Value cell(const Column& column) {
    std::string_view bytes(column.bytes.data(), std::min<std::size_t>(column.length, column.bytes.size()));
    switch (column.kind) {
      case ColumnKind::Integer: return integer_cell(column.integer);
      case ColumnKind::Unsigned: {
        auto value = static_cast<unsigned long long>(column.integer);
        if (value > static_cast<unsigned long long>(INT64_MAX)) return Value(BigInt{std::to_string(value)});
        return integer_cell(static_cast<std::int64_t>(value));
      }
      // The shortest text of the float is the decimal the column shows (0.1, not 0.100000001).
      case ColumnKind::Float: return Value(std::stod(fmt::format("{}", column.single)));
      case ColumnKind::Double: return Value(column.number);
      case ColumnKind::Date: return Value(mysql::format_date(parts_of(column.time)));
      case ColumnKind::DateTime: return Value(mysql::format_datetime(parts_of(column.time), false));
      case ColumnKind::Timestamp: return Value(mysql::format_datetime(parts_of(column.time), true));
      case ColumnKind::Time: return Value(mysql::format_time(parts_of(column.time)));
      case ColumnKind::Decimal: return postgres::decode_numeric(bytes);
      case ColumnKind::Json:
        try {
          return parse_json(bytes);
        } catch (const std::invalid_argument&) {
          return Value(std::string(bytes));  // a JSON column holding something else
        }
      case ColumnKind::Bytes: return Value(Bytes(bytes.begin(), bytes.end()));
      case ColumnKind::Bits: return mysql::decode_bits(bytes);
      case ColumnKind::Text: break;
    }
    return Value(std::string(bytes));
  }

  MYSQL_STMT* statement_;
  std::vector<Column> columns_;
  std::vector<MYSQL_BIND> binds_;
};

class MysqlConnection;

// Arms cancellation for one call: a stop of the run sends KILL QUERY while the call lasts.
class CallGuard {
 public:
  CallGuard(MysqlConnection& connection, const std::stop_token& stop);

 private:
  std::stop_callback<std::function<void()>> on_stop_;
};

// A statement prepared, bound and executed, its rows not yet read.
struct Executed {
  StatementHandle statement;
  ResultHandle metadata;  // null for a statement without rows
};

class MysqlConnection : public Connection {
 public:
  explicit MysqlConnection(const config::DatasourceConfig& config)
      : name_(config.name), read_only_(!config.allow_writes), timeout_ms_(config.integer("statement_timeout_ms").value_or(30'000)) {
    address_.host = config.text("host").value_or("localhost");
    address_.port = static_cast<unsigned>(config.integer("port").value_or(3306));
    address_.database = config.text("database").value_or("");
    address_.user = config.text("user").value_or("");
    address_.ssl_mode = config.text("ssl_mode").value_or("preferred");
    address_.ssl_ca = config.text("ssl_ca").value_or("");
    address_.connect_timeout_s =
        static_cast<unsigned>(std::max<std::int64_t>(1, (config.integer("connect_timeout_ms").value_or(10'000) + 999) / 1000));
    if (config.has_secret("password")) {
      try {
        address_.password = config::resolve_secret(config, "password");
      } catch (const config::SecretError& e) {
        throw DatasourceError(e.what());
      }
    }
    where_ = fmt::format("mysql at {}:{}, database '{}'{}", address_.host, address_.port, address_.database,
                         address_.user.empty() ? "" : fmt::format(", user '{}'", address_.user));
    std::string error;
    // Several statements in one text: execute() without parameters, and begin() in one round trip.
    connection_ = open_connection(address_, CLIENT_MULTI_STATEMENTS, error);
    if (!connection_) throw DatasourceError(fmt::format("cannot connect to datasource '{}' ({}): {}", name_, where_, error));
    thread_id_ = mysql_thread_id(connection_.get());
    mariadb_ = std::string_view(mysql_get_server_info(connection_.get())).find("MariaDB") != std::string_view::npos;
  }

  Rows query(const std::string& sql, const std::vector<Value>& params, const StatementLimits& limits, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    begin(stop, true);
    Rows rows;
    try {
      Executed executed = run(sql, params, stop);
      if (executed.metadata) {
        ResultBuffers buffers(executed.statement.get(), executed.metadata.get(), rows);
        auto fail = [&] { throw_statement_error(executed.statement.get(), stop); };
        while (buffers.next(rows, fail)) {
          if (rows.bytes > limits.max_result_bytes) {
            cancel();  // the rest is not read: stop the server sending it
            throw DatasourceError(fmt::format(
                "the result is larger than {} MB (already {} rows); query() is for results that fit in memory: "
                "read large results with stream(sql, params, batchSize)",
                limits.max_result_bytes >> 20, rows.rows.size()));
          }
        }
      }
    } catch (...) {
      end(true);
      throw;
    }
    end(false);
    if (stop.stop_requested()) throw StatementCancelled();  // a killed SLEEP() returns a row, not an error
    return rows;
  }

  std::unique_ptr<Cursor> stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) override;

  ExecuteResult execute(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    begin(stop, true);
    std::int64_t affected = 0;
    try {
      if (params.empty()) {
        // Without parameters the text may hold several statements, run in order.
        MYSQL* handle = connection_.get();
        if (mysql_real_query(handle, sql.data(), sql.size())) throw_error(mysql_errno(handle), mysql_error(handle), stop);
        while (true) {
          ResultHandle result(mysql_store_result(handle));
          if (!result && mysql_field_count(handle) == 0) affected += static_cast<std::int64_t>(mysql_affected_rows(handle));
          int next = mysql_next_result(handle);
          if (next > 0) throw_error(mysql_errno(handle), mysql_error(handle), stop);
          if (next < 0) break;
        }
      } else {
        Executed executed = run(sql, params, stop);
        affected = static_cast<std::int64_t>(mysql_stmt_affected_rows(executed.statement.get()));
        if (executed.metadata) mysql_stmt_free_result(executed.statement.get());
      }
    } catch (...) {
      end(true);
      throw;
    }
    end(false);
    if (stop.stop_requested()) throw StatementCancelled();
    return {affected};
  }

  // Multi-row prepared INSERTs, the values bound in the binary protocol (measured faster than
  // the same rows as SQL literals, which the server must parse). A statement holds as many rows
  // as 65,535 placeholders and the server's max_allowed_packet allow; the statement for a full
  // batch is prepared once per call and executed for every full batch.
  ExecuteResult insert(const std::string& table, const std::vector<std::string>& columns,
                       const std::vector<std::vector<Value>>& rows, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    std::string head = "INSERT INTO " + quote_identifier(table, true, '`') + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) head += (i ? ", " : "") + quote_identifier(columns[i], false, '`');
    head += ") VALUES ";
    std::string row_placeholders = "(";
    for (std::size_t c = 0; c < columns.size(); ++c) row_placeholders += c ? ", ?" : "?";
    row_placeholders += ")";
    std::size_t most_rows = std::clamp<std::size_t>(kMaxParameters / std::max<std::size_t>(1, columns.size()), 1, kMaxInsertRows);
    begin(stop, true);
    std::int64_t affected = 0;
    try {
      std::size_t limit = packet_bytes_limit(stop);
      StatementHandle full;  // the statement of `most_rows` rows, once a batch needs it
      std::vector<const Value*> params;
      for (std::size_t first = 0; first < rows.size();) {
        // As many rows as fit the packet (at least one: a row too large for it is the server's error).
        std::size_t last = first, bytes = 0;
        while (last < rows.size() && last - first < most_rows) {
          std::size_t row_bytes = wire_bytes(rows[last], columns.size());
          if (last > first && bytes + row_bytes > limit) break;
          bytes += row_bytes;
          ++last;
        }
        params.clear();
        for (std::size_t r = first; r < last; ++r) {
          for (std::size_t c = 0; c < columns.size(); ++c) params.push_back(c < rows[r].size() ? &rows[r][c] : &kNull);
        }
        std::size_t count = last - first;
        StatementHandle once;
        MYSQL_STMT* statement = nullptr;
        if (count == most_rows && full) {
          statement = full.get();
        } else {
          std::string sql = head;
          sql.reserve(head.size() + count * (row_placeholders.size() + 2));
          for (std::size_t r = 0; r < count; ++r) sql += (r ? ", " : "") + row_placeholders;
          StatementHandle prepared = prepare(sql, stop);
          statement = prepared.get();
          (count == most_rows ? full : once) = std::move(prepared);
        }
        BoundParameters bound(params);
        if (mysql_stmt_bind_param(statement, bound.binds()) || mysql_stmt_execute(statement)) {
          throw_statement_error(statement, stop);
        }
        affected += static_cast<std::int64_t>(mysql_stmt_affected_rows(statement));
        first = last;
      }
    } catch (...) {
      end(true);
      throw;
    }
    end(false);
    if (stop.stop_requested()) throw StatementCancelled();
    return {affected};
  }

  // A prepared statement (no parameters bound yet).
  StatementHandle prepare(const std::string& sql, const std::stop_token& stop) {
    StatementHandle statement(mysql_stmt_init(connection_.get()));
    if (!statement) throw DatasourceError(fmt::format("out of memory preparing a statement for datasource '{}'", name_));
    if (mysql_stmt_prepare(statement.get(), sql.data(), sql.size())) throw_statement_error(statement.get(), stop);
    return statement;
  }

  // Roughly the bytes a row's values take in an execute packet: 8 per number, the length plus
  // a length prefix per string or bytes, 2 per parameter type.
  static std::size_t wire_bytes(const std::vector<Value>& row, std::size_t columns) {
    std::size_t bytes = 2 * columns + columns / 8 + 1;
    for (const Value& value : row) {
      if (const auto* text = std::get_if<std::string>(&value.data)) bytes += text->size() + 9;
      else if (const auto* raw = std::get_if<Bytes>(&value.data)) bytes += raw->size() + 9;
      else if (const auto* big = std::get_if<BigInt>(&value.data)) bytes += big->decimal.size() + 9;
      else bytes += 12;
    }
    return bytes;
  }

  // The most bytes of values insert() puts in one execute packet: the server's max_allowed_packet
  // (read once per connection) less room for the packet's own header, at most kMaxInsertBytes.
  std::size_t packet_bytes_limit(const std::stop_token& stop) {
    if (max_allowed_packet_ == 0) {
      MYSQL* handle = connection_.get();
      if (mysql_query(handle, "SELECT @@max_allowed_packet")) throw_error(mysql_errno(handle), mysql_error(handle), stop);
      ResultHandle result(mysql_store_result(handle));
      MYSQL_ROW row = result ? mysql_fetch_row(result.get()) : nullptr;
      max_allowed_packet_ = row && row[0] ? std::strtoull(row[0], nullptr, 10) : 0;
      if (max_allowed_packet_ == 0) max_allowed_packet_ = 1u << 20;  // the protocol's historic default
    }
    return std::min<std::size_t>(max_allowed_packet_ - std::min<std::size_t>(max_allowed_packet_ / 2, 1024), kMaxInsertBytes);
  }

  // KILL QUERY from a second connection: the server stops the statement of this one. After it,
  // the connection is not reused (a late KILL could otherwise hit the next user's statement).
  void cancel() override {
    cancelled_ = true;
    std::string error;
    ConnectionHandle killer = open_connection(address_, 0, error);
    if (!killer) return;
    std::string kill = fmt::format("KILL QUERY {}", thread_id_);
    mysql_real_query(killer.get(), kill.data(), kill.size());
  }

  bool reusable() const override { return !cancelled_ && !in_transaction_ && !broken_; }

  // ---- for the cursor ----
  // Opens the call's transaction with the session state the decoder and the access rules rely
  // on, set again on every call so a script's SET in an earlier call does not carry over.
  // `timed`: whether the statement timeout applies (a stream's statement lives as long as its
  // reader, bounded by the run's deadline instead).
  void begin(const std::stop_token& stop, bool timed) {
    if (stop.stop_requested()) throw StatementCancelled();
    std::int64_t timeout = timed ? timeout_ms_ : 0;
    std::string limit = mariadb_ ? fmt::format("max_statement_time = {}", static_cast<double>(timeout) / 1000)
                                 : fmt::format("max_execution_time = {}", timeout);
    std::string sql = fmt::format("SET SESSION tx_read_only = {}, time_zone = '+00:00', {}; "
                                  "START TRANSACTION{}",
                                  read_only_ ? 1 : 0, limit, read_only_ ? " READ ONLY" : "");
    try {
      run_text(sql, stop);
    } catch (const DatasourceError&) {
      // A connection the server closed while it was idle in the pool (a restart, wait_timeout)
      // is made again once; nothing of the call has run yet.
      if (!broken_) throw;
      reconnect();
      run_text(sql, stop);
    }
    in_transaction_ = true;
  }

  void reconnect() {
    std::string error;
    ConnectionHandle fresh = open_connection(address_, CLIENT_MULTI_STATEMENTS, error);
    if (!fresh) {
      throw DatasourceError(fmt::format("lost the connection to datasource '{}' ({}) and could not reconnect: {}", name_, where_, error));
    }
    connection_ = std::move(fresh);
    thread_id_ = mysql_thread_id(connection_.get());
    broken_ = false;
  }

  // Ends the call's transaction: COMMIT when writes are allowed and all went well, else ROLLBACK.
  void end(bool failed) {
    if (!in_transaction_) return;
    const char* sql = (!failed && !read_only_) ? "COMMIT" : "ROLLBACK";
    MYSQL* handle = connection_.get();
    bool ok = mysql_query(handle, sql) == 0;
    if (ok) in_transaction_ = false;
    if (!failed && !ok) throw DatasourceError(fmt::format("{} failed: {}", sql, mysql_error(handle)));
  }

  // Prepares, binds and executes one statement. Its rows, if any, are left on the wire.
  Executed run(const std::string& sql, const std::vector<Value>& params, const std::stop_token& stop) {
    Executed executed;
    executed.statement.reset(mysql_stmt_init(connection_.get()));
    MYSQL_STMT* statement = executed.statement.get();
    if (!statement) throw DatasourceError(fmt::format("out of memory preparing a statement for datasource '{}'", name_));
    auto fail = [&] { throw_statement_error(statement, stop); };
    if (mysql_stmt_prepare(statement, sql.data(), sql.size())) fail();
    unsigned long expected = mysql_stmt_param_count(statement);
    if (expected != params.size()) {
      throw DatasourceError(fmt::format("the statement has {} parameter{} but {} value{} given", expected, expected == 1 ? "" : "s",
                                        params.size(), params.size() == 1 ? " was" : "s were"));
    }
    BoundParameters bound(params);
    if (bound.count() && mysql_stmt_bind_param(statement, bound.binds())) fail();
    if (mysql_stmt_execute(statement)) fail();
    executed.metadata.reset(mysql_stmt_result_metadata(statement));
    return executed;
  }

  // Runs text (possibly several statements) whose results are not wanted.
  void run_text(const std::string& sql, const std::stop_token& stop) {
    MYSQL* handle = connection_.get();
    if (mysql_real_query(handle, sql.data(), sql.size())) throw_error(mysql_errno(handle), mysql_error(handle), stop);
    while (true) {
      ResultHandle result(mysql_store_result(handle));
      int next = mysql_next_result(handle);
      if (next > 0) throw_error(mysql_errno(handle), mysql_error(handle), stop);
      if (next < 0) return;
    }
  }

  // A statement's error; some (an interrupted fetch) are recorded on the connection instead.
  [[noreturn]] void throw_statement_error(MYSQL_STMT* statement, const std::stop_token& stop) {
    if (mysql_stmt_errno(statement) != 0) throw_error(mysql_stmt_errno(statement), mysql_stmt_error(statement), stop);
    MYSQL* handle = connection_.get();
    if (mysql_errno(handle) != 0) throw_error(mysql_errno(handle), mysql_error(handle), stop);
    throw_error(CR_UNKNOWN_ERROR, "the server ended the statement without saying why", stop);
  }

  // The server's error in the words the script should read; a statement the run's stop killed
  // is reported as the cancellation.
  [[noreturn]] void throw_error(unsigned code, const char* message, const std::stop_token& stop) {
    if (code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST) broken_ = true;
    if (stop.stop_requested()) throw StatementCancelled();
    if (code == kMariadbStatementTimeout || code == kMysqlExecutionTimeExceeded) {
      throw DatasourceError(
          fmt::format("the statement ran longer than statement_timeout_ms = {} and was cancelled by the server", timeout_ms_));
    }
    if (code == ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION) {
      throw DatasourceError(
          fmt::format("{} (datasource '{}' is read-only: allow_writes = false in its configuration)", message, name_));
    }
    if (code >= 2000 && code < 3000) {  // the client's own errors: the link, mostly
      throw DatasourceError(fmt::format("{} (datasource '{}', {})", message, name_, where_));
    }
    throw DatasourceError(message);
  }

 private:
  std::string name_;
  bool read_only_;
  std::int64_t timeout_ms_;
  ServerAddress address_;
  std::string where_;
  ConnectionHandle connection_;
  unsigned long thread_id_ = 0;
  bool mariadb_ = true;
  bool in_transaction_ = false;
  bool broken_ = false;  // the link failed: the pool closes the connection
  std::size_t max_allowed_packet_ = 0;  // the server's, once insert() has asked
  std::atomic<bool> cancelled_ = false;
};

CallGuard::CallGuard(MysqlConnection& connection, const std::stop_token& stop)
    : on_stop_(stop, [&connection] { connection.cancel(); }) {}

// The statement's rows read off the wire as the batches are asked for (unbuffered), inside the
// call's transaction. Left before the end, the statement is killed and the connection closed.
class MysqlCursor : public Cursor {
 public:
  explicit MysqlCursor(MysqlConnection& connection) : connection_(connection) {}
  MysqlCursor(const MysqlCursor&) = delete;
  MysqlCursor& operator=(const MysqlCursor&) = delete;
  ~MysqlCursor() override {
    if (!open_) return;
    connection_.cancel();  // rather than reading (and dropping) every remaining row
    close_statement();
    connection_.end(true);
  }

  void open(const std::string& sql, const std::vector<Value>& params, const std::stop_token& stop) {
    CallGuard guard(connection_, stop);
    connection_.begin(stop, false);
    open_ = true;
    executed_ = connection_.run(sql, params, stop);
    if (executed_.metadata) buffers_ = std::make_unique<ResultBuffers>(executed_.statement.get(), executed_.metadata.get(), header_);
  }

  Rows fetch(std::size_t max_rows, std::stop_token stop) override {
    Rows rows;
    rows.columns = header_.columns;
    rows.types = header_.types;
    if (!open_ || !buffers_) {
      finish();
      return rows;
    }
    CallGuard guard(connection_, stop);
    if (stop.stop_requested()) throw StatementCancelled();
    MYSQL_STMT* statement = executed_.statement.get();
    auto fail = [&] { connection_.throw_statement_error(statement, stop); };
    std::size_t wanted = std::max<std::size_t>(1, max_rows);
    while (rows.rows.size() < wanted) {
      if (!buffers_->next(rows, fail)) {
        finish();
        break;
      }
    }
    if (stop.stop_requested()) throw StatementCancelled();
    return rows;
  }

 private:
  void finish() {
    if (!open_) return;
    open_ = false;
    close_statement();
    connection_.end(true);
  }

  // Before ROLLBACK can run: closing the statement reads what is left of its result off the wire.
  void close_statement() {
    buffers_.reset();
    executed_.metadata.reset();
    executed_.statement.reset();
  }

  MysqlConnection& connection_;
  bool open_ = false;
  Executed executed_;
  Rows header_;  // the column names, once
  std::unique_ptr<ResultBuffers> buffers_;
};

std::unique_ptr<Cursor> MysqlConnection::stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) {
  auto cursor = std::make_unique<MysqlCursor>(*this);
  cursor->open(sql, params, stop);
  return cursor;
}

}  // namespace

std::unique_ptr<Connection> connect_mysql(const config::DatasourceConfig& config) { return std::make_unique<MysqlConnection>(config); }

}  // namespace as::datasources
