#include "clickhouse_values.h"

#include <date/tz.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "datasource_error.h"
#include "postgres_values.h"
#include "rows.h"

namespace as::datasources::clickhouse {
namespace {

using Kind = ColumnType::Kind;

// ---- type names ----

class TypeParser {
 public:
  TypeParser(std::string_view text, const date::time_zone* server_zone) : text_(text), server_zone_(server_zone) {}

  ColumnType parse() {
    skip_blanks();
    std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    std::string_view base = text_.substr(start, pos_ - start);
    skip_blanks();
    bool has_args = pos_ < text_.size() && text_[pos_] == '(';
    ColumnType type;
    if (base == "Nullable" || base == "Array" || base == "Tuple" || base == "LowCardinality") {
      std::vector<ColumnType> children;
      if (has_args) {
        ++pos_;
        while (true) {
          children.push_back(parse());
          skip_blanks();
          if (pos_ < text_.size() && text_[pos_] == ',') {
            ++pos_;
            continue;
          }
          if (pos_ < text_.size() && text_[pos_] == ')') ++pos_;
          break;
        }
      }
      if (children.empty()) children.push_back(ColumnType{});  // malformed: read the text
      if (base == "LowCardinality") {
        type = std::move(children[0]);
      } else {
        type.kind = base == "Nullable" ? Kind::Nullable : base == "Array" ? Kind::Array : Kind::Tuple;
        type.children = std::move(children);
      }
    } else {
      std::string_view args = has_args ? skip_arguments() : std::string_view{};
      type.kind = scalar_kind(base);
      if (type.kind == Kind::DateTime) {
        type.zone = server_zone_;
        std::size_t quote = args.find('\'');
        if (quote != std::string_view::npos) {
          std::size_t end = args.find('\'', quote + 1);
          type.zone = find_zone(args.substr(quote + 1, end == std::string_view::npos ? std::string_view::npos : end - quote - 1));
        }
      }
    }
    type.name = std::string(text_.substr(start, pos_ - start));
    return type;
  }

 private:
  static Kind scalar_kind(std::string_view base) {
    if (base == "UInt64") return Kind::Unsigned64;
    if (base == "Int8" || base == "Int16" || base == "Int32" || base == "Int64" || base == "UInt8" || base == "UInt16" || base == "UInt32") {
      return Kind::Integer;
    }
    if (base == "Float32" || base == "Float64") return Kind::Float;
    if (base.starts_with("Decimal")) return Kind::Decimal;
    if (base == "FixedString") return Kind::FixedString;
    if (base == "Date") return Kind::Date;
    if (base == "DateTime") return Kind::DateTime;
    if (base == "Nothing") return Kind::Nothing;
    return Kind::String;  // String, UUID, Enum8/16, and what the table does not name
  }

  void skip_blanks() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  // Skips "(...)" (quotes and nesting respected); returns what was inside.
  std::string_view skip_arguments() {
    std::size_t start = ++pos_;
    int depth = 1;
    while (pos_ < text_.size() && depth > 0) {
      char c = text_[pos_];
      if (c == '\'') {
        ++pos_;
        while (pos_ < text_.size() && text_[pos_] != '\'') pos_ += text_[pos_] == '\\' ? 2 : 1;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      }
      ++pos_;
    }
    return text_.substr(start, std::min(pos_, text_.size()) - start - (depth == 0 ? 1 : 0));
  }

  std::string_view text_;
  const date::time_zone* server_zone_;
  std::size_t pos_ = 0;
};

// ---- scalars ----

Value integer_value(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return Value(std::string(text));
  return integer_cell(value);
}

Value unsigned64_value(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return Value(std::string(text));
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return Value(BigInt{std::string(text)});
  return integer_cell(static_cast<std::int64_t>(value));
}

Value float_value(std::string_view text) {
  if (text == "nan" || text == "-nan") return Value(std::numeric_limits<double>::quiet_NaN());
  if (text == "inf" || text == "+inf") return Value(std::numeric_limits<double>::infinity());
  if (text == "-inf") return Value(-std::numeric_limits<double>::infinity());
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return Value(std::string(text));
  return Value(value);
}

std::string date_text(std::string_view text) { return text == "0000-00-00" ? "1970-01-01" : std::string(text); }

std::string fixed_text(std::string text) {
  while (!text.empty() && text.back() == '\0') text.pop_back();
  return text;
}

// A scalar cell from its text (already unescaped for strings).
Value scalar_value(const ColumnType& type, std::string text) {
  switch (type.kind) {
    case Kind::Integer: return integer_value(text);
    case Kind::Unsigned64: return unsigned64_value(text);
    case Kind::Float: return float_value(text);
    case Kind::Decimal: return postgres::decode_numeric(text);
    case Kind::FixedString: return Value(fixed_text(std::move(text)));
    case Kind::Date: return Value(date_text(text));
    case Kind::DateTime: return Value(datetime_to_utc(text, type.zone));
    case Kind::Nothing: return Value(nullptr);
    default: return Value(std::move(text));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the character an escape `\<c>` stands for; `i` is at c, and moves past the escape.
void unescape_one(std::string_view text, std::size_t& i, std::string& out) {
  char c = text[i];
  switch (c) {
    case 'b': out += '\b'; break;
    case 'f': out += '\f'; break;
    case 'n': out += '\n'; break;
    case 'r': out += '\r'; break;
    case 't': out += '\t'; break;
    case '0': out += '\0'; break;
    case 'a': out += '\a'; break;
    case 'v': out += '\v'; break;
    case 'x':
      if (i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
        out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
        i += 2;
        break;
      }
      out += c;
      break;
    default: out += c;  // \\ \' \" and any other character stand for themselves
  }
  ++i;
}

// ---- the quoted form inside arrays and tuples ----

class QuotedReader {
 public:
  explicit QuotedReader(std::string_view text) : text_(text) {}

  Value read(const ColumnType& type) {
    skip_blanks();
    switch (type.kind) {
      case Kind::Nullable:
        if (text_.substr(pos_, 4) == "NULL") {
          pos_ += 4;
          return Value(nullptr);
        }
        return read(type.children[0]);
      case Kind::Nothing:
        token();
        return Value(nullptr);
      case Kind::Array: return Value(sequence('[', ']', [&](std::size_t) -> const ColumnType& { return type.children[0]; }));
      case Kind::Tuple:
        return Value(sequence('(', ')', [&](std::size_t i) -> const ColumnType& { return type.children[std::min(i, type.children.size() - 1)]; }));
      default: break;
    }
    if (pos_ < text_.size() && text_[pos_] == '\'') return scalar_value(type, quoted());
    return scalar_value(type, std::string(token()));
  }

 private:
  template <class TypeOf>
  ValueArray sequence(char open, char close, TypeOf type_of) {
    ValueArray items;
    if (pos_ >= text_.size() || text_[pos_] != open) {
      token();
      return items;
    }
    ++pos_;
    skip_blanks();
    if (pos_ < text_.size() && text_[pos_] == close) {
      ++pos_;
      return items;
    }
    while (pos_ < text_.size()) {
      items.push_back(read(type_of(items.size())));
      skip_blanks();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == close) ++pos_;
      break;
    }
    return items;
  }

  std::string quoted() {
    std::string out;
    ++pos_;  // the opening quote
    while (pos_ < text_.size() && text_[pos_] != '\'') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        ++pos_;
        unescape_one(text_, pos_, out);
      } else {
        out += text_[pos_++];
      }
    }
    ++pos_;  // the closing quote
    return out;
  }

  std::string_view token() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ']' && text_[pos_] != ')') ++pos_;
    std::string_view raw = text_.substr(start, pos_ - start);
    while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
    return raw;
  }

  void skip_blanks() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

const date::time_zone* find_zone(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Etc/UCT" || name == "UCT" || name == "Zulu" || name == "Etc/Zulu" || name == "GMT" ||
      name == "Etc/GMT" || name == "Universal" || name == "Etc/Universal") {
    return nullptr;
  }
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    throw DatasourceError(fmt::format("the server uses the time zone '{}', which this machine's time zone database does not know", name));
  }
}

ColumnType parse_type(std::string_view name, const date::time_zone* server_zone) { return TypeParser(name, server_zone).parse(); }

Value decode_cell(const ColumnType& type, std::string_view field) {
  switch (type.kind) {
    case Kind::Nullable:
      if (field == "\\N") return Value(nullptr);
      return decode_cell(type.children[0], field);
    case Kind::Nothing: return Value(nullptr);
    case Kind::Array:
    case Kind::Tuple: return QuotedReader(field).read(type);
    case Kind::Integer: return integer_value(field);
    case Kind::Unsigned64: return unsigned64_value(field);
    case Kind::Float: return float_value(field);
    case Kind::Decimal: return postgres::decode_numeric(field);
    case Kind::Date: return Value(date_text(field));
    case Kind::DateTime: return Value(datetime_to_utc(field, type.zone));
    case Kind::FixedString: return Value(fixed_text(unescape(field)));
    case Kind::String: break;
  }
  return Value(unescape(field));
}

std::string duck_type(const ColumnType& type) {
  switch (type.kind) {
    case Kind::Nullable: return duck_type(type.children[0]);
    case Kind::Integer: return "BIGINT";
    case Kind::Unsigned64: return "UBIGINT";
    case Kind::Float: return "DOUBLE";
    case Kind::Date: return "DATE";
    case Kind::DateTime: return "TIMESTAMPTZ";
    case Kind::FixedString: return "VARCHAR";
    case Kind::String: return type.name == "UUID" ? "UUID" : "VARCHAR";
    default: return "";  // Decimal (a double when exact, else text), arrays, tuples, NULL
  }
}

std::string unescape(std::string_view field) {
  std::size_t slash = field.find('\\');
  if (slash == std::string_view::npos) return std::string(field);
  std::string out(field.substr(0, slash));
  out.reserve(field.size());
  std::size_t i = slash;
  while (i < field.size()) {
    if (field[i] == '\\' && i + 1 < field.size()) {
      ++i;
      unescape_one(field, i, out);
    } else {
      out += field[i++];
    }
  }
  return out;
}

std::string datetime_to_utc(std::string_view text, const date::time_zone* zone) {
  if (text == "0000-00-00 00:00:00") return "1970-01-01T00:00:00Z";
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() != 19 || !digits(text, 0, 4, year) || text[4] != '-' || !digits(text, 5, 2, month) || text[7] != '-' ||
      !digits(text, 8, 2, day) || text[10] != ' ' || !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) ||
      text[16] != ':' || !digits(text, 17, 2, second)) {
    return std::string(text);
  }
  if (!zone) return fmt::format("{}T{}Z", text.substr(0, 10), text.substr(11));
  using namespace std::chrono;
  date::local_seconds local = date::local_days{date::year{year} / month / day} + hours{hour} + minutes{minute} + seconds{second};
  sys_seconds utc = zone->to_sys(local, date::choose::earliest);  // a wall time a DST change repeats: its first instant
  return date::format("%Y-%m-%dT%H:%M:%SZ", utc);
}

}  // namespace as::datasources::clickhouse
