#pragma once
// A JS class whose objects each own one C++ value, deleted by the class finalizer when the
// object is collected or the run's runtime is freed (so nothing outlives the run). Class ids
// are allocated per runtime in QuickJS-ng, so each run registers its classes afresh.
#include <quickjs.h>

#include <memory>
#include <utility>

#include "sandbox/js_value.h"

namespace as::frame {

template <class T>
class NativeClass {
 public:
  // Registers the class in the context's runtime with `prototype` (taken over) as the
  // prototype of its objects. False (exception pending, prototype freed) on failure.
  bool define(JSContext* ctx, const char* name, JSValue prototype) {
    JSRuntime* rt = JS_GetRuntime(ctx);
    id_ = 0;
    JS_NewClassID(rt, &id_);
    JSClassDef def{};
    def.class_name = name;
    def.finalizer = &finalize;
    if (JS_NewClass(rt, id_, &def) < 0) {
      JS_FreeValue(ctx, prototype);
      JS_ThrowInternalError(ctx, "could not register the %s class", name);
      return false;
    }
    JS_SetClassProto(ctx, id_, prototype);
    return true;
  }

  // A new object owning `value`; JS_EXCEPTION (pending) when out of memory.
  JSValue make(JSContext* ctx, T value) const {
    sandbox::JsValue object(ctx, JS_NewObjectClass(ctx, static_cast<int>(id_)));
    if (object.is_exception()) return JS_EXCEPTION;
    JS_SetOpaque(object.get(), std::make_unique<T>(std::move(value)).release());
    return object.release();
  }

  // Same, with another prototype (one that inherits from the class prototype).
  JSValue make_with_prototype(JSContext* ctx, JSValueConst prototype, T value) const {
    sandbox::JsValue object(ctx, JS_NewObjectProtoClass(ctx, prototype, id_));
    if (object.is_exception()) return JS_EXCEPTION;
    JS_SetOpaque(object.get(), std::make_unique<T>(std::move(value)).release());
    return object.release();
  }

  // The class prototype (a new reference).
  JSValue prototype(JSContext* ctx) const { return JS_GetClassProto(ctx, id_); }

  // The value owned by `object`, or nullptr when it is not an object of this class.
  T* get(JSValueConst object) const { return static_cast<T*>(JS_GetOpaque(object, id_)); }

 private:
  static void finalize(JSRuntime*, JSValueConst object) {
    JSClassID id = 0;
    std::unique_ptr<T> owned(static_cast<T*>(JS_GetAnyOpaque(object, &id)));
  }

  JSClassID id_ = 0;
};

}  // namespace as::frame
