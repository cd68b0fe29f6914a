#include "frame_test_support.h"

#include <gtest/gtest.h>

#include "duck/duck_extension.h"
#include "run_helpers.h"

namespace as::testing {

sandbox::RunOutcome run_frames(const std::string& body, FrameWorld& world, sandbox::RunRequest request) {
  request.extensions.push_back(std::make_shared<duck::DuckExtension>(world.duck.databases, "test"));
  frame::add_frames(request.extensions, world.options);
  return run_body(body, std::move(request));
}

nlohmann::json run_frames_ok(const std::string& body, FrameWorld& world) {
  auto outcome = run_frames(body, world);
  EXPECT_EQ(outcome.status, sandbox::RunStatus::Completed) << failure_message(outcome) << "\nscript:\n" << body;
  if (outcome.status != sandbox::RunStatus::Completed) return nullptr;
  return nlohmann::json::parse(outcome.result_json);
}

std::string run_frames_error(const std::string& body, FrameWorld& world) {
  auto outcome = run_frames(body, world);
  EXPECT_NE(outcome.status, sandbox::RunStatus::Completed) << "expected a failure, got " << outcome.result_json << "\nscript:\n" << body;
  return outcome.failure ? outcome.failure->message : "";
}

}  // namespace as::testing
