#pragma once
// Materialised frames and the native memory budget of one run.
//
// Polars' buffers live outside the JS heap, so the JS memory limit does not see them. Each
// frame a run makes is charged to the run's FrameBudget (frame_estimated_size) for as long as
// it lives; a frame that would take the run past its limit is freed at once and the call fails
// with FrameLimitExceeded. Frames are shared (several JS DataFrames may stand on one, a pool
// thread may be saving one into DuckDB), so they are held by shared_ptr; the NativeFrame is the
// one owner of the frame_df* inside.
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "frame_handle.h"

namespace as::frame {

class FrameLimitExceeded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FrameBudget {
 public:
  explicit FrameBudget(std::size_t limit_bytes) : limit_(limit_bytes) {}
  FrameBudget(const FrameBudget&) = delete;
  FrameBudget& operator=(const FrameBudget&) = delete;

  // Adds `bytes` to what the run holds; throws FrameLimitExceeded (charging nothing) when that
  // would pass the limit. `what` names the frame for the message.
  void charge(std::size_t bytes, const std::string& what);
  void release(std::size_t bytes);
  // Throws FrameLimitExceeded when `bytes` more would not fit (for data on its way in).
  void check_room(std::size_t bytes, const std::string& what) const;

  std::size_t limit() const { return limit_; }
  std::size_t held() const;
  std::size_t peak() const;

 private:
  [[noreturn]] void exceeded(std::size_t would_hold, const std::string& what) const;

  const std::size_t limit_;
  mutable std::mutex mutex_;
  std::size_t held_ = 0;
  std::size_t peak_ = 0;
};

class NativeFrame {
 public:
  // Takes `frame` over and charges its size to `budget` (throws FrameLimitExceeded, freeing it).
  static std::shared_ptr<const NativeFrame> adopt(FramePtr frame, std::shared_ptr<FrameBudget> budget, const std::string& what);

  // Only adopt() makes the key, so every NativeFrame is charged to a budget.
  class Key {
    friend class NativeFrame;
    Key() = default;
  };
  NativeFrame(Key, FramePtr frame, std::shared_ptr<FrameBudget> budget, std::size_t bytes);
  NativeFrame(const NativeFrame&) = delete;
  NativeFrame& operator=(const NativeFrame&) = delete;
  ~NativeFrame();

  const frame_df& get() const { return *frame_; }
  std::size_t bytes() const { return bytes_; }

  // Across the whole process, for leak checks: frames alive and the bytes they hold.
  static std::size_t live_frames() { return live_frames_.load(); }
  static std::size_t live_bytes() { return live_bytes_.load(); }

 private:
  FramePtr frame_;
  std::shared_ptr<FrameBudget> budget_;
  std::size_t bytes_;

  static std::atomic<std::size_t> live_frames_;
  static std::atomic<std::size_t> live_bytes_;
};

using FrameRef = std::shared_ptr<const NativeFrame>;

}  // namespace as::frame
