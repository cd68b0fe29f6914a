#include "object_template.h"

#include <unordered_map>

namespace as::duck {

ObjectTemplate::ObjectTemplate(JSContext* ctx, const std::vector<JsAtom>& names)
    : ctx_(ctx), template_(ctx, JS_NewObject(ctx)), names_(names.size()) {
  if (template_.is_exception()) return;
  // Atoms are unique per name, so equal atoms are equal names.
  std::unordered_map<JSAtom, std::uint32_t> seen;
  std::vector<std::uint32_t> property_of;
  property_of.reserve(names.size());
  for (const JsAtom& name : names) {
    auto [at, added] = seen.try_emplace(name.get(), static_cast<std::uint32_t>(seen.size()));
    property_of.push_back(at->second);
    if (!added) continue;
    // Defined, not assigned: a name like __proto__ becomes a plain property, as in the objects.
    if (JS_DefinePropertyValue(ctx, template_.get(), name.get(), JS_UNDEFINED, JS_PROP_C_W_E) < 0) {
      template_ = sandbox::JsValue(ctx, JS_EXCEPTION);
      return;
    }
  }
  if (seen.size() != names.size()) {
    property_of_ = std::move(property_of);
    properties_.assign(seen.size(), JS_UNDEFINED);
  }
}

ObjectTemplate::~ObjectTemplate() = default;

JSValue ObjectTemplate::make(JSValue* values) {
  if (property_of_.empty()) return JS_NewObjectFromTemplate(ctx_, template_.get(), values, static_cast<int>(names_));
  for (std::size_t i = 0; i < names_; ++i) {
    JSValue& property = properties_[property_of_[i]];
    JS_FreeValue(ctx_, property);  // an earlier value of a repeated name
    property = values[i];
  }
  JSValue object = JS_NewObjectFromTemplate(ctx_, template_.get(), properties_.data(), static_cast<int>(properties_.size()));
  properties_.assign(properties_.size(), JS_UNDEFINED);  // taken over
  return object;
}

}  // namespace as::duck
