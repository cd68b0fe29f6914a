#include "lockdown.h"

#include <memory>

#include "js_value.h"
#include "script_compiler.h"

namespace as::sandbox {
namespace {

constexpr const char* kBlockedNames[] = {"Function", "AsyncFunction", "GeneratorFunction", "AsyncGeneratorFunction", "eval"};

JSValue refuse_dynamic_code(JSContext* ctx, JSValueConst, int, JSValueConst*, int magic) {
  return JS_ThrowTypeError(ctx,
                           "dynamic code is not allowed: %s() cannot compile code from strings inside an analysis",
                           kBlockedNames[magic]);
}

// Runs once per run context, as bytecode compiled once per process.
constexpr const char* kPrelude = R"JS(
(function (blocked) {
  const lock = (target, key, value) =>
    Object.defineProperty(target, key, { value, writable: false, enumerable: false, configurable: false });
  const samples = [
    [function () {}, blocked.Function],
    [async function () {}, blocked.AsyncFunction],
    [function* () {}, blocked.GeneratorFunction],
    [async function* () {}, blocked.AsyncGeneratorFunction],
  ];
  for (const [sample, blocker] of samples) {
    const prototype = Object.getPrototypeOf(sample);
    lock(blocker, 'prototype', prototype);   // keeps `f instanceof Function` true
    lock(prototype, 'constructor', blocker);
  }
  lock(globalThis, 'Function', blocked.Function);
  lock(globalThis, 'eval', blocked.eval);
})
)JS";

const CompiledScript& prelude() {
  static const std::shared_ptr<const CompiledScript> compiled = compile_script(kPrelude, "<sandbox-prelude>");
  return *compiled;
}

}  // namespace

bool lock_down_dynamic_code(JSContext* ctx) {
  const CompiledScript& script = prelude();
  JSValue code = JS_ReadObject(ctx, script.bytecode.data(), script.bytecode.size(), JS_READ_OBJ_BYTECODE);
  if (JS_IsException(code)) return false;
  JsValue install(ctx, JS_EvalFunction(ctx, code));  // consumes `code`
  if (install.is_exception()) return false;

  JsValue blocked(ctx, JS_NewObject(ctx));
  for (int i = 0; i < static_cast<int>(std::size(kBlockedNames)); ++i) {
    JSValue fn = JS_NewCFunctionMagic(ctx, refuse_dynamic_code, kBlockedNames[i], 1, JS_CFUNC_constructor_or_func_magic, i);
    if (JS_IsException(fn) || JS_SetPropertyStr(ctx, blocked.get(), kBlockedNames[i], fn) < 0) return false;
  }
  JSValueConst args[] = {blocked.get()};
  JsValue done(ctx, JS_Call(ctx, install.get(), JS_UNDEFINED, 1, args));
  return !done.is_exception();
}

}  // namespace as::sandbox
