#include "stop_signal.h"

#include <utility>
#include <vector>

namespace as::server {

StopSignal::Subscription::Subscription(Subscription&& other) noexcept
    : signal_(std::move(other.signal_)), id_(std::exchange(other.id_, 0)) {}

StopSignal::Subscription& StopSignal::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    release();
    signal_ = std::move(other.signal_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

StopSignal::Subscription::~Subscription() { release(); }

void StopSignal::Subscription::release() {
  if (id_ == 0) return;
  if (auto signal = signal_.lock()) {
    std::lock_guard lock(signal->mutex_);
    signal->listeners_.erase(id_);
  }
  id_ = 0;
}

StopSignal::Subscription StopSignal::subscribe(const std::shared_ptr<StopSignal>& signal, Listener listener) {
  {
    std::lock_guard lock(signal->mutex_);
    if (!signal->raised_) {
      std::uint64_t id = signal->next_id_++;
      signal->listeners_.emplace(id, std::move(listener));
      return Subscription(signal, id);
    }
  }
  listener();
  return {};
}

void StopSignal::raise() {
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(mutex_);
    raised_ = true;
    for (auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (auto& listener : listeners) listener();
}

}  // namespace as::server
