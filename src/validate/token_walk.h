#pragma once
// Helpers shared by the token-based checks.
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "js_tokens.h"

namespace as::validate {

// Index of the bracket that closes the one at `open` (`(`, `[` or `{`), or tokens.size().
std::size_t matching_close(const std::vector<Token>& tokens, std::size_t open);

// True when tokens[i] is a property name rather than a reference: after `.` or `?.`, or a key
// in an object literal (`{ name: ...`, `, name(...) {`).
bool is_property_name(const std::vector<Token>& tokens, std::size_t i);

// Names the script declares with let/const/var/function/class, including simple
// destructuring patterns (`const { a, b: c } = ...` declares a and c).
std::set<std::string> declared_names(const std::vector<Token>& tokens);

// The identifiers a destructuring pattern starting at `open` (`{` or `[`) binds; for
// `{ key: alias }` the alias. With `keys_instead`, the property keys read (`key`).
std::vector<const Token*> pattern_names(const std::vector<Token>& tokens, std::size_t open, bool keys_instead = false);

}  // namespace as::validate
