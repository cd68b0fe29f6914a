#include "duck_arrow.h"

#include <atomic>
#include <cctype>
#include <deque>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "duck/column_type.h"
#include "duck/duck_error.h"
#include "duck/duck_handles.h"
#include "duck/fetched_rows.h"
#include "js_errors.h"

namespace as::frame {
namespace {

using duck::DuckError;

struct ErrorDataDeleter {
  void operator()(duckdb_error_data data) const { duckdb_destroy_error_data(&data); }
};
using ErrorData = std::unique_ptr<std::remove_pointer_t<duckdb_error_data>, ErrorDataDeleter>;

void check_error(duckdb_error_data raw, const char* what) {
  ErrorData error(raw);
  if (error && duckdb_error_data_has_error(error.get())) {
    throw DuckError(fmt::format("{}: {}", what, duckdb_error_data_message(error.get())));
  }
}

struct ArrowOptionsDeleter {
  void operator()(duckdb_arrow_options options) const { duckdb_destroy_arrow_options(&options); }
};
using ArrowOptions = std::unique_ptr<std::remove_pointer_t<duckdb_arrow_options>, ArrowOptionsDeleter>;

// An Arrow C stream over batches already in memory: the schema is made anew for each
// get_schema call (from DuckDB's types), the batches are moved out one by one.
struct BatchStream {
  ArrowOptions options;
  std::vector<duck::LogicalType> types;
  std::vector<std::string> names;
  std::deque<ArrowArrayOwner> batches;
  std::string last_error;

  static int get_schema(ArrowArrayStream* stream, ArrowSchema* out) {
    auto& self = *static_cast<BatchStream*>(stream->private_data);
    std::vector<duckdb_logical_type> types;
    std::vector<const char*> names;
    for (std::size_t i = 0; i < self.types.size(); ++i) {
      types.push_back(self.types[i].get());
      names.push_back(self.names[i].c_str());
    }
    ErrorData error(duckdb_to_arrow_schema(self.options.get(), types.data(), names.data(), types.size(), out));
    if (error && duckdb_error_data_has_error(error.get())) {
      self.last_error = duckdb_error_data_message(error.get());
      return EINVAL;
    }
    return 0;
  }
  static int get_next(ArrowArrayStream* stream, ArrowArray* out) {
    auto& self = *static_cast<BatchStream*>(stream->private_data);
    if (self.batches.empty()) {
      *out = ArrowArray{};  // released: the end of the stream
      return 0;
    }
    *out = *self.batches.front().get();
    *self.batches.front().get() = ArrowArray{};  // moved out: the consumer releases it now
    self.batches.pop_front();
    return 0;
  }
  static const char* get_last_error(ArrowArrayStream* stream) {
    return static_cast<BatchStream*>(stream->private_data)->last_error.c_str();
  }
  static void release(ArrowArrayStream* stream) {
    std::unique_ptr<BatchStream> owned(static_cast<BatchStream*>(stream->private_data));
    stream->release = nullptr;
  }
};

bool identifier(const std::string& part) {
  if (part.empty() || std::isdigit(static_cast<unsigned char>(part[0]))) return false;
  for (char c : part) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Runs one statement we built; DuckDB's message on failure.
void run_sql(duckdb_connection connection, const std::string& sql) {
  duck::QueryResult result;
  if (duckdb_query(connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    const char* error = duckdb_result_error(result.get());
    throw DuckError(duck::explain_duckdb_error(error ? error : "unknown DuckDB error"));
  }
}

bool table_exists(duckdb_connection connection, const std::string& table) {
  duck::QueryResult result;
  return duckdb_query(connection, fmt::format("SELECT * FROM {} LIMIT 0", table).c_str(), result.out()) == DuckDBSuccess;
}

// The temporary view DuckDB scans the stream through; dropped however the save ends.
class ScanView {
 public:
  ScanView(duckdb_connection connection, ArrowStream& stream) : connection_(connection) {
    static std::atomic<std::uint64_t> counter{0};
    name_ = fmt::format("__as_frame_scan_{}", counter.fetch_add(1));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    // Deprecated in DuckDB 1.4's C API but still the way to scan a C stream; the stream stays
    // ours (DuckDB reads it while the statements below run; we release it afterwards).
    if (duckdb_arrow_scan(connection, name_.c_str(), reinterpret_cast<duckdb_arrow_stream>(stream.get())) != DuckDBSuccess) {
      throw DuckError("DuckDB could not scan the DataFrame's Arrow stream");
    }
#pragma GCC diagnostic pop
  }
  ScanView(const ScanView&) = delete;
  ScanView& operator=(const ScanView&) = delete;
  ~ScanView() {
    duck::QueryResult result;
    duckdb_query(connection_, fmt::format("DROP VIEW IF EXISTS \"{}\"", name_).c_str(), result.out());
  }
  std::string quoted() const { return fmt::format("\"{}\"", name_); }

 private:
  duckdb_connection connection_;
  std::string name_;
};

}  // namespace

FramePtr frame_from_result(duckdb_result* result, const FrameBudget& budget, const std::function<bool()>& stopped) {
  auto batches = std::make_unique<BatchStream>();
  batches->options.reset(duckdb_result_get_arrow_options(result));
  const idx_t columns = duckdb_column_count(result);
  std::vector<duck::ColumnType> column_types;
  for (idx_t i = 0; i < columns; ++i) {
    batches->types.emplace_back(duckdb_column_logical_type(result, i));
    column_types.push_back(duck::ColumnType::from(batches->types.back().get()));
    batches->names.emplace_back(duckdb_column_name(result, i));
  }
  duck::make_names_unique(batches->names);
  std::size_t bytes = 0;
  while (true) {
    if (stopped()) throw DuckError("the query was interrupted: the run was stopped (cancelled, out of time or over)");
    duck::DataChunk chunk(duckdb_fetch_chunk(*result));
    if (!chunk) break;
    const idx_t rows = duckdb_data_chunk_get_size(chunk.get());
    if (rows == 0) break;
    for (idx_t col = 0; col < columns; ++col) {
      bytes += duck::measure_vector(duckdb_data_chunk_get_vector(chunk.get(), col), column_types[col], rows);
    }
    budget.check_room(bytes, "ctx.duckdb.queryFrame()'s result");
    ArrowArrayOwner array;
    check_error(duckdb_data_chunk_to_arrow(batches->options.get(), chunk.get(), array.out()), "DuckDB could not convert a result chunk to Arrow");
    batches->batches.push_back(std::move(array));
  }
  ArrowStream stream;
  ArrowArrayStream* raw = stream.out();
  raw->get_schema = &BatchStream::get_schema;
  raw->get_next = &BatchStream::get_next;
  raw->get_last_error = &BatchStream::get_last_error;
  raw->release = &BatchStream::release;
  raw->private_data = batches.release();
  return from_arrow(*stream.get());
}

std::string quoted_table_name(const std::string& table) {
  std::size_t dot = table.find('.');
  std::string schema = dot == std::string::npos ? "" : table.substr(0, dot);
  std::string name = dot == std::string::npos ? table : table.substr(dot + 1);
  if (!identifier(name) || (dot != std::string::npos && !identifier(schema))) {
    throw ArgumentError(fmt::format("ctx.duckdb.saveDataFrame(df, table): '{}' is not a table name; use letters, digits and '_' "
                                    "(not starting with a digit), optionally after a schema: 'analytics_results' or 'main.results'",
                                    table));
  }
  return schema.empty() ? fmt::format("\"{}\"", name) : fmt::format("\"{}\".\"{}\"", schema, name);
}

void save_stream(duckdb_connection connection, ArrowStream& stream, const std::string& table, SaveMode mode) {
  ScanView view(connection, stream);
  if (mode == SaveMode::Append && table_exists(connection, table)) {
    run_sql(connection, fmt::format("INSERT INTO {} BY NAME SELECT * FROM {}", table, view.quoted()));
  } else {
    run_sql(connection, fmt::format("CREATE OR REPLACE TABLE {} AS SELECT * FROM {}", table, view.quoted()));
  }
}

}  // namespace as::frame
