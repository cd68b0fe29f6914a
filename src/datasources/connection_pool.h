#pragma once
// The connections of one datasource: at most `max_size` open at once, idle ones kept for the
// next statement, made on demand. Thread-safe. A caller that finds every connection busy waits
// until one comes back or its stop token fires.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <vector>

#include "connection.h"

namespace as::datasources {

class ConnectionPool {
 public:
  using Connector = std::function<std::unique_ptr<Connection>()>;

  // A connection on loan; it goes back to the pool when the lease ends (or is closed, when it
  // is no longer reusable()).
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    friend class ConnectionPool;
    struct Shared;
    Lease(std::shared_ptr<Shared> shared, std::unique_ptr<Connection> connection);
    void give_back();

    std::shared_ptr<Shared> shared_;
    std::unique_ptr<Connection> connection_;
  };

  ConnectionPool(std::size_t max_size, Connector connect);

  // An idle connection, a new one while fewer than max_size are open, else waits. Throws
  // StatementCancelled when `stop` fires while waiting, and what the connector throws.
  Lease acquire(std::stop_token stop);

  std::size_t open_connections() const;
  std::size_t idle_connections() const;

 private:
  std::shared_ptr<Lease::Shared> shared_;
};

}  // namespace as::datasources
