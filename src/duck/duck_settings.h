#pragma once
// Resources of one project's DuckDB. The config file (a later issue) fills these per project;
// until then every project gets defaults that fit the machine it runs on.
#include <cstddef>
#include <cstdint>

namespace as::duck {

struct DuckSettings {
  // DuckDB's memory_limit for the project database (spec: 8 GB).
  std::uint64_t memory_limit_bytes = 8ull << 30;
  // DuckDB's worker threads for the project database (spec: 8).
  unsigned threads = 8;
  // Largest result ctx.duckdb.query hands to a script (spec: 10 MB). Benchmarks raise it.
  std::size_t max_query_result_bytes = 10u << 20;

  // The spec's defaults, capped to what this machine has: memory_limit = min(8 GB, half the
  // physical RAM), threads = min(8, hardware threads).
  static DuckSettings for_this_machine();
};

}  // namespace as::duck
