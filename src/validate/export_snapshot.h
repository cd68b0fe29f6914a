#pragma once
// A host-side copy of an analysis's default export, taken inside the sandbox so every later
// check is plain C++ and no JS runs while we look. Functions are kept as their source text and
// where they start; values JSON has no form for are described in words.
#include <quickjs.h>

#include <string>
#include <utility>
#include <vector>

namespace as::validate {

struct JsNode {
  enum class Kind { Undefined, Null, Boolean, Number, String, Array, Object, Function, Other };
  Kind kind = Kind::Undefined;
  bool boolean = false;
  double number = 0;
  std::string text;  // String: the value; Function: its source text; Other: what it is ("a Date")
  std::vector<std::pair<std::string, JsNode>> members;  // Object: own enumerable keys in order; Array: elements ("0", "1", ...)
  int line = 0;      // Function: where it is defined
  int column = 0;

  const JsNode* find(std::string_view key) const;
  bool is(Kind k) const { return kind == k; }
};

struct SnapshotLimits {
  int max_depth = 24;
  std::size_t max_nodes = 20000;
};

// Never throws for what the script does: a getter that throws becomes Other with the message.
JsNode snapshot_value(JSContext* ctx, JSValueConst value, const SnapshotLimits& limits = {});

// "a string", "a number", "an array", ... for messages.
std::string describe(const JsNode& node);

}  // namespace as::validate
