#include "row_feed.h"

namespace as::duck {

void RowFeed::fail(std::string message) {
  {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::move(message);
  }
  chunks_.close();
}

void RowFeed::done() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  chunks_.close();
  finished_.notify_all();
}

std::optional<std::string> RowFeed::wait_done() {
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [&] { return done_; });
  return failure_;
}

}  // namespace as::duck
