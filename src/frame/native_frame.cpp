#include "native_frame.h"

#include <algorithm>

#include <fmt/format.h>

#include "sandbox/limits.h"

namespace as::frame {

std::atomic<std::size_t> NativeFrame::live_frames_{0};
std::atomic<std::size_t> NativeFrame::live_bytes_{0};

void FrameBudget::exceeded(std::size_t would_hold, const std::string& what) const {
  throw FrameLimitExceeded(fmt::format(
      "DataFrame memory limit exceeded: {} would bring this run's DataFrames to {}, more than the limit of {} "
      "(frame_memory_bytes={}). Aggregate or filter in DuckDB first (ctx.duckdb.queryFrame), or keep fewer frames alive.",
      what, sandbox::describe_bytes(would_hold), sandbox::describe_bytes(limit_), limit_));
}

void FrameBudget::charge(std::size_t bytes, const std::string& what) {
  std::lock_guard lock(mutex_);
  if (held_ + bytes > limit_) exceeded(held_ + bytes, what);
  held_ += bytes;
  peak_ = std::max(peak_, held_);
}

void FrameBudget::release(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  held_ -= std::min(bytes, held_);
}

void FrameBudget::check_room(std::size_t bytes, const std::string& what) const {
  std::lock_guard lock(mutex_);
  if (held_ + bytes > limit_) exceeded(held_ + bytes, what);
}

std::size_t FrameBudget::held() const {
  std::lock_guard lock(mutex_);
  return held_;
}

std::size_t FrameBudget::peak() const {
  std::lock_guard lock(mutex_);
  return peak_;
}

std::shared_ptr<const NativeFrame> NativeFrame::adopt(FramePtr frame, std::shared_ptr<FrameBudget> budget, const std::string& what) {
  std::size_t bytes = size_of(*frame);
  budget->charge(bytes, what);  // on failure `frame` is freed as the exception unwinds
  return std::make_shared<const NativeFrame>(Key{}, std::move(frame), std::move(budget), bytes);
}

NativeFrame::NativeFrame(Key, FramePtr frame, std::shared_ptr<FrameBudget> budget, std::size_t bytes)
    : frame_(std::move(frame)), budget_(std::move(budget)), bytes_(bytes) {
  live_frames_.fetch_add(1);
  live_bytes_.fetch_add(bytes_);
}

NativeFrame::~NativeFrame() {
  budget_->release(bytes_);
  live_frames_.fetch_sub(1);
  live_bytes_.fetch_sub(bytes_);
}

}  // namespace as::frame
