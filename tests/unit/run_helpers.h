#pragma once
#include <chrono>
#include <string>

#include "sandbox/sandbox.h"

namespace as::testing {

// Runs `source` with the given request fields already set (limits, params, ...).
sandbox::RunOutcome run_source(const std::string& source, sandbox::RunRequest request = {});
// Runs `export default { title: "t", async run(ctx, params) { <body> } }`.
sandbox::RunOutcome run_body(const std::string& body, sandbox::RunRequest request = {});
// The failure message, or "<completed: result>" so assertion output shows what happened.
std::string failure_message(const sandbox::RunOutcome& outcome);

double elapsed_ms(std::chrono::steady_clock::time_point since);

}  // namespace as::testing
