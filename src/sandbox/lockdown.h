#pragma once
// Removes every route to run code from strings in a run context: global eval and Function, and
// the constructors of ordinary, async, generator and async generator functions reached through
// their prototypes. Each now throws "dynamic code is not allowed". (The run context also has
// no parser at all, so a route we did not foresee still fails.)
#include <quickjs.h>

namespace as::sandbox {

bool lock_down_dynamic_code(JSContext* ctx);  // false with a pending exception on failure

}  // namespace as::sandbox
