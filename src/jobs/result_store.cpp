#include "result_store.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "zstd_codec.h"

namespace as::jobs {
namespace {

// Run ids become file names: only what a UUID is made of.
void check_run_id(const std::string& run_id) {
  bool safe = !run_id.empty() && run_id.size() <= 64 &&
              run_id.find_first_not_of("0123456789abcdefABCDEF-") == std::string::npos;
  if (!safe) throw std::invalid_argument(fmt::format("'{}' is not a run id", run_id));
}

// "2024-01-15T10:30:00.123Z" -> "2024/01/15"
std::string day_folder(const std::string& finished_at) {
  bool shaped = finished_at.size() >= 10 && finished_at[4] == '-' && finished_at[7] == '-';
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) shaped = shaped && std::isdigit(static_cast<unsigned char>(finished_at[i]));
  if (!shaped) throw std::invalid_argument(fmt::format("'{}' is not an ISO-8601 time such as 2024-01-15T10:30:00.000Z", finished_at));
  return fmt::format("{}/{}/{}", finished_at.substr(0, 4), finished_at.substr(5, 2), finished_at.substr(8, 2));
}

std::string format_megabytes(std::size_t bytes) {
  if (bytes % (1u << 20) == 0) return fmt::format("{}MB", bytes >> 20);
  return fmt::format("{:.1f}MB", bytes / 1048576.0);
}

// Results are at most the limit; logs at most the log limits. Anything far larger is not ours.
constexpr std::size_t kMaxStoredFileBytes = 256u << 20;

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read '{}': {}", path.string(), std::strerror(errno)));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

std::string result_too_large_message(std::size_t bytes, std::size_t limit, bool at_least) {
  return fmt::format("Result size {}{:.1f}MB exceeds {} limit. Use DuckDB for large datasets.", at_least ? "over " : "",
                     bytes / 1048576.0, format_megabytes(limit));
}

ResultStore::ResultStore(std::filesystem::path data_dir, std::size_t max_result_bytes)
    : data_dir_(std::move(data_dir)), max_result_bytes_(max_result_bytes) {}

std::string ResultStore::result_path(const std::string& run_id, const std::string& finished_at) {
  check_run_id(run_id);
  return fmt::format("results/{}/{}.json.zst", day_folder(finished_at), run_id);
}

std::string ResultStore::logs_path(const std::string& run_id, const std::string& finished_at) {
  check_run_id(run_id);
  return fmt::format("results/{}/{}.logs.json.zst", day_folder(finished_at), run_id);
}

std::filesystem::path ResultStore::resolve(const std::string& relative_path) const {
  std::filesystem::path relative(relative_path);
  bool inside = relative.is_relative() && !relative.empty() && *relative.begin() == "results";
  for (const auto& part : relative) inside = inside && part != "..";
  if (!inside) throw std::invalid_argument(fmt::format("'{}' is not a path under results/", relative_path));
  return data_dir_ / relative;
}

void ResultStore::write_atomically(const std::string& relative_path, std::string_view bytes) const {
  std::filesystem::path target = resolve(relative_path);
  std::error_code error;
  std::filesystem::create_directories(target.parent_path(), error);
  if (error) throw std::runtime_error(fmt::format("cannot create '{}': {}", target.parent_path().string(), error.message()));
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::filesystem::path temporary = target;
  temporary += fmt::format(".tmp-{:016x}", random());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(temporary, error);
      throw std::runtime_error(fmt::format("cannot write '{}': {}", temporary.string(), std::strerror(errno)));
    }
  }
  std::filesystem::rename(temporary, target, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(fmt::format("cannot move '{}' into place: {}", target.string(), error.message()));
  }
}

std::string ResultStore::write_result(const std::string& run_id, std::string_view json, const std::string& finished_at) const {
  if (json.size() > max_result_bytes_) throw ResultTooLarge(result_too_large_message(json.size(), max_result_bytes_));
  std::string relative = result_path(run_id, finished_at);
  write_atomically(relative, zstd_compress(json));
  return relative;
}

std::string ResultStore::read_result(const std::string& relative_path) const {
  std::filesystem::path path = resolve(relative_path);
  try {
    return zstd_decompress(read_whole_file(path), kMaxStoredFileBytes);
  } catch (const ZstdError& e) {
    throw std::runtime_error(fmt::format("result file '{}' cannot be read: {}", path.string(), e.what()));
  }
}

std::string ResultStore::write_logs(const std::string& run_id, const std::string& finished_at, const StoredLogs& logs) const {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& entry : logs.entries) {
    entries.push_back({{"timestamp_ms", entry.timestamp_ms}, {"level", sandbox::to_string(entry.level)}, {"message", entry.message}});
  }
  nlohmann::json document{{"truncated", logs.truncated}, {"entries", std::move(entries)}};
  std::string relative = logs_path(run_id, finished_at);
  // Messages are the script's text: replace invalid UTF-8 rather than fail the run over a log.
  write_atomically(relative, zstd_compress(document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  return relative;
}

StoredLogs ResultStore::read_logs(const std::string& run_id, const std::string& finished_at) const {
  std::filesystem::path path = resolve(logs_path(run_id, finished_at));
  StoredLogs logs;
  if (!std::filesystem::exists(path)) return logs;
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(zstd_decompress(read_whole_file(path), kMaxStoredFileBytes));
    logs.truncated = document.at("truncated").get<bool>();
    for (const auto& entry : document.at("entries")) {
      logs.entries.push_back({entry.at("timestamp_ms").get<double>(),
                              entry.at("level").get<std::string>() == "error" ? sandbox::LogLevel::Error : sandbox::LogLevel::Info,
                              entry.at("message").get<std::string>()});
    }
  } catch (const ZstdError& e) {
    throw std::runtime_error(fmt::format("log file '{}' cannot be read: {}", path.string(), e.what()));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("log file '{}' is not a run log: {}", path.string(), e.what()));
  }
  return logs;
}

}  // namespace as::jobs
