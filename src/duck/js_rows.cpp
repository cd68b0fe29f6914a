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

struct RowBuilder::Parts {
  Parts(JSContext* c, const std::vector<ColumnType>& column_types)
      : ctx(c), types(column_types), pause(c), out(c), values(c, column_types.size()) {}
  JSContext* ctx;
  const std::vector<ColumnType>& types;
  std::vector<JsAtom> names;
  std::vector<ColumnReader> readers;
  std::optional<ObjectTemplate> row_template;  // every row shares its layout
  CollectorPause pause;
  ValueList out;
  ChunkValues values;
};

RowBuilder::RowBuilder(JSContext* ctx, const std::vector<std::string>& names, const std::vector<ColumnType>& types, std::size_t expected_rows)
    : parts_(std::make_unique<Parts>(ctx, types)) {
  const std::size_t columns = types.size();
  parts_->names.reserve(columns);
  parts_->readers.reserve(columns);
  for (std::size_t col = 0; col < columns; ++col) {
    parts_->names.emplace_back(ctx, names[col]);
    parts_->readers.emplace_back(ctx, types[col]);
    if (!parts_->names.back().ok() || !parts_->readers.back().ok()) return;
  }
  parts_->row_template.emplace(ctx, parts_->names);
  if (!parts_->row_template->ok()) return;
  parts_->out.reserve(expected_rows);
  ok_ = true;
}

RowBuilder::~RowBuilder() = default;

bool RowBuilder::add(duckdb_data_chunk chunk) {
  Parts& p = *parts_;
  const std::size_t columns = p.types.size();
  idx_t size = duckdb_data_chunk_get_size(chunk);
  p.values.reset(size);
  // Column by column first: each column's type is dispatched on once per chunk, and its
  // conversion runs as one tight loop.
  for (std::size_t col = 0; col < columns; ++col) {
    VectorView view = VectorView::of(duckdb_data_chunk_get_vector(chunk, col), p.types[col]);
    if (!p.readers[col].read_all(view, size, p.values.column(col), columns)) return ok_ = false;
  }
  for (idx_t row = 0; row < size; ++row) {
    JSValue object = p.row_template->make(p.values.take_row(row));
    if (JS_IsException(object)) return ok_ = false;
    p.out.push(object);
  }
  return true;
}

JSValue RowBuilder::finish() { return parts_->out.to_array(); }

JSValue rows_to_js(JSContext* ctx, const FetchedRows& rows) {
  RowBuilder builder(ctx, rows.names, rows.types, rows.row_count);
  if (!builder.ok()) return JS_EXCEPTION;
  for (const DataChunk& chunk : rows.chunks) {
    if (!builder.add(chunk.get())) return JS_EXCEPTION;
  }
  return builder.finish();
}

}  // namespace as::duck
