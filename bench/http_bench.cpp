// The REST API as a client sees it (docs/performance.md, "The REST API"): a trivial analysis,
// POST .../execute then GET .../jobs/{id}?wait_ms=… until it is completed, over HTTP on loopback
// with keep-alive connections.
//
//   http_bench --port=P --token=T [--runs=N] [--warmup=N] [--clients=N] [--per-client=N]
//
// 1. Latency: one client, --runs sequential executions; median and p99 of execute → completed.
// 2. Throughput: --clients threads, each with its own connection and its own analysis
//    (trivial_0 … trivial_{N-1}: runs of one analysis are serialised by design), each running
//    --per-client executions back to back; runs/s over the whole window. Also the same with
//    every client on one analysis, to show what the one-run-per-analysis rule costs.
// The analyses are created through the API first (role author).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "trivial_analysis.h"

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

struct Options {
  int port = 0;
  std::string token;
  int runs = 1000;
  int warmup = 50;
  int clients = 16;
  int per_client = 100;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view name) { return std::string(arg.substr(name.size())); };
    if (arg.starts_with("--port=")) options.port = std::atoi(value("--port=").c_str());
    else if (arg.starts_with("--token=")) options.token = value("--token=");
    else if (arg.starts_with("--runs=")) options.runs = std::atoi(value("--runs=").c_str());
    else if (arg.starts_with("--warmup=")) options.warmup = std::atoi(value("--warmup=").c_str());
    else if (arg.starts_with("--clients=")) options.clients = std::atoi(value("--clients=").c_str());
    else if (arg.starts_with("--per-client=")) options.per_client = std::atoi(value("--per-client=").c_str());
    else {
      std::fprintf(stderr, "http_bench: unknown argument %s\n", argv[i]);
      std::exit(2);
    }
  }
  if (options.port <= 0 || options.token.empty()) {
    std::fprintf(stderr, "usage: http_bench --port=P --token=T [--runs=N] [--warmup=N] [--clients=N] [--per-client=N]\n");
    std::exit(2);
  }
  return options;
}

class ApiClient {
 public:
  ApiClient(int port, const std::string& token) : http_("127.0.0.1", port) {
    http_.set_keep_alive(true);
    http_.set_tcp_nodelay(true);
    http_.set_read_timeout(std::chrono::seconds(30));
    headers_ = {{"Authorization", "Bearer " + token}};
  }

  Json call(const char* method, const std::string& path, const Json& body = nullptr) {
    httplib::Result result = std::string_view(method) == "POST"
                                 ? http_.Post(path, headers_, body.dump(), "application/json")
                                 : http_.Get(path, headers_);
    if (!result) {
      std::fprintf(stderr, "http_bench: %s %s failed: %s\n", method, path.c_str(), httplib::to_string(result.error()).c_str());
      std::exit(1);
    }
    if (result->status >= 300) {
      std::fprintf(stderr, "http_bench: %s %s -> %d %s\n", method, path.c_str(), result->status, result->body.c_str());
      std::exit(1);
    }
    return Json::parse(result->body);
  }

  // execute → completed, as a client that does not want to poll does it.
  void run_once(const std::string& analysis) {
    Json accepted = call("POST", "/api/analysis/" + analysis + "/execute", Json{{"parameters", Json::object()}});
    std::string path = "/api/analysis/jobs/" + accepted["job_id"].get<std::string>() + "?wait_ms=10000";
    for (;;) {
      Json status = call("GET", path);
      std::string state = status["status"];
      if (state == "completed") return;
      if (state == "failed" || state == "cancelled") {
        std::fprintf(stderr, "http_bench: run ended %s: %s\n", state.c_str(), status.dump().c_str());
        std::exit(1);
      }
    }
  }

 private:
  httplib::Client http_;
  httplib::Headers headers_;
};

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  std::size_t index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double throughput(const Options& options, bool one_analysis) {
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int c = 0; c < options.clients; ++c) {
    threads.emplace_back([&options, c, one_analysis] {
      ApiClient client(options.port, options.token);
      std::string analysis = one_analysis ? "trivial_0" : "trivial_" + std::to_string(c);
      for (int i = 0; i < options.per_client; ++i) client.run_once(analysis);
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return options.clients * options.per_client / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  ApiClient client(options.port, options.token);
  std::string script(as::bench::kTrivialSource);
  for (int c = 0; c < std::max(options.clients, 1); ++c) {
    std::string name = "trivial_" + std::to_string(c);
    httplib::Client http("127.0.0.1", options.port);
    auto exists = http.Get("/api/analysis/" + name, {{"Authorization", "Bearer " + options.token}});
    if (exists && exists->status == 200) continue;
    client.call("POST", "/api/analysis", Json{{"name", name}, {"script", script}});
  }

  for (int i = 0; i < options.warmup; ++i) client.run_once("trivial_0");
  std::vector<double> latencies_ms;
  latencies_ms.reserve(options.runs);
  for (int i = 0; i < options.runs; ++i) {
    auto start = Clock::now();
    client.run_once("trivial_0");
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::printf("execute -> completed over HTTP (1 client, %d runs after %d warm-up): median %.2f ms, p90 %.2f ms, p99 %.2f ms\n",
              options.runs, options.warmup, percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.9),
              percentile(latencies_ms, 0.99));

  double spread = throughput(options, false);
  std::printf("throughput, %d clients on %d analyses (%d runs each): %.0f runs/s\n", options.clients, options.clients,
              options.per_client, spread);
  double single = throughput(options, true);
  std::printf("throughput, %d clients on 1 analysis (runs of one analysis wait their turn): %.0f runs/s\n", options.clients,
              single);
}
