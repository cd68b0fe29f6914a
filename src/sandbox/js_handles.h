#pragma once
// Owners for the QuickJS runtime and context handles (JSValue has its own in js_value.h).
#include <quickjs.h>

#include <memory>

namespace as::sandbox {

struct JsRuntimeDeleter {
  void operator()(JSRuntime* rt) const { JS_FreeRuntime(rt); }
};
struct JsContextDeleter {
  void operator()(JSContext* ctx) const { JS_FreeContext(ctx); }
};
using JsRuntimePtr = std::unique_ptr<JSRuntime, JsRuntimeDeleter>;
using JsContextPtr = std::unique_ptr<JSContext, JsContextDeleter>;

}  // namespace as::sandbox
