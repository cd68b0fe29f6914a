#include "run_analysis_extension.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sandbox/convert.h"
#include "sandbox/event_loop.h"
#include "sandbox/host_function.h"
#include "sandbox/js_value.h"

namespace as::jobs {
namespace {

using sandbox::JsCString;
using sandbox::JsValue;

std::string show_chain(const std::vector<std::string>& chain, const std::string& last) {
  std::string out;
  for (const auto& name : chain) out += name + " → ";
  return out + last;
}

// A promise already rejected with an Error carrying `message`.
JSValue rejected_promise(JSContext* ctx, const std::string& message) {
  JSValue resolvers[2];
  JsValue promise(ctx, JS_NewPromiseCapability(ctx, resolvers));
  if (promise.is_exception()) return JS_EXCEPTION;
  JsValue resolve(ctx, resolvers[0]);
  JsValue reject(ctx, resolvers[1]);
  JsValue error(ctx, JS_NewError(ctx));
  if (error.is_exception()) return JS_EXCEPTION;
  JS_DefinePropertyValueStr(ctx, error.get(), "message", JS_NewStringLen(ctx, message.data(), message.size()),
                            JS_PROP_WRITABLE | JS_PROP_CONFIGURABLE);
  JSValueConst argument = error.get();
  JsValue called(ctx, JS_Call(ctx, reject.get(), JS_UNDEFINED, 1, &argument));
  if (called.is_exception()) return JS_EXCEPTION;
  return promise.release();
}

std::string describe_argument(JSContext* ctx, JSValueConst value) {
  if (JS_IsUndefined(value)) return "nothing";
  if (JS_IsString(value)) return fmt::format("the string '{}'", JsCString(ctx, value).str());
  if (JS_IsArray(value)) return "an array";
  if (JS_IsFunction(ctx, value)) return "a function";
  if (JS_IsObject(value)) return "an object";
  return JsCString(ctx, value).str();
}

Value result_object(const NestedResult& result) {
  Value parsed = nullptr;
  if (result.result_json) parsed = parse_json(*result.result_json);
  return ValueObject{{"success", result.success},
                     {"result", std::move(parsed)},
                     {"error", result.error ? Value(*result.error) : Value(nullptr)},
                     {"run_id", result.run_id ? Value(*result.run_id) : Value(nullptr)}};
}

}  // namespace

std::vector<std::string> declared_analyses(const std::string& metadata_json) {
  nlohmann::json metadata = nlohmann::json::parse(metadata_json, nullptr, false);
  if (metadata.is_discarded()) throw std::invalid_argument(fmt::format("analysis metadata is not valid JSON: {}", metadata_json));
  std::vector<std::string> names;
  if (!metadata.is_object() || !metadata.contains("dependencies")) return names;
  const auto& dependencies = metadata["dependencies"];
  if (!dependencies.is_object() || !dependencies.contains("analyses")) return names;
  const auto& analyses = dependencies["analyses"];
  if (!analyses.is_array()) {
    throw std::invalid_argument(fmt::format("dependencies.analyses must be an array of analysis names, got {}", analyses.dump()));
  }
  for (const auto& name : analyses) {
    if (!name.is_string()) {
      throw std::invalid_argument(fmt::format("dependencies.analyses must hold analysis names (strings), got {}", name.dump()));
    }
    names.push_back(name.get<std::string>());
  }
  return names;
}

RunAnalysisExtension::RunAnalysisExtension(CallerInfo caller, NestedRunner runner)
    : caller_(std::move(caller)), runner_(std::move(runner)) {}

std::optional<std::string> RunAnalysisExtension::refusal(const std::string& callee) const {
  const std::string& caller = caller_.chain.empty() ? std::string() : caller_.chain.back();
  if (std::find(caller_.declared.begin(), caller_.declared.end(), callee) == caller_.declared.end()) {
    return fmt::format("ctx.runAnalysis('{}'): analysis '{}' does not declare '{}' in dependencies.analyses; "
                       "add it there to call it",
                       callee, caller, callee);
  }
  if (std::find(caller_.chain.begin(), caller_.chain.end(), callee) != caller_.chain.end()) {
    return fmt::format("ctx.runAnalysis('{}'): cycle {}: an analysis cannot call itself, directly or through other analyses",
                       callee, show_chain(caller_.chain, callee));
  }
  // The top-level run is depth 0, so the callee would be at depth chain.size().
  if (caller_.chain.size() > kMaxNestingDepth) {
    return fmt::format("ctx.runAnalysis('{}'): nesting depth {} exceeds the limit of {} nested runs ({})", callee,
                       caller_.chain.size(), kMaxNestingDepth, show_chain(caller_.chain, callee));
  }
  return std::nullopt;
}

bool RunAnalysisExtension::install(sandbox::RunScope& scope, JSValueConst ctx_object) {
  auto deadline = scope.control.deadline();
  auto call = [this, &scope, deadline](JSContext* ctx, JSValueConst, int argc, JSValueConst* argv) -> JSValue {
    if (argc < 1 || !JS_IsString(argv[0]) || JsCString(ctx, argv[0]).view().empty()) {
      return sandbox::throw_type_error(
          ctx, fmt::format("ctx.runAnalysis(name, params) needs the analysis name as a non-empty string, got {}",
                           describe_argument(ctx, argc < 1 ? JS_UNDEFINED : argv[0])));
    }
    std::string callee = JsCString(ctx, argv[0]).str();
    Value params = ValueObject{};
    if (argc >= 2 && !JS_IsUndefined(argv[1]) && !JS_IsNull(argv[1])) {
      if (!JS_IsObject(argv[1]) || JS_IsArray(argv[1]) || JS_IsFunction(ctx, argv[1])) {
        return sandbox::throw_type_error(ctx, fmt::format("ctx.runAnalysis('{}', params): params must be an object, got {}", callee,
                                                          describe_argument(ctx, argv[1])));
      }
      try {
        params = sandbox::to_host(ctx, argv[1], sandbox::ToHostOptions{.root_name = "params"});
      } catch (const sandbox::ConversionError& e) {
        if (JS_HasException(ctx)) return JS_EXCEPTION;
        return sandbox::throw_type_error(ctx, fmt::format("ctx.runAnalysis('{}', params): {}", callee, e.what()));
      }
    }
    if (auto refused = refusal(callee)) return rejected_promise(ctx, *refused);
    NestedCall nested{std::move(callee), std::move(params), deadline};
    return scope.loop.spawn([runner = runner_, nested = std::move(nested)](std::stop_token stop) -> sandbox::Settle {
      NestedResult result = runner(nested, stop);
      return [value = result_object(result)](JSContext* c) { return sandbox::to_js(c, value); };
    });
  };
  return sandbox::define_host_function(scope.ctx, ctx_object, "runAnalysis", 2, call);
}

}  // namespace as::jobs
