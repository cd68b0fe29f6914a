#pragma once
// Shared by the ctx.duckdb.load / export tests: a project DuckDB plus datasources, and runs
// whose ctx has both (ctx.datasource, ctx.duckdb with load and export).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "datasources/datasource_extension.h"
#include "datasources/duck_transfer.h"
#include "datasources_test_support.h"
#include "duck/duck_extension.h"
#include "duck_test_support.h"
#include "run_helpers.h"

namespace as::testing {

struct TransferWorld {
  DuckWorld duck;
  std::shared_ptr<datasources::DatasourceRegistry> registry;

  explicit TransferWorld(std::vector<config::DatasourceConfig> datasources)
      : registry(std::make_shared<datasources::DatasourceRegistry>(config_with(std::move(datasources)))) {}

  sandbox::RunOutcome run(const std::string& body, const std::vector<std::string>& declared, sandbox::RunRequest request = {}) {
    request.extensions.push_back(std::make_shared<duck::DuckExtension>(duck.databases, "test"));
    request.extensions.push_back(std::make_shared<datasources::DatasourceExtension>(registry, "test", declared));
    datasources::add_duck_transfer(request.extensions, registry, "test", declared);
    return run_body(body, std::move(request));
  }
  std::string run_ok(const std::string& body, const std::vector<std::string>& declared) {
    auto outcome = run(body, declared);
    EXPECT_EQ(outcome.status, sandbox::RunStatus::Completed) << failure_message(outcome) << "\nscript:\n" << body;
    return outcome.result_json;
  }
  std::string run_failed(const std::string& body, const std::vector<std::string>& declared) {
    auto outcome = run(body, declared);
    EXPECT_EQ(outcome.status, sandbox::RunStatus::Failed) << outcome.result_json;
    return outcome.failure ? outcome.failure->message : "";
  }
};

}  // namespace as::testing
