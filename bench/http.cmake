# The REST API from a client's side: execute → completed latency and concurrent throughput
# (docs/performance.md, "The REST API"). bench/http.sh starts a server and runs it (and wrk).
add_executable(http_bench http_bench.cpp)
target_link_libraries(http_bench PRIVATE PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)
target_compile_options(http_bench PRIVATE ${AS_WARNINGS})
