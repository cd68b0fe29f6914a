#include "error_report.h"

#include <cstdlib>

#include "js_value.h"

namespace as::sandbox {

void find_location(const std::string& stack, const std::string& filename, int& line, int& column) {
  std::string needle = filename + ":";
  for (auto pos = stack.find(needle); pos != std::string::npos; pos = stack.find(needle, pos + 1)) {
    const char* p = stack.c_str() + pos + needle.size();
    char* end = nullptr;
    long l = std::strtol(p, &end, 10);
    if (end == p || *end != ':') continue;
    const char* q = end + 1;
    long c = std::strtol(q, &end, 10);
    if (end == q) continue;
    line = static_cast<int>(l);
    column = static_cast<int>(c);
    return;
  }
}

ErrorReport describe_exception(JSContext* ctx, JSValueConst exception, const std::string& filename) {
  ErrorReport report;
  if (JS_IsError(exception)) {
    JsValue name(ctx, JS_GetPropertyStr(ctx, exception, "name"));
    JsValue message(ctx, JS_GetPropertyStr(ctx, exception, "message"));
    JsValue stack(ctx, JS_GetPropertyStr(ctx, exception, "stack"));
    if (JS_IsString(name.get())) report.name = JsCString(ctx, name.get()).str();
    std::string text = JS_IsUndefined(message.get()) ? "" : JsCString(ctx, message.get()).str();
    report.message = report.name.empty() ? text : (text.empty() ? report.name : report.name + ": " + text);
    if (JS_IsString(stack.get())) report.stack = JsCString(ctx, stack.get()).str();
  } else {
    JsCString text(ctx, exception);
    report.message = text.ok() ? "Uncaught " + text.str() : "Uncaught exception (its value could not be read)";
  }
  // Reading properties of a hostile error object may itself throw; that must not leak out.
  JS_FreeValue(ctx, JS_GetException(ctx));
  find_location(report.stack, filename, report.line, report.column);
  return report;
}

}  // namespace as::sandbox
