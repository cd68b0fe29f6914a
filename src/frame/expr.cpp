#include "expr.h"

#include <fmt/format.h>

namespace as::frame {

using nlohmann::json;

std::string js_quoted(const std::string& text) { return json(text).dump(); }

Expr column_expr(const std::string& name) { return {json{{"col", name}}, fmt::format("col({})", js_quoted(name))}; }

Expr literal_expr(json value, const std::string& dtype) {
  std::string shown = value.dump();
  json expr{{"lit", std::move(value)}};
  if (!dtype.empty()) {
    expr["dtype"] = dtype;
    return {std::move(expr), fmt::format("lit({}, {})", shown, js_quoted(dtype))};
  }
  return {std::move(expr), fmt::format("lit({})", shown)};
}

Expr method_expr(const Expr& receiver, const std::string& method, const std::string& fn, const std::vector<Expr>& args,
                 json options, const std::string& shown_options) {
  json call = std::move(options);
  call["fn"] = fn;
  json list = json::array();
  list.push_back(receiver.json);
  std::string shown;
  for (const Expr& arg : args) {
    list.push_back(arg.json);
    shown += (shown.empty() ? "" : ", ") + arg.text;
  }
  if (!shown_options.empty()) shown += (shown.empty() ? "" : ", ") + shown_options;
  call["args"] = std::move(list);
  return {std::move(call), fmt::format("{}.{}({})", receiver.text, method, shown)};
}

}  // namespace as::frame
