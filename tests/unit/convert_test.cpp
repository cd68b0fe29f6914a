// Value conversion: host -> JS -> host keeps every supported type, and JSON output is as documented.
#include <gtest/gtest.h>

#include <memory>

#include "sandbox/convert.h"
#include "sandbox/js_handles.h"
#include "sandbox/js_value.h"

using namespace as;
using namespace as::sandbox;

namespace {

class ConvertTest : public ::testing::Test {
 protected:
  Value round_trip(const Value& value) {
    JsValue js(ctx(), to_js(ctx(), value));
    EXPECT_FALSE(js.is_exception());
    return to_host(ctx(), js.get());
  }
  JSContext* ctx() { return context_.get(); }

  JsRuntimePtr runtime_{JS_NewRuntime()};
  JsContextPtr context_{JS_NewContext(runtime_.get())};
};

}  // namespace

TEST_F(ConvertTest, ScalarsRoundTrip) {
  for (const Value& v : {Value(nullptr), Value(true), Value(false), Value(0.0), Value(-1.5), Value(1e300), Value(42),
                         Value(std::string("text")), Value(std::string("üñí©ødé ✓ 🎉")), Value(std::string("nul\0inside", 10))}) {
    EXPECT_EQ(round_trip(v), v) << to_json(v);
  }
}

TEST_F(ConvertTest, BigIntsRoundTripAtAnyWidth) {
  for (const char* digits : {"0", "-1", "9007199254740993", "-9223372036854775808", "170141183460469231731687303715884105727"}) {
    Value v(BigInt{digits});
    EXPECT_EQ(round_trip(v), v) << digits;
  }
}

TEST_F(ConvertTest, Int64BeyondSafeRangeBecomesBigInt) {
  EXPECT_TRUE(Value(std::int64_t{1} << 53).is<BigInt>());
  EXPECT_TRUE(Value((std::int64_t{1} << 53) - 1).is<double>());
}

TEST_F(ConvertTest, DatesAndBytesKeepTheirTypes) {
  Value date(Timestamp{1705314600123.0});
  Value bytes(Bytes{0, 1, 254, 255});
  EXPECT_EQ(round_trip(date), date);
  EXPECT_EQ(round_trip(bytes), bytes);
  JsValue js(ctx(), to_js(ctx(), date));
  EXPECT_TRUE(JS_IsDate(js.get()));
}

TEST_F(ConvertTest, NestedStructuresKeepKeyOrder) {
  Value v = parse_json(R"({"z":1,"a":[1,"two",{"y":null,"b":[true,false]}],"m":{"k":"v"}})");
  Value back = round_trip(v);
  EXPECT_EQ(back, v);
  EXPECT_EQ(to_json(back), R"({"z":1,"a":[1,"two",{"y":null,"b":[true,false]}],"m":{"k":"v"}})");
}

TEST_F(ConvertTest, JsonOutputOfSpecialTypes) {
  Value v(ValueObject{{"d", Value(Timestamp{0})},
                      {"b", Value(BigInt{"123456789012345678901234567890"})},
                      {"bytes", Value(Bytes{'h', 'i', '!'})},
                      {"nan", Value(std::numeric_limits<double>::quiet_NaN())},
                      {"frac", Value(0.1)},
                      {"quote", Value("a\"b\n")}});
  EXPECT_EQ(to_json(v), R"({"d":"1970-01-01T00:00:00.000Z","b":"123456789012345678901234567890","bytes":"aGkh","nan":null,"frac":0.1,"quote":"a\"b\n"})");
}

TEST_F(ConvertTest, ParseJsonRejectsMalformedInputWithPosition) {
  try {
    parse_json("{\"a\": 1,}");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("invalid JSON"), std::string::npos) << e.what();
  }
}

TEST_F(ConvertTest, DepthLimitIsEnforced) {
  Value v = parse_json("[[[[[[1]]]]]]");
  JsValue js(ctx(), to_js(ctx(), v));
  try {
    to_host(ctx(), js.get(), ToHostOptions{.max_depth = 3});
    FAIL() << "no exception";
  } catch (const ConversionError& e) {
    EXPECT_NE(std::string(e.what()).find("nested more than 3 levels"), std::string::npos) << e.what();
  }
}

TEST_F(ConvertTest, SizeBudgetStopsEarly) {
  Value v(ValueArray(1000, Value(std::string(100, 'x'))));
  JsValue js(ctx(), to_js(ctx(), v));
  EXPECT_THROW(to_host(ctx(), js.get(), ToHostOptions{.max_json_bytes = 10'000}), ConversionTooLarge);
}
