#include "lazy_frame.h"

#include <charconv>

#include <fmt/format.h>

namespace as::frame {
namespace {

using nlohmann::json;

// Renumbers the input indexes a pipeline's ops refer to (join "right" sides), after the
// pipeline's inputs moved up by `base` in a longer input list.
void shift_inputs(json& ops, std::size_t base) {
  for (json& op : ops) {
    if (op.value("op", "") != "join" || !op.contains("right")) continue;
    json& right = op["right"];
    if (right.is_number_unsigned()) {
      right = right.get<std::size_t>() + base;
    } else if (right.is_object()) {
      right["input"] = right.value("input", std::size_t{0}) + base;
      if (right.contains("ops")) shift_inputs(right["ops"], base);
    }
  }
}

}  // namespace

LazyFrame::LazyFrame(FrameRef input) { inputs_.push_back(std::move(input)); }

LazyFrame LazyFrame::then(json op, std::string label) const {
  LazyFrame next = *this;
  next.ops_.push_back(std::move(op));
  next.labels_.push_back(std::move(label));
  return next;
}

LazyFrame LazyFrame::join(const LazyFrame& right, json join_op, std::string label) const {
  LazyFrame next = *this;
  const std::size_t base = next.inputs_.size();
  next.inputs_.insert(next.inputs_.end(), right.inputs_.begin(), right.inputs_.end());
  if (right.ops_.empty()) {
    join_op["right"] = base;
  } else {
    json ops = right.ops_;
    shift_inputs(ops, base);
    join_op["right"] = json{{"input", base}, {"ops", std::move(ops)}};
  }
  next.ops_.push_back(std::move(join_op));
  next.labels_.push_back(std::move(label));
  return next;
}

std::string LazyFrame::plan_json() const { return json{{"version", 1}, {"ops", ops_}}.dump(); }

std::vector<const frame_df*> LazyFrame::handles() const {
  std::vector<const frame_df*> out;
  out.reserve(inputs_.size());
  for (const auto& input : inputs_) out.push_back(&input->get());
  return out;
}

FrameError LazyFrame::explain(const FrameError& error) const {
  std::string_view message = error.what();
  constexpr std::string_view prefix = "plan.ops[";
  if (!message.starts_with(prefix)) {
    // Raised while the query ran (a strict cast, ...): any step may be the cause, so name the chain.
    std::string chain;
    for (const std::string& label : labels_) chain += (chain.empty() ? "" : ".") + label;
    return FrameError(error.status(), fmt::format("{}: {}", chain, message));
  }
  std::size_t index = 0;
  const char* digits = message.data() + prefix.size();
  auto [end, ec] = std::from_chars(digits, message.data() + message.size(), index);
  if (ec != std::errc() || index >= labels_.size()) return error;
  std::string_view rest(end, message.data() + message.size() - end);
  // Skip "] (opname)" and keep what follows (".exprs[0]: unknown column ...").
  if (!rest.starts_with("]")) return error;
  rest.remove_prefix(1);
  if (rest.starts_with(" (")) {
    std::size_t close = rest.find(')');
    if (close != std::string_view::npos) rest.remove_prefix(close + 1);
  }
  if (rest.starts_with(":")) rest.remove_prefix(1);
  while (rest.starts_with(" ")) rest.remove_prefix(1);
  return FrameError(error.status(), fmt::format("{}: {}", labels_[index], rest));
}

FrameRef LazyFrame::materialize(const std::shared_ptr<FrameBudget>& budget) {
  if (ops_.empty()) return inputs_.front();
  FramePtr result;
  try {
    result = execute(handles(), plan_json());
  } catch (const FrameError& e) {
    throw explain(e);
  }
  FrameRef adopted = NativeFrame::adopt(std::move(result), budget, fmt::format("the result of {}", labels_.back()));
  // The chain is done: later calls start from the result, and the inputs can go.
  inputs_.assign(1, adopted);
  ops_ = json::array();
  labels_.clear();
  return adopted;
}

Schema LazyFrame::schema() const {
  if (ops_.empty()) return schema_of(inputs_.front()->get());
  try {
    return schema_after(handles(), plan_json());
  } catch (const FrameError& e) {
    throw explain(e);
  }
}

}  // namespace as::frame
