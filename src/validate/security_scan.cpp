#include "security_scan.h"

#include <map>

#include <fmt/format.h>

#include "token_walk.h"

namespace as::validate {
namespace {

// Globals that reach files, the network or the host. None exists in the sandbox; using one is
// an attempt this check names before the script is saved.
const std::map<std::string, std::string, std::less<>>& forbidden_globals() {
  static const std::map<std::string, std::string, std::less<>> names = {
      {"fetch", "network access"},
      {"XMLHttpRequest", "network access"},
      {"WebSocket", "network access"},
      {"EventSource", "network access"},
      {"navigator", "network access"},
      {"importScripts", "loading code"},
      {"Worker", "starting threads"},
      {"SharedWorker", "starting threads"},
      {"process", "access to the host process"},
      {"Deno", "access to the host process"},
      {"Bun", "access to the host process"},
      {"std", "file and host access (the QuickJS std module)"},
      {"os", "file and host access (the QuickJS os module)"},
      {"require", "loading modules"},
      {"module", "loading modules"},
      {"__dirname", "file access"},
      {"__filename", "file access"},
  };
  return names;
}

bool next_is(const std::vector<Token>& tokens, std::size_t i, std::string_view punct) {
  return i + 1 < tokens.size() && is_punctuator(tokens[i + 1], punct);
}

bool next_is_call(const std::vector<Token>& tokens, std::size_t i) {
  return next_is(tokens, i, "(") || (i + 1 < tokens.size() && tokens[i + 1].kind == TokenKind::Template);
}

class Scan {
 public:
  explicit Scan(const std::vector<Token>& tokens) : tokens_(tokens), declared_(declared_names(tokens)) {}

  std::vector<ValidationProblem> run() {
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      if (tokens_[i].kind != TokenKind::Identifier) continue;
      const std::string& name = tokens_[i].value;
      if (name == "import" && !is_property_name(tokens_, i)) {
        import_use(i);
      } else if (name == "export") {
        re_export(i);
      } else if (name == "eval" && !object_key(i)) {
        flag(i, "eval() is not allowed: analyses cannot run code built from strings");
      } else if ((name == "Function" || name == "AsyncFunction" || name == "GeneratorFunction" ||
                  name == "AsyncGeneratorFunction") &&
                 !object_key(i) && (next_is_call(tokens_, i) || (i > 0 && is_identifier(tokens_[i - 1], "new")))) {
        flag(i, fmt::format("the {} constructor is not allowed: analyses cannot compile code from strings", name));
      } else if (name == "constructor" && i > 0 && (is_punctuator(tokens_[i - 1], ".") || is_punctuator(tokens_[i - 1], "?.")) &&
                 next_is_call(tokens_, i)) {
        flag(i, "calling .constructor(...) is not allowed: it reaches the Function constructor, which compiles code from strings");
      } else if (auto it = forbidden_globals().find(name); it != forbidden_globals().end()) {
        forbidden_global(i, it->first, it->second);
      }
    }
    return std::move(problems_);
  }

 private:
  bool object_key(std::size_t i) const {
    return i + 1 < tokens_.size() && is_punctuator(tokens_[i + 1], ":") && i > 0 &&
           (is_punctuator(tokens_[i - 1], "{") || is_punctuator(tokens_[i - 1], ","));
  }

  void flag(std::size_t i, std::string what) {
    problems_.push_back(problem_at("Forbidden code: " + std::move(what), tokens_[i].line, tokens_[i].column));
  }

  void import_use(std::size_t i) {
    if (next_is(tokens_, i, "(")) {
      flag(i, "dynamic import() is not allowed: analyses cannot load modules; use the ctx API instead");
    } else if (next_is(tokens_, i, ".")) {
      flag(i, "import.meta is not available to analyses");
    } else {
      std::string module = module_named_after(i);
      flag(i, module.empty() ? std::string("import is not allowed: analyses cannot import modules; use the ctx API instead")
                             : fmt::format("import of module '{}' is not allowed: analyses cannot import modules; use the ctx API instead", module));
    }
  }

  // `export * from "m"`, `export { a } from "m"`.
  void re_export(std::size_t i) {
    std::size_t j = i + 1;
    if (j >= tokens_.size()) return;
    if (is_punctuator(tokens_[j], "{")) {
      j = matching_close(tokens_, j) + 1;
    } else if (is_punctuator(tokens_[j], "*")) {
      ++j;
      if (j + 1 < tokens_.size() && is_identifier(tokens_[j], "as")) j += 2;
    } else {
      return;
    }
    if (j + 1 < tokens_.size() && is_identifier(tokens_[j], "from") && tokens_[j + 1].kind == TokenKind::String) {
      flag(i, fmt::format("re-exporting from module '{}' is not allowed: analyses cannot import modules", tokens_[j + 1].value));
    }
  }

  // The module string of a static import statement starting at `i` (empty when not found).
  std::string module_named_after(std::size_t i) const {
    for (std::size_t j = i + 1; j < tokens_.size() && j < i + 64; ++j) {
      if (tokens_[j].kind == TokenKind::String) return tokens_[j].value;
      if (is_punctuator(tokens_[j], ";")) break;
    }
    return {};
  }

  void forbidden_global(std::size_t i, const std::string& name, const std::string& purpose) {
    if (is_property_name(tokens_, i) || declared_.count(name) != 0) return;
    bool call_only = name == "require" || name == "module";  // common words otherwise
    if (call_only && !(name == "require" ? next_is_call(tokens_, i) : next_is(tokens_, i, "."))) return;
    flag(i, fmt::format("'{}' is not available to analyses ({} is not allowed); use the ctx API and declared datasources", name, purpose));
  }

  const std::vector<Token>& tokens_;
  std::set<std::string> declared_;
  std::vector<ValidationProblem> problems_;
};

}  // namespace

std::vector<ValidationProblem> find_forbidden_code(const std::vector<Token>& tokens) { return Scan(tokens).run(); }

}  // namespace as::validate
