#include "event_loop.h"

#include <cmath>

namespace as::sandbox {

// Shared with pool threads: outlives the loop when host work is still in flight.
struct EventLoop::Mailbox {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Completion> completions;
  bool closed = false;

  void post(Completion completion) {
    {
      std::lock_guard lock(mutex);
      if (closed) return;  // the run is over: nobody will read this result
      completions.push_back(std::move(completion));
    }
    wake.notify_one();
  }
  void notify() {
    { std::lock_guard lock(mutex); }
    wake.notify_one();
  }
};

EventLoop::EventLoop(JSContext* ctx, RunControl& control, ThreadPool& pool)
    : ctx_(ctx), control_(control), pool_(pool), mailbox_(std::make_shared<Mailbox>()) {
  wake_on_stop_.emplace(control_.token(), std::function<void()>([mailbox = mailbox_] { mailbox->notify(); }));
}

EventLoop::~EventLoop() {
  {
    std::lock_guard lock(mailbox_->mutex);
    mailbox_->closed = true;
    mailbox_->completions.clear();
  }
  wake_on_stop_.reset();
}

JSValue EventLoop::new_promise(Resolvers& out) {
  JSValue funcs[2];
  JSValue promise = JS_NewPromiseCapability(ctx_, funcs);
  if (JS_IsException(promise)) return promise;
  out.resolve = JsValue(ctx_, funcs[0]);
  out.reject = JsValue(ctx_, funcs[1]);
  return promise;
}

JSValue EventLoop::sleep(double ms) {
  Resolvers resolvers;
  JSValue promise = new_promise(resolvers);
  if (JS_IsException(promise)) return promise;
  auto delay = std::chrono::duration<double, std::milli>(std::isfinite(ms) && ms > 0 ? ms : 0);
  auto due = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay);
  timers_.emplace(due, std::move(resolvers));
  return promise;
}

JSValue EventLoop::spawn(HostWork work) {
  return spawn_early([work = std::move(work)](std::stop_token stop, const Deliver&) { return work(stop); });
}

JSValue EventLoop::spawn_early(EarlyHostWork work) {
  Resolvers resolvers;
  JSValue promise = new_promise(resolvers);
  if (JS_IsException(promise)) return promise;
  std::uint64_t id = next_id_++;
  pending_.emplace(id, std::move(resolvers));
  pool_.submit([mailbox = mailbox_, work = std::move(work), token = control_.token(), id]() mutable {
    bool delivered = false;
    Deliver deliver = [&](Settle settle) {
      if (delivered) return;
      delivered = true;
      mailbox->post(Completion{id, std::move(settle), {}});
    };
    Completion completion{id, {}, {}};
    try {
      completion.settle = work(token, deliver);
    } catch (...) {
      completion.error = std::current_exception();
    }
    if (!delivered) mailbox->post(std::move(completion));
  });
  return promise;
}

bool EventLoop::run_pending_jobs() {
  JSRuntime* rt = JS_GetRuntime(ctx_);
  while (JS_IsJobPending(rt)) {
    JSContext* job_ctx = nullptr;
    if (JS_ExecutePendingJob(rt, &job_ctx) < 0) {
      fatal_exception_.emplace(ctx_, JS_GetException(ctx_));
      return false;
    }
    if (control_.stop_requested()) return false;
  }
  return true;
}

bool EventLoop::fire_due_timers() {
  bool fired = false;
  auto now = std::chrono::steady_clock::now();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    auto node = timers_.extract(timers_.begin());
    JS_FreeValue(ctx_, JS_Call(ctx_, node.mapped().resolve.get(), JS_UNDEFINED, 0, nullptr));
    fired = true;
  }
  return fired;
}

void EventLoop::settle_host_call(Completion& completion) {
  auto node = pending_.extract(completion.id);
  if (node.empty()) return;
  Resolvers& resolvers = node.mapped();
  JSValue outcome = JS_UNDEFINED;
  bool rejected = false;
  if (completion.error) {
    std::string message = "host call failed";
    try {
      std::rethrow_exception(completion.error);
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
    }
    outcome = JS_NewError(ctx_);
    JS_DefinePropertyValueStr(ctx_, outcome, "message", JS_NewStringLen(ctx_, message.data(), message.size()),
                              JS_PROP_WRITABLE | JS_PROP_CONFIGURABLE);
    rejected = true;
  } else if (completion.settle) {
    outcome = completion.settle(ctx_);
    if (JS_IsException(outcome)) {
      outcome = JS_GetException(ctx_);
      rejected = true;
    }
  }
  JSValueConst target = rejected ? resolvers.reject.get() : resolvers.resolve.get();
  JS_FreeValue(ctx_, JS_Call(ctx_, target, JS_UNDEFINED, 1, &outcome));
  JS_FreeValue(ctx_, outcome);
}

bool EventLoop::deliver_completions(std::deque<Completion>& batch) {
  bool delivered = !batch.empty();
  while (!batch.empty()) {
    settle_host_call(batch.front());
    batch.pop_front();
  }
  return delivered;
}

LoopExit EventLoop::run_until_settled(JSValueConst promise) {
  for (;;) {
    if (!run_pending_jobs() || control_.stop_requested()) return LoopExit::Stopped;
    if (JS_PromiseState(ctx_, promise) != JS_PROMISE_PENDING) return LoopExit::Settled;
    if (fire_due_timers()) continue;

    std::deque<Completion> batch;
    {
      std::unique_lock lock(mailbox_->mutex);
      if (mailbox_->completions.empty()) {
        if (timers_.empty() && pending_.empty()) return LoopExit::Stalled;
        auto wake_at = control_.deadline();
        if (!timers_.empty()) wake_at = std::min(wake_at, timers_.begin()->first);
        mailbox_->wake.wait_until(lock, wake_at, [&] {
          return !mailbox_->completions.empty() || control_.stop_requested();
        });
      }
      batch.swap(mailbox_->completions);
    }
    if (control_.stop_requested()) return LoopExit::Stopped;
    if (control_.past_deadline()) {
      control_.stop(StopReason::TimeLimit);
      return LoopExit::Stopped;
    }
    deliver_completions(batch);
  }
}

std::optional<JsValue> EventLoop::take_fatal_exception() {
  auto out = std::move(fatal_exception_);
  fatal_exception_.reset();
  return out;
}

}  // namespace as::sandbox
