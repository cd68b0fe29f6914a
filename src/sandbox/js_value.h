#pragma once
// The one owner type for JSValue: every value we hold is freed exactly once, by this class.
#include <quickjs.h>

#include <string>
#include <utility>

namespace as::sandbox {

class JsValue {
 public:
  JsValue() = default;
  // Takes ownership of `value` (a value returned by a QuickJS call that we must free).
  JsValue(JSContext* ctx, JSValue value) : ctx_(ctx), value_(value) {}
  // Makes a new reference to a borrowed value (`JSValueConst` from an argument list, say).
  static JsValue borrow(JSContext* ctx, JSValueConst value) { return {ctx, JS_DupValue(ctx, value)}; }

  JsValue(const JsValue&) = delete;
  JsValue& operator=(const JsValue&) = delete;
  JsValue(JsValue&& other) noexcept : ctx_(other.ctx_), value_(std::exchange(other.value_, JS_UNDEFINED)) {}
  JsValue& operator=(JsValue&& other) noexcept {
    if (this != &other) {
      reset();
      ctx_ = other.ctx_;
      value_ = std::exchange(other.value_, JS_UNDEFINED);
    }
    return *this;
  }
  ~JsValue() { reset(); }

  void reset() {
    if (ctx_) JS_FreeValue(ctx_, std::exchange(value_, JS_UNDEFINED));
  }
  // Gives up ownership, e.g. to return the value from a C function.
  [[nodiscard]] JSValue release() { return std::exchange(value_, JS_UNDEFINED); }
  [[nodiscard]] JSValue dup() const { return JS_DupValue(ctx_, value_); }

  JSValueConst get() const { return value_; }
  JSContext* context() const { return ctx_; }
  bool is_exception() const { return JS_IsException(value_); }
  bool is_undefined() const { return JS_IsUndefined(value_); }
  bool is_object() const { return JS_IsObject(value_); }
  bool is_function() const { return ctx_ && JS_IsFunction(ctx_, value_); }

  JsValue property(const char* name) const { return {ctx_, JS_GetPropertyStr(ctx_, value_, name)}; }

 private:
  JSContext* ctx_ = nullptr;
  JSValue value_ = JS_UNDEFINED;
};

// A C string borrowed from QuickJS (JS_ToCStringLen), freed on scope exit.
class JsCString {
 public:
  JsCString(JSContext* ctx, JSValueConst value) : ctx_(ctx) { data_ = JS_ToCStringLen(ctx, &size_, value); }
  JsCString(const JsCString&) = delete;
  JsCString& operator=(const JsCString&) = delete;
  ~JsCString() {
    if (data_) JS_FreeCString(ctx_, data_);
  }
  bool ok() const { return data_ != nullptr; }
  std::string str() const { return data_ ? std::string(data_, size_) : std::string(); }
  std::string_view view() const { return data_ ? std::string_view(data_, size_) : std::string_view(); }

 private:
  JSContext* ctx_;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace as::sandbox
