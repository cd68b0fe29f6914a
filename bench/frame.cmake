# DataFrames: groupBy against Python polars, saveDataFrame against CREATE TABLE AS, row callbacks
# (docs/performance.md, section "DataFrames"). Plain executable that prints a table; never run by ctest.
add_executable(frame_bench frame_bench.cpp)
target_link_libraries(frame_bench PRIVATE as_frame as_duck as_sandbox)
target_compile_options(frame_bench PRIVATE ${AS_WARNINGS})
