#include "convert.h"

#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "js_value.h"

namespace as::sandbox {
namespace {

class PendingException : public ConversionError {
 public:
  PendingException() : ConversionError("exception") {}
};

double date_value(JSContext* ctx, JSValueConst date) {
  // Date.prototype.getTime reads the internal time value; a script cannot redirect it per object
  // except by replacing the prototype method, which only changes what its own result says.
  JsValue get_time(ctx, JS_GetPropertyStr(ctx, date, "getTime"));
  JsValue t(ctx, JS_Call(ctx, get_time.get(), date, 0, nullptr));
  if (t.is_exception()) throw PendingException();
  double ms = NAN;
  JS_ToFloat64(ctx, &ms, t.get());
  return ms;
}

class ToHost {
 public:
  ToHost(JSContext* ctx, const ToHostOptions& options) : ctx_(ctx), options_(options) {}

  Value convert(JSValueConst v, std::string& path, std::size_t depth) {
    if (JS_IsNull(v) || JS_IsUndefined(v)) return count(4), Value(nullptr);
    if (JS_IsBool(v)) return count(5), Value(static_cast<bool>(JS_ToBool(ctx_, v)));
    if (JS_IsNumber(v)) {
      double d = 0;
      JS_ToFloat64(ctx_, &d, v);
      count(12);
      return Value(d);
    }
    if (JS_IsString(v)) {
      JsCString s(ctx_, v);
      if (!s.ok()) throw PendingException();
      count(s.view().size() + 2);
      return Value(s.str());
    }
    if (JS_IsBigInt(v)) {
      JsCString s(ctx_, v);
      if (!s.ok()) throw PendingException();
      count(s.view().size() + 2);
      return Value(BigInt{s.str()});
    }
    if (!JS_IsObject(v)) {
      throw ConversionError(fmt::format("{} is a {} and has no JSON form", path, JS_IsSymbol(v) ? "symbol" : "value of an unsupported type"));
    }
    if (JS_IsDate(v)) return count(26), Value(Timestamp{date_value(ctx_, v)});
    if (JS_GetTypedArrayType(v) == JS_TYPED_ARRAY_UINT8) {
      size_t size = 0;
      std::uint8_t* data = JS_GetUint8Array(ctx_, &size, v);
      if (!data && size != 0) throw PendingException();
      count(size * 4 / 3 + 2);
      return Value(Bytes(data, data + size));
    }
    if (depth >= options_.max_depth) {
      throw ConversionError(fmt::format("{} is nested more than {} levels deep", path, options_.max_depth));
    }
    JsValue to_json(ctx_, JS_GetPropertyStr(ctx_, v, "toJSON"));
    if (to_json.is_exception()) throw PendingException();
    if (to_json.is_function()) {  // as JSON.stringify does: the object chooses its JSON form
      JsValue replaced(ctx_, JS_Call(ctx_, to_json.get(), v, 0, nullptr));
      if (replaced.is_exception()) throw PendingException();
      if (JS_IsObject(replaced.get()) && JS_VALUE_GET_PTR(replaced.get()) == JS_VALUE_GET_PTR(v)) {
        throw ConversionError(fmt::format("{}.toJSON() returned the object itself", path));
      }
      return convert(replaced.get(), path, depth + 1);
    }
    void* identity = JS_VALUE_GET_PTR(v);
    for (void* seen : ancestors_) {
      if (seen == identity) throw ConversionError(fmt::format("{} is a circular reference", path));
    }
    ancestors_.push_back(identity);
    Value out = JS_IsArray(v) ? convert_array(v, path, depth) : convert_object(v, path, depth);
    ancestors_.pop_back();
    return out;
  }

 private:
  void count(std::size_t bytes) {
    seen_bytes_ += bytes;
    if (seen_bytes_ > options_.max_json_bytes) {
      throw ConversionTooLarge(fmt::format("{} is larger than {} bytes as JSON", options_.root_name, options_.max_json_bytes),
                               seen_bytes_);
    }
  }

  Value convert_array(JSValueConst v, std::string& path, std::size_t depth) {
    int64_t length = 0;
    if (JS_GetLength(ctx_, v, &length) < 0) throw PendingException();
    ValueArray out;
    out.reserve(static_cast<size_t>(std::min<int64_t>(length, 1 << 16)));
    count(2);
    size_t base = path.size();
    for (int64_t i = 0; i < length; ++i) {
      JsValue element(ctx_, JS_GetPropertyInt64(ctx_, v, i));
      if (element.is_exception()) throw PendingException();
      count(1);
      if (JS_IsUndefined(element.get()) || JS_IsSymbol(element.get()) || JS_IsFunction(ctx_, element.get())) {
        out.emplace_back(nullptr);
        continue;
      }
      path += fmt::format("[{}]", i);
      out.push_back(convert(element.get(), path, depth + 1));
      path.resize(base);
    }
    return out;
  }

  Value convert_object(JSValueConst v, std::string& path, std::size_t depth) {
    JSPropertyEnum* props = nullptr;
    uint32_t length = 0;
    if (JS_GetOwnPropertyNames(ctx_, &props, &length, v, JS_GPN_STRING_MASK | JS_GPN_ENUM_ONLY) < 0) {
      throw PendingException();
    }
    struct Release {
      JSContext* ctx;
      JSPropertyEnum* props;
      uint32_t length;
      ~Release() { JS_FreePropertyEnum(ctx, props, length); }
    } release{ctx_, props, length};

    ValueObject out;
    out.reserve(length);
    count(2);
    size_t base = path.size();
    for (uint32_t i = 0; i < length; ++i) {
      JsValue member(ctx_, JS_GetProperty(ctx_, v, props[i].atom));
      if (member.is_exception()) throw PendingException();
      if (JS_IsUndefined(member.get()) || JS_IsSymbol(member.get()) || JS_IsFunction(ctx_, member.get())) continue;
      size_t key_length = 0;
      const char* key = JS_AtomToCStringLen(ctx_, &key_length, props[i].atom);
      if (!key) throw PendingException();
      std::string name(key, key_length);
      JS_FreeCString(ctx_, key);
      count(name.size() + 4);
      path += '.';
      path += name;
      out.emplace_back(std::move(name), convert(member.get(), path, depth + 1));
      path.resize(base);
    }
    return out;
  }

  JSContext* ctx_;
  const ToHostOptions& options_;
  std::vector<void*> ancestors_;
  std::size_t seen_bytes_ = 0;
};

JSValue bigint_to_js(JSContext* ctx, const BigInt& b) {
  std::int64_t small = 0;
  const char* end = b.decimal.data() + b.decimal.size();
  auto [ptr, ec] = std::from_chars(b.decimal.data(), end, small);
  if (ec == std::errc() && ptr == end) return JS_NewBigInt64(ctx, small);
  // Wider than 64 bits (HUGEINT): let the engine's BigInt() parse the decimal text.
  JsValue global(ctx, JS_GetGlobalObject(ctx));
  JsValue constructor = global.property("BigInt");
  JsValue text(ctx, JS_NewStringLen(ctx, b.decimal.data(), b.decimal.size()));
  JSValueConst args[] = {text.get()};
  return JS_Call(ctx, constructor.get(), JS_UNDEFINED, 1, args);
}

}  // namespace

Value to_host(JSContext* ctx, JSValueConst value, const ToHostOptions& options) {
  ToHost converter(ctx, options);
  std::string path = options.root_name;
  return converter.convert(value, path, 0);
}

JSValue to_js(JSContext* ctx, const Value& value) {
  struct Visitor {
    JSContext* ctx;
    JSValue operator()(std::nullptr_t) const { return JS_NULL; }
    JSValue operator()(bool b) const { return JS_NewBool(ctx, b); }
    JSValue operator()(double d) const { return JS_NewNumber(ctx, d); }
    JSValue operator()(const std::string& s) const { return JS_NewStringLen(ctx, s.data(), s.size()); }
    JSValue operator()(const BigInt& b) const { return bigint_to_js(ctx, b); }
    JSValue operator()(const Timestamp& t) const { return JS_NewDate(ctx, t.epoch_ms); }
    JSValue operator()(const Bytes& b) const { return JS_NewUint8ArrayCopy(ctx, b.data(), b.size()); }
    JSValue operator()(const ValueArray& a) const {
      JsValue array(ctx, JS_NewArray(ctx));
      if (array.is_exception()) return JS_EXCEPTION;
      for (size_t i = 0; i < a.size(); ++i) {
        JSValue element = to_js(ctx, a[i]);
        if (JS_IsException(element)) return JS_EXCEPTION;
        if (JS_DefinePropertyValueUint32(ctx, array.get(), static_cast<uint32_t>(i), element, JS_PROP_C_W_E) < 0) return JS_EXCEPTION;
      }
      return array.release();
    }
    JSValue operator()(const ValueObject& o) const {
      JsValue object(ctx, JS_NewObject(ctx));
      if (object.is_exception()) return JS_EXCEPTION;
      for (const auto& [key, member] : o) {
        JSValue v = to_js(ctx, member);
        if (JS_IsException(v)) return JS_EXCEPTION;
        JSAtom atom = JS_NewAtomLen(ctx, key.data(), key.size());
        int rc = JS_DefinePropertyValue(ctx, object.get(), atom, v, JS_PROP_C_W_E);
        JS_FreeAtom(ctx, atom);
        if (rc < 0) return JS_EXCEPTION;
      }
      return object.release();
    }
  };
  return std::visit(Visitor{ctx}, value.data);
}

}  // namespace as::sandbox
