#include "frame_extension.h"

#include "duck/duck_extension.h"
#include "duck_frames.h"
#include "js_dataframe_api.h"
#include "js_expr_api.h"

namespace as::frame {

std::shared_ptr<FrameRun> FrameExtension::run_for(sandbox::RunScope& scope) {
  std::lock_guard lock(mutex_);
  std::erase_if(runs_, [](const auto& entry) { return entry.second.expired(); });
  if (auto found = runs_.find(scope.ctx); found != runs_.end()) {
    if (auto run = found->second.lock()) return run;
  }
  auto run = std::make_shared<FrameRun>(options_.memory_bytes);
  if (!install_expr_class(scope.ctx, run) || !install_dataframe_classes(scope.ctx, run)) return nullptr;
  runs_[scope.ctx] = run;
  return run;
}

bool FrameExtension::install(sandbox::RunScope& scope, JSValueConst ctx_object) {
  std::shared_ptr<FrameRun> run = run_for(scope);
  return run && define_dataframe_function(scope.ctx, run, ctx_object) && define_expr_functions(scope.ctx, run, ctx_object);
}

void add_frames(std::vector<std::shared_ptr<sandbox::ContextExtension>>& extensions, FrameOptions options) {
  auto frames = std::make_shared<FrameExtension>(options);
  for (const auto& extension : extensions) {
    if (auto* duck = dynamic_cast<duck::DuckExtension*>(extension.get())) duck->add_methods(std::make_shared<FrameDuckMethods>(frames));
  }
  extensions.push_back(std::move(frames));
}

}  // namespace as::frame
