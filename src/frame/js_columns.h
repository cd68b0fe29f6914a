#pragma once
// The column buffers of ctx.DataFrame(data), read straight from JS values (no JSON in the
// middle). `data` is an array of row objects ({ a: 1, b: "x" }) or an object of equally long
// column arrays ({ a: [1, 2], b: ["x", "y"] }). Each column's type comes from its non-null
// values: booleans -> bool; numbers -> int64 when every one is an integer within ±2^53, else
// float64; BigInts -> int64; strings -> string; Dates -> datetime[ms]; all null -> null.
// Anything else (objects, arrays, mixed types) is an ArgumentError naming the column and row.
#include <quickjs.h>

#include <frame.h>

#include <cstdint>
#include <string>
#include <vector>

namespace as::frame {

class ColumnBuilder {
 public:
  explicit ColumnBuilder(std::string name, std::size_t leading_nulls = 0);

  // Appends one JS value (null/undefined = null). Throws ArgumentError on a type clash.
  void add(JSContext* ctx, JSValueConst value, std::size_t row);
  void add_null();
  std::size_t length() const { return validity_.size(); }
  frame_column view() const;

 private:
  enum class Kind { Null, Bool, Int, Float, String, Timestamp };
  static const char* kind_name(Kind kind);
  void become(Kind kind, std::size_t row, const std::string& shown);
  [[noreturn]] void clash(Kind got, std::size_t row, const std::string& shown) const;
  void push_slot();  // a placeholder value for a null row

  std::string name_;
  Kind kind_ = Kind::Null;
  std::size_t first_row_ = 0;     // the row that fixed kind_, for messages
  std::string first_shown_;
  std::vector<std::uint8_t> validity_;  // 1 = value, 0 = null
  bool any_null_ = false;
  std::vector<std::int64_t> ints_;      // Int, Timestamp (ms)
  std::vector<double> floats_;
  std::vector<std::uint8_t> bools_;
  std::string bytes_;
  std::vector<std::int64_t> offsets_{0};
};

class JsColumns {
 public:
  // Reads `data` (rows or columns, see above). Throws ArgumentError, or PendingException
  // when a getter of the data threw.
  static JsColumns read(JSContext* ctx, JSValueConst data);
  std::vector<frame_column> views() const;
  std::size_t rows() const { return rows_; }

 private:
  void read_rows(JSContext* ctx, JSValueConst rows);
  void read_column_object(JSContext* ctx, JSValueConst object);

  std::vector<ColumnBuilder> columns_;
  std::size_t rows_ = 0;
};

}  // namespace as::frame
