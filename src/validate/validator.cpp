#include "validator.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "export_locator.h"
#include "export_snapshot.h"
#include "js_tokens.h"
#include "name_uses.h"
#include "sandbox/sandbox.h"
#include "security_scan.h"
#include "structure_check.h"

namespace as::validate {
namespace {

constexpr const char* kFilename = "analysis.js";

void append(std::vector<ValidationProblem>& to, std::vector<ValidationProblem> from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

// "SyntaxError: unexpected token ... at analysis.js:3:5" -> "Syntax error at line 3, column 5: unexpected token ...".
ValidationProblem syntax_problem(const sandbox::CompileError& e) {
  std::string message = e.what();
  if (auto where = message.rfind(std::string(" at ") + kFilename + ":"); where != std::string::npos) message.resize(where);
  for (const char* prefix : {"SyntaxError: ", "TypeError: ", "ReferenceError: "}) {
    if (message.rfind(prefix, 0) == 0) {
      message.erase(0, std::string_view(prefix).size());
      break;
    }
  }
  if (e.line <= 0) return problem("Syntax error: " + message);
  std::string text = e.column > 0 ? fmt::format("Syntax error at line {}, column {}: {}", e.line, e.column, message)
                                  : fmt::format("Syntax error at line {}: {}", e.line, message);
  return ValidationProblem{text, e.line, e.column > 0 ? std::optional<int>(e.column) : std::nullopt};
}

ValidationProblem load_problem(const sandbox::RunFailure& failure) {
  std::string message = "Loading the module failed: " + failure.message;
  if (failure.kind == sandbox::FailureKind::Limit) {
    message += ". Top-level code runs whenever the analysis is loaded; it should only define the analysis, and do its work in run()";
  }
  return problem_at(std::move(message), failure.line, failure.column);
}

void check_dependencies(const AnalysisShape& shape, const ExportLocator& where, const std::vector<Token>& tokens,
                        const ValidationEnvironment& env, std::vector<ValidationProblem>& errors) {
  for (std::size_t i = 0; i < shape.datasources.size(); ++i) {
    const auto& name = shape.datasources[i];
    if (env.datasources.count(name) == 0) {
      SourceLocation at = where.locate("dependencies.datasources." + std::to_string(i));
      errors.push_back(problem_at(fmt::format("Datasource '{}' not found (configured datasources: {})", name, join(env.datasources)), at.line, at.column));
    }
  }
  for (std::size_t i = 0; i < shape.analyses.size(); ++i) {
    const auto& name = shape.analyses[i];
    SourceLocation at = where.locate("dependencies.analyses." + std::to_string(i));
    if (!env.analysis_name.empty() && name == env.analysis_name) {
      errors.push_back(problem_at(fmt::format("Analysis '{}' cannot depend on itself", name), at.line, at.column));
    } else if (env.analysis_exists && !env.analysis_exists(name)) {
      errors.push_back(problem_at(fmt::format("Analysis '{}' not found", name), at.line, at.column));
    }
  }
  NamesUsed used = find_names_used(tokens);
  std::set<std::string> reported;
  for (const auto& use : used.datasources) {
    bool declared = std::find(shape.datasources.begin(), shape.datasources.end(), use.name) != shape.datasources.end();
    if (declared || !reported.insert(use.name).second) continue;
    errors.push_back(problem_at(fmt::format("Datasource '{}' is used but not declared: add it to dependencies.datasources", use.name),
                                use.line, use.column));
  }
  reported.clear();
  for (const auto& use : used.analyses) {
    bool declared = std::find(shape.analyses.begin(), shape.analyses.end(), use.name) != shape.analyses.end();
    if (!env.analysis_name.empty() && use.name == env.analysis_name) {
      if (!declared && reported.insert(use.name).second) {
        errors.push_back(problem_at(fmt::format("Analysis '{}' cannot call itself with ctx.runAnalysis", use.name), use.line, use.column));
      }
      continue;
    }
    if (declared || !reported.insert(use.name).second) continue;
    errors.push_back(problem_at(fmt::format("Analysis '{}' is called with ctx.runAnalysis but not declared: add it to dependencies.analyses", use.name),
                                use.line, use.column));
  }
}

Value summary_of(const AnalysisShape& shape) {
  ValueArray datasources(shape.datasources.begin(), shape.datasources.end());
  ValueArray analyses(shape.analyses.begin(), shape.analyses.end());
  ValueArray parameters;
  for (const auto& item : shape.parameters.items()) parameters.emplace_back(item.key());
  return Value(ValueObject{{"title", shape.title},
                           {"datasources", std::move(datasources)},
                           {"analyses", std::move(analyses)},
                           {"parameters", std::move(parameters)}});
}

std::string metadata_of(const AnalysisShape& shape) {
  nlohmann::ordered_json metadata = {
      {"dependencies", {{"datasources", shape.datasources}, {"analyses", shape.analyses}}},
      {"parameters", shape.parameters},
  };
  if (shape.schedule) metadata["schedule"] = *shape.schedule;
  if (shape.execution) metadata["execution"] = *shape.execution;
  return metadata.dump();
}

}  // namespace

sandbox::RunLimits default_validation_limits() {
  sandbox::RunLimits limits;
  limits.timeout = std::chrono::milliseconds(2000);
  return limits;
}

ValidationResult validate_analysis(std::string_view source, const ValidationEnvironment& env) {
  ValidationResult result;
  std::vector<Token> tokens = tokenize(source);
  std::vector<ValidationProblem> forbidden = find_forbidden_code(tokens);
  bool import_flagged = std::any_of(forbidden.begin(), forbidden.end(),
                                    [](const ValidationProblem& p) { return p.message.find("import") != std::string::npos; });
  append(result.errors, std::move(forbidden));
  ExportLocator where(tokens);

  // One-entry cache: the sandbox loads the bytecode compiled here instead of compiling again.
  sandbox::BytecodeCache cache(1);
  bool compiled = true;
  try {
    cache.get_or_compile(source, kFilename, sandbox::CompileLimits{env.limits.memory_bytes, env.limits.stack_bytes});
  } catch (const sandbox::CompileError& e) {
    compiled = false;
    // QuickJS refuses imports while compiling; the security check has already named them.
    bool import_refusal = std::string_view(e.what()).find("import of module") != std::string_view::npos;
    if (!(import_refusal && import_flagged)) result.errors.push_back(syntax_problem(e));
  }

  AnalysisShape shape;
  bool loaded = false;
  if (compiled) {
    JsNode exported;
    sandbox::RunRequest request;
    request.source = std::string(source);
    request.filename = kFilename;
    request.limits = env.limits;
    request.cache = &cache;
    auto outcome = sandbox::inspect_default_export(request, [&exported](JSContext* ctx, JSValueConst value) {
      exported = snapshot_value(ctx, value);
    });
    if (outcome.status == sandbox::RunStatus::Completed) {
      loaded = true;
      append(result.errors, check_structure(exported, where, shape));
    } else if (outcome.failure) {
      result.errors.push_back(load_problem(*outcome.failure));
    }
  }
  if (loaded) check_dependencies(shape, where, tokens, env, result.errors);

  result.valid = result.errors.empty();
  if (result.valid) {
    result.summary = summary_of(shape);
    result.metadata_json = metadata_of(shape);
    result.title = shape.title;
  }
  return result;
}

std::string to_json(const ValidationResult& result) {
  nlohmann::ordered_json out;
  out["valid"] = result.valid;
  if (result.valid) {
    out["metadata"] = nlohmann::ordered_json::parse(as::to_json(result.summary));
    return out.dump();
  }
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  nlohmann::ordered_json details = nlohmann::ordered_json::array();
  for (const auto& e : result.errors) {
    errors.push_back(e.message);
    details.push_back({{"message", e.message},
                       {"line", e.line ? nlohmann::ordered_json(*e.line) : nlohmann::ordered_json(nullptr)},
                       {"column", e.column ? nlohmann::ordered_json(*e.column) : nlohmann::ordered_json(nullptr)}});
  }
  out["errors"] = std::move(errors);
  out["error_details"] = std::move(details);
  return out.dump();
}

}  // namespace as::validate
