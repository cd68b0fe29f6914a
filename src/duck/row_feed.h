#pragma once
// The chunks of one query's result on their way from the pool thread that fetches them to the
// run's JS thread that turns them into rows, so that DuckDB fetches chunk n + 1 while the JS
// thread builds the rows of chunk n (ctx.duckdb.query; EventLoop::spawn_early). The fetching side
// holds the run's DuckDB statement lock until it is done; the building side waits for that
// before it returns, so a run never ends while its query is still streaming.
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bounded_queue.h"
#include "duck_handles.h"
#include "fetched_rows.h"

namespace as::duck {

class RowFeed {
 public:
  explicit RowFeed(std::size_t capacity) : chunks_(capacity) {}

  // The result's columns: set by the fetching side before it hands the feed over, read by the
  // building side after.
  void set_columns(const ResultColumns& columns) { columns_ = columns; }
  const std::vector<std::string>& names() const { return columns_.names; }
  const std::vector<ColumnType>& types() const { return columns_.types; }

  // Fetching side. push waits while `capacity` chunks wait; false once the building side has
  // given up (stop fetching). Then end() or fail(message), and last of all done().
  bool push(DataChunk chunk) { return chunks_.push(std::move(chunk)); }
  void end() { chunks_.close(); }
  void fail(std::string message);
  // The fetching side no longer touches DuckDB (its result is gone, its lock released).
  void done();

  // Building side. The next chunk; nothing at the end, after a failure, or when `deadline`
  // passed first (`timed_out` then set).
  template <class TimePoint>
  std::optional<DataChunk> next(const TimePoint& deadline, bool& timed_out) {
    return chunks_.pop_until(deadline, timed_out);
  }
  // Stop early: the fetching side's next push fails (also called from a stop of the run, on
  // another thread, so that a push waiting for a building side that will never come returns).
  void abandon() { chunks_.close(); }
  // Waits for done(); then the failure, if the fetching side failed.
  std::optional<std::string> wait_done();

 private:
  ResultColumns columns_;
  BoundedQueue<DataChunk> chunks_;
  std::mutex mutex_;
  std::condition_variable finished_;
  std::optional<std::string> failure_;
  bool done_ = false;
};

}  // namespace as::duck
