#include "js_rows.h"

#include <optional>
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

struct RowsBuilder::Parts {
  Parts(JSContext* ctx, std::size_t columns) : out(ctx), values(ctx, columns) {}
  std::vector<JsAtom> names;
  std::vector<ColumnReader> readers;
  std::optional<ObjectTemplate> row_template;
  ValueList out;
  ChunkValues values;
};

RowsBuilder::RowsBuilder(JSContext* ctx, const std::vector<std::string>& names, const std::vector<ColumnType>& types)
    : ctx_(ctx), types_(types), parts_(std::make_unique<Parts>(ctx, types.size())) {
  const std::size_t columns = types.size();
  parts_->names.reserve(columns);
  parts_->readers.reserve(columns);
  for (std::size_t col = 0; col < columns; ++col) {
    parts_->names.emplace_back(ctx, names[col]);
    parts_->readers.emplace_back(ctx, types[col]);
    if (!parts_->names.back().ok() || !parts_->readers.back().ok()) return;
  }
  parts_->row_template.emplace(ctx, parts_->names);  // every row shares its layout
  ok_ = parts_->row_template->ok();
}

RowsBuilder::~RowsBuilder() = default;

void RowsBuilder::reserve(std::size_t rows) { parts_->out.reserve(rows); }

bool RowsBuilder::add(const DataChunk& chunk) {
  if (!ok_) return false;
  CollectorPause pause(ctx_);
  const std::size_t columns = types_.size();
  idx_t size = duckdb_data_chunk_get_size(chunk.get());
  ChunkValues& values = parts_->values;
  values.reset(size);
  // Column by column first: each column's type is dispatched on once per chunk, and its
  // conversion runs as one tight loop.
  for (std::size_t col = 0; col < columns; ++col) {
    VectorView view = VectorView::of(duckdb_data_chunk_get_vector(chunk.get(), col), types_[col]);
    if (!parts_->readers[col].read_all(view, size, values.column(col), columns)) return ok_ = false;
  }
  for (idx_t row = 0; row < size; ++row) {
    JSValue object = parts_->row_template->make(values.take_row(row));
    if (JS_IsException(object)) return ok_ = false;
    parts_->out.push(object);
  }
  return true;
}

JSValue RowsBuilder::finish() {
  if (!ok_) return JS_EXCEPTION;
  return parts_->out.to_array();
}

JSValue rows_to_js(JSContext* ctx, const FetchedRows& rows) {
  RowsBuilder builder(ctx, rows.names, rows.types);
  if (!builder.ok()) return JS_EXCEPTION;
  builder.reserve(rows.row_count);
  for (const DataChunk& chunk : rows.chunks) {
    if (!builder.add(chunk)) return JS_EXCEPTION;
  }
  return builder.finish();
}

}  // namespace as::duck
