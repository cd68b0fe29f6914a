# PostgreSQL -> DuckDB (ctx.duckdb.load) and -> JS rows (query) figures of docs/performance.md;
# bench/pg_load.sh runs it against the test PostgreSQL with the baselines. Never run by ctest.
add_executable(pg_load_bench pg_load_bench.cpp)
target_link_libraries(pg_load_bench PRIVATE as_datasources as_duck as_sandbox)
target_compile_options(pg_load_bench PRIVATE ${AS_WARNINGS})
