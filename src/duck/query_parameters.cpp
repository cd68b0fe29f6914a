#include "query_parameters.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "duck_error.h"
#include "duck_handles.h"
#include "value_text.h"

namespace as::duck {
namespace {

// A BigInt's decimal text as a 128-bit integer; false when it is wider.
bool parse_int128(const std::string& decimal, Int128& out) {
  std::size_t i = 0;
  bool negative = !decimal.empty() && decimal[0] == '-';
  if (negative) i = 1;
  if (i == decimal.size()) return false;
  const UInt128 limit = negative ? (UInt128{1} << 127) : (UInt128{1} << 127) - 1;
  UInt128 value = 0;
  for (; i < decimal.size(); ++i) {
    char c = decimal[i];
    if (c < '0' || c > '9') return false;
    if (value > (limit - static_cast<unsigned>(c - '0')) / 10) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  out = negative ? static_cast<Int128>(UInt128{0} - value) : static_cast<Int128>(value);
  return true;
}

const char* kind_of(const Value& value) {
  if (value.is<ValueArray>()) return "an array";
  if (value.is<ValueObject>()) return "an object";
  return "a value";
}

duckdb_state bind_one(duckdb_prepared_statement statement, idx_t index, const Value& value, const std::string& label) {
  if (value.is_null()) return duckdb_bind_null(statement, index);
  if (value.is<bool>()) return duckdb_bind_boolean(statement, index, value.as<bool>());
  if (value.is<double>()) {
    double number = value.as<double>();
    // Whole numbers bind as BIGINT so `WHERE id = $1` compares integers, not doubles.
    if (std::isfinite(number) && number == std::trunc(number) && std::fabs(number) < 9.2e18) {
      return duckdb_bind_int64(statement, index, static_cast<std::int64_t>(number));
    }
    return duckdb_bind_double(statement, index, number);
  }
  if (value.is<std::string>()) {
    const auto& text = value.as<std::string>();
    return duckdb_bind_varchar_length(statement, index, text.data(), text.size());
  }
  if (value.is<BigInt>()) {
    Int128 wide = 0;
    if (!parse_int128(value.as<BigInt>().decimal, wide)) {
      throw DuckError(fmt::format("parameter {} is the BigInt {}, which does not fit in 128 bits (HUGEINT)", label,
                                  value.as<BigInt>().decimal));
    }
    auto bits = static_cast<UInt128>(wide);
    duckdb_hugeint huge{static_cast<std::uint64_t>(bits), static_cast<std::int64_t>(bits >> 64)};
    return duckdb_bind_hugeint(statement, index, huge);
  }
  if (value.is<Timestamp>()) {
    // A Date is an instant; it binds as a TIMESTAMP holding its UTC time.
    double micros = std::floor(value.as<Timestamp>().epoch_ms * 1000.0);
    return duckdb_bind_timestamp(statement, index, duckdb_timestamp{static_cast<std::int64_t>(micros)});
  }
  if (value.is<Bytes>()) {
    const auto& bytes = value.as<Bytes>();
    return duckdb_bind_blob(statement, index, bytes.data(), bytes.size());
  }
  throw DuckError(fmt::format(
      "parameter {} is {}: only null, booleans, numbers, strings, BigInts, Dates and Uint8Arrays can be bound. "
      "For nested data pass JSON text and cast it in SQL, e.g. {}::JSON",
      label, kind_of(value), label));
}

void bind_checked(duckdb_prepared_statement statement, idx_t index, const Value& value, const std::string& label) {
  if (bind_one(statement, index, value, label) != DuckDBSuccess) {
    throw DuckError(fmt::format("could not bind parameter {}: {}", label, explain_duckdb_error(duckdb_prepare_error(statement) ? duckdb_prepare_error(statement) : "")));
  }
}

std::string parameter_names(duckdb_prepared_statement statement) {
  std::string names;
  idx_t count = duckdb_nparams(statement);
  for (idx_t i = 1; i <= count; ++i) {
    if (!names.empty()) names += ", ";
    names += "$" + take_text(duckdb_parameter_name(statement, i));
  }
  return names.empty() ? "none" : names;
}

}  // namespace

QueryParameters QueryParameters::from(const Value& argument) {
  QueryParameters parameters;
  if (argument.is<ValueArray>()) {
    parameters.positional = argument.as<ValueArray>();
  } else if (argument.is<ValueObject>()) {
    parameters.named = argument.as<ValueObject>();
  } else {
    throw DuckError("params must be an array (for $1, $2, ... or ?) or an object (for $name), e.g. query(sql, [42, 'eu'])");
  }
  return parameters;
}

void bind_parameters(duckdb_prepared_statement statement, const QueryParameters& parameters) {
  idx_t expected = duckdb_nparams(statement);
  if (!parameters.named.empty()) {
    for (const auto& [name, value] : parameters.named) {
      idx_t index = 0;
      if (duckdb_bind_parameter_index(statement, &index, name.c_str()) != DuckDBSuccess) {
        throw DuckError(fmt::format("the query has no parameter ${} (its parameters: {})", name, parameter_names(statement)));
      }
      bind_checked(statement, index, value, "$" + name);
    }
    return;
  }
  if (parameters.positional.size() != expected) {
    throw DuckError(fmt::format("the query has {} parameter{} but {} value{} given", expected, expected == 1 ? "" : "s",
                                parameters.positional.size(), parameters.positional.size() == 1 ? " was" : "s were"));
  }
  for (idx_t i = 0; i < expected; ++i) bind_checked(statement, i + 1, parameters.positional[i], fmt::format("${}", i + 1));
}

}  // namespace as::duck
