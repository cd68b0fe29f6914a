#include "frame_handle.h"

namespace as::frame {
namespace {

struct ErrorDeleter {
  void operator()(frame_error* err) const { frame_error_free(err); }
};
struct SchemaDeleter {
  void operator()(frame_field_list* schema) const { frame_schema_free(schema); }
};

// Turns a failed call's status and error into a FrameError (and frees the error). Call it
// after the call, not around it: `check(f(&err), err)` may read `err` before f fills it.
void check(frame_status status, frame_error* raw) {
  std::unique_ptr<frame_error, ErrorDeleter> err(raw);
  if (status == FRAME_OK) return;
  throw FrameError(status, err ? frame_error_message(err.get()) : "frame-rs failed without a message");
}

Schema read_schema(frame_field_list* raw) {
  std::unique_ptr<frame_field_list, SchemaDeleter> list(raw);
  Schema schema;
  schema.reserve(list->n_fields);
  for (std::size_t i = 0; i < list->n_fields; ++i) schema.push_back({list->fields[i].name, list->fields[i].dtype});
  return schema;
}

}  // namespace

FramePtr from_columns(std::span<const frame_column> columns) {
  frame_df* out = nullptr;
  frame_error* err = nullptr;
  frame_status status = frame_from_columns(columns.data(), columns.size(), &out, &err);
  check(status, err);
  return FramePtr(out);
}

FramePtr from_arrow(ArrowArrayStream& stream) {
  frame_df* out = nullptr;
  frame_error* err = nullptr;
  frame_status status = frame_from_arrow_stream(&stream, &out, &err);
  check(status, err);
  return FramePtr(out);
}

FramePtr execute(std::span<const frame_df* const> inputs, const std::string& plan_json) {
  frame_df* out = nullptr;
  frame_error* err = nullptr;
  frame_status status = frame_plan_execute_multi(inputs.data(), inputs.size(), plan_json.c_str(), &out, &err);
  check(status, err);
  return FramePtr(out);
}

Schema schema_after(std::span<const frame_df* const> inputs, const std::string& plan_json) {
  frame_field_list* out = nullptr;
  frame_error* err = nullptr;
  frame_status status = frame_plan_schema(inputs.data(), inputs.size(), plan_json.c_str(), &out, &err);
  check(status, err);
  return read_schema(out);
}

FramePtr keep_rows(const frame_df& df, std::span<const std::uint8_t> mask) {
  frame_df* out = nullptr;
  frame_error* err = nullptr;
  frame_status status = frame_filter_mask(&df, mask.data(), mask.size(), &out, &err);
  check(status, err);
  return FramePtr(out);
}

ArrowStream to_arrow(const frame_df& df, std::uint32_t flags) {
  ArrowStream stream;
  frame_error* err = nullptr;
  frame_status status = frame_to_arrow_stream(&df, flags, stream.out(), &err);
  check(status, err);
  return stream;
}

std::uint64_t height_of(const frame_df& df) {
  std::uint64_t out = 0;
  frame_error* err = nullptr;
  frame_status status = frame_height(&df, &out, &err);
  check(status, err);
  return out;
}

std::uint64_t size_of(const frame_df& df) {
  std::uint64_t out = 0;
  frame_error* err = nullptr;
  frame_status status = frame_estimated_size(&df, &out, &err);
  check(status, err);
  return out;
}

Schema schema_of(const frame_df& df) {
  frame_field_list* out = nullptr;
  frame_error* err = nullptr;
  frame_status status = frame_schema(&df, &out, &err);
  check(status, err);
  return read_schema(out);
}

}  // namespace as::frame
