#pragma once
// Shared by the frame_*_test files: runs whose ctx has DataFrames (and ctx.duckdb with
// saveDataFrame / queryFrame on a throw-away data directory).
#include <string>

#include <nlohmann/json.hpp>

#include "duck_test_support.h"
#include "frame/frame_extension.h"
#include "sandbox/sandbox.h"

namespace as::testing {

// A throw-away project DuckDB plus the frame options for the runs.
struct FrameWorld {
  DuckWorld duck;
  frame::FrameOptions options;
};

// Runs `export default { title: 't', async run(ctx, params) { <body> } }` with DuckDB and DataFrames.
sandbox::RunOutcome run_frames(const std::string& body, FrameWorld& world, sandbox::RunRequest request = {});
// Same, expecting completion; the parsed result (the test fails otherwise).
nlohmann::json run_frames_ok(const std::string& body, FrameWorld& world);
// Same, expecting a failure; its message.
std::string run_frames_error(const std::string& body, FrameWorld& world);

}  // namespace as::testing
