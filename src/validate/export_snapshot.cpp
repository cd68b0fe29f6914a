#include "export_snapshot.h"

#include <fmt/format.h>

#include "sandbox/js_value.h"

namespace as::validate {
namespace {

using sandbox::JsCString;
using sandbox::JsValue;

class Snapshot {
 public:
  Snapshot(JSContext* ctx, const SnapshotLimits& limits) : ctx_(ctx), limits_(limits) {}

  JsNode take(JSValueConst v, int depth) {
    JsNode node;
    if (++nodes_ > limits_.max_nodes) return other("a value too large to inspect");
    if (JS_IsUndefined(v)) return node;
    if (JS_IsNull(v)) return node.kind = JsNode::Kind::Null, node;
    if (JS_IsBool(v)) {
      node.kind = JsNode::Kind::Boolean;
      node.boolean = JS_ToBool(ctx_, v);
      return node;
    }
    if (JS_IsNumber(v)) {
      node.kind = JsNode::Kind::Number;
      JS_ToFloat64(ctx_, &node.number, v);
      return node;
    }
    if (JS_IsString(v)) {
      node.kind = JsNode::Kind::String;
      node.text = JsCString(ctx_, v).str();
      return node;
    }
    if (JS_IsBigInt(v)) return other("a bigint");
    if (JS_IsSymbol(v)) return other("a symbol");
    if (JS_IsFunction(ctx_, v)) return function(v);
    if (!JS_IsObject(v)) return other("a value of an unsupported type");
    if (JS_IsDate(v)) return other("a Date");
    if (JS_IsRegExp(v)) return other("a RegExp");
    if (JS_IsPromise(v)) return other("a Promise");
    if (depth >= limits_.max_depth) return other("a value nested too deeply to inspect");
    bool array = JS_IsArray(v);
    node.kind = array ? JsNode::Kind::Array : JsNode::Kind::Object;
    JSPropertyEnum* props = nullptr;
    uint32_t count = 0;
    if (JS_GetOwnPropertyNames(ctx_, &props, &count, v, JS_GPN_STRING_MASK | JS_GPN_ENUM_ONLY) < 0) {
      return thrown("listing its keys");
    }
    for (uint32_t i = 0; i < count; ++i) {
      JsValue key(ctx_, JS_AtomToString(ctx_, props[i].atom));
      std::string name = JsCString(ctx_, key.get()).str();
      JsValue member(ctx_, JS_GetProperty(ctx_, v, props[i].atom));
      if (member.is_exception()) {
        node.members.emplace_back(name, thrown("reading it"));
      } else {
        node.members.emplace_back(name, take(member.get(), depth + 1));
      }
    }
    JS_FreePropertyEnum(ctx_, props, count);
    return node;
  }

 private:
  JsNode other(std::string what) {
    JsNode node;
    node.kind = JsNode::Kind::Other;
    node.text = std::move(what);
    return node;
  }

  JsNode thrown(const char* doing) {
    JsValue exception(ctx_, JS_GetException(ctx_));
    JsCString text(ctx_, exception.get());
    JS_FreeValue(ctx_, JS_GetException(ctx_));
    return other(fmt::format("a value that threw while {}: {}", doing, text.ok() ? text.str() : "(unreadable)"));
  }

  JsNode function(JSValueConst v) {
    JsNode node;
    node.kind = JsNode::Kind::Function;
    JsValue source(ctx_, JS_ToString(ctx_, v));  // Function.prototype.toString: the bytecode keeps the source
    if (source.is_exception()) {
      JS_FreeValue(ctx_, JS_GetException(ctx_));
    } else {
      node.text = JsCString(ctx_, source.get()).str();
    }
    node.line = int_property(v, "lineNumber");
    node.column = int_property(v, "columnNumber");
    return node;
  }

  int int_property(JSValueConst v, const char* name) {
    JsValue value(ctx_, JS_GetPropertyStr(ctx_, v, name));
    int32_t n = 0;
    if (value.is_exception() || !JS_IsNumber(value.get()) || JS_ToInt32(ctx_, &n, value.get()) < 0) {
      JS_FreeValue(ctx_, JS_GetException(ctx_));
      return 0;
    }
    return n;
  }

  JSContext* ctx_;
  const SnapshotLimits& limits_;
  std::size_t nodes_ = 0;
};

}  // namespace

const JsNode* JsNode::find(std::string_view key) const {
  for (const auto& [name, member] : members) {
    if (name == key) return &member;
  }
  return nullptr;
}

JsNode snapshot_value(JSContext* ctx, JSValueConst value, const SnapshotLimits& limits) {
  return Snapshot(ctx, limits).take(value, 0);
}

std::string describe(const JsNode& node) {
  switch (node.kind) {
    case JsNode::Kind::Undefined: return "undefined";
    case JsNode::Kind::Null: return "null";
    case JsNode::Kind::Boolean: return node.boolean ? "the boolean true" : "the boolean false";
    case JsNode::Kind::Number: return fmt::format("the number {}", node.number);
    case JsNode::Kind::String: {
      constexpr std::size_t kShown = 60;  // messages stay one readable line
      if (node.text.size() <= kShown) return fmt::format("the string \"{}\"", node.text);
      std::size_t cut = kShown;
      while (cut > 0 && (static_cast<unsigned char>(node.text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
      return fmt::format("a string of {} bytes starting \"{}...\"", node.text.size(), node.text.substr(0, cut));
    }
    case JsNode::Kind::Array: return "an array";
    case JsNode::Kind::Object: return "an object";
    case JsNode::Kind::Function: return "a function";
    case JsNode::Kind::Other: return node.text;
  }
  return "a value";
}

}  // namespace as::validate
