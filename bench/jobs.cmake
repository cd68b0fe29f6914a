# Submit → completed latency through JobService and throughput with concurrent submitters
# (docs/performance.md, section "Jobs"). Plain executable that prints a table; never run by ctest.
add_executable(jobs_bench jobs_bench.cpp)
target_link_libraries(jobs_bench PRIVATE as_jobs as_catalog as_sandbox)
target_compile_options(jobs_bench PRIVATE ${AS_WARNINGS})
