#pragma once
// A frame exported as Arrow record batches (frame_to_arrow_stream) and read value by value
// into JS values, with the type table of docs/duckdb.md: integers within ±2^53 as numbers
// (wider ones BigInt), dates as "YYYY-MM-DD", timestamps as ISO-8601 (with Z when the column
// has a time zone), binary as Uint8Array, lists as arrays. The batches own their data, so the
// frame may be freed while they are read.
#include <quickjs.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrow_handles.h"
#include "frame_handle.h"

namespace as::frame {

// One column of one batch: reads straight from the Arrow buffers.
class ArrowColumnView {
 public:
  // Throws FrameError (FRAME_ERR_TYPE) for an Arrow type the sandbox cannot show in JS.
  ArrowColumnView(const ArrowSchema& schema, const ArrowArray& array);

  bool is_null(std::int64_t row) const;
  // A new JS value, or JS_EXCEPTION (pending) when out of memory.
  JSValue value(JSContext* ctx, std::int64_t row) const;

 private:
  enum class Kind { Null, Bool, Int32, UInt32, Int64, UInt64, Float32, Float64, Utf8, LargeUtf8, Binary, LargeBinary,
                    Date32, Date64, Timestamp, List, LargeList, Int8, UInt8, Int16, UInt16 };
  template <class T>
  T at(std::int64_t row) const {
    return static_cast<const T*>(values_)[offset_ + row];
  }

  Kind kind_ = Kind::Null;
  std::int64_t offset_ = 0;
  std::int64_t null_count_ = 0;
  const std::uint8_t* validity_ = nullptr;
  const void* values_ = nullptr;  // value buffer, or the offsets of strings, binaries and lists
  const char* data_ = nullptr;    // string and binary bytes
  std::int64_t unit_ = 1;         // timestamps: units per second
  bool utc_ = false;              // timestamps with a time zone are instants: shown in UTC with Z
  std::shared_ptr<ArrowColumnView> child_;  // list elements
};

class ExportedFrame {
 public:
  explicit ExportedFrame(const frame_df& df);

  const std::vector<std::string>& names() const { return names_; }
  std::size_t batch_count() const { return batches_.size(); }
  std::int64_t batch_rows(std::size_t batch) const { return batches_[batch]->length; }
  const ArrowColumnView& column(std::size_t batch, std::size_t col) const { return views_[batch][col]; }
  std::int64_t rows() const { return rows_; }

 private:
  std::vector<std::string> names_;
  ArrowSchemaOwner schema_;
  std::vector<ArrowArrayOwner> batches_;
  std::vector<std::vector<ArrowColumnView>> views_;
  std::int64_t rows_ = 0;
};

// The frame's rows as a JS array of plain objects (one property per column, in order).
// JS_EXCEPTION (pending) when the JS heap limit is hit.
JSValue rows_to_js(JSContext* ctx, const ExportedFrame& frame);

}  // namespace as::frame
