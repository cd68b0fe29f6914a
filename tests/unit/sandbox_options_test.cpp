// RunRequest::options_of: calling a parameter's options function instead of run (the REST
// endpoint POST /api/analysis/{id}/parameters/{name}/options).
#include <gtest/gtest.h>

#include "run_helpers.h"

namespace as::sandbox {
namespace {

using as::testing::failure_message;
using as::testing::run_source;

constexpr const char* kAnalysis = R"(export default {
  title: "Cities",
  parameters: {
    country: { type: "select", options: ["us", "fr"] },
    city: {
      type: "select",
      async options(ctx, params) {
        ctx.log("options for", params.country);
        if (!params.country) return [{ value: "", label: "Select country first" }];
        await ctx.sleep(1);
        return params.country === "us"
          ? [{ label: "Big", options: [{ value: "nyc", label: "New York City" }] }]
          : [{ value: "par", label: "Paris" }];
      }
    },
    broken: { type: "select", options() { return { not: "an array" }; } },
    thrower: { type: "select", options() { throw new Error("no database today"); } },
  },
  run() { throw new Error("run must not be called"); }
};
)";

RunOutcome options(const std::string& parameter, Value params) {
  RunRequest request;
  request.options_of = parameter;
  request.params = std::move(params);
  return run_source(kAnalysis, std::move(request));
}

TEST(SandboxOptions, CallsTheOptionsFunctionWithCurrentParams) {
  RunOutcome outcome = options("city", ValueObject{{"country", "us"}});
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"([{"label":"Big","options":[{"value":"nyc","label":"New York City"}]}])");
  ASSERT_EQ(outcome.logs.size(), 1u);
  EXPECT_EQ(outcome.logs[0].message, "options for us");

  RunOutcome none = options("city", ValueObject{});
  ASSERT_EQ(none.status, RunStatus::Completed) << failure_message(none);
  EXPECT_EQ(none.result_json, R"([{"value":"","label":"Select country first"}])");
}

TEST(SandboxOptions, NamesWhatIsWrong) {
  EXPECT_EQ(failure_message(options("nope", ValueObject{})), "the analysis has no parameter 'nope'");
  EXPECT_EQ(failure_message(options("country", ValueObject{})),
            "parameter 'country' has no options function (its options are static)");
  EXPECT_NE(failure_message(options("broken", ValueObject{})).find("must return an array"), std::string::npos);
  EXPECT_NE(failure_message(options("thrower", ValueObject{})).find("no database today"), std::string::npos);
}

}  // namespace
}  // namespace as::sandbox
