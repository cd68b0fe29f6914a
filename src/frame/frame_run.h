#pragma once
// The DataFrame machinery of one run: its JS classes (DataFrame, Expr, GroupBy, Row) and the
// native memory budget its frames are charged to. Made once per run by FrameExtension; the JS
// functions it installs hold it, so it lives exactly as long as the run's JS runtime.
#include <quickjs.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "expr.h"
#include "lazy_frame.h"
#include "native_class.h"
#include "native_frame.h"

namespace as::frame {

// What groupBy(...) returns until .agg() or .count() says what to compute.
struct GroupedFrame {
  LazyFrame frame;
  nlohmann::json keys;          // the plan's "by": names and expressions
  std::vector<std::string> key_names;  // names of the plain-name keys (to tell value columns apart)
  std::string text;             // `groupBy("a", "b")`
};

// One row seen by a filter(row => ...) callback; reads the frame's exported batch.
struct RowCursor;
struct RowView {
  std::shared_ptr<const RowCursor> cursor;
  std::size_t batch = 0;
  std::int64_t row = 0;  // within the batch
};

struct FrameRun : std::enable_shared_from_this<FrameRun> {
  explicit FrameRun(std::size_t memory_limit) : budget(std::make_shared<FrameBudget>(memory_limit)) {}

  std::shared_ptr<FrameBudget> budget;
  NativeClass<LazyFrame> dataframes;
  NativeClass<Expr> exprs;
  NativeClass<GroupedFrame> groups;
  NativeClass<RowView> rows;

  // A DataFrame over one new materialised frame, charged to the budget.
  JSValue new_frame(JSContext* ctx, FramePtr frame, const std::string& what) const;
};

}  // namespace as::frame
