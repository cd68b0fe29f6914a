// Versions written per second on the embedded SQLite store (docs/performance.md, "The catalog").
// Each analysis is created (version 1) and then updated N-1 times; every write is its own
// transaction, exactly as the API and MCP write them. Prints one line per repetition and the median.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "catalog/sqlite_store.h"

namespace {

std::string script_of_lines(int lines, int variant) {
  std::string script = "export default {\n  title: \"Bench\",\n  async run(ctx, params) {\n";
  for (int line = 0; line < lines; ++line) script += fmt::format("    const v{} = {} + {};\n", line, line, variant);
  return script + "    return {};\n  }\n};\n";
}

double versions_per_second(const std::filesystem::path& db, int analyses, int versions_each) {
  std::filesystem::remove_all(db.parent_path());
  std::filesystem::create_directories(db.parent_path());
  as::catalog::SqliteStore store(db);
  const std::string metadata = R"({"dependencies":{"datasources":[],"analyses":[]},"parameters":{}})";
  auto start = std::chrono::steady_clock::now();
  for (int a = 0; a < analyses; ++a) {
    std::string name = fmt::format("analysis_{}", a);
    store.create_analysis({.project = "default", .name = name, .title = "Bench", .script = script_of_lines(200, 0), .metadata_json = metadata});
    for (int v = 1; v < versions_each; ++v) {
      store.update_analysis("default", name,
                            {.title = "Bench", .script = script_of_lines(200, v), .metadata_json = metadata,
                             .change_description = fmt::format("change {}", v)});
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return analyses * versions_each / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int repetitions = argc > 1 ? std::atoi(argv[1]) : 5;
  auto dir = std::filesystem::temp_directory_path() / fmt::format("as-catalog-bench-{}", ::getpid());
  std::vector<double> rates;
  std::printf("catalog_bench: 20 analyses x 100 versions (200-line scripts), SQLite WAL, synchronous=NORMAL\n");
  for (int r = 0; r < repetitions; ++r) {
    rates.push_back(versions_per_second(dir / "catalog.sqlite", 20, 100));
    std::printf("  repetition %d: %.0f versions/s\n", r + 1, rates.back());
  }
  std::filesystem::remove_all(dir);
  std::sort(rates.begin(), rates.end());
  std::printf("median: %.0f versions/s (target >= 2000)\n", rates[rates.size() / 2]);
}
