#include "js_rows.h"

#include <utility>
#include <vector>

#include "column_reader.h"
#include "js_building.h"
#include "vector_view.h"

namespace as::duck {
namespace {

// One chunk's values, row-major (row * columns + column), from the column readers until the
// row objects take them over; whatever was not taken is freed.
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
  // The row's values, handed over: the slots are emptied.
  JSValue take(idx_t row, std::size_t col) { return std::exchange(values_[row * columns_ + col], JS_UNDEFINED); }

 private:
  void clear() {
    for (JSValue value : values_) JS_FreeValue(ctx_, value);
    values_.clear();
  }

  JSContext* ctx_;
  std::size_t columns_;
  std::vector<JSValue> values_;
};

// One row object from the row's values (taken over); JS_EXCEPTION when QuickJS fails.
JSValue row_object(JSContext* ctx, ChunkValues& values, idx_t row, const std::vector<JsAtom>& names) {
  sandbox::JsValue object(ctx, JS_NewObject(ctx));
  if (object.is_exception()) return JS_EXCEPTION;
  for (std::size_t col = 0; col < names.size(); ++col) {
    // Defined, not assigned: a column named __proto__ becomes a plain property.
    if (JS_DefinePropertyValue(ctx, object.get(), names[col].get(), values.take(row, col), JS_PROP_C_W_E) < 0) return JS_EXCEPTION;
  }
  return object.release();
}

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
  ShapeChain shapes(ctx, names);
  if (!shapes.ok()) return JS_EXCEPTION;
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
      JSValue object = row_object(ctx, values, row, names);
      if (JS_IsException(object)) return JS_EXCEPTION;
      out.push(object);
    }
  }
  return out.to_array();
}

}  // namespace as::duck
