#pragma once
// N threads that each look for work, do it, and look again; when there is none they sleep until
// woken (a run was submitted or ended) or until the poll interval passes (work queued by another
// process, or left pending by a restart, is found that way).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace as::jobs {

class WorkerPool {
 public:
  // `find_and_do_work` returns true when it did something. An exception it throws is reported
  // on stderr and the worker backs off for one poll interval.
  WorkerPool(std::chrono::milliseconds poll_interval, std::function<bool()> find_and_do_work);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();  // stop() and join

  // Starts the threads (kept out of the constructor so the owner is complete before work begins).
  void start(std::size_t workers);
  void wake_one();
  // No worker starts new work after this; workers finish what they are doing.
  void stop();
  // Waits for the threads to end (call stop() first).
  void join();
  std::size_t size() const { return threads_.size(); }

 private:
  void work();

  std::chrono::milliseconds poll_interval_;
  std::function<bool()> find_and_do_work_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::size_t signals_ = 0;
  bool stopping_ = false;
  std::vector<std::jthread> threads_;
};

}  // namespace as::jobs
