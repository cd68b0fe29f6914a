#pragma once
// The in-memory side of a run this process is working on (or someone is watching): its stop
// switch, the log so far, and the listeners that stream it. The row in the catalog stays the
// truth about the run; this only carries what changes too fast for the catalog.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "job_types.h"

namespace as::jobs {

// Why a run was asked to stop; decides how it is recorded.
enum class StopCause { None, Cancelled, CallerStopped, Shutdown };

class LiveRun {
 public:
  LiveRun(std::string run_id, catalog::RunState state);
  LiveRun(const LiveRun&) = delete;
  LiveRun& operator=(const LiveRun&) = delete;

  const std::string& id() const { return id_; }
  std::stop_token stop_token() const { return stop_.get_token(); }
  // The first cause given wins.
  void request_stop(StopCause cause);
  StopCause stop_cause() const { return cause_.load(); }

  void set_state(catalog::RunState state);
  void append_log(const sandbox::LogEntry& entry);
  void finish(catalog::RunState state, const std::optional<std::string>& error);

  std::vector<sandbox::LogEntry> logs() const;
  bool logs_truncated() const;

  // Replays the log so far and the current state to `listener`, then streams what follows.
  std::uint64_t subscribe(JobListener listener);
  void unsubscribe(std::uint64_t subscription);

 private:
  void publish(const JobEvent& event);  // mutex_ held

  const std::string id_;
  std::stop_source stop_;
  std::atomic<StopCause> cause_{StopCause::None};
  mutable std::mutex mutex_;
  catalog::RunState state_;
  std::optional<std::string> error_;
  std::vector<sandbox::LogEntry> logs_;
  bool logs_truncated_ = false;
  std::map<std::uint64_t, JobListener> listeners_;
  std::uint64_t next_listener_ = 1;
};

// Keeps a listener subscribed while it lives (move-only).
class Subscription {
 public:
  Subscription() = default;
  Subscription(std::weak_ptr<LiveRun> run, std::uint64_t id) : run_(std::move(run)), id_(id) {}
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }

  // Stops the listener now; it is not called again once this returns.
  void reset();
  // False for a run that had already finished when it was subscribed (it got everything at once).
  bool active() const { return id_ != 0 && !run_.expired(); }

 private:
  std::weak_ptr<LiveRun> run_;
  std::uint64_t id_ = 0;
};

}  // namespace as::jobs
