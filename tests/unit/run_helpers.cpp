#include "run_helpers.h"

namespace as::testing {

sandbox::RunOutcome run_source(const std::string& source, sandbox::RunRequest request) {
  request.source = source;
  return sandbox::run_analysis(request);
}

sandbox::RunOutcome run_body(const std::string& body, sandbox::RunRequest request) {
  return run_source("export default { title: 't', async run(ctx, params) {\n" + body + "\n} };\n", std::move(request));
}

std::string failure_message(const sandbox::RunOutcome& outcome) {
  if (!outcome.failure) return "<completed: " + outcome.result_json + ">";
  return outcome.failure->message;
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace as::testing
