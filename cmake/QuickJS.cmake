# QuickJS-ng, built from the C sources carried by the pinned PyPI sdist (see scripts/deps.lock).
set(QJS_DIR ${AS_DEPS_DIR}/quickjs-ng/upstream-quickjs)
if(NOT EXISTS ${QJS_DIR}/quickjs.c)
  message(FATAL_ERROR "QuickJS-ng sources not found at ${QJS_DIR}. Run scripts/setup first.")
endif()
add_library(quickjs STATIC
  ${QJS_DIR}/quickjs.c ${QJS_DIR}/libregexp.c ${QJS_DIR}/libunicode.c ${QJS_DIR}/dtoa.c)
target_include_directories(quickjs SYSTEM PUBLIC ${QJS_DIR})
target_compile_definitions(quickjs PRIVATE _GNU_SOURCE)
# QuickJS is C11; silence its warnings (not our code) and keep it fast even in debug builds.
target_compile_options(quickjs PRIVATE -w -O2 -funsigned-char -fwrapv)
set_target_properties(quickjs PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_link_libraries(quickjs PUBLIC m Threads::Threads)
