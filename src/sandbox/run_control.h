#pragma once
// The stop switch of one run, shared with everything working for it on other threads: the job
// system (cancel), the event loop (deadline) and host calls in flight (they watch token()).
#include <atomic>
#include <chrono>
#include <stop_token>

namespace as::sandbox {

enum class StopReason { None, Cancelled, TimeLimit, MemoryLimit };

class RunControl {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RunControl(Clock::time_point deadline) : deadline_(deadline) {}

  // The first reason given wins; later calls only repeat the request.
  void stop(StopReason reason) {
    StopReason none = StopReason::None;
    reason_.compare_exchange_strong(none, reason);
    source_.request_stop();
  }
  bool stop_requested() const { return source_.stop_requested(); }
  StopReason reason() const { return reason_.load(); }
  std::stop_token token() const { return source_.get_token(); }
  Clock::time_point deadline() const { return deadline_; }
  bool past_deadline() const { return Clock::now() >= deadline_; }

 private:
  Clock::time_point deadline_;
  std::stop_source source_;
  std::atomic<StopReason> reason_{StopReason::None};
};

}  // namespace as::sandbox
