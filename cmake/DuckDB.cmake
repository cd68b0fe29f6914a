# DuckDB 1.4.4: the official libduckdb.so from the pinned npm package, duckdb.h from the duckdb
# npm package of the same version (see scripts/deps.lock). Only the stable C API is used.
set(DUCKDB_LIB_DIR ${AS_DEPS_DIR}/duckdb-lib)
set(DUCKDB_INCLUDE_DIR ${AS_DEPS_DIR}/duckdb-header/src/duckdb/src/include)
if(NOT EXISTS ${DUCKDB_LIB_DIR}/libduckdb.so OR NOT EXISTS ${DUCKDB_INCLUDE_DIR}/duckdb.h)
  message(FATAL_ERROR "DuckDB not found under ${AS_DEPS_DIR}. Run scripts/setup first.")
endif()
# Resolve the symlink so the rpath names the verified cache folder itself.
get_filename_component(DUCKDB_LIB_REAL ${DUCKDB_LIB_DIR}/libduckdb.so REALPATH)
add_library(duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb PROPERTIES IMPORTED_LOCATION ${DUCKDB_LIB_REAL})
# Only duckdb.h: the rest of that include tree is DuckDB's internal C++ API, which we never use.
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/duckdb-include)
file(COPY ${DUCKDB_INCLUDE_DIR}/duckdb.h DESTINATION ${CMAKE_BINARY_DIR}/duckdb-include)
target_include_directories(duckdb SYSTEM INTERFACE ${CMAKE_BINARY_DIR}/duckdb-include)
