#include "context_api.h"

#include <cmath>

#include <fmt/format.h>

#include "convert.h"
#include "host_function.h"
#include "js_value.h"
#include "log_format.h"

namespace as::sandbox {
namespace {

bool install_logging(RunScope& scope, JSValueConst ctx_object) {
  auto logger = [&scope](LogLevel level) {
    return [&scope, level](JSContext* ctx, JSValueConst, int argc, JSValueConst* argv) -> JSValue {
      if (scope.log.truncated()) return JS_FALSE;
      // One byte past the budget is enough for the buffer to see the entry is too large.
      std::string text = format_log_arguments(ctx, argc, argv, scope.log.remaining_bytes() + 1);
      return JS_NewBool(ctx, scope.log.append(level, std::move(text)));
    };
  };
  JSContext* ctx = scope.ctx;
  return define_host_function(ctx, ctx_object, "log", 0, logger(LogLevel::Info)) &&
         define_host_function(ctx, ctx_object, "error", 0, logger(LogLevel::Error));
}

bool install_timing(RunScope& scope, JSValueConst ctx_object) {
  JSContext* ctx = scope.ctx;
  return define_host_function(ctx, ctx_object, "sleep", 1,
                              [&scope](JSContext* c, JSValueConst, int argc, JSValueConst* argv) -> JSValue {
                                double ms = NAN;
                                if (argc < 1 || !JS_IsNumber(argv[0]) || JS_ToFloat64(c, &ms, argv[0]) < 0 ||
                                    !std::isfinite(ms) || ms < 0) {
                                  std::string shown = argc < 1 ? "nothing" : JsCString(c, argv[0]).str();
                                  return throw_type_error(c, fmt::format("ctx.sleep(ms) needs a finite number of milliseconds >= 0, got {}", shown));
                                }
                                return scope.loop.sleep(ms);
                              }) &&
         define_host_function(ctx, ctx_object, "shouldStop", 0,
                              [&scope](JSContext* c, JSValueConst, int, JSValueConst*) -> JSValue {
                                return JS_NewBool(c, scope.control.stop_requested() || scope.control.past_deadline());
                              });
}

std::string key_argument(JSContext* ctx, int argc, JSValueConst* argv, const char* method, bool& ok) {
  ok = argc >= 1 && JS_IsString(argv[0]);
  if (!ok) {
    throw_type_error(ctx, fmt::format("ctx.metadata.{}(key) needs a string key, got {}", method,
                                      argc < 1 ? "nothing" : JsCString(ctx, argv[0]).str()));
    return {};
  }
  return JsCString(ctx, argv[0]).str();
}

bool install_metadata(RunScope& scope, JSValueConst ctx_object) {
  JSContext* ctx = scope.ctx;
  JsValue metadata(ctx, JS_NewObject(ctx));
  auto& store = scope.metadata;
  bool ok =
      define_host_function(ctx, metadata.get(), "get", 1,
                           [&store](JSContext* c, JSValueConst, int argc, JSValueConst* argv) -> JSValue {
                             bool valid = false;
                             std::string key = key_argument(c, argc, argv, "get", valid);
                             if (!valid) return JS_EXCEPTION;
                             auto it = store.find(key);
                             return it == store.end() ? JS_UNDEFINED : to_js(c, it->second);
                           }) &&
      define_host_function(ctx, metadata.get(), "set", 2,
                           [&store](JSContext* c, JSValueConst, int argc, JSValueConst* argv) -> JSValue {
                             bool valid = false;
                             std::string key = key_argument(c, argc, argv, "set", valid);
                             if (!valid) return JS_EXCEPTION;
                             JSValueConst value = argc >= 2 ? argv[1] : JS_UNDEFINED;
                             if (JS_IsUndefined(value) || JS_IsFunction(c, value) || JS_IsSymbol(value)) {
                               return throw_type_error(c, fmt::format("ctx.metadata.set('{}', value): the value must be JSON-serialisable, got {}", key,
                                                                      JS_IsUndefined(value) ? "undefined" : JS_IsSymbol(value) ? "a symbol" : "a function"));
                             }
                             try {
                               store[key] = to_host(c, value, ToHostOptions{.root_name = "metadata['" + key + "']"});
                             } catch (const ConversionError& e) {
                               if (JS_HasException(c)) return JS_EXCEPTION;
                               return throw_type_error(c, fmt::format("ctx.metadata.set('{}', value): {}", key, e.what()));
                             }
                             return JS_UNDEFINED;
                           }) &&
      define_host_function(ctx, metadata.get(), "has", 1,
                           [&store](JSContext* c, JSValueConst, int argc, JSValueConst* argv) -> JSValue {
                             bool valid = false;
                             std::string key = key_argument(c, argc, argv, "has", valid);
                             if (!valid) return JS_EXCEPTION;
                             return JS_NewBool(c, store.contains(key));
                           }) &&
      define_host_function(ctx, metadata.get(), "delete", 1,
                           [&store](JSContext* c, JSValueConst, int argc, JSValueConst* argv) -> JSValue {
                             bool valid = false;
                             std::string key = key_argument(c, argc, argv, "delete", valid);
                             if (!valid) return JS_EXCEPTION;
                             return JS_NewBool(c, store.erase(key) > 0);
                           }) &&
      define_host_function(ctx, metadata.get(), "list", 0,
                           [&store](JSContext* c, JSValueConst, int, JSValueConst*) -> JSValue {
                             ValueArray keys;
                             for (const auto& [key, _] : store) keys.emplace_back(key);
                             return to_js(c, Value(std::move(keys)));
                           });
  if (!ok) return false;
  return JS_DefinePropertyValueStr(ctx, ctx_object, "metadata", metadata.release(), JS_PROP_ENUMERABLE) >= 0;
}

}  // namespace

JSValue make_core_context(RunScope& scope) {
  JsValue ctx_object(scope.ctx, JS_NewObject(scope.ctx));
  if (ctx_object.is_exception()) return JS_EXCEPTION;
  if (!install_logging(scope, ctx_object.get()) || !install_timing(scope, ctx_object.get()) ||
      !install_metadata(scope, ctx_object.get())) {
    return JS_EXCEPTION;
  }
  return ctx_object.release();
}

}  // namespace as::sandbox
