// datasources::rows_to_js: datasource rows become one plain object per row through the shared
// object template (src/duck/object_template.h), including results without columns.
#include <gtest/gtest.h>

#include <string>

#include "datasources/js_rows.h"
#include "js_engine.h"
#include "sandbox/js_value.h"

using namespace as;

namespace {

class Engine : public as::testing::BareEngine {
 public:
  // rows_to_js(rows) as JSON text, or "throws: <message>".
  std::string rows_json(const datasources::Rows& rows) {
    sandbox::JsValue array(ctx(), datasources::rows_to_js(ctx(), rows));
    if (array.is_exception()) {
      sandbox::JsValue error(ctx(), JS_GetException(ctx()));
      return "throws: " + sandbox::JsCString(ctx(), error.get()).str();
    }
    return json(array.get());
  }
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
