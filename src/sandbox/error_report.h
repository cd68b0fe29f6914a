#pragma once
// Reads a thrown JS value into a message, a stack and the first line:column in the analysis.
#include <quickjs.h>

#include <string>

namespace as::sandbox {

struct ErrorReport {
  std::string name;     // "TypeError", or empty for a thrown non-Error value
  std::string message;  // "TypeError: x is not a function"
  std::string stack;    // JS stack, one "    at fn (file:line:col)" per frame
  int line = 0;
  int column = 0;
};

ErrorReport describe_exception(JSContext* ctx, JSValueConst exception, const std::string& filename);
// Finds "<filename>:<line>:<col>" in a stack text; leaves line/column untouched if absent.
void find_location(const std::string& stack, const std::string& filename, int& line, int& column);

}  // namespace as::sandbox
