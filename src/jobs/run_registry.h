#pragma once
// The runs this process holds in memory (LiveRun), by id, and the signal "a run ended" that
// wait() and nested runs waiting for their turn sleep on. Check-then-wait sequences hold the
// registry lock while they read the catalog, and a run's end is announced under the same lock
// after its row is written, so no end is ever missed.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "live_run.h"

namespace as::jobs {

class RunRegistry {
 public:
  using Clock = std::chrono::steady_clock;

  std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }

  // With the lock held (from lock()):
  std::shared_ptr<LiveRun> find_locked(const std::string& run_id) const;
  // The run's entry, made in `state` if it has none yet (already stopped after stop_all).
  std::shared_ptr<LiveRun> attach_locked(const std::string& run_id, catalog::RunState state);
  // Sleeps until some run ends, `stop` is requested, or `until`.
  void wait_for_end_locked(std::unique_lock<std::mutex>& lock, Clock::time_point until, std::stop_token stop = {});

  std::shared_ptr<LiveRun> find(const std::string& run_id) const;
  // A claimed run starts: its entry (kept if a subscriber or a cancel made it) turns running.
  std::shared_ptr<LiveRun> begin(const std::string& run_id);
  // Call after the run's final row is written: wakes waiters, then tells subscribers.
  void end(const std::string& run_id, catalog::RunState state, const std::optional<std::string>& error);
  // Stops every run held now and every run attached later (shutdown).
  void stop_all(StopCause cause);

 private:
  mutable std::mutex mutex_;
  std::condition_variable_any ended_;
  std::uint64_t ended_count_ = 0;
  std::map<std::string, std::shared_ptr<LiveRun>> runs_;
  StopCause closed_ = StopCause::None;
};

}  // namespace as::jobs
