#pragma once
// What the stand-alone benchmarks (duck_bench, frame_bench, pg_load_bench) share: --name=value
// options and a throw-away data directory.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace as::bench {

// The text of --name=value, or `fallback` when it is not given.
inline std::string text_option(int argc, char** argv, std::string_view name, const std::string& fallback) {
  std::string prefix = "--" + std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with(prefix)) return std::string(arg.substr(prefix.size()));
  }
  return fallback;
}

// The number of --name=N, or `fallback`.
inline long option(int argc, char** argv, std::string_view name, long fallback) {
  std::string text = text_option(argc, argv, name, "");
  return text.empty() ? fallback : std::stol(text);
}

// A directory under the system's temp directory, removed with everything in it at the end.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace as::bench
