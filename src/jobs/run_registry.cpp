#include "run_registry.h"

namespace as::jobs {

std::shared_ptr<LiveRun> RunRegistry::find_locked(const std::string& run_id) const {
  auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : it->second;
}

std::shared_ptr<LiveRun> RunRegistry::attach_locked(const std::string& run_id, catalog::RunState state) {
  auto& slot = runs_[run_id];
  if (!slot) {
    slot = std::make_shared<LiveRun>(run_id, state);
    if (closed_ != StopCause::None) slot->request_stop(closed_);
  }
  return slot;
}

void RunRegistry::wait_for_end_locked(std::unique_lock<std::mutex>& lock, Clock::time_point until, std::stop_token stop) {
  std::uint64_t seen = ended_count_;
  ended_.wait_until(lock, stop, until, [&] { return ended_count_ != seen; });
}

std::shared_ptr<LiveRun> RunRegistry::find(const std::string& run_id) const {
  std::lock_guard guard(mutex_);
  return find_locked(run_id);
}

std::shared_ptr<LiveRun> RunRegistry::begin(const std::string& run_id) {
  std::shared_ptr<LiveRun> run;
  {
    std::lock_guard guard(mutex_);
    run = attach_locked(run_id, catalog::RunState::Running);
  }
  run->set_state(catalog::RunState::Running);
  return run;
}

void RunRegistry::end(const std::string& run_id, catalog::RunState state, const std::optional<std::string>& error) {
  std::shared_ptr<LiveRun> run;
  {
    std::lock_guard guard(mutex_);
    if (auto it = runs_.find(run_id); it != runs_.end()) {
      run = std::move(it->second);
      runs_.erase(it);
    }
    ++ended_count_;
  }
  ended_.notify_all();
  // Outside the registry lock: listeners run here. A subscriber arriving now finds no entry
  // and reads the finished row instead.
  if (run) run->finish(state, error);
}

void RunRegistry::stop_all(StopCause cause) {
  std::lock_guard guard(mutex_);
  closed_ = cause;
  for (auto& [id, run] : runs_) run->request_stop(cause);
}

}  // namespace as::jobs
