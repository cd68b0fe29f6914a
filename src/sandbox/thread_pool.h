#pragma once
// Fixed-size pool that runs host-call work (database I/O, sleeps in drivers, ...) off the JS
// thread, so several host calls of one run proceed at the same time.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace as::sandbox {

class ThreadPool {
 public:
  explicit ThreadPool(std::size_t threads);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();  // finishes queued tasks, then joins

  void submit(std::function<void()> task);
  std::size_t size() const { return workers_.size(); }

  // The process-wide pool host calls use unless a run is given another.
  static ThreadPool& shared();

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::jthread> workers_;
};

}  // namespace as::sandbox
