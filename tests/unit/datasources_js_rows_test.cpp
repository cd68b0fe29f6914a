// datasources::rows_to_js: datasource rows become one plain object per row through the shared
// object template (src/duck/object_template.h), including results without columns.
#include <gtest/gtest.h>

#include <string>

#include "datasources/js_rows.h"
#include "sandbox/js_value.h"

using namespace as;

namespace {

class Engine {
 public:
  Engine() : runtime_(JS_NewRuntime()), context_(JS_NewContext(runtime_)) {}
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine() {
    JS_FreeContext(context_);
    JS_FreeRuntime(runtime_);
  }
  JSContext* ctx() const { return context_; }
  // rows_to_js(rows) as JSON text, or "throws: <message>".
  std::string rows_json(const datasources::Rows& rows) {
    sandbox::JsValue array(context_, datasources::rows_to_js(context_, rows));
    if (array.is_exception()) {
      sandbox::JsValue error(context_, JS_GetException(context_));
      return "throws: " + sandbox::JsCString(context_, error.get()).str();
    }
    sandbox::JsValue text(context_, JS_JSONStringify(context_, array.get(), JS_UNDEFINED, JS_UNDEFINED));
    return sandbox::JsCString(context_, text.get()).str();
  }

 private:
  JSRuntime* runtime_;
  JSContext* context_;
};

}  // namespace

TEST(DatasourceJsRows, OneObjectPerRowInColumnOrder) {
  Engine engine;
  datasources::Rows rows;
  rows.columns = {"id", "name", "score"};
  rows.rows = {{Value(1.0), Value(std::string("Ada")), Value(nullptr)}, {Value(2.0), Value(std::string("Bob")), Value(2.5)}};
  EXPECT_EQ(engine.rows_json(rows), R"([{"id":1,"name":"Ada","score":null},{"id":2,"name":"Bob","score":2.5}])");
}

// PostgreSQL allows `SELECT FROM t`: rows without columns, each an empty object.
TEST(DatasourceJsRows, ResultWithoutColumnsGivesEmptyObjects) {
  Engine engine;
  datasources::Rows rows;
  rows.rows = {{}, {}, {}};
  EXPECT_EQ(engine.rows_json(rows), "[{},{},{}]");
}

TEST(DatasourceJsRows, RowOfTheWrongWidthIsAnErrorNotACrash) {
  Engine engine;
  datasources::Rows rows;
  rows.columns = {"a", "b"};
  rows.rows = {{Value(1.0), Value(2.0)}, {Value(1.0)}};
  EXPECT_EQ(engine.rows_json(rows), "throws: InternalError: datasource row has 1 cells for 2 columns");
}
