#pragma once
// A bare QuickJS runtime and context (no sandbox, no limits), for tests that call our JS-building
// code or the patched QuickJS functions directly.
#include <quickjs.h>

#include <string>

#include "sandbox/js_handles.h"
#include "sandbox/js_value.h"

namespace as::testing {

class BareEngine {
 public:
  JSContext* ctx() const { return context_.get(); }
  JSRuntime* runtime() const { return runtime_.get(); }
  // Evaluates `source` as a script (global code) and returns its completion value.
  sandbox::JsValue eval(const std::string& source) {
    return {ctx(), JS_Eval(ctx(), source.c_str(), source.size(), "<test>", JS_EVAL_TYPE_GLOBAL)};
  }
  // JSON.stringify(value).
  std::string json(JSValueConst value) {
    sandbox::JsValue text(ctx(), JS_JSONStringify(ctx(), value, JS_UNDEFINED, JS_UNDEFINED));
    return sandbox::JsCString(ctx(), text.get()).str();
  }

 private:
  sandbox::JsRuntimePtr runtime_{JS_NewRuntime()};
  sandbox::JsContextPtr context_{JS_NewContext(runtime_.get())};  // declared last: freed first
};

}  // namespace as::testing
