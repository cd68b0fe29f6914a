#include "live_run.h"

#include <utility>

namespace as::jobs {

LiveRun::LiveRun(std::string run_id, catalog::RunState state) : id_(std::move(run_id)), state_(state) {}

void LiveRun::request_stop(StopCause cause) {
  StopCause none = StopCause::None;
  cause_.compare_exchange_strong(none, cause);
  stop_.request_stop();
}

void LiveRun::publish(const JobEvent& event) {
  for (auto& [id, listener] : listeners_) listener(event);
}

void LiveRun::set_state(catalog::RunState state) {
  std::lock_guard lock(mutex_);
  state_ = state;
  publish(JobEvent{JobEvent::Kind::Status, state, std::nullopt, {}});
}

void LiveRun::append_log(const sandbox::LogEntry& entry) {
  std::lock_guard lock(mutex_);
  logs_.push_back(entry);
  // The sandbox's truncation marker is the last line it ever writes.
  if (entry.level == sandbox::LogLevel::Error && entry.message.starts_with("[log truncated:")) logs_truncated_ = true;
  publish(JobEvent{JobEvent::Kind::Log, state_, std::nullopt, entry});
}

void LiveRun::finish(catalog::RunState state, const std::optional<std::string>& error) {
  std::lock_guard lock(mutex_);
  state_ = state;
  error_ = error;
  publish(JobEvent{JobEvent::Kind::Status, state, error, {}});
  listeners_.clear();  // nothing follows the final status
}

std::vector<sandbox::LogEntry> LiveRun::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

bool LiveRun::logs_truncated() const {
  std::lock_guard lock(mutex_);
  return logs_truncated_;
}

std::uint64_t LiveRun::subscribe(JobListener listener) {
  std::lock_guard lock(mutex_);
  for (const auto& entry : logs_) listener(JobEvent{JobEvent::Kind::Log, state_, std::nullopt, entry});
  listener(JobEvent{JobEvent::Kind::Status, state_, error_, {}});
  if (catalog::is_finished(state_)) return 0;
  std::uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void LiveRun::unsubscribe(std::uint64_t subscription) {
  std::lock_guard lock(mutex_);
  listeners_.erase(subscription);
}

Subscription::Subscription(Subscription&& other) noexcept : run_(std::move(other.run_)), id_(std::exchange(other.id_, 0)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    run_ = std::move(other.run_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void Subscription::reset() {
  if (id_ != 0) {
    if (auto run = run_.lock()) run->unsubscribe(id_);
  }
  id_ = 0;
  run_.reset();
}

}  // namespace as::jobs
