#include "js_rows.h"

#include <vector>

#include "column_reader.h"
#include "js_building.h"
#include "object_template.h"
#include "vector_view.h"

namespace as::duck {
namespace {

// One chunk's values, row-major (row * columns + column), from the column readers until the
// row objects take them over, a row at a time and in order; whatever was not taken is freed.
class ChunkValues {
 public:
  ChunkValues(JSContext* ctx, std::size_t columns) : ctx_(ctx), columns_(columns) {}
  ChunkValues(const ChunkValues&) = delete;
  ChunkValues& operator=(const ChunkValues&) = delete;
  ~ChunkValues() { clear(); }

  // Room for `rows` rows, every slot undefined (nothing to free).
  void reset(idx_t rows) {
    clear();
    values_.assign(rows * columns_, JS_UNDEFINED);
  }
  JSValue* column(std::size_t col) { return values_.data() + col; }  // stride: columns()
  std::size_t columns() const { return columns_; }
  // The row's values (one per column), handed over: this buffer no longer frees them.
  JSValue* take_row(idx_t row) {
    taken_rows_ = row + 1;
    return values_.data() + row * columns_;
  }

 private:
  void clear() {
    for (std::size_t i = taken_rows_ * columns_; i < values_.size(); ++i) JS_FreeValue(ctx_, values_[i]);
    values_.clear();
    taken_rows_ = 0;
  }

  JSContext* ctx_;
  std::size_t columns_;
  std::vector<JSValue> values_;
  idx_t taken_rows_ = 0;
};

}  // namespace

JSValue rows_to_js(JSContext* ctx, const FetchedRows& rows) {
  const std::size_t columns = rows.types.size();
  std::vector<JsAtom> names;
  std::vector<ColumnReader> readers;
  names.reserve(columns);
  readers.reserve(columns);
  for (std::size_t col = 0; col < columns; ++col) {
    names.emplace_back(ctx, rows.names[col]);
    readers.emplace_back(ctx, rows.types[col]);
    if (!names.back().ok() || !readers.back().ok()) return JS_EXCEPTION;
  }
  ObjectTemplate row_template(ctx, names);  // every row shares its layout
  if (!row_template.ok()) return JS_EXCEPTION;
  CollectorPause pause(ctx);
  ValueList out(ctx);
  out.reserve(rows.row_count);
  ChunkValues values(ctx, columns);
  for (const DataChunk& chunk : rows.chunks) {
    idx_t size = duckdb_data_chunk_get_size(chunk.get());
    values.reset(size);
    // Column by column first: each column's type is dispatched on once per chunk, and its
    // conversion runs as one tight loop.
    for (std::size_t col = 0; col < columns; ++col) {
      VectorView view = VectorView::of(duckdb_data_chunk_get_vector(chunk.get(), col), rows.types[col]);
      if (!readers[col].read_all(view, size, values.column(col), columns)) return JS_EXCEPTION;
    }
    for (idx_t row = 0; row < size; ++row) {
      JSValue object = row_template.make(values.take_row(row));
      if (JS_IsException(object)) return JS_EXCEPTION;
      out.push(object);
    }
  }
  return out.to_array();
}

}  // namespace as::duck
