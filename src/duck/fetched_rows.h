#pragma once
// The rows of one query, fetched chunk by chunk on a pool thread and kept as DuckDB data chunks
// until the JS thread turns them into JS values. Each chunk owns its data (DuckDB hands fetched
// chunks over independently of the result they came from).
#include <duckdb.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "column_type.h"
#include "duck_handles.h"

namespace as::duck {

// A result's columns: names made unique (make_names_unique), and types.
struct ResultColumns {
  std::vector<std::string> names;
  std::vector<ColumnType> types;
};

struct FetchedRows : ResultColumns {
  std::vector<DataChunk> chunks;
  std::size_t row_count = 0;
};


ResultColumns result_columns(duckdb_result* result);

// Fetches the chunks of `result` (streaming or materialized) and hands each non-empty one to
// `take` as it comes, until the end or until `take` returns false. Stops with DuckError once the
// rows measure more than `max_bytes`, or when `stopped()` turns true between chunks.
void fetch_chunks(duckdb_result* result, const std::vector<ColumnType>& types, std::size_t max_bytes,
                  const std::function<bool()>& stopped, const std::function<bool(DataChunk)>& take);

// Every chunk of `result`, as fetch_chunks fetches them.
FetchedRows fetch_rows(duckdb_result* result, std::size_t max_bytes, const std::function<bool()>& stopped);

// The bytes a vector's `rows` values take: fixed-width values at their width, strings and
// blobs at their length plus a 16-byte header, nested values as the sum of their parts. It is
// close to what DuckDB holds in memory and grows like the JSON form of the rows.
std::size_t measure_vector(duckdb_vector vector, const ColumnType& type, idx_t rows);

// Gives repeated column names a numeric suffix ("id", "id_1"), case-insensitively, as
// DuckDB does when it makes a table from such a result.
void make_names_unique(std::vector<std::string>& names);

}  // namespace as::duck
