#include "clickhouse_datasource.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>

#include <fmt/format.h>

#include "clickhouse_http.h"
#include "clickhouse_sql.h"
#include "clickhouse_values.h"
#include "config/secrets.h"
#include "datasource_error.h"

namespace as::datasources {
namespace {

using Clock = std::chrono::steady_clock;
using clickhouse::ColumnType;
using clickhouse::HttpTransfer;

// Unread response kept before the transfer pauses (a longer line raises it for that transfer).
constexpr std::size_t kPauseAtBytes = 1 << 20;
// How long a KILL QUERY request may take.
constexpr long kKillTimeoutMs = 2'000;
// The most a waiting reader sleeps before it looks at its stop token and deadline again (a stop
// wakes it at once through cancel()).
constexpr std::chrono::milliseconds kCheckEvery{250};
// The text after which an exception line must end the response to be taken for one.
constexpr std::size_t kMaxExceptionBytes = 64 * 1024;

// ClickHouse's error codes the driver words itself.
constexpr int kTimeoutExceeded = 159;
constexpr int kReadonly = 164;
constexpr int kQueryWasCancelled = 394;

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// "Code: 62, e.displayText() = DB::Exception: Syntax error: ..., e.what() = DB::Exception" (18.16)
// or "Code: 62. DB::Exception: Syntax error: ... (SYNTAX_ERROR) (version 23.8.1)" (later).
int server_code(std::string_view body) {
  if (!body.starts_with("Code: ")) return 0;
  int code = 0;
  std::from_chars(body.data() + 6, body.data() + body.size(), code);
  return code;
}

std::string server_message(std::string_view body) {
  std::string_view text = body;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.starts_with("Code: ")) {
    std::size_t at = 6;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++at;
    text.remove_prefix(at);
    for (std::string_view lead : {", e.displayText() = ", ". "}) {
      if (text.starts_with(lead)) {
        text.remove_prefix(lead.size());
        break;
      }
    }
  }
  if (text.starts_with("DB::Exception: ")) text.remove_prefix(15);
  constexpr std::string_view what = ", e.what() = DB::Exception";
  if (text.ends_with(what)) text.remove_suffix(what.size());
  if (std::size_t version = text.rfind(" (version "); version != std::string_view::npos && text.ends_with(")")) text = text.substr(0, version);
  return std::string(text);
}

// Whether `line` starts the way ClickHouse writes an exception into a response.
bool exception_start(std::string_view line) {
  if (!line.starts_with("Code: ")) return false;
  std::size_t at = 6;
  while (at < line.size() && std::isdigit(static_cast<unsigned char>(line[at]))) ++at;
  if (at == 6) return false;
  std::string_view rest = line.substr(at);
  return rest.starts_with(", e.displayText() = ") || rest.starts_with(". DB::Exception:");
}

// Whether `text` (from an exception start to the end of the response) is all exception.
bool exception_end(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text.ends_with("e.what() = DB::Exception") || (text.find("DB::Exception") != std::string_view::npos && text.ends_with(")"));
}

// The tab-separated fields of `line` into `fields` (reused from row to row).
void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t start = 0;
  while (true) {
    std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return;
    start = tab + 1;
  }
}

class ClickhouseConnection;

// One statement sent to the server: its query id, its HTTP transfer and the reading of its
// TabSeparatedWithNamesAndTypes response.
class Statement {
 public:
  Statement(ClickhouseConnection& connection, std::string query_id, std::optional<Clock::time_point> deadline);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { abort(); }

  void start(const std::string& url, std::string body) { transfer_.start(url, std::move(body)); }

  // Reads the column names and types into `rows`; false when the statement returned no result
  // set (an empty response: DDL, INSERT).
  bool read_header(Rows& rows, const std::stop_token& stop);
  // Appends up to `max_rows` rows to `rows`, stopping early once rows.bytes passes `max_bytes`;
  // false once the result has ended.
  bool read_rows(Rows& rows, std::size_t max_rows, std::size_t max_bytes, const std::stop_token& stop);
  // Reads the response to its end, dropping any rows (execute, insert).
  void finish(const std::stop_token& stop);
  // Ends the transfer and, when the server may still be running the statement, kills it.
  void abort();

 private:
  // The next line of the response (without its newline), valid until the next call; false at
  // the end. An exception the server wrote into the response is thrown.
  bool next_line(std::string_view& line, const std::stop_token& stop);
  void wait(const std::stop_token& stop);
  void check(const std::stop_token& stop);
  [[noreturn]] void fail_from_response(const std::stop_token& stop);

  ClickhouseConnection& connection_;
  std::string query_id_;
  std::optional<Clock::time_point> deadline_;
  HttpTransfer transfer_;
  std::vector<ColumnType> types_;
  std::vector<std::string_view> fields_;
  bool ended_ = false;  // the whole response was read
};

class ClickhouseConnection : public Connection {
 public:
  explicit ClickhouseConnection(const config::DatasourceConfig& config)
      : name_(config.name), read_only_(!config.allow_writes), timeout_ms_(config.integer("statement_timeout_ms").value_or(30'000)),
        database_(config.text("database").value_or("default")), multi_(curl_multi_init()), random_(std::random_device{}()) {
    std::string url = config.text("url").value_or("http://localhost:8123");
    while (url.ends_with('/')) url.pop_back();
    endpoint_.base_url = url;
    endpoint_.user = config.text("user").value_or("default");
    endpoint_.ca_file = config.text("ca_file").value_or("");
    endpoint_.connect_timeout_ms = static_cast<long>(config.integer("connect_timeout_ms").value_or(10'000));
    if (config.has_secret("password")) {
      try {
        endpoint_.password = config::resolve_secret(config, "password");
      } catch (const config::SecretError& e) {
        throw DatasourceError(e.what());
      }
    }
    where_ = fmt::format("clickhouse at {}, database '{}', user '{}'", url, database_, endpoint_.user);
    if (!multi_) throw DatasourceError(fmt::format("cannot connect to datasource '{}' ({}): could not create a curl handle", name_, where_));
    // The first request checks the address, the credentials and the database, and asks for the
    // zone DateTime values without one are written in.
    auto result = clickhouse::post_once(endpoint_, endpoint_.base_url + "/?database=" + url_encode(database_) + "&readonly=1",
                                        "SELECT timezone(), version()", endpoint_.connect_timeout_ms + 10'000);
    if (!result.transferred) throw DatasourceError(fmt::format("cannot connect to datasource '{}' ({}): {}", name_, where_, result.error));
    if (result.status != 200) {
      throw DatasourceError(fmt::format("cannot connect to datasource '{}' ({}): {}", name_, where_, server_message(result.body)));
    }
    std::string_view line(result.body);
    std::size_t tab = line.find('\t');
    std::string_view zone = line.substr(0, tab);
    version_ = tab == std::string_view::npos ? "" : std::string(line.substr(tab + 1, line.find('\n') - tab - 1));
    server_zone_ = clickhouse::find_zone(zone);
  }

  Rows query(const std::string& sql, const std::vector<Value>& params, const StatementLimits& limits, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    auto statement = begin(clickhouse::bind_parameters(sql, params), stop, true, "");
    Rows rows;
    if (!statement->read_header(rows, stop)) return rows;
    while (statement->read_rows(rows, SIZE_MAX, limits.max_result_bytes + 1, stop)) {
      if (rows.bytes > limits.max_result_bytes) {
        statement->abort();  // the rest is not read: stop the server sending it
        throw DatasourceError(fmt::format(
            "the result is larger than {} MB (already {} rows); query() is for results that fit in memory: "
            "read large results with stream(sql, params, batchSize)",
            limits.max_result_bytes >> 20, rows.rows.size()));
      }
    }
    return rows;
  }

  std::unique_ptr<Cursor> stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) override;

  ExecuteResult execute(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    // The HTTP interface runs one statement per request: a text of several (without
    // parameters) is sent statement by statement, in order.
    std::vector<std::string> statements;
    if (params.empty()) {
      statements = clickhouse::split_statements(sql);
    } else {
      statements.push_back(clickhouse::bind_parameters(sql, params));
    }
    for (auto& text : statements) begin(std::move(text), stop, true, "")->finish(stop);
    return {0};  // ClickHouse 18.16 does not say how many rows a statement wrote
  }

  ExecuteResult insert(const std::string& table, const std::vector<std::string>& columns,
                       const std::vector<std::vector<Value>>& rows, std::stop_token stop) override {
    CallGuard guard(*this, stop);
    // One INSERT for all rows: ClickHouse has no transactions, but a block of up to
    // max_insert_block_size (1,048,576) rows is written all or nothing.
    std::string body = "INSERT INTO " + clickhouse::quote_identifier(table, true) + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) body += (i ? ", " : "") + clickhouse::quote_identifier(columns[i]);
    body += ") VALUES ";
    for (std::size_t r = 0; r < rows.size(); ++r) {
      body += r ? ", (" : "(";
      for (std::size_t c = 0; c < columns.size(); ++c) {
        if (c) body += ", ";
        body += c < rows[r].size() ? clickhouse::format_literal(rows[r][c], c + 1) : "NULL";
      }
      body += ')';
    }
    // ISO-8601 text ("2024-01-02T03:04:05.123Z", from a Date or a DuckDB timestamp) into DateTime.
    begin(std::move(body), stop, true, "&date_time_input_format=best_effort")->finish(stop);
    return {static_cast<std::int64_t>(rows.size())};
  }

  // Thread-safe: marks the statement in flight for cancelling and wakes its reader, which ends
  // the transfer and sends the KILL itself (so a stopping thread never waits on the network).
  void cancel() override {
    cancel_requested_ = true;
    curl_multi_wakeup(multi_.get());
  }

  bool reusable() const override { return true; }  // a statement's failure leaves nothing behind: no session state

  // ---- for statements and the cursor ----
  bool cancel_requested() const { return cancel_requested_; }
  std::int64_t timeout_ms() const { return timeout_ms_; }
  const std::string& name() const { return name_; }
  CURLM* multi() const { return multi_.get(); }
  const clickhouse::HttpEndpoint& endpoint() const { return endpoint_; }
  const date::time_zone* server_zone() const { return server_zone_; }

  // Sends `body` as a new statement. `timed`: whether statement_timeout_ms applies (a stream's
  // statement lives as long as its reader, bounded by the run's deadline instead).
  std::unique_ptr<Statement> begin(std::string body, const std::stop_token& stop, bool timed, std::string_view extra_settings) {
    if (stop.stop_requested()) throw StatementCancelled();
    cancel_requested_ = false;
    std::string query_id = fmt::format("as-{:016x}{:016x}", random_(), random_());
    std::optional<Clock::time_point> deadline;
    std::string url = fmt::format("{}/?database={}&query_id={}&default_format=TabSeparatedWithNamesAndTypes", endpoint_.base_url,
                                  url_encode(database_), query_id);
    if (read_only_) url += "&readonly=1";
    if (timed) {
      deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
      url += fmt::format("&max_execution_time={}", (timeout_ms_ + 999) / 1000);
    }
    url += extra_settings;
    auto statement = std::make_unique<Statement>(*this, std::move(query_id), deadline);
    statement->start(url, std::move(body));
    return statement;
  }

  // KILL QUERY on a request of its own (the statement's connection is busy sending its response).
  void kill(const std::string& query_id) const {
    clickhouse::post_once(endpoint_, endpoint_.base_url + "/", fmt::format("KILL QUERY WHERE query_id = '{}' ASYNC", query_id), kKillTimeoutMs);
  }

  // The error of a statement the server refused, in the words the script should read.
  [[noreturn]] void throw_server_error(std::string_view body, const std::stop_token& stop) const {
    int code = server_code(body);
    std::string message = server_message(body);
    if (stop.stop_requested()) throw StatementCancelled();
    if (code == kTimeoutExceeded) throw_timeout();
    if (code == kQueryWasCancelled) throw DatasourceError(fmt::format("{} (a KILL QUERY from elsewhere stopped it)", message));
    if (code == kReadonly && read_only_) {
      throw DatasourceError(fmt::format("{} (datasource '{}' is read-only: allow_writes = false in its configuration)", message, name_));
    }
    throw DatasourceError(message.empty() ? "the server refused the statement without saying why" : message);
  }

  [[noreturn]] void throw_timeout() const {
    throw DatasourceError(fmt::format("the statement ran longer than statement_timeout_ms = {} and was cancelled", timeout_ms_));
  }

  [[noreturn]] void throw_link_error(const std::string& reason) const {
    throw DatasourceError(fmt::format("lost the connection to datasource '{}' ({}): {}", name_, where_, reason));
  }

 private:
  // Arms cancellation for one call: a stop of the run cancels the statement while the call lasts.
  class CallGuard {
   public:
    CallGuard(ClickhouseConnection& connection, const std::stop_token& stop) : on_stop_(stop, [&connection] { connection.cancel(); }) {}

   private:
    std::stop_callback<std::function<void()>> on_stop_;
  };
  friend class ClickhouseCursor;

  std::string name_;
  bool read_only_;
  std::int64_t timeout_ms_;
  std::string database_;
  clickhouse::HttpEndpoint endpoint_;
  std::string where_;
  std::string version_;
  const date::time_zone* server_zone_ = nullptr;
  clickhouse::CurlMulti multi_;
  std::mt19937_64 random_;
  std::atomic<bool> cancel_requested_ = false;
};

Statement::Statement(ClickhouseConnection& connection, std::string query_id, std::optional<Clock::time_point> deadline)
    : connection_(connection), query_id_(std::move(query_id)), deadline_(deadline), transfer_(connection.multi(), connection.endpoint(), kPauseAtBytes) {}

void Statement::abort() {
  if (ended_) return;
  ended_ = true;
  bool server_may_run = !transfer_.finished();
  transfer_.abandon();
  if (server_may_run) connection_.kill(query_id_);
}

void Statement::check(const std::stop_token& stop) {
  if (stop.stop_requested() || connection_.cancel_requested()) {
    abort();
    throw StatementCancelled();
  }
  if (deadline_ && Clock::now() >= *deadline_) {
    abort();
    connection_.throw_timeout();
  }
}

void Statement::wait(const std::stop_token& stop) {
  auto every = kCheckEvery;
  if (deadline_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now()) + std::chrono::milliseconds(1);
    every = std::clamp(left, std::chrono::milliseconds(1), kCheckEvery);
  }
  transfer_.pump([&] { check(stop); }, every);
}

void Statement::fail_from_response(const std::stop_token& stop) {
  // The whole (short) error text, then the server's words.
  while (!transfer_.finished()) wait(stop);
  ended_ = true;
  connection_.throw_server_error(transfer_.unread(), stop);
}

bool Statement::next_line(std::string_view& line, const std::stop_token& stop) {
  while (true) {
    if (ended_) return false;
    if (transfer_.finished() || transfer_.status() != 0) {
      if (!transfer_.failure().empty()) {
        ended_ = true;
        if (stop.stop_requested()) throw StatementCancelled();
        connection_.throw_link_error(transfer_.failure());
      }
      if (transfer_.status() != 200) fail_from_response(stop);
    }
    std::string_view unread = transfer_.unread();
    std::size_t newline = unread.find('\n');
    if (newline != std::string_view::npos || (transfer_.finished() && !unread.empty())) {
      std::size_t length = newline == std::string_view::npos ? unread.size() : newline;
      if (exception_start(unread.substr(0, length))) {
        // An exception after the first rows were sent: the server appends its text and ends the
        // response. A row that merely starts like one is followed by more response.
        while (!transfer_.finished() && transfer_.unread().size() <= kMaxExceptionBytes) wait(stop);
        if (transfer_.finished() && !transfer_.failure().empty()) connection_.throw_link_error(transfer_.failure());
        if (transfer_.finished() && exception_end(transfer_.unread())) {
          ended_ = true;
          connection_.throw_server_error(transfer_.unread(), stop);
        }
        unread = transfer_.unread();
      }
      line = unread.substr(0, length);
      transfer_.consume(std::min(unread.size(), length + 1));
      return true;
    }
    if (transfer_.finished()) {
      ended_ = true;
      return false;
    }
    wait(stop);
  }
}

bool Statement::read_header(Rows& rows, const std::stop_token& stop) {
  std::string_view line;
  if (!next_line(line, stop)) return false;
  split_fields(line, fields_);
  for (auto field : fields_) rows.columns.push_back(clickhouse::unescape(field));
  make_names_unique(rows.columns);
  if (!next_line(line, stop)) throw DatasourceError("ClickHouse's response ended after the column names, before their types");
  split_fields(line, fields_);
  if (fields_.size() != rows.columns.size()) {
    throw DatasourceError(fmt::format("ClickHouse's response names {} columns but gives {} types (does the SQL choose its own FORMAT?)",
                                      rows.columns.size(), fields_.size()));
  }
  for (auto field : fields_) {
    types_.push_back(clickhouse::parse_type(clickhouse::unescape(field), connection_.server_zone()));
    rows.types.push_back(clickhouse::duck_type(types_.back()));
  }
  return true;
}

bool Statement::read_rows(Rows& rows, std::size_t max_rows, std::size_t max_bytes, const std::stop_token& stop) {
  std::size_t read = 0;
  std::string_view line;
  while (read < max_rows && rows.bytes < max_bytes) {
    if (!next_line(line, stop)) return false;
    split_fields(line, fields_);
    if (fields_.size() != types_.size()) {
      throw DatasourceError(fmt::format("ClickHouse's response has a row of {} fields under {} columns (does the SQL choose its own FORMAT?)",
                                        fields_.size(), types_.size()));
    }
    std::vector<Value> row;
    row.reserve(types_.size());
    for (std::size_t c = 0; c < types_.size(); ++c) {
      row.push_back(clickhouse::decode_cell(types_[c], fields_[c]));
      rows.bytes += measure_cell(row.back());
    }
    rows.rows.push_back(std::move(row));
    ++read;
  }
  return true;
}

void Statement::finish(const std::stop_token& stop) {
  std::string_view line;
  while (next_line(line, stop)) {
  }
}

// A statement's rows read off the HTTP response as the batches are asked for. Left before the
// end, the transfer is dropped and the statement killed on the server.
class ClickhouseCursor : public Cursor {
 public:
  ClickhouseCursor(ClickhouseConnection& connection, std::unique_ptr<Statement> statement, const std::stop_token& stop)
      : connection_(connection), statement_(std::move(statement)) {
    ClickhouseConnection::CallGuard guard(connection_, stop);
    has_rows_ = statement_->read_header(header_, stop);
  }

  Rows fetch(std::size_t max_rows, std::stop_token stop) override {
    Rows rows;
    rows.columns = header_.columns;
    rows.types = header_.types;
    if (!has_rows_) return rows;
    ClickhouseConnection::CallGuard guard(connection_, stop);
    if (stop.stop_requested()) throw StatementCancelled();
    has_rows_ = statement_->read_rows(rows, std::max<std::size_t>(1, max_rows), SIZE_MAX, stop);
    return rows;  // empty once the rows are exhausted
  }

 private:
  ClickhouseConnection& connection_;
  std::unique_ptr<Statement> statement_;
  Rows header_;
  bool has_rows_ = false;
};

std::unique_ptr<Cursor> ClickhouseConnection::stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) {
  CallGuard guard(*this, stop);
  auto statement = begin(clickhouse::bind_parameters(sql, params), stop, false, "");
  return std::make_unique<ClickhouseCursor>(*this, std::move(statement), stop);
}

}  // namespace

std::unique_ptr<Connection> connect_clickhouse(const config::DatasourceConfig& config) {
  return std::make_unique<ClickhouseConnection>(config);
}

}  // namespace as::datasources
