#pragma once
// The Expr class (col("a").sum(), col("a").gt(1).and(col("b").isNull()), ...) and the col()
// and lit() functions. JS has no operator overloading, so arithmetic and comparisons are
// methods; an Expr used with an operator (col("a") * 2) throws a TypeError that says so.
#include <quickjs.h>

#include <memory>
#include <string>

#include "frame_run.h"

namespace as::frame {

// Registers the Expr class in the run's runtime.
bool install_expr_class(JSContext* ctx, const std::shared_ptr<FrameRun>& run);
// Defines col and lit on `ctx_object` and on the global object (the spec's scripts call them as globals).
bool define_expr_functions(JSContext* ctx, const std::shared_ptr<FrameRun>& run, JSValueConst ctx_object);

// A JS argument as an expression: an Expr as it is; null, a boolean, number, BigInt, string or
// Date as a literal. Throws ArgumentError naming `where` and the value otherwise.
Expr to_expr(const FrameRun& run, JSContext* ctx, JSValueConst value, const std::string& where);
// Like to_expr, but a string names a column (select("a"), groupBy("a"), sort("a")).
Expr to_column_expr(const FrameRun& run, JSContext* ctx, JSValueConst value, const std::string& where);

}  // namespace as::frame
