#pragma once
// The log of one run (ctx.log / ctx.error), bounded by line and byte limits. Past a limit the
// buffer keeps one marker line saying what was dropped, and `truncated()` turns true.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace as::sandbox {

enum class LogLevel { Info, Error };
const char* to_string(LogLevel level);

struct LogEntry {
  double timestamp_ms;  // Unix epoch, milliseconds
  LogLevel level;
  std::string message;
};

class LogBuffer {
 public:
  using Listener = std::function<void(const LogEntry&)>;
  LogBuffer(std::size_t max_lines, std::size_t max_bytes, Listener listener = {});

  // Returns false once the log is truncated (the entry was dropped).
  bool append(LogLevel level, std::string message);
  // Bytes an entry may still use; callers stop formatting huge values at this size.
  std::size_t remaining_bytes() const { return max_bytes_ - bytes_; }
  bool truncated() const { return truncated_; }
  const std::vector<LogEntry>& entries() const { return entries_; }
  std::vector<LogEntry> take() { return std::move(entries_); }

 private:
  void push(LogLevel level, std::string message);

  std::size_t max_lines_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::size_t lines_ = 0;
  bool truncated_ = false;
  Listener listener_;
  std::vector<LogEntry> entries_;
};

}  // namespace as::sandbox
