#pragma once
// The DataFrame and GroupBy classes and ctx.DataFrame(data) (docs/dataframes.md). Every method
// returns a new DataFrame that adds one op to the plan; collect(), toJSON(), height and
// filter(row => ...) run the plan in Polars.
#include <quickjs.h>

#include <memory>

#include "frame_run.h"

namespace as::frame {

// Registers the DataFrame, GroupBy and Row classes in the run's runtime.
bool install_dataframe_classes(JSContext* ctx, const std::shared_ptr<FrameRun>& run);
// Defines ctx.DataFrame(data) on `ctx_object`.
bool define_dataframe_function(JSContext* ctx, const std::shared_ptr<FrameRun>& run, JSValueConst ctx_object);

// The DataFrame behind a JS value, or nullptr when it is not one.
LazyFrame* frame_of(const FrameRun& run, JSValueConst value);

// filter(row => ...): runs the callback once per row of the materialised frame and keeps the
// rows it returns a truthy value for (row_filter.cpp).
JSValue filter_by_callback(FrameRun& run, JSContext* ctx, LazyFrame& frame, JSValueConst callback);
bool install_row_class(JSContext* ctx, const std::shared_ptr<FrameRun>& run);

}  // namespace as::frame
