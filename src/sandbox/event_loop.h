#pragma once
// The event loop of one run. Host functions hand it work; the work runs on a thread pool and its
// result comes back through a mailbox to be turned into JS values on this loop's thread (the
// only thread that may touch the run's JSContext). Timers (ctx.sleep) live here too.
#include <quickjs.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "js_value.h"
#include "run_control.h"
#include "thread_pool.h"

namespace as::sandbox {

// Runs on the loop thread and makes the JS value a host call resolves with. It may return
// JS_EXCEPTION (with a pending exception) to reject the promise instead.
using Settle = std::function<JSValue(JSContext*)>;
// Runs on a pool thread. It must not touch the JSContext; it should watch the stop token (set
// when the run is cancelled, times out or ends) and give up early. Throwing rejects the promise
// with an Error carrying the exception's message.
using HostWork = std::function<Settle(std::stop_token)>;
// Hands the loop thread a Settle while the work is still running (see EventLoop::spawn_early).
using Deliver = std::function<void(Settle)>;
using EarlyHostWork = std::function<Settle(std::stop_token, const Deliver&)>;

enum class LoopExit {
  Settled,   // the awaited promise is fulfilled or rejected
  Stopped,   // the run was stopped: see RunControl::reason(), or a fatal exception was kept
  Stalled,   // nothing left that could ever settle the promise
};

class EventLoop {
 public:
  EventLoop(JSContext* ctx, RunControl& control, ThreadPool& pool);
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();  // drops pending timers and host calls; late results are discarded

  // A promise resolved after `ms` milliseconds.
  JSValue sleep(double ms);
  // A promise settled by `work`, which runs on the pool.
  JSValue spawn(HostWork work);
  // As spawn(), for work whose result the loop thread can start turning into JS values before
  // the work is done (rows that arrive chunk by chunk). The work may call `deliver` once: its
  // Settle goes to the loop thread at once and runs there while the work goes on, so both
  // threads work at the same time. They share whatever the two hand over, so that Settle must
  // not return before the work is done with it (it waits), and everything the work has to say
  // after delivering (its errors too) goes through what they share: what it returns or throws
  // after delivering is dropped. Without a deliver call it is spawn().
  JSValue spawn_early(EarlyHostWork work);

  // Runs jobs, timers and host completions until `promise` settles or the run stops.
  LoopExit run_until_settled(JSValueConst promise);
  // An exception that escaped a job (kept when run_until_settled returns Stopped without a reason).
  std::optional<JsValue> take_fatal_exception();

  std::size_t pending_host_calls() const { return pending_.size(); }

 private:
  struct Mailbox;
  struct Resolvers {
    JsValue resolve;
    JsValue reject;
  };
  struct Completion {
    std::uint64_t id;
    Settle settle;
    std::exception_ptr error;
  };

  JSValue new_promise(Resolvers& out);
  bool run_pending_jobs();  // false when a job failed fatally (interrupt, out of memory)
  bool fire_due_timers();
  bool deliver_completions(std::deque<Completion>& batch);
  void settle_host_call(Completion& completion);

  JSContext* ctx_;
  RunControl& control_;
  ThreadPool& pool_;
  std::shared_ptr<Mailbox> mailbox_;
  std::optional<std::stop_callback<std::function<void()>>> wake_on_stop_;
  std::uint64_t next_id_ = 1;
  std::multimap<std::chrono::steady_clock::time_point, Resolvers> timers_;
  std::map<std::uint64_t, Resolvers> pending_;
  std::optional<JsValue> fatal_exception_;
};

}  // namespace as::sandbox
