# ctx.duckdb.query throughput against the raw DuckDB C API, and per-run connection set-up
# (docs/performance.md (section "The project DuckDB")). Plain executable that prints a table; never run by ctest.
add_executable(duck_bench duck_bench.cpp)
target_link_libraries(duck_bench PRIVATE as_duck as_sandbox quickjs duckdb)
target_compile_options(duck_bench PRIVATE ${AS_WARNINGS})
