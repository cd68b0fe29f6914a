#include "sandbox.h"

#include <chrono>

#include <fmt/format.h>

#include "context_api.h"
#include "convert.h"
#include "error_report.h"
#include "event_loop.h"
#include "js_handles.h"
#include "js_value.h"
#include "lockdown.h"
#include "memory_budget.h"
#include "run_control.h"

namespace as::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

// Raised inside a run to end it with a failure; caught once in run_analysis.
struct RunFailed {
  RunFailure failure;
};

[[noreturn]] void fail(FailureKind kind, std::string message, std::string limit = {}) {
  throw RunFailed{RunFailure{kind, std::move(limit), std::move(message), {}, 0, 0}};
}

struct InterruptState {
  RunControl* control;
  MemoryBudget* budget;
};

int interrupt_handler(JSRuntime*, void* opaque) {
  auto& state = *static_cast<InterruptState*>(opaque);
  if (state.control->stop_requested()) return 1;
  if (state.budget->exceeded) {
    state.control->stop(StopReason::MemoryLimit);
    return 1;
  }
  if (state.control->past_deadline()) {
    state.control->stop(StopReason::TimeLimit);
    return 1;
  }
  return 0;
}

bool add_intrinsics(JSContext* ctx) {
  // Deliberately absent: JS_AddIntrinsicEval (no parser in a run context) and JS_AddPerformance.
  return JS_AddIntrinsicBaseObjects(ctx) >= 0 && JS_AddIntrinsicDate(ctx) >= 0 && JS_AddIntrinsicRegExp(ctx) >= 0 &&
         JS_AddIntrinsicJSON(ctx) >= 0 && JS_AddIntrinsicProxy(ctx) >= 0 && JS_AddIntrinsicMapSet(ctx) >= 0 &&
         JS_AddIntrinsicTypedArrays(ctx) >= 0 && JS_AddIntrinsicPromise(ctx) >= 0 && JS_AddIntrinsicBigInt(ctx) >= 0 &&
         JS_AddIntrinsicWeakRef(ctx) >= 0;
}

std::string describe_type(JSContext* ctx, JSValueConst v) {
  if (JS_IsArray(v)) return "an array";
  if (JS_IsNull(v)) return "null";
  if (JS_IsUndefined(v)) return "undefined (did run() forget to return?)";
  if (JS_IsFunction(ctx, v)) return "a function";
  if (JS_IsString(v)) return "a string";
  if (JS_IsNumber(v)) return "a number";
  if (JS_IsBool(v)) return "a boolean";
  if (JS_IsBigInt(v)) return "a bigint";
  if (JS_IsSymbol(v)) return "a symbol";
  if (JS_IsDate(v)) return "a Date";
  if (JS_IsObject(v)) {
    JsValue constructor(ctx, JS_GetPropertyStr(ctx, v, "constructor"));
    JsValue name(ctx, JS_IsObject(constructor.get()) ? JS_GetPropertyStr(ctx, constructor.get(), "name") : JS_UNDEFINED);
    JS_FreeValue(ctx, JS_GetException(ctx));
    if (JS_IsString(name.get())) return "an instance of " + JsCString(ctx, name.get()).str();
  }
  return "a value that is not a plain object";
}

// One run: owns the runtime, the context and everything that holds JS values, in the order
// they must be torn down (members are destroyed bottom-up).
class Run {
 public:
  Run(const RunRequest& request, RunOutcome& outcome)
      : request_(request),
        outcome_(outcome),
        control_(Clock::now() + request.limits.timeout),
        log_(request.limits.max_log_lines, request.limits.max_log_bytes, request.on_log),
        metadata_(request.metadata) {}

  ~Run() {
    outcome_.logs = log_.take();
    outcome_.logs_truncated = log_.truncated();
    outcome_.metadata = std::move(metadata_);
    outcome_.stats.peak_memory_bytes = budget_.peak;
  }

  void execute() {
    if (auto stopped = stop_failure()) throw RunFailed{*stopped};  // cancelled before it started
    auto script = load_bytecode();
    create_runtime();
    JSContext* ctx = context_.get();
    JsValue module = evaluate_module(*script);
    JsValue analysis = default_export(module);
    JsValue this_value(ctx, JS_DupValue(ctx, analysis.get()));
    JsValue entry = request_.options_of ? options_function(analysis, this_value) : analysis.property("run");
    JsValue ctx_object(ctx, make_context_object());
    JsValue params(ctx, to_js(ctx, request_.params));
    if (params.is_exception()) throw_pending("could not pass params to the run");
    JSValueConst args[] = {ctx_object.get(), params.get()};
    JsValue returned(ctx, JS_Call(ctx, entry.get(), this_value.get(), 2, args));
    if (returned.is_exception()) throw_pending(request_.options_of ? "options() threw" : "run() threw");
    JsValue result = await_value(std::move(returned));
    // A run that outlived its deadline, was cancelled, or hit the memory limit fails even if it
    // caught the interrupt or noticed shouldStop() and returned: limits are not advisory.
    if (control_.past_deadline()) control_.stop(StopReason::TimeLimit);
    if (auto stopped = stop_failure()) throw RunFailed{*stopped};
    store_result(result);
  }

  // Loads the module and hands its default export to `inspector`; never calls run.
  void inspect(const ExportInspector& inspector) {
    if (auto stopped = stop_failure()) throw RunFailed{*stopped};
    auto script = load_bytecode();
    create_runtime();
    JsValue module = evaluate_module(*script);
    if (module.is_exception()) throw_pending("could not read the module's exports");
    JsValue exported = module.property("default");
    if (exported.is_exception()) throw_pending("could not read the default export");
    inspector(context_.get(), exported.get());
    if (control_.past_deadline()) control_.stop(StopReason::TimeLimit);
    if (auto stopped = stop_failure()) throw RunFailed{*stopped};
  }

  // parameters[name].options of the analysis, a function; `this_value` becomes the parameter.
  JsValue options_function(const JsValue& analysis, JsValue& this_value) {
    const std::string& name = *request_.options_of;
    JsValue parameters = analysis.property("parameters");
    JsValue parameter = parameters.is_object() ? parameters.property(name.c_str()) : JsValue(context_.get(), JS_UNDEFINED);
    if (!parameter.is_object()) fail(FailureKind::Script, fmt::format("the analysis has no parameter '{}'", name));
    JsValue options = parameter.property("options");
    if (!options.is_function()) {
      fail(FailureKind::Script, fmt::format("parameter '{}' has no options function (its options are static)", name));
    }
    this_value = std::move(parameter);
    return options;
  }

  // Maps an ending we did not choose (interrupt, limit) to the failure to report.
  std::optional<RunFailure> stop_failure() const {
    const RunLimits& limits = request_.limits;
    StopReason reason = control_.reason();
    if (budget_.exceeded || reason == StopReason::MemoryLimit) {
      return RunFailure{FailureKind::Limit, "memory_bytes",
                        fmt::format("memory limit exceeded: the script needed more than {} of JS heap (memory_bytes={})",
                                    describe_bytes(limits.memory_bytes), limits.memory_bytes), {}, 0, 0};
    }
    if (reason == StopReason::TimeLimit) {
      return RunFailure{FailureKind::Limit, "timeout_ms",
                        fmt::format("time limit exceeded: the run did not finish within {} ms (timeout_ms={})",
                                    limits.timeout.count(), limits.timeout.count()), {}, 0, 0};
    }
    if (reason == StopReason::Cancelled) {
      return RunFailure{FailureKind::Cancelled, {}, "the run was cancelled", {}, 0, 0};
    }
    return std::nullopt;
  }

  RunControl& control() { return control_; }

 private:
  std::shared_ptr<const CompiledScript> load_bytecode() {
    auto started = Clock::now();
    CompileLimits limits{request_.limits.memory_bytes, request_.limits.stack_bytes};
    try {
      auto script = request_.cache ? request_.cache->get_or_compile(request_.source, request_.filename, limits)
                                   : compile_module(request_.source, request_.filename, limits);
      outcome_.stats.compile_ms = elapsed_ms(started);
      return script;
    } catch (const CompileError& e) {
      throw RunFailed{RunFailure{FailureKind::Script, {}, e.what(), {}, e.line, e.column}};
    }
  }

  void create_runtime() {
    budget_.limit = request_.limits.memory_bytes;
    runtime_.reset(JS_NewRuntime2(&MemoryBudget::allocator(), &budget_));
    if (!runtime_) fail(FailureKind::Internal, "could not create a JS runtime");
    JSRuntime* rt = runtime_.get();
    JS_SetMaxStackSize(rt, request_.limits.stack_bytes);
    interrupt_ = {&control_, &budget_};
    JS_SetInterruptHandler(rt, interrupt_handler, &interrupt_);
    JS_SetModuleLoaderFunc(rt, nullptr, refuse_import, nullptr);  // also for dynamic import()
    context_.reset(JS_NewContextRaw(rt));
    if (!context_ || !add_intrinsics(context_.get()) || !lock_down_dynamic_code(context_.get())) {
      if (auto stopped = stop_failure()) throw RunFailed{*stopped};
      if (budget_.exceeded) fail(FailureKind::Limit, "memory limit exceeded while creating the context", "memory_bytes");
      fail(FailureKind::Internal, "could not create the JS context");
    }
    loop_.emplace(context_.get(), control_, request_.pool ? *request_.pool : ThreadPool::shared());
  }

  JsValue evaluate_module(const CompiledScript& script) {
    JSContext* ctx = context_.get();
    JSValue module = JS_ReadObject(ctx, script.bytecode.data(), script.bytecode.size(), JS_READ_OBJ_BYTECODE);
    if (JS_IsException(module)) throw_pending("could not load the compiled analysis");
    module_def_ = static_cast<JSModuleDef*>(JS_VALUE_GET_PTR(module));
    if (JS_ResolveModule(ctx, module) < 0) {
      JS_FreeValue(ctx, module);
      throw_pending("could not link the analysis module");
    }
    JsValue evaluated(ctx, JS_EvalFunction(ctx, module));  // consumes `module`
    if (evaluated.is_exception()) throw_pending("the analysis module threw while loading");
    await_value(std::move(evaluated));  // top-level await
    return JsValue(ctx, JS_GetModuleNamespace(ctx, module_def_));
  }

  JsValue default_export(const JsValue& namespace_object) {
    JSContext* ctx = context_.get();
    if (namespace_object.is_exception()) throw_pending("could not read the module's exports");
    JsValue analysis = namespace_object.property("default");
    if (analysis.is_undefined()) {
      fail(FailureKind::Script, "the analysis has no default export: write `export default { title, run(ctx, params) { ... } }`");
    }
    if (!analysis.is_object() || JS_IsArray(analysis.get()) || analysis.is_function()) {
      fail(FailureKind::Script, fmt::format("the default export must be an object with title and run, got {}", describe_type(ctx, analysis.get())));
    }
    JsValue title = analysis.property("title");
    if (!JS_IsString(title.get())) {
      fail(FailureKind::Script, fmt::format("the default export needs a `title` string, got {}",
                                            title.is_undefined() ? std::string("none") : describe_type(ctx, title.get())));
    }
    JsValue run = analysis.property("run");
    if (!run.is_function()) {
      fail(FailureKind::Script, fmt::format("the default export needs a `run(ctx, params)` function, got {}",
                                            run.is_undefined() ? std::string("none") : describe_type(ctx, run.get())));
    }
    return analysis;
  }

  JSValue make_context_object() {
    scope_.emplace(RunScope{context_.get(), *loop_, control_, log_, request_.limits, metadata_});
    JSValue ctx_object = make_core_context(*scope_);
    if (JS_IsException(ctx_object)) throw_pending("could not build ctx");
    for (const auto& extension : request_.extensions) {
      if (!extension->install(*scope_, ctx_object)) {
        JS_FreeValue(context_.get(), ctx_object);
        throw_pending("could not build ctx");
      }
    }
    return ctx_object;
  }

  // Waits for a promise on the run's loop; a non-promise is returned as it is.
  JsValue await_value(JsValue value) {
    JSContext* ctx = context_.get();
    if (!JS_IsPromise(value.get())) return value;
    switch (loop_->run_until_settled(value.get())) {
      case LoopExit::Stopped: {
        if (auto fatal = loop_->take_fatal_exception(); fatal && !stop_failure()) {
          JS_Throw(ctx, fatal->release());
          throw_pending("a job failed");
        }
        throw RunFailed{*stop_failure()};
      }
      case LoopExit::Stalled:
        fail(FailureKind::Script,
             "the run can never finish: it awaits a promise that nothing will settle (no timers or host calls are pending)");
      case LoopExit::Settled: break;
    }
    if (JS_PromiseState(ctx, value.get()) == JS_PROMISE_REJECTED) {
      JS_Throw(ctx, JS_PromiseResult(ctx, value.get()));
      throw_pending("the promise was rejected");
    }
    return JsValue(ctx, JS_PromiseResult(ctx, value.get()));
  }

  // Turns the pending JS exception into the run's failure.
  [[noreturn]] void throw_pending(const char* fallback) {
    JSContext* ctx = context_.get();
    JsValue exception(ctx, JS_GetException(ctx));
    if (auto stopped = stop_failure()) throw RunFailed{*stopped};
    if (JS_IsUninitialized(exception.get())) fail(FailureKind::Internal, fallback);
    ErrorReport report = describe_exception(ctx, exception.get(), request_.filename);
    RunFailure failure{FailureKind::Script, {}, report.message, report.stack, report.line, report.column};
    if (report.name == "RangeError" && report.message.find("Maximum call stack size exceeded") != std::string::npos) {
      failure.kind = FailureKind::Limit;
      failure.limit = "stack_bytes";
      failure.message = fmt::format("stack size limit exceeded: recursion went deeper than {} of stack (stack_bytes={})",
                                    describe_bytes(request_.limits.stack_bytes), request_.limits.stack_bytes);
    }
    throw RunFailed{std::move(failure)};
  }

  void store_result(const JsValue& result) {
    JSContext* ctx = context_.get();
    JSValueConst v = result.get();
    bool plain = false;
    if (request_.options_of) {
      if (!JS_IsArray(v)) {
        fail(FailureKind::Script, fmt::format("options() of parameter '{}' must return an array such as [{{ value: 'a', label: 'A' }}], got {}",
                                              *request_.options_of, describe_type(ctx, v)));
      }
      plain = true;
    } else if (JS_IsObject(v) && !JS_IsArray(v) && !JS_IsFunction(ctx, v)) {
      JsValue prototype(ctx, JS_GetPrototype(ctx, v));
      JsValue global(ctx, JS_GetGlobalObject(ctx));
      JsValue object_constructor = global.property("Object");
      JsValue object_prototype = object_constructor.property("prototype");
      plain = JS_IsNull(prototype.get()) || JS_IsStrictEqual(ctx, prototype.get(), object_prototype.get());
    }
    if (!plain) {
      fail(FailureKind::Script, fmt::format("run() must return a plain object such as {{ total: 42 }}, got {}", describe_type(ctx, v)));
    }
    const std::size_t limit = request_.limits.max_result_bytes;
    Value host;
    try {
      host = to_host(ctx, v, ToHostOptions{.max_json_bytes = limit, .root_name = "result"});
    } catch (const ConversionTooLarge& e) {
      fail_result_too_large(e.bytes_seen, true);
    } catch (const ConversionError& e) {
      if (JS_HasException(ctx)) throw_pending("reading the result failed");
      fail(FailureKind::Script, fmt::format("the result cannot be stored as JSON: {}", e.what()));
    }
    outcome_.result_json = to_json(host);
    outcome_.stats.result_bytes = outcome_.result_json.size();
    if (outcome_.result_json.size() > limit) fail_result_too_large(outcome_.result_json.size(), false);
  }

  [[noreturn]] void fail_result_too_large(std::size_t bytes, bool at_least) {
    std::size_t limit = request_.limits.max_result_bytes;
    outcome_.result_json.clear();
    fail(FailureKind::Limit,
         fmt::format("result size limit exceeded: the result is {}{:.1f} MB as JSON, the limit is {} (max_result_bytes={}). "
                     "Use DuckDB for large datasets and return a summary.",
                     at_least ? "more than " : "", bytes / 1048576.0, describe_bytes(limit), limit),
         "max_result_bytes");
  }

  const RunRequest& request_;
  RunOutcome& outcome_;
  RunControl control_;
  MemoryBudget budget_;
  InterruptState interrupt_{};
  LogBuffer log_;
  std::map<std::string, Value> metadata_;
  // JS-owning members, destroyed before the runtime (members are destroyed in reverse order).
  JsRuntimePtr runtime_;
  JsContextPtr context_;
  JSModuleDef* module_def_ = nullptr;
  std::optional<EventLoop> loop_;
  std::optional<RunScope> scope_;
};

}  // namespace

namespace {

// One Run from creation to teardown: cancellation wiring, failure mapping, timing.
template <class Body>
RunOutcome perform(const RunRequest& request, Body&& body) {
  RunOutcome outcome;
  auto started = Clock::now();
  {
    Run run(request, outcome);
    std::optional<std::stop_callback<std::function<void()>>> on_cancel;
    if (request.cancel.stop_possible()) {
      on_cancel.emplace(request.cancel, std::function<void()>([&run] { run.control().stop(StopReason::Cancelled); }));
    }
    try {
      body(run);
      outcome.status = RunStatus::Completed;
    } catch (const RunFailed& failed) {
      outcome.failure = failed.failure;
    } catch (const std::bad_alloc&) {
      outcome.failure = RunFailure{FailureKind::Internal, {}, "the sandbox ran out of host memory", {}, 0, 0};
    }
    if (outcome.failure) {
      outcome.status = outcome.failure->kind == FailureKind::Cancelled ? RunStatus::Cancelled : RunStatus::Failed;
    }
  }
  outcome.stats.total_ms = elapsed_ms(started);
  return outcome;
}

}  // namespace

RunOutcome run_analysis(const RunRequest& request) {
  return perform(request, [](Run& run) { run.execute(); });
}

RunOutcome inspect_default_export(const RunRequest& request, const ExportInspector& inspector) {
  return perform(request, [&inspector](Run& run) { run.inspect(inspector); });
}

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Completed: return "completed";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
  }
  return "failed";
}

const char* to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::Script: return "script_error";
    case FailureKind::Limit: return "limit_exceeded";
    case FailureKind::Cancelled: return "cancelled";
    case FailureKind::Internal: return "internal_error";
  }
  return "internal_error";
}

}  // namespace as::sandbox
