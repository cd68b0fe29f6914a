#include "chunk_stream.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "bounded_queue.h"
#include "duck_error.h"

namespace as::duck {

constexpr const char* kFunctionName = "as_host_chunks";

struct ChunkStream::State {
  State(std::string token_, std::vector<std::string> names_, std::vector<LogicalType> types_, std::size_t capacity)
      : token(std::move(token_)), names(std::move(names_)), types(std::move(types_)), chunks(capacity) {}

  const std::string token;
  const std::vector<std::string> names;
  const std::vector<LogicalType> types;
  BoundedQueue<DataChunk> chunks;
  std::atomic<bool> failed{false};
  std::atomic<std::int64_t> rows{0};
};

namespace {

using State = ChunkStream::State;

// The streams that exist now, by token: the table function's bind finds its stream here.
class OpenStreams {
 public:
  void add(const std::shared_ptr<State>& state) {
    std::lock_guard lock(mutex_);
    streams_[state->token] = state;
  }
  void remove(const std::string& token) {
    std::lock_guard lock(mutex_);
    streams_.erase(token);
  }
  std::shared_ptr<State> find(const std::string& token) {
    std::lock_guard lock(mutex_);
    auto found = streams_.find(token);
    return found == streams_.end() ? nullptr : found->second;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<State>> streams_;
};

OpenStreams& open_streams() {
  static OpenStreams streams;
  return streams;
}

// 128 random bits as hex: a token no script can guess.
std::string random_token() {
  static std::mutex mutex;
  static std::random_device device;
  std::lock_guard lock(mutex);
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", device(), device(), device(), device());
}

// What the bind leaves for the scan: the stream, kept alive while the statement holds it.
struct BindData {
  std::shared_ptr<State> state;
};

void destroy_bind_data(void* data) { std::unique_ptr<BindData>(static_cast<BindData*>(data)); }

void bind(duckdb_bind_info info) {
  ValueHandle parameter(duckdb_bind_get_parameter(info, 0));
  std::string token = take_text(duckdb_get_varchar(parameter.get()));
  std::shared_ptr<State> state = open_streams().find(token);
  if (!state) {
    std::string message = fmt::format("{}() is how ctx.duckdb.load hands rows to DuckDB; SQL cannot call it", kFunctionName);
    duckdb_bind_set_error(info, message.c_str());
    return;
  }
  for (std::size_t c = 0; c < state->names.size(); ++c) {
    duckdb_bind_add_result_column(info, state->names[c].c_str(), state->types[c].get());
  }
  auto data = std::make_unique<BindData>(BindData{std::move(state)});
  duckdb_bind_set_bind_data(info, data.release(), destroy_bind_data);
}

// One thread reads the stream, so the rows keep the order they were pushed in.
void init(duckdb_init_info info) { duckdb_init_set_max_threads(info, 1); }

void scan(duckdb_function_info info, duckdb_data_chunk output) {
  State& state = *static_cast<BindData*>(duckdb_function_get_bind_data(info))->state;
  std::optional<DataChunk> chunk = state.chunks.pop();
  if (!chunk) {
    if (state.failed) duckdb_function_set_error(info, "the rows' source failed or the run was stopped");
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  // The output shares the pushed chunk's buffers (no copy); they live on after `chunk` goes.
  idx_t columns = duckdb_data_chunk_get_column_count(chunk->get());
  for (idx_t c = 0; c < columns; ++c) {
    duckdb_vector_reference_vector(duckdb_data_chunk_get_vector(output, c), duckdb_data_chunk_get_vector(chunk->get(), c));
  }
  duckdb_data_chunk_set_size(output, duckdb_data_chunk_get_size(chunk->get()));
}

}  // namespace

void register_chunk_stream_function(duckdb_connection connection) {
  TableFunction function(duckdb_create_table_function());
  duckdb_table_function_set_name(function.get(), kFunctionName);
  LogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  duckdb_table_function_add_parameter(function.get(), varchar.get());
  duckdb_table_function_set_bind(function.get(), bind);
  duckdb_table_function_set_init(function.get(), init);
  duckdb_table_function_set_function(function.get(), scan);
  if (duckdb_register_table_function(connection, function.get()) == DuckDBError) {
    throw DuckError(fmt::format("DuckDB refused to register the table function {}", kFunctionName));
  }
}

ChunkStream::ChunkStream(std::vector<std::string> names, std::vector<LogicalType> types, std::size_t capacity)
    : state_(std::make_shared<State>(random_token(), std::move(names), std::move(types), capacity)) {
  open_streams().add(state_);
}

ChunkStream::~ChunkStream() {
  fail();
  open_streams().remove(state_->token);
}

std::string ChunkStream::table_sql() const { return fmt::format("{}('{}')", kFunctionName, state_->token); }

bool ChunkStream::push(DataChunk chunk) {
  auto size = static_cast<std::int64_t>(duckdb_data_chunk_get_size(chunk.get()));
  if (size == 0) return !state_->failed;
  if (!state_->chunks.push(std::move(chunk))) return false;
  state_->rows += size;
  return true;
}

void ChunkStream::finish() { state_->chunks.close(); }

void ChunkStream::fail() {
  state_->failed = true;
  state_->chunks.close();
}

std::int64_t ChunkStream::rows() const { return state_->rows; }

std::string run_statement(duckdb_connection connection, const std::string& sql, const std::stop_token& stop) {
  constexpr auto kFirstWait = std::chrono::microseconds(20);
  constexpr auto kLongestWait = std::chrono::microseconds(1000);
  // DuckDB clears a connection's interrupt flag when a statement starts: a stop that came before
  // must be seen here.
  if (stop.stop_requested()) return "the statement was interrupted: the run was stopped";
  PreparedStatement prepared;
  if (duckdb_prepare(connection, sql.c_str(), prepared.out()) == DuckDBError) {
    return error_text(duckdb_prepare_error(prepared.get()));
  }
  PendingResult pending;
  if (duckdb_pending_prepared(prepared.get(), pending.out()) == DuckDBError) {
    return error_text(duckdb_pending_error(pending.get()));
  }
  std::stop_callback on_stop(stop, [connection] { duckdb_interrupt(connection); });
  auto wait = kFirstWait;
  for (;;) {
    duckdb_pending_state state = duckdb_pending_execute_task(pending.get());
    if (state == DUCKDB_PENDING_RESULT_READY) break;
    if (state == DUCKDB_PENDING_ERROR) {
      return error_text(duckdb_pending_error(pending.get()));
    }
    if (state == DUCKDB_PENDING_NO_TASKS_AVAILABLE) {
      // A worker runs the statement's only task now; sleep a little longer each time.
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::duration_cast<std::chrono::microseconds>(kLongestWait));
    } else {
      wait = kFirstWait;
    }
  }
  QueryResult result;
  if (duckdb_execute_pending(pending.get(), result.out()) == DuckDBError) {
    return error_text(duckdb_result_error(result.get()));
  }
  return "";
}

}  // namespace as::duck
