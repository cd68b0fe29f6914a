#pragma once
// Where results and logs of finished runs live: zstd-compressed JSON files under the data
// directory, one day per folder (the spec's "Storage Architecture"):
//   <data_dir>/results/YYYY/MM/DD/<run_id>.json.zst        the result (the run row points to it)
//   <data_dir>/results/YYYY/MM/DD/<run_id>.logs.json.zst   the log, beside it
// YYYY/MM/DD is the UTC day the run finished. Files are written to a temporary name and renamed,
// so a reader (or a crash) never sees half a file.
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/log_buffer.h"

namespace as::jobs {

// The spec's limit: results must be less than 10 MB as JSON.
constexpr std::size_t kDefaultMaxResultBytes = 10u << 20;

// A result over the limit; what() is the spec's message.
class ResultTooLarge : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "Result size 12.5MB exceeds 10MB limit. Use DuckDB for large datasets." (the spec's text).
std::string result_too_large_message(std::size_t bytes, std::size_t limit, bool at_least = false);

struct StoredLogs {
  std::vector<sandbox::LogEntry> entries;
  bool truncated = false;
};

class ResultStore {
 public:
  explicit ResultStore(std::filesystem::path data_dir, std::size_t max_result_bytes = kDefaultMaxResultBytes);

  // Writes the result and returns its path relative to the data directory (what the run row
  // stores). `finished_at` is the run's ISO-8601 completion time; its date picks the folder.
  // Throws ResultTooLarge past the limit, std::runtime_error naming the file on I/O errors.
  std::string write_result(const std::string& run_id, std::string_view json, const std::string& finished_at) const;
  std::string read_result(const std::string& relative_path) const;

  // The log goes beside the result, at a path derived from the same two values.
  std::string write_logs(const std::string& run_id, const std::string& finished_at, const StoredLogs& logs) const;
  // An empty log when the run left none (it never started, or its process died).
  StoredLogs read_logs(const std::string& run_id, const std::string& finished_at) const;

  std::size_t max_result_bytes() const { return max_result_bytes_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }

  static std::string result_path(const std::string& run_id, const std::string& finished_at);
  static std::string logs_path(const std::string& run_id, const std::string& finished_at);

 private:
  void write_atomically(const std::string& relative_path, std::string_view bytes) const;
  std::filesystem::path resolve(const std::string& relative_path) const;

  std::filesystem::path data_dir_;
  std::size_t max_result_bytes_;
};

}  // namespace as::jobs
