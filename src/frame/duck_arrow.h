#pragma once
// The Arrow exchange between DuckDB's C API and frame-rs, without JS: a query result read as
// Arrow arrays into a frame, and a frame's Arrow stream scanned by DuckDB into a table.
#include <duckdb.h>

#include <functional>
#include <string>

#include "arrow_handles.h"
#include "frame_handle.h"
#include "native_frame.h"

namespace as::frame {

// Reads every chunk of `result` as Arrow (duckdb_data_chunk_to_arrow) and imports them into a
// frame. Checks the fetched bytes against `budget` as it goes (FrameLimitExceeded), and gives
// up with duck::DuckError when `stopped()` turns true between chunks.
FramePtr frame_from_result(duckdb_result* result, const FrameBudget& budget, const std::function<bool()>& stopped);

enum class SaveMode { Overwrite, Append };

// `table` as a quoted SQL name: `name` or `schema.name`, each part letters, digits and '_'
// (not starting with a digit). Throws ArgumentError naming the value otherwise.
std::string quoted_table_name(const std::string& table);

// Writes the stream's batches into `table` (a quoted name): Overwrite replaces the table (or
// creates it), Append inserts by column name (creating the table when it does not exist).
// DuckDB scans the stream through a temporary view that is dropped again. Throws duck::DuckError.
void save_stream(duckdb_connection connection, ArrowStream& stream, const std::string& table, SaveMode mode);

}  // namespace as::frame
