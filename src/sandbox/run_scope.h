#pragma once
// Everything a host binding needs during one run: the JS context, the run's loop, stop switch,
// log and limits. Extensions (datasources, DuckDB, ...) receive it to install their part of ctx.
#include <quickjs.h>

#include <map>
#include <string>

#include "event_loop.h"
#include "limits.h"
#include "log_buffer.h"
#include "run_control.h"
#include "value.h"

namespace as::sandbox {

struct RunScope {
  JSContext* ctx;
  EventLoop& loop;
  RunControl& control;
  LogBuffer& log;
  const RunLimits& limits;
  std::map<std::string, Value>& metadata;
};

// Installs one group of ctx members. Implementations live with the room that owns them.
class ContextExtension {
 public:
  virtual ~ContextExtension() = default;
  // Adds members to `ctx_object`; returns false with a pending JS exception on failure.
  virtual bool install(RunScope& scope, JSValueConst ctx_object) = 0;
};

}  // namespace as::sandbox
