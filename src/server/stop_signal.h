#pragma once
// Tells the responses the server holds open (?wait_ms, /events) that it is stopping: httplib
// joins its threads before serve() returns, so without this a SIGTERM waited for every such
// response to end by itself (up to 60 s).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace as::server {

class StopSignal {
 public:
  using Listener = std::function<void()>;

  // Removes its listener when destroyed. A listener may still run once, concurrently with the
  // destruction, if raise() copied it just before: listeners must only touch what they own.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(std::weak_ptr<StopSignal> signal, std::uint64_t id) : signal_(std::move(signal)), id_(id) {}
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription();

   private:
    void release();
    std::weak_ptr<StopSignal> signal_;
    std::uint64_t id_ = 0;
  };

  // Calls `listener` when raise() happens, or at once if it already has.
  static Subscription subscribe(const std::shared_ptr<StopSignal>& signal, Listener listener);
  // Sets the signal and calls every listener (outside the lock, so a listener may unsubscribe).
  void raise();
  bool raised() const { return raised_.load(); }

 private:
  std::atomic<bool> raised_{false};
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Listener> listeners_;
};

}  // namespace as::server
