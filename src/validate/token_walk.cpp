#include "token_walk.h"

namespace as::validate {

std::size_t matching_close(const std::vector<Token>& tokens, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < tokens.size(); ++i) {
    if (tokens[i].kind != TokenKind::Punctuator) continue;
    const std::string& t = tokens[i].value;
    if (t == "(" || t == "[" || t == "{") ++depth;
    if (t == ")" || t == "]" || t == "}") {
      if (--depth == 0) return i;
    }
  }
  return tokens.size();
}

bool is_property_name(const std::vector<Token>& tokens, std::size_t i) {
  if (i > 0 && (is_punctuator(tokens[i - 1], ".") || is_punctuator(tokens[i - 1], "?."))) return true;
  bool after_open_or_comma = i > 0 && (is_punctuator(tokens[i - 1], "{") || is_punctuator(tokens[i - 1], ","));
  if (!after_open_or_comma || i + 1 >= tokens.size()) return false;
  if (is_punctuator(tokens[i + 1], ":")) return true;
  // Method shorthand `name(...) {`; a call `name(...)` is followed by anything but `{`.
  if (is_punctuator(tokens[i + 1], "(")) {
    std::size_t close = matching_close(tokens, i + 1);
    return close + 1 < tokens.size() && is_punctuator(tokens[close + 1], "{");
  }
  return false;
}

std::vector<const Token*> pattern_names(const std::vector<Token>& tokens, std::size_t open, bool keys_instead) {
  std::vector<const Token*> names;
  std::size_t close = matching_close(tokens, open);
  bool object = is_punctuator(tokens[open], "{");
  int depth = 0;
  for (std::size_t i = open + 1; i < close; ++i) {
    const Token& t = tokens[i];
    if (t.kind == TokenKind::Punctuator) {
      if (t.value == "(" || t.value == "[" || t.value == "{") ++depth;
      if (t.value == ")" || t.value == "]" || t.value == "}") --depth;
      continue;
    }
    if (depth != 0 || t.kind != TokenKind::Identifier) continue;
    bool starts_entry = is_punctuator(tokens[i - 1], "{") || is_punctuator(tokens[i - 1], "[") ||
                        is_punctuator(tokens[i - 1], ",") || is_punctuator(tokens[i - 1], "...");
    bool renamed = is_punctuator(tokens[i - 1], ":");
    bool is_key = object && i + 1 < close && is_punctuator(tokens[i + 1], ":");
    if (keys_instead) {
      if (object && starts_entry) names.push_back(&t);
    } else if ((starts_entry && !is_key) || renamed) {
      names.push_back(&t);
    }
  }
  return names;
}

std::set<std::string> declared_names(const std::vector<Token>& tokens) {
  std::set<std::string> names;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind != TokenKind::Identifier || is_property_name(tokens, i)) continue;
    bool binding = t.value == "let" || t.value == "const" || t.value == "var";
    if (!binding && t.value != "function" && t.value != "class") continue;
    std::size_t next = i + 1;
    if (t.value == "function" && is_punctuator(tokens[next], "*")) ++next;
    if (next >= tokens.size()) break;
    if (tokens[next].kind == TokenKind::Identifier) {
      names.insert(tokens[next].value);
    } else if (binding && (is_punctuator(tokens[next], "{") || is_punctuator(tokens[next], "["))) {
      for (const Token* name : pattern_names(tokens, next)) names.insert(name->value);
    }
  }
  return names;
}

}  // namespace as::validate
