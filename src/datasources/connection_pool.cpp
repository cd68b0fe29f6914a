#include "connection_pool.h"

#include "datasource_error.h"

namespace as::datasources {

struct ConnectionPool::Lease::Shared {
  Shared(std::size_t size, Connector connector) : max_size(size == 0 ? 1 : size), connect(std::move(connector)) {}
  std::size_t max_size;
  Connector connect;
  mutable std::mutex mutex;
  std::condition_variable_any returned;
  std::vector<std::unique_ptr<Connection>> idle;
  std::size_t open = 0;  // idle ones and those on loan
};

ConnectionPool::Lease::Lease(std::shared_ptr<Shared> shared, std::unique_ptr<Connection> connection)
    : shared_(std::move(shared)), connection_(std::move(connection)) {}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    shared_ = std::move(other.shared_);
    connection_ = std::move(other.connection_);
  }
  return *this;
}

ConnectionPool::Lease::~Lease() { give_back(); }

void ConnectionPool::Lease::give_back() {
  if (!shared_ || !connection_) return;
  std::unique_ptr<Connection> closing;  // closed outside the lock: closing may talk to the server
  {
    std::lock_guard lock(shared_->mutex);
    if (connection_->reusable()) {
      shared_->idle.push_back(std::move(connection_));
    } else {
      closing = std::move(connection_);
      --shared_->open;
    }
  }
  shared_->returned.notify_one();
  shared_.reset();
}

ConnectionPool::ConnectionPool(std::size_t max_size, Connector connect)
    : shared_(std::make_shared<Lease::Shared>(max_size, std::move(connect))) {}

ConnectionPool::Lease ConnectionPool::acquire(std::stop_token stop) {
  std::unique_lock lock(shared_->mutex);
  bool ready = shared_->returned.wait(lock, stop, [&] { return !shared_->idle.empty() || shared_->open < shared_->max_size; });
  if (!ready) throw StatementCancelled();
  if (!shared_->idle.empty()) {
    std::unique_ptr<Connection> connection = std::move(shared_->idle.back());
    shared_->idle.pop_back();
    return Lease(shared_, std::move(connection));
  }
  ++shared_->open;
  lock.unlock();
  try {
    return Lease(shared_, shared_->connect());
  } catch (...) {
    lock.lock();
    --shared_->open;
    lock.unlock();
    shared_->returned.notify_one();
    throw;
  }
}

std::size_t ConnectionPool::open_connections() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->open;
}

std::size_t ConnectionPool::idle_connections() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->idle.size();
}

}  // namespace as::datasources
