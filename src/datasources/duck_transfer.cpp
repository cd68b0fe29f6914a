#include "duck_transfer.h"

#include "duck_load_transaction.h"

#include <algorithm>

#include <fmt/format.h>

#include "datasource_error.h"
#include "duck/duck_error.h"
#include "duck/duck_extension.h"
#include "duck/duck_handles.h"
#include "duck_chunk_writer.h"
#include "duck_table_reader.h"
#include "duck_table_writer.h"
#include "identifiers.h"
#include "sandbox/convert.h"
#include "sandbox/host_function.h"
#include "sandbox/js_value.h"

namespace as::datasources {
namespace {

using sandbox::JsCString;
using sandbox::Settle;

// Rows per batch read from a datasource (load) or written to one (export).
constexpr std::size_t kLoadBatchRows = 10'000;

struct Transfer {
  std::shared_ptr<DatasourceRegistry> registry;
  std::string project;
  std::vector<std::string> declared;
  sandbox::EventLoop& loop;
  std::shared_ptr<duck::DuckSession> session;

  // The datasource `name`, when the run may use it; DatasourceError saying why not otherwise.
  std::shared_ptr<Datasource> datasource(const std::string& name) const {
    if (std::find(declared.begin(), declared.end(), name) == declared.end()) {
      throw DatasourceError(fmt::format("datasource '{}' is not declared by this analysis: add it to dependencies.datasources to use it",
                                        name));
    }
    const config::DatasourceConfig* settings = registry->find(project, name);
    if (!settings) throw DatasourceError(fmt::format("project '{}' has no datasource '{}'", project, name));
    if (!config::is_sql(settings->type) || !has_driver(settings->type)) {
      throw DatasourceError(fmt::format("datasource '{}' is of type {}, which this build of the sandbox cannot reach yet", name,
                                        config::to_string(settings->type)));
    }
    return registry->open(project, name);
  }

  // Runs `work` on the pool; its errors reject with "ctx.duckdb.<method>: ...".
  JSValue spawn(const char* method, std::function<Settle(std::stop_token)> work) {
    return loop.spawn([method, work = std::move(work)](std::stop_token stop) -> Settle {
      try {
        return work(stop);
      } catch (const StatementCancelled&) {
        throw;
      } catch (const std::exception& e) {
        throw duck::DuckError(fmt::format("ctx.duckdb.{}: {}", method, e.what()));
      }
    });
  }
};

bool string_argument(JSContext* ctx, int argc, JSValueConst* argv, int index, const char* usage, const char* what, std::string& out) {
  if (argc > index && JS_IsString(argv[index])) {
    out = JsCString(ctx, argv[index]).str();
    if (out.find_first_not_of(" \t\r\n") != std::string::npos) return true;
  }
  std::string got = argc <= index || JS_IsUndefined(argv[index]) ? "nothing"
                    : JS_IsString(argv[index])                  ? fmt::format("the string '{}'", JsCString(ctx, argv[index]).str())
                                                                : JsCString(ctx, argv[index]).str();
  sandbox::throw_type_error(ctx, fmt::format("{}: {} must be a non-empty string, got {}", usage, what, got));
  return false;
}

JSValue result_object(JSContext* ctx, const std::string& table, std::int64_t rows) {
  return sandbox::to_js(ctx, Value(ValueObject{{"table", Value(table)}, {"rows", Value(static_cast<double>(rows))}}));
}

JSValue load(Transfer& transfer, JSContext* ctx, int argc, JSValueConst* argv) {
  constexpr const char* usage = "ctx.duckdb.load(datasource, sql, table)";
  std::string name, sql, table;
  if (!string_argument(ctx, argc, argv, 0, usage, "datasource", name) || !string_argument(ctx, argc, argv, 1, usage, "sql", sql) ||
      !string_argument(ctx, argc, argv, 2, usage, "table", table)) {
    return JS_EXCEPTION;
  }
  std::pair<std::string, std::string> target;
  std::shared_ptr<Datasource> source;
  try {
    target = duck_table_name(table);
    source = transfer.datasource(name);
  } catch (const DatasourceError& e) {
    return sandbox::throw_type_error(ctx, fmt::format("{}: {}", usage, e.what()));
  }
  auto session = transfer.session;
  return transfer.spawn("load", [session, source, sql, table, target](std::stop_token stop) -> Settle {
    // Source errors name the datasource; DuckDB's own (DuckTableError) and cancellation pass.
    auto from_source = [&](auto&& work) {
      try {
        return work();
      } catch (const StatementCancelled&) {
        throw;
      } catch (const DuckTableError&) {
        throw;
      } catch (const DatasourceError& e) {
        throw DatasourceError(fmt::format("datasource '{}': {}", source->name(), e.what()));
      }
    };
    // The source connection is taken before DuckDB's, so that waiting for it holds nothing.
    auto lease = from_source([&] { return source->pool().acquire(stop); });
    std::int64_t rows = 0;
    session->with_connection(stop, [&](duckdb_connection connection) {
      DuckLoadTransaction transaction(connection);  // all or nothing, unless the script has its own
      // The driver's own path straight into DuckDB (PostgreSQL: binary COPY), when it has one.
      if (auto loaded = from_source([&] { return lease->load_into_duckdb(connection, target.first, target.second, sql, {}, stop); })) {
        rows = *loaded;
        transaction.commit();
        return;
      }
      auto stream = from_source([&] {
        auto cursor = lease->stream(sql, {}, stop);
        return std::make_unique<Stream>(std::move(lease), std::move(cursor));
      });
      DuckTableWriter writer(connection, target.first, target.second);
      Rows shape;  // the columns and types of the first batch
      for (;;) {
        Rows batch = from_source([&] { return stream->fetch(kLoadBatchRows, stop); });
        if (shape.columns.empty()) {
          shape.columns = batch.columns;
          shape.types = batch.types;
        }
        if (batch.rows.empty()) break;
        writer.append(batch);
      }
      stream.reset();  // the source connection goes back to its pool before DuckDB's work ends
      rows = writer.finish(shape);
      transaction.commit();
    });
    return [table, rows](JSContext* c) { return result_object(c, table, rows); };
  });
}

JSValue export_table(Transfer& transfer, JSContext* ctx, int argc, JSValueConst* argv) {
  constexpr const char* usage = "ctx.duckdb.export(table, datasource, destTable)";
  std::string table, name, destination;
  if (!string_argument(ctx, argc, argv, 0, usage, "table", table) || !string_argument(ctx, argc, argv, 1, usage, "datasource", name) ||
      !string_argument(ctx, argc, argv, 2, usage, "destTable", destination)) {
    return JS_EXCEPTION;
  }
  std::string quoted_source, quoted_destination;
  std::shared_ptr<Datasource> target;
  try {
    auto [schema, plain] = duck_table_name(table);
    quoted_source = quote_table(schema, plain);
    target = transfer.datasource(name);
    quoted_destination = quote_destination_name(destination, true, target->config().type);
    if (!target->allow_writes()) {
      throw DatasourceError(fmt::format("datasource '{}' is read-only: export needs allow_writes = true in its configuration", name));
    }
  } catch (const DatasourceError& e) {
    return sandbox::throw_type_error(ctx, fmt::format("{}: {}", usage, e.what()));
  }
  auto session = transfer.session;
  return transfer.spawn("export", [session, target, quoted_source, quoted_destination, destination](std::stop_token stop) -> Settle {
    std::vector<ExportColumn> columns;
    session->query_result("SELECT * FROM " + quoted_source + " LIMIT 0", stop,
                          [&](duckdb_result* result, const duck::ProjectConnection&) { columns = export_columns(result, target->config().type); });
    std::vector<std::string> names;
    std::string create = "CREATE TABLE IF NOT EXISTS " + quoted_destination + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      names.push_back(columns[i].name);
      create += (i ? ", " : "") + quote_destination_name(columns[i].name, false, target->config().type) + " " +
                destination_type(columns[i], target->config().type);
    }
    auto in_target = [&](auto&& work) {
      try {
        return work();
      } catch (const StatementCancelled&) {
        throw;
      } catch (const DatasourceError& e) {
        throw DatasourceError(fmt::format("datasource '{}': {}", target->name(), e.what()));
      }
    };
    in_target([&] { return target->execute(create + ")" + destination_table_options(target->config().type), {}, stop); });
    std::int64_t written = 0;
    session->query_result(export_select(quoted_source, columns, target->config().type), stop, [&](duckdb_result* result, const duck::ProjectConnection&) {
      std::vector<std::vector<Value>> batch;
      auto flush = [&] {
        if (batch.empty()) return;
        written += in_target([&] { return target->bulk_insert(destination, names, batch, stop); }).rows_affected;
        batch.clear();
      };
      for (;;) {
        duck::DataChunk chunk(duckdb_fetch_chunk(*result));
        if (!chunk) break;
        if (duckdb_data_chunk_get_size(chunk.get()) == 0) break;
        append_chunk(chunk.get(), columns, batch);
        if (batch.size() >= kLoadBatchRows) flush();
        if (stop.stop_requested()) throw StatementCancelled();
      }
      flush();
    });
    return [destination, written](JSContext* c) { return result_object(c, destination, written); };
  });
}

}  // namespace

DuckTransferMethods::DuckTransferMethods(std::shared_ptr<DatasourceRegistry> registry, std::string project, std::vector<std::string> declared)
    : registry_(std::move(registry)), project_(std::move(project)), declared_(std::move(declared)) {}

bool DuckTransferMethods::install(sandbox::RunScope& scope, JSValueConst duckdb_object, const std::shared_ptr<duck::DuckSession>& session) {
  auto transfer = std::make_shared<Transfer>(Transfer{registry_, project_, declared_, scope.loop, session});
  using sandbox::define_host_function;
  return define_host_function(scope.ctx, duckdb_object, "load", 3,
                              [transfer](JSContext* c, JSValueConst, int argc, JSValueConst* argv) { return load(*transfer, c, argc, argv); }) &&
         define_host_function(scope.ctx, duckdb_object, "export", 3, [transfer](JSContext* c, JSValueConst, int argc, JSValueConst* argv) {
           return export_table(*transfer, c, argc, argv);
         });
}

void add_duck_transfer(std::vector<std::shared_ptr<sandbox::ContextExtension>>& extensions, std::shared_ptr<DatasourceRegistry> registry,
                       std::string project, std::vector<std::string> declared) {
  auto methods = std::make_shared<DuckTransferMethods>(std::move(registry), std::move(project), std::move(declared));
  for (const auto& extension : extensions) {
    if (auto* duck = dynamic_cast<duck::DuckExtension*>(extension.get())) duck->add_methods(methods);
  }
}

}  // namespace as::datasources
