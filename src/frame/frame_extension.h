#pragma once
// ctx.DataFrame, col() and lit() for a run (docs/dataframes.md), and the one-line way to give
// a run's ctx DataFrames plus ctx.duckdb.saveDataFrame / queryFrame: add_frames(extensions).
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "frame_run.h"
#include "sandbox/run_scope.h"

namespace as::frame {

struct FrameOptions {
  // Native memory the run's DataFrames may hold at once (Polars buffers live outside the JS
  // heap and its limit). Past it, the call that made the frame throws a RangeError.
  std::size_t memory_bytes = std::size_t{1} << 30;
};

class FrameExtension : public sandbox::ContextExtension {
 public:
  explicit FrameExtension(FrameOptions options = {}) : options_(options) {}

  bool install(sandbox::RunScope& scope, JSValueConst ctx_object) override;

  // The DataFrame state of the run `scope` belongs to, made (classes registered) on first use:
  // by install() or by the ctx.duckdb methods, whichever comes first. nullptr with a pending
  // exception on failure.
  std::shared_ptr<FrameRun> run_for(sandbox::RunScope& scope);

  const FrameOptions& options() const { return options_; }

 private:
  FrameOptions options_;
  std::mutex mutex_;
  // Runs in progress; the JS functions of a run own its state, so entries expire with the run.
  std::map<JSContext*, std::weak_ptr<FrameRun>> runs_;
};

// Adds a FrameExtension to `extensions`, and saveDataFrame / queryFrame to the DuckExtension
// among them (when there is one).
void add_frames(std::vector<std::shared_ptr<sandbox::ContextExtension>>& extensions, FrameOptions options = {});

}  // namespace as::frame
