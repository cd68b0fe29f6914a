#include "worker_pool.h"

#include <exception>
#include <iostream>

namespace as::jobs {

WorkerPool::WorkerPool(std::chrono::milliseconds poll_interval, std::function<bool()> find_and_do_work)
    : poll_interval_(poll_interval), find_and_do_work_(std::move(find_and_do_work)) {}

void WorkerPool::start(std::size_t workers) {
  threads_.reserve(threads_.size() + workers);
  for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
  stop();
  join();
}

void WorkerPool::join() { threads_.clear(); }  // jthread joins

void WorkerPool::wake_one() {
  {
    std::lock_guard lock(mutex_);
    ++signals_;
  }
  wake_.notify_one();
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

void WorkerPool::work() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    bool worked = false;
    try {
      worked = find_and_do_work_();
    } catch (const std::exception& e) {
      std::cerr << "jobs: a worker could not claim a run: " << e.what() << "\n";
    }
    if (worked) continue;
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, poll_interval_, [this] { return stopping_ || signals_ > 0; });
    if (signals_ > 0) --signals_;
  }
}

}  // namespace as::jobs
