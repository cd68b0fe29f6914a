#include "export_locator.h"

#include "token_walk.h"

namespace as::validate {
namespace {

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

}  // namespace

ExportLocator::ExportLocator(const std::vector<Token>& tokens) : tokens_(tokens) {
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (!is_identifier(tokens[i], "export") || !is_identifier(tokens[i + 1], "default")) continue;
    export_ = {tokens[i].line, tokens[i].column};
    std::size_t value = i + 2;
    if (value < tokens.size() && tokens[value].kind == TokenKind::Identifier && value + 1 < tokens.size() &&
        !is_punctuator(tokens[value + 1], "(")) {
      // export default NAME: find `NAME = {`.
      const std::string& name = tokens[value].value;
      for (std::size_t j = 0; j + 2 < tokens.size(); ++j) {
        if (is_identifier(tokens[j], name) && is_punctuator(tokens[j + 1], "=") && is_punctuator(tokens[j + 2], "{")) {
          read_object(j + 2, "");
          break;
        }
      }
    } else if (value < tokens.size() && is_punctuator(tokens[value], "{")) {
      read_object(value, "");
    }
    break;
  }
}

SourceLocation ExportLocator::locate(std::string_view path) const {
  std::string p(path);
  while (true) {
    if (auto it = keys_.find(p); it != keys_.end()) return it->second;
    auto dot = p.rfind('.');
    if (dot == std::string::npos) return export_;
    p.resize(dot);
  }
}

void ExportLocator::record(const std::string& path, const Token& token) {
  keys_.emplace(path, SourceLocation{token.line, token.column});
}

std::size_t ExportLocator::read_value(std::size_t i, const std::string& path) {
  if (i >= tokens_.size()) return i;
  if (is_punctuator(tokens_[i], "{")) return read_object(i, path) + 1;
  if (is_punctuator(tokens_[i], "[")) return read_array(i, path) + 1;
  return skip_expression(i);
}

// Reads `{ key: value, method() {...}, ... }`; returns the index of the closing `}`.
std::size_t ExportLocator::read_object(std::size_t open, const std::string& path) {
  std::size_t close = matching_close(tokens_, open);
  std::size_t i = open + 1;
  while (i < close) {
    std::size_t before = i;
    // Modifiers of methods and accessors: async, get, set, `*`.
    while (i + 1 < close && (is_identifier(tokens_[i], "async") || is_identifier(tokens_[i], "get") ||
                             is_identifier(tokens_[i], "set") || is_punctuator(tokens_[i], "*")) &&
           !is_punctuator(tokens_[i + 1], ":") && !is_punctuator(tokens_[i + 1], "(") && !is_punctuator(tokens_[i + 1], ",")) {
      ++i;
    }
    const Token& key = tokens_[i];
    bool named = key.kind == TokenKind::Identifier || key.kind == TokenKind::String || key.kind == TokenKind::Number;
    if (named && i + 1 < close && is_punctuator(tokens_[i + 1], ":")) {
      std::string child = join(path, key.value);
      record(child, key);
      i = read_value(i + 2, child);
    } else if (named && i + 1 < close && is_punctuator(tokens_[i + 1], "(")) {
      record(join(path, key.value), key);
      i = skip_expression(i);
    } else if (named) {
      record(join(path, key.value), key);  // shorthand `{ run }`
      i = skip_expression(i);
    } else {
      i = skip_expression(i);  // spread, computed key
    }
    if (i < close && is_punctuator(tokens_[i], ",")) ++i;
    if (i == before) ++i;  // malformed input: always make progress
  }
  return close;
}

std::size_t ExportLocator::read_array(std::size_t open, const std::string& path) {
  std::size_t close = matching_close(tokens_, open);
  std::size_t i = open + 1;
  for (int index = 0; i < close; ++index) {
    std::size_t before = i;
    std::string child = join(path, std::to_string(index));
    record(child, tokens_[i]);
    i = read_value(i, child);
    if (i < close && is_punctuator(tokens_[i], ",")) ++i;
    if (i == before) ++i;
  }
  return close;
}

// From `i` to the next `,` or closing bracket at the same depth (exclusive).
std::size_t ExportLocator::skip_expression(std::size_t i) const {
  while (i < tokens_.size()) {
    const Token& t = tokens_[i];
    if (t.kind == TokenKind::Punctuator) {
      if (t.value == "(" || t.value == "[" || t.value == "{") {
        i = matching_close(tokens_, i) + 1;
        continue;
      }
      if (t.value == "," || t.value == ")" || t.value == "]" || t.value == "}") return i;
    }
    ++i;
  }
  return i;
}

}  // namespace as::validate
