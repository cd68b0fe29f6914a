#include "log_format.h"

#include <vector>

#include <nlohmann/json.hpp>

#include "js_value.h"
#include "value.h"

namespace as::sandbox {
namespace {

constexpr std::size_t kMaxDepth = 4;
constexpr std::size_t kMaxItems = 100;

class Formatter {
 public:
  Formatter(JSContext* ctx, std::size_t max_bytes) : ctx_(ctx), max_bytes_(max_bytes) {}

  bool full() const { return out_.size() >= max_bytes_; }
  std::string take() {
    if (out_.size() > max_bytes_) {
      out_.resize(max_bytes_);
      out_ += "…";
    }
    return std::move(out_);
  }

  void top_level(JSValueConst v) {
    if (JS_IsString(v)) {
      out_ += JsCString(ctx_, v).view();
    } else {
      value(v, 0);
    }
  }

 private:
  void quoted(std::string_view s) { out_ += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

  void value(JSValueConst v, std::size_t depth) {
    if (full()) return;
    if (JS_IsException(v)) {  // a getter threw while we read the value
      JS_FreeValue(ctx_, JS_GetException(ctx_));
      out_ += "[exception while reading]";
      return;
    }
    if (JS_IsString(v)) return quoted(JsCString(ctx_, v).view());
    if (JS_IsBigInt(v)) {
      out_ += JsCString(ctx_, v).view();
      out_ += 'n';
      return;
    }
    if (JS_IsSymbol(v)) {
      JsValue description(ctx_, JS_GetPropertyStr(ctx_, v, "description"));
      out_ += "Symbol(";
      if (JS_IsString(description.get())) out_ += JsCString(ctx_, description.get()).view();
      out_ += ")";
      return;
    }
    if (!JS_IsObject(v)) {
      out_ += JsCString(ctx_, v).view();  // numbers, booleans, null, undefined
      return;
    }
    if (JS_IsFunction(ctx_, v)) {
      JsValue name(ctx_, JS_GetPropertyStr(ctx_, v, "name"));
      std::string n = JS_IsString(name.get()) ? JsCString(ctx_, name.get()).str() : "";
      out_ += n.empty() ? "[Function (anonymous)]" : "[Function " + n + "]";
      return;
    }
    if (JS_IsError(v)) {
      JsValue stack(ctx_, JS_GetPropertyStr(ctx_, v, "stack"));
      out_ += JsCString(ctx_, v).view();
      if (JS_IsString(stack.get())) {
        out_ += '\n';
        std::string_view frames = JsCString(ctx_, stack.get()).view();
        while (frames.ends_with('\n')) frames.remove_suffix(1);
        out_ += frames;
      }
      return;
    }
    if (JS_IsDate(v)) {
      JsValue to_iso(ctx_, JS_GetPropertyStr(ctx_, v, "toISOString"));
      JsValue iso(ctx_, JS_Call(ctx_, to_iso.get(), v, 0, nullptr));
      if (iso.is_exception()) {
        JS_FreeValue(ctx_, JS_GetException(ctx_));
        out_ += "Invalid Date";
      } else {
        out_ += JsCString(ctx_, iso.get()).view();
      }
      return;
    }
    void* identity = JS_VALUE_GET_PTR(v);
    for (void* seen : ancestors_) {
      if (seen == identity) {
        out_ += "[Circular]";
        return;
      }
    }
    bool array = JS_IsArray(v);
    if (depth >= kMaxDepth) {
      out_ += array ? "[Array]" : "[Object]";
      return;
    }
    ancestors_.push_back(identity);
    array ? elements(v, depth) : members(v, depth);
    ancestors_.pop_back();
  }

  void elements(JSValueConst v, std::size_t depth) {
    int64_t length = 0;
    JS_GetLength(ctx_, v, &length);
    out_ += "[";
    for (int64_t i = 0; i < length && !full(); ++i) {
      if (i == static_cast<int64_t>(kMaxItems)) {
        out_ += ", ... " + std::to_string(length - i) + " more items";
        break;
      }
      out_ += i ? ", " : " ";
      JsValue element(ctx_, JS_GetPropertyInt64(ctx_, v, i));
      value(element.get(), depth + 1);
    }
    out_ += length ? " ]" : "]";
  }

  void members(JSValueConst v, std::size_t depth) {
    JSPropertyEnum* props = nullptr;
    uint32_t length = 0;
    if (JS_GetOwnPropertyNames(ctx_, &props, &length, v, JS_GPN_STRING_MASK | JS_GPN_ENUM_ONLY) < 0) {
      out_ += "[Object]";
      return;
    }
    out_ += "{";
    for (uint32_t i = 0; i < length && !full(); ++i) {
      if (i == kMaxItems) {
        out_ += ", ... " + std::to_string(length - i) + " more properties";
        break;
      }
      out_ += i ? ", " : " ";
      JsValue key(ctx_, JS_AtomToString(ctx_, props[i].atom));
      out_ += JsCString(ctx_, key.get()).view();
      out_ += ": ";
      JsValue member(ctx_, JS_GetProperty(ctx_, v, props[i].atom));
      value(member.get(), depth + 1);
    }
    out_ += length ? " }" : "}";
    JS_FreePropertyEnum(ctx_, props, length);
  }

  JSContext* ctx_;
  std::size_t max_bytes_;
  std::string out_;
  std::vector<void*> ancestors_;
};

}  // namespace

std::string format_log_arguments(JSContext* ctx, int argc, JSValueConst* argv, std::size_t max_bytes) {
  std::string text;
  for (int i = 0; i < argc && text.size() < max_bytes; ++i) {
    if (i) text += ' ';
    Formatter one(ctx, max_bytes - std::min(max_bytes, text.size()));
    one.top_level(argv[i]);
    text += one.take();
  }
  return text;
}

}  // namespace as::sandbox
