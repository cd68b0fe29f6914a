#pragma once
// A column expression as the JS Expr objects carry it: the plan's JSON form (frame-rs/README.md,
// "Expressions") and a readable form for messages, in the script's own syntax
// (`col("amount").sum().alias("total")`).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace as::frame {

struct Expr {
  nlohmann::json json;
  std::string text;
};

Expr column_expr(const std::string& name);
// `value` is a JSON scalar (null, boolean, number, string); `dtype` casts it ("date", ...).
Expr literal_expr(nlohmann::json value, const std::string& dtype = {});
// `receiver.method(args...)` as the plan function `fn`, with extra options (`{"name": ...}`).
Expr method_expr(const Expr& receiver, const std::string& method, const std::string& fn, const std::vector<Expr>& args,
                 nlohmann::json options = nlohmann::json::object(), const std::string& shown_options = {});
// The text of a string in the script's syntax: "a" with quotes and escapes.
std::string js_quoted(const std::string& text);

}  // namespace as::frame
