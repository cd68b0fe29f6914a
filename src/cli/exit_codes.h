#pragma once
// Process exit codes of the analysis-sandbox command (documented in --help and docs/cli.md).
namespace as::cli {
enum ExitCode : int {
  kSuccess = 0,
  kScriptError = 1,    // the analysis failed: syntax error, exception, wrong shape or result
  kBadInput = 2,       // the command line, the file or --params is wrong
  kLimitExceeded = 3,  // a run limit (time, memory, stack, result size) was exceeded
  kCancelled = 4,      // interrupted (SIGINT/SIGTERM)
  kInternalError = 5,  // the sandbox itself failed
};
}  // namespace as::cli
