#pragma once
// What one JS DataFrame stands for: its input frames and the plan ops still to run over them
// (frame-rs/README.md, "Plan format"). Chained calls only add ops; the whole chain runs as one
// Polars query the first time a result is needed, and the result then replaces the chain.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "native_frame.h"

namespace as::frame {

class LazyFrame {
 public:
  explicit LazyFrame(FrameRef input);

  // A copy with `op` added; `label` is the JS call that added it (e.g. `select("a")`), used
  // in error messages instead of the op's index in the plan.
  LazyFrame then(nlohmann::json op, std::string label) const;
  // A copy joined with `right`: `join_op` gets its "right" side (right's inputs are appended to
  // ours, right's pending ops become a sub-pipeline), so both sides still run as one query.
  LazyFrame join(const LazyFrame& right, nlohmann::json join_op, std::string label) const;

  // Runs the pending ops (the first time) and returns the frame; charged to `budget`.
  // Throws FrameError (message naming the JS call) or FrameLimitExceeded.
  FrameRef materialize(const std::shared_ptr<FrameBudget>& budget);
  // The columns the result has, resolved without running anything.
  Schema schema() const;

  bool pending() const { return !ops_.empty(); }

 private:
  LazyFrame() = default;
  std::string plan_json() const;
  std::vector<const frame_df*> handles() const;
  // frame-rs names an op by its index ("plan.ops[2] (select).exprs[0]: ..."); say which call it was.
  FrameError explain(const FrameError& error) const;

  std::vector<FrameRef> inputs_;
  nlohmann::json ops_ = nlohmann::json::array();
  std::vector<std::string> labels_;
};

}  // namespace as::frame
