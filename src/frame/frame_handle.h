#pragma once
// Owners and checked calls for frame-rs (frame-rs/include/frame.h). Every frame_df*,
// frame_error* and frame_field_list* we get is freed exactly once, by the function frame.h
// names for it; a failed call becomes a FrameError carrying frame-rs' status and message.
#include <frame.h>

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "arrow_handles.h"

namespace as::frame {

class FrameError : public std::runtime_error {
 public:
  FrameError(frame_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  frame_status status() const { return status_; }

 private:
  frame_status status_;
};

struct FrameDeleter {
  void operator()(frame_df* df) const { frame_free(df); }
};
// The one owner of a frame_df*.
using FramePtr = std::unique_ptr<frame_df, FrameDeleter>;

struct Field {
  std::string name;
  std::string dtype;  // frame-rs dtype name: "int64", "string", "date", "datetime[ms]", ...
};
using Schema = std::vector<Field>;

// Each throws FrameError when frame-rs reports a failure.
FramePtr from_columns(std::span<const frame_column> columns);
// Consumes `stream` (left released), as frame_from_arrow_stream does, even on failure.
FramePtr from_arrow(ArrowArrayStream& stream);
FramePtr execute(std::span<const frame_df* const> inputs, const std::string& plan_json);
Schema schema_after(std::span<const frame_df* const> inputs, const std::string& plan_json);
FramePtr keep_rows(const frame_df& df, std::span<const std::uint8_t> mask);
ArrowStream to_arrow(const frame_df& df, std::uint32_t flags = 0);
std::uint64_t height_of(const frame_df& df);
std::uint64_t size_of(const frame_df& df);
Schema schema_of(const frame_df& df);

}  // namespace as::frame
