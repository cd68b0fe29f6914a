#include "log_buffer.h"

#include <chrono>

#include <fmt/format.h>

#include "limits.h"

namespace as::sandbox {

const char* to_string(LogLevel level) { return level == LogLevel::Error ? "error" : "info"; }

LogBuffer::LogBuffer(std::size_t max_lines, std::size_t max_bytes, Listener listener)
    : max_lines_(max_lines), max_bytes_(max_bytes), listener_(std::move(listener)) {}

void LogBuffer::push(LogLevel level, std::string message) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  entries_.push_back({std::chrono::duration<double, std::milli>(now).count(), level, std::move(message)});
  if (listener_) listener_(entries_.back());
}

bool LogBuffer::append(LogLevel level, std::string message) {
  if (truncated_) return false;
  const char* limit = nullptr;
  if (lines_ + 1 > max_lines_) {
    limit = "line";
  } else if (bytes_ + message.size() > max_bytes_) {
    limit = "byte";
  }
  if (limit) {
    truncated_ = true;
    push(LogLevel::Error,
         fmt::format("[log truncated: the {} limit was reached (max_log_lines={}, max_log_bytes={}); later log output of this run is dropped]",
                     limit, max_lines_, describe_bytes(max_bytes_)));
    return false;
  }
  ++lines_;
  bytes_ += message.size();
  push(level, std::move(message));
  return true;
}

}  // namespace as::sandbox
