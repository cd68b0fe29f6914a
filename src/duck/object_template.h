#pragma once
// Plain JS objects of one layout (result rows, STRUCT values, INTERVAL parts) made in one step
// each. A template object holds the property names once; every object is created from it with
// its values by JS_NewObjectFromTemplate (our QuickJS patch, docs/quickjs-patch.md) and shares
// its layout, instead of growing its own property by property. Scripts cannot tell the objects
// from object literals with the same keys.
#include <quickjs.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "js_building.h"
#include "sandbox/js_value.h"

namespace as::duck {

class ObjectTemplate {
 public:
  // One value per name, in this order. Names may repeat (result columns reach us with unique
  // names today, see make_names_unique): as when the values are defined one after the other, a
  // repeated name keeps the position of its first use and the value of its last.
  ObjectTemplate(JSContext* ctx, const std::vector<JsAtom>& names);
  ObjectTemplate(const ObjectTemplate&) = delete;
  ObjectTemplate& operator=(const ObjectTemplate&) = delete;
  ObjectTemplate(ObjectTemplate&&) noexcept = default;
  ObjectTemplate& operator=(ObjectTemplate&&) = delete;
  ~ObjectTemplate();

  // False when making the template failed (the exception is pending).
  bool ok() const { return !template_.is_exception(); }
  // Values each object takes: the number of names given.
  std::size_t size() const { return names_; }

  // A new object from values[0 .. size()), taken over whatever happens (none may be
  // JS_EXCEPTION); JS_EXCEPTION when QuickJS fails.
  JSValue make(JSValue* values);

 private:
  JSContext* ctx_;
  sandbox::JsValue template_;
  std::size_t names_;
  std::vector<std::uint32_t> property_of_;  // name -> property; empty when no name repeats
  std::vector<JSValue> properties_;         // the values being gathered when a name repeats
};

}  // namespace as::duck
