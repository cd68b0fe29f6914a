# frame-rs (Polars behind a C ABI, docs/frame-rs.md), built by cargo into the IMPORTED static
# library `frame_rs`.
#
# Cargo's target dir lives outside the clone (AS_CARGO_TARGET_DIR), so a fresh clone on the same
# machine recompiles only frame-rs itself (seconds), never Polars (~16 minutes). Ninja re-runs
# cargo only when a file of the crate changed (DEPENDS below); cargo then decides what to rebuild.
#
# Every clone shares that target dir and cargo writes the library to the same path for all of
# them, so the library is copied into this build dir right after cargo: another clone building
# its own frame-rs later cannot change what this build links.
find_program(AS_CARGO cargo HINTS $ENV{HOME}/.cargo/bin)
if(NOT AS_CARGO)
  message(FATAL_ERROR "cargo not found: frame-rs needs Rust 1.95 (run scripts/setup, or install it with "
                      "`curl https://sh.rustup.rs -sSf | sh -s -- -y --default-toolchain 1.95.0` and open a new shell)")
endif()

set(AS_CARGO_TARGET_DIR "$ENV{HOME}/.cache/analysis-sandbox/cargo-target" CACHE PATH
    "Cargo target dir for frame-rs, shared by every clone on this machine")
set(FRAME_RS_DIR ${CMAKE_SOURCE_DIR}/frame-rs)
set(FRAME_RS_CARGO_LIB ${AS_CARGO_TARGET_DIR}/release/libframe_rs.a)
set(FRAME_RS_LIB ${CMAKE_BINARY_DIR}/frame-rs/libframe_rs.a)

file(GLOB_RECURSE FRAME_RS_SOURCES CONFIGURE_DEPENDS ${FRAME_RS_DIR}/src/*.rs)
set(FRAME_RS_CARGO_ENV ${CMAKE_COMMAND} -E env CARGO_TARGET_DIR=${AS_CARGO_TARGET_DIR})

# --locked: the versions in Cargo.lock, never a fresh resolution (which would need the network).
add_custom_command(
  OUTPUT ${FRAME_RS_LIB}
  COMMAND ${FRAME_RS_CARGO_ENV} ${AS_CARGO} build --release --locked --manifest-path ${FRAME_RS_DIR}/Cargo.toml
  COMMAND ${CMAKE_COMMAND} -E copy ${FRAME_RS_CARGO_LIB} ${FRAME_RS_LIB}
  DEPENDS ${FRAME_RS_SOURCES} ${FRAME_RS_DIR}/Cargo.toml ${FRAME_RS_DIR}/Cargo.lock
  COMMENT "cargo build --release frame-rs (Polars; the first build on a machine takes ~16 min)"
  USES_TERMINAL
  VERBATIM)
add_custom_target(frame_rs_cargo DEPENDS ${FRAME_RS_LIB})

add_library(frame_rs STATIC IMPORTED GLOBAL)
set_target_properties(frame_rs PROPERTIES IMPORTED_LOCATION ${FRAME_RS_LIB})
target_include_directories(frame_rs INTERFACE ${FRAME_RS_DIR}/include)
# The system libraries Rust's std needs (`cargo rustc -- --print native-static-libs`). The
# archive holds all of Polars (~200 MB): --gc-sections drops what we do not call.
target_link_libraries(frame_rs INTERFACE gcc_s util rt Threads::Threads m dl c)
target_link_options(frame_rs INTERFACE -Wl,--gc-sections)
add_dependencies(frame_rs frame_rs_cargo)

# `cargo test` for the crate (its ABI tests and the frame.h check), as one ctest test; fast
# when the target dir is warm (~25 s).
function(frame_rs_add_cargo_test)
  add_test(NAME frame_rs.cargo_test
           COMMAND ${FRAME_RS_CARGO_ENV} ${AS_CARGO} test --release --locked --quiet --manifest-path ${FRAME_RS_DIR}/Cargo.toml)
  set_tests_properties(frame_rs.cargo_test PROPERTIES TIMEOUT 3600 RUN_SERIAL TRUE)
endfunction()
