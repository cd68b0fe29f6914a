#include "host_function.h"

#include <memory>
#include <string>

namespace as::sandbox {
namespace {

JSValue call_host_function(JSContext* ctx, JSValueConst this_value, int argc, JSValueConst* argv, int, void* opaque) {
  auto& function = *static_cast<HostFunction*>(opaque);
  try {
    return function(ctx, this_value, argc, argv);
  } catch (const std::exception& e) {
    // Host code must never unwind through QuickJS frames: report it to the script instead.
    return JS_ThrowInternalError(ctx, "%s", e.what());
  }
}

void free_host_function(void* opaque) { std::unique_ptr<HostFunction>(static_cast<HostFunction*>(opaque)); }

}  // namespace

JSValue new_host_function(JSContext* ctx, const char* name, int length, HostFunction function) {
  // Ownership passes to the function object, whose finalizer deletes the callable. (If QuickJS
  // runs out of memory before it attaches the record, the callable leaks; it never double-frees.)
  auto* owned = std::make_unique<HostFunction>(std::move(function)).release();
  return JS_NewCClosure(ctx, call_host_function, name, free_host_function, length, 0, owned);
}

bool define_host_function(JSContext* ctx, JSValueConst target, const char* name, int length, HostFunction function) {
  JSValue fn = new_host_function(ctx, name, length, std::move(function));
  if (JS_IsException(fn)) return false;
  return JS_DefinePropertyValueStr(ctx, target, name, fn, JS_PROP_WRITABLE | JS_PROP_CONFIGURABLE) >= 0;
}

JSValue throw_type_error(JSContext* ctx, const std::string& message) { return JS_ThrowTypeError(ctx, "%s", message.c_str()); }

}  // namespace as::sandbox
