#pragma once
// groupBy(...keys) and the GroupBy object it returns: .agg({...}) in both of the spec's forms
// ({ total: "sum" } and { total: col("amount").sum() }), .agg(expr, ...) and .count().
#include <quickjs.h>

#include <memory>

#include "frame_run.h"

namespace as::frame {

JSValue group_by(FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv);
bool install_group_class(JSContext* ctx, const std::shared_ptr<FrameRun>& run);

}  // namespace as::frame
