#include "script_compiler.h"

#include <quickjs.h>

#include <algorithm>

#include "error_report.h"
#include "js_handles.h"
#include "js_value.h"

namespace as::sandbox {
namespace {

// One compile-only runtime per thread (compiling never runs code, so reuse is safe); a fresh
// context per compile, so compiled modules never pile up.
JSRuntime* compile_runtime() {
  thread_local JsRuntimePtr runtime{JS_NewRuntime()};
  return runtime.get();
}

std::shared_ptr<const CompiledScript> compile(std::string_view source, const std::string& filename, bool module,
                                              const CompileLimits& limits) {
  JSRuntime* rt = compile_runtime();
  if (!rt) throw CompileError("could not create the compiler runtime", 0, 0);
  JS_SetMemoryLimit(rt, limits.memory_bytes);
  JS_SetMaxStackSize(rt, limits.stack_bytes);
  JS_UpdateStackTop(rt);
  JS_SetModuleLoaderFunc(rt, nullptr, refuse_import, nullptr);
  JsContextPtr ctx{JS_NewContextRaw(rt)};
  // The parser needs no standard objects, only the eval hook and the regexp compiler; leaving
  // the objects out makes a compile about 4x cheaper (bench/sandbox_bench, docs/performance.md).
  if (!ctx || JS_AddIntrinsicEval(ctx.get()) < 0) {
    throw CompileError("could not create the compiler context", 0, 0);
  }
  JS_AddIntrinsicRegExpCompiler(ctx.get());

  // JS_Eval needs a NUL-terminated buffer.
  std::string text(source);
  int flags = (module ? JS_EVAL_TYPE_MODULE : JS_EVAL_TYPE_GLOBAL | JS_EVAL_FLAG_STRICT) | JS_EVAL_FLAG_COMPILE_ONLY;
  JsValue compiled(ctx.get(), JS_Eval(ctx.get(), text.c_str(), text.size(), filename.c_str(), flags));
  if (compiled.is_exception()) {
    JsValue exception(ctx.get(), JS_GetException(ctx.get()));
    ErrorReport report = describe_exception(ctx.get(), exception.get(), filename);
    std::string where = report.line > 0 ? " at " + filename + ":" + std::to_string(report.line) + ":" + std::to_string(report.column) : "";
    throw CompileError(report.message + where, report.line, report.column);
  }
  size_t size = 0;
  std::uint8_t* bytes = JS_WriteObject(ctx.get(), &size, compiled.get(), JS_WRITE_OBJ_BYTECODE);
  if (!bytes) {
    JS_FreeValue(ctx.get(), JS_GetException(ctx.get()));
    throw CompileError("could not serialise the compiled script (out of memory?)", 0, 0);
  }
  auto script = std::make_shared<CompiledScript>();
  script->bytecode.assign(bytes, bytes + size);
  script->filename = filename;
  script->is_module = module;
  js_free(ctx.get(), bytes);
  return script;
}

}  // namespace

JSModuleDef* refuse_import(JSContext* ctx, const char* module_name, void*) {
  JS_ThrowTypeError(ctx,
                    "import of module '%s' is not allowed: analyses cannot import modules; "
                    "use the ctx API (ctx.datasource, ctx.duckdb, ...) instead",
                    module_name);
  return nullptr;
}

std::shared_ptr<const CompiledScript> compile_module(std::string_view source, const std::string& filename,
                                                     const CompileLimits& limits) {
  return compile(source, filename, true, limits);
}

std::shared_ptr<const CompiledScript> compile_script(std::string_view source, const std::string& filename) {
  return compile(source, filename, false, CompileLimits{});
}

std::shared_ptr<const CompiledScript> BytecodeCache::get_or_compile(std::string_view source, const std::string& filename,
                                                                   const CompileLimits& limits) {
  std::string key = filename;
  key += '\0';
  key += source;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  }
  auto compiled = compile_module(source, filename, limits);  // outside the lock: compiling takes time
  std::lock_guard lock(mutex_);
  if (entries_.emplace(key, compiled).second) {
    order_.push_back(key);
    if (order_.size() > capacity_) {
      entries_.erase(order_.front());
      order_.erase(order_.begin());
    }
  }
  return compiled;
}

std::size_t BytecodeCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace as::sandbox
