#pragma once
// ctx.duckdb.saveDataFrame(df, table, { mode }) and ctx.duckdb.queryFrame(sql): frames cross
// into and out of the project DuckDB through the Arrow C stream interface, on the run's DuckDB
// session (same connection and transaction as ctx.duckdb.exec). No row becomes a JS value or
// text on the way: numbers and dates are handed over as Arrow buffers, strings copied once.
#include <memory>

#include "duck/duck_methods.h"

namespace as::frame {

class FrameExtension;

class FrameDuckMethods : public duck::DuckMethods {
 public:
  explicit FrameDuckMethods(std::shared_ptr<FrameExtension> frames) : frames_(std::move(frames)) {}
  bool install(sandbox::RunScope& scope, JSValueConst duckdb_object, const std::shared_ptr<duck::DuckSession>& session) override;

 private:
  std::shared_ptr<FrameExtension> frames_;
};

}  // namespace as::frame
