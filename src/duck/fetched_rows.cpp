#include "fetched_rows.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "duck_error.h"
#include "sandbox/limits.h"
#include "vector_view.h"

namespace as::duck {
namespace {

std::size_t measure_view(const VectorView& view, const ColumnType& type, idx_t first, idx_t rows);

std::size_t measure_strings(const VectorView& view, idx_t first, idx_t rows) {
  std::size_t bytes = 16 * rows;
  for (idx_t row = first; row < first + rows; ++row) {
    if (view.is_valid(row)) bytes += string_bytes(view.at<duckdb_string_t>(row)).size;
  }
  return bytes;
}

// Rows [first, first + rows) of a list's entries, as the child range they cover.
std::pair<idx_t, idx_t> list_child_range(const VectorView& view, idx_t first, idx_t rows) {
  idx_t begin = 0, end = 0;
  bool any = false;
  for (idx_t row = first; row < first + rows; ++row) {
    if (!view.is_valid(row)) continue;
    const auto& entry = view.at<duckdb_list_entry>(row);
    begin = any ? std::min<idx_t>(begin, entry.offset) : entry.offset;
    end = std::max<idx_t>(end, entry.offset + entry.length);
    any = true;
  }
  return {begin, any ? end - begin : 0};
}

std::size_t measure_view(const VectorView& view, const ColumnType& type, idx_t first, idx_t rows) {
  switch (type.id) {
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
    case DUCKDB_TYPE_BIT:
    case DUCKDB_TYPE_BIGNUM: return measure_strings(view, first, rows);
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_ENUM: return value_width(type.storage) * rows;
    case DUCKDB_TYPE_LIST: {
      auto [begin, count] = list_child_range(view, first, rows);
      return 16 * rows + measure_view(view.children[0], type.children[0], begin, count);
    }
    case DUCKDB_TYPE_MAP: {
      auto [begin, count] = list_child_range(view, first, rows);
      return 16 * rows + measure_view(view.children[0], type.children[0], begin, count) +
             measure_view(view.children[1], type.children[1], begin, count);
    }
    case DUCKDB_TYPE_ARRAY:
      return measure_view(view.children[0], type.children[0], first * type.array_size, rows * type.array_size);
    case DUCKDB_TYPE_STRUCT: {
      std::size_t bytes = 0;
      for (std::size_t i = 0; i < type.children.size(); ++i) bytes += measure_view(view.children[i], type.children[i], first, rows);
      return bytes;
    }
    case DUCKDB_TYPE_UNION: {
      std::size_t bytes = rows;  // the tags
      for (std::size_t i = 0; i < type.children.size(); ++i) bytes += measure_view(view.children[i + 1], type.children[i], first, rows);
      return bytes;
    }
    default: return value_width(type.id) * rows;
  }
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::size_t measure_vector(duckdb_vector vector, const ColumnType& type, idx_t rows) {
  return measure_view(VectorView::of(vector, type), type, 0, rows);
}

void make_names_unique(std::vector<std::string>& names) {
  std::set<std::string> taken;
  for (auto& name : names) {
    if (taken.insert(lower(name)).second) continue;
    for (int suffix = 1;; ++suffix) {
      std::string candidate = fmt::format("{}_{}", name, suffix);
      if (taken.insert(lower(candidate)).second) {
        name = std::move(candidate);
        break;
      }
    }
  }
}

ResultColumns result_columns(duckdb_result* result) {
  ResultColumns columns;
  idx_t count = duckdb_column_count(result);
  for (idx_t col = 0; col < count; ++col) {
    columns.names.emplace_back(duckdb_column_name(result, col));
    LogicalType type(duckdb_column_logical_type(result, col));
    columns.types.push_back(ColumnType::from(type.get()));
  }
  make_names_unique(columns.names);
  return columns;
}

void fetch_chunks(duckdb_result* result, const std::vector<ColumnType>& types, std::size_t max_bytes,
                  const std::function<bool()>& stopped, const std::function<bool(DataChunk)>& take) {
  std::size_t row_count = 0;
  std::size_t bytes = 0;
  for (;;) {
    if (stopped()) throw DuckError("the query was interrupted: the run was stopped");
    DataChunk chunk(duckdb_fetch_chunk(*result));
    if (!chunk) {
      // No chunk means the end of the rows, or an error that the result now carries.
      if (const char* error = duckdb_result_error(result)) throw DuckError(explain_duckdb_error(error));
      return;
    }
    idx_t size = duckdb_data_chunk_get_size(chunk.get());
    if (size == 0) continue;
    for (std::size_t col = 0; col < types.size(); ++col) {
      bytes += measure_vector(duckdb_data_chunk_get_vector(chunk.get(), col), types[col], size);
    }
    row_count += size;
    if (bytes > max_bytes) {
      throw DuckError(fmt::format(
          "the result is larger than {} (already {} rows, about {:.1f} MB; max_query_result_bytes={}). "
          "query() returns small results only: keep large data in a DuckDB table "
          "(CREATE TABLE name AS SELECT ...) and query a summary or one page of it (LIMIT/OFFSET)",
          sandbox::describe_bytes(max_bytes), row_count, bytes / 1048576.0, max_bytes));
    }
    if (!take(std::move(chunk))) return;
  }
}

FetchedRows fetch_rows(duckdb_result* result, std::size_t max_bytes, const std::function<bool()>& stopped) {
  FetchedRows rows;
  static_cast<ResultColumns&>(rows) = result_columns(result);
  fetch_chunks(result, rows.types, max_bytes, stopped, [&](DataChunk chunk) {
    rows.row_count += duckdb_data_chunk_get_size(chunk.get());
    rows.chunks.push_back(std::move(chunk));
    return true;
  });
  return rows;
}

}  // namespace as::duck
