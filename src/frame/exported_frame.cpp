#include "exported_frame.h"

#include <cmath>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "duck/js_building.h"
#include "duck/object_template.h"
#include "duck/value_text.h"
#include "sandbox/js_value.h"

namespace as::frame {
namespace {

constexpr std::int64_t kMaxSafeInteger = std::int64_t{1} << 53;

JSValue js_integer(JSContext* ctx, std::int64_t value) {
  if (value >= -kMaxSafeInteger && value <= kMaxSafeInteger) return JS_NewInt64(ctx, value);
  return JS_NewBigInt64(ctx, value);
}

JSValue js_unsigned(JSContext* ctx, std::uint64_t value) {
  if (value <= static_cast<std::uint64_t>(kMaxSafeInteger)) return JS_NewInt64(ctx, static_cast<std::int64_t>(value));
  return JS_NewBigUint64(ctx, value);
}

JSValue js_text(JSContext* ctx, std::string_view text) { return JS_NewStringLen(ctx, text.data(), text.size()); }

[[noreturn]] void unsupported(const ArrowSchema& schema) {
  throw FrameError(FRAME_ERR_TYPE, fmt::format("column '{}' has Arrow type '{}', which the sandbox cannot turn into JS values; cast it first",
                                               schema.name ? schema.name : "", schema.format ? schema.format : "?"));
}

std::int64_t units_per_second(char unit) {
  switch (unit) {
    case 's': return 1;
    case 'm': return 1'000;
    case 'u': return 1'000'000;
    default: return 1'000'000'000;
  }
}

}  // namespace

ArrowColumnView::ArrowColumnView(const ArrowSchema& schema, const ArrowArray& array)
    : offset_(array.offset), null_count_(array.null_count) {
  const std::string_view format = schema.format ? schema.format : "";
  const void* const* buffers = array.buffers;
  validity_ = array.n_buffers > 0 ? static_cast<const std::uint8_t*>(buffers[0]) : nullptr;
  auto simple = [&](Kind kind) {
    kind_ = kind;
    values_ = array.n_buffers > 1 ? buffers[1] : nullptr;
  };
  auto variable = [&](Kind kind) {
    kind_ = kind;
    values_ = buffers[1];
    data_ = static_cast<const char*>(buffers[2]);
  };
  if (format == "n") {
    kind_ = Kind::Null;
  } else if (format == "b") {
    simple(Kind::Bool);
  } else if (format == "c") {
    simple(Kind::Int8);
  } else if (format == "C") {
    simple(Kind::UInt8);
  } else if (format == "s") {
    simple(Kind::Int16);
  } else if (format == "S") {
    simple(Kind::UInt16);
  } else if (format == "i") {
    simple(Kind::Int32);
  } else if (format == "I") {
    simple(Kind::UInt32);
  } else if (format == "l") {
    simple(Kind::Int64);
  } else if (format == "L") {
    simple(Kind::UInt64);
  } else if (format == "f") {
    simple(Kind::Float32);
  } else if (format == "g") {
    simple(Kind::Float64);
  } else if (format == "u") {
    variable(Kind::Utf8);
  } else if (format == "U") {
    variable(Kind::LargeUtf8);
  } else if (format == "z") {
    variable(Kind::Binary);
  } else if (format == "Z") {
    variable(Kind::LargeBinary);
  } else if (format == "tdD") {
    simple(Kind::Date32);
  } else if (format == "tdm") {
    simple(Kind::Date64);
  } else if (format.size() >= 4 && format.starts_with("ts") && format[3] == ':') {
    simple(Kind::Timestamp);
    unit_ = units_per_second(format[2]);
    utc_ = format.size() > 4;
  } else if ((format == "+l" || format == "+L") && array.n_children == 1 && schema.n_children == 1) {
    kind_ = format == "+l" ? Kind::List : Kind::LargeList;
    values_ = buffers[1];
    child_ = std::make_shared<ArrowColumnView>(*schema.children[0], *array.children[0]);
  } else {
    unsupported(schema);
  }
}

bool ArrowColumnView::is_null(std::int64_t row) const {
  if (kind_ == Kind::Null) return true;
  if (!validity_ || null_count_ == 0) return false;
  std::int64_t bit = offset_ + row;
  return ((validity_[bit >> 3] >> (bit & 7)) & 1) == 0;
}

JSValue ArrowColumnView::value(JSContext* ctx, std::int64_t row) const {
  if (is_null(row)) return JS_NULL;
  switch (kind_) {
    case Kind::Null: return JS_NULL;
    case Kind::Bool: {
      std::int64_t bit = offset_ + row;
      return JS_NewBool(ctx, (static_cast<const std::uint8_t*>(values_)[bit >> 3] >> (bit & 7)) & 1);
    }
    case Kind::Int8: return JS_NewInt32(ctx, at<std::int8_t>(row));
    case Kind::UInt8: return JS_NewInt32(ctx, at<std::uint8_t>(row));
    case Kind::Int16: return JS_NewInt32(ctx, at<std::int16_t>(row));
    case Kind::UInt16: return JS_NewInt32(ctx, at<std::uint16_t>(row));
    case Kind::Int32: return JS_NewInt32(ctx, at<std::int32_t>(row));
    case Kind::UInt32: return JS_NewInt64(ctx, at<std::uint32_t>(row));
    case Kind::Int64: return js_integer(ctx, at<std::int64_t>(row));
    case Kind::UInt64: return js_unsigned(ctx, at<std::uint64_t>(row));
    case Kind::Float32: return JS_NewFloat64(ctx, at<float>(row));
    case Kind::Float64: return JS_NewFloat64(ctx, at<double>(row));
    case Kind::Utf8:
    case Kind::Binary: {
      const auto* offsets = static_cast<const std::int32_t*>(values_) + offset_ + row;
      std::string_view bytes(data_ + offsets[0], static_cast<std::size_t>(offsets[1] - offsets[0]));
      if (kind_ == Kind::Utf8) return js_text(ctx, bytes);
      return JS_NewUint8ArrayCopy(ctx, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    case Kind::LargeUtf8:
    case Kind::LargeBinary: {
      const auto* offsets = static_cast<const std::int64_t*>(values_) + offset_ + row;
      std::string_view bytes(data_ + offsets[0], static_cast<std::size_t>(offsets[1] - offsets[0]));
      if (kind_ == Kind::LargeUtf8) return js_text(ctx, bytes);
      return JS_NewUint8ArrayCopy(ctx, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    case Kind::Date32: return js_text(ctx, duck::format_date(at<std::int32_t>(row)).view());
    case Kind::Date64: {
      auto days = static_cast<std::int32_t>(std::floor(static_cast<double>(at<std::int64_t>(row)) / 86'400'000.0));
      return js_text(ctx, duck::format_date(days).view());
    }
    case Kind::Timestamp:
      return js_text(ctx, duck::format_timestamp(at<std::int64_t>(row), static_cast<duck::TimeUnit>(unit_), utc_).view());
    case Kind::List:
    case Kind::LargeList: {
      std::int64_t begin = 0;
      std::int64_t end = 0;
      if (kind_ == Kind::List) {
        const auto* offsets = static_cast<const std::int32_t*>(values_) + offset_ + row;
        begin = offsets[0];
        end = offsets[1];
      } else {
        const auto* offsets = static_cast<const std::int64_t*>(values_) + offset_ + row;
        begin = offsets[0];
        end = offsets[1];
      }
      duck::ValueList items(ctx);
      items.reserve(static_cast<std::size_t>(end - begin));
      for (std::int64_t i = begin; i < end; ++i) {
        JSValue item = child_->value(ctx, i);
        if (JS_IsException(item)) return JS_EXCEPTION;
        items.push(item);
      }
      return items.to_array();
    }
  }
  return JS_NULL;
}

ExportedFrame::ExportedFrame(const frame_df& df) {
  ArrowStream stream = to_arrow(df);
  auto failed = [&](const char* what) {
    const char* error = stream->get_last_error ? stream->get_last_error(stream.get()) : nullptr;
    return FrameError(FRAME_ERR_COMPUTE, fmt::format("reading the exported frame failed ({}): {}", what, error ? error : "no message"));
  };
  if (stream->get_schema(stream.get(), schema_.out()) != 0) throw failed("schema");
  for (std::int64_t i = 0; i < schema_->n_children; ++i) {
    const char* name = schema_->children[i]->name;
    names_.emplace_back(name ? name : "");
  }
  while (true) {
    ArrowArrayOwner batch;
    if (stream->get_next(stream.get(), batch.out()) != 0) throw failed("batch");
    if (batch.released()) break;
    if (batch->n_children != schema_->n_children) throw failed("batch width differs from the schema");
    std::vector<ArrowColumnView> views;
    views.reserve(static_cast<std::size_t>(batch->n_children));
    for (std::int64_t i = 0; i < batch->n_children; ++i) views.emplace_back(*schema_->children[i], *batch->children[i]);
    rows_ += batch->length;
    views_.push_back(std::move(views));
    batches_.push_back(std::move(batch));
  }
}

JSValue rows_to_js(JSContext* ctx, const ExportedFrame& frame) {
  const std::size_t columns = frame.names().size();
  std::vector<duck::JsAtom> names;
  names.reserve(columns);
  for (const std::string& name : frame.names()) {
    names.emplace_back(ctx, name);
    if (!names.back().ok()) return JS_EXCEPTION;
  }
  duck::ObjectTemplate row_template(ctx, names);  // every row shares its layout
  if (!row_template.ok()) return JS_EXCEPTION;
  duck::CollectorPause pause(ctx);
  duck::ValueList out(ctx);
  out.reserve(static_cast<std::size_t>(frame.rows()));
  std::vector<JSValue> cells(columns, JS_UNDEFINED);
  for (std::size_t batch = 0; batch < frame.batch_count(); ++batch) {
    const std::int64_t rows = frame.batch_rows(batch);
    for (std::int64_t row = 0; row < rows; ++row) {
      for (std::size_t col = 0; col < columns; ++col) {
        cells[col] = frame.column(batch, col).value(ctx, row);
        if (JS_IsException(cells[col])) {
          for (std::size_t made = 0; made < col; ++made) JS_FreeValue(ctx, cells[made]);
          return JS_EXCEPTION;
        }
      }
      JSValue object = row_template.make(cells.data());
      if (JS_IsException(object)) return JS_EXCEPTION;
      out.push(object);
    }
  }
  return out.to_array();
}

}  // namespace as::frame
