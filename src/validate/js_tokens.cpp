#include "js_tokens.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace as::validate {
namespace {

// Longest first, so the first match is the longest.
constexpr std::array<std::string_view, 33> kPunctuators = {
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "?\?=", "=>",
    "==",   "!=",  "<=",  ">=",  "&&",  "||",  "??",  "?.",  "++",  "--",  "+=", "-=",
    "*=",   "/=",  "%=",  "&=",  "|=",  "^=",  "**",  "<<",  ">>"};

// Keywords after which a `/` starts a regular expression rather than a division.
constexpr std::array<std::string_view, 14> kRegexAfterKeyword = {
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
    "throw",  "case",   "do",         "else", "yield", "await"};

bool is_ident_start(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80; }
bool is_ident_part(unsigned char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view source) : src_(source) {
    tokens_.reserve(source.size() / 4);
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < src_.size(); ++i) {
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  std::vector<Token> run() {
    if (src_.substr(0, 2) == "#!") skip_line();
    while (true) {
      skip_space_and_comments();
      if (pos_ >= src_.size()) break;
      std::size_t start = pos_;
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (c == '`') {
        ++pos_;
        template_chunk(start);
      } else if (c == '}' && !template_braces_.empty() && template_braces_.back() == brace_depth_) {
        template_braces_.pop_back();
        ++pos_;
        template_chunk(start);
      } else if (c == '"' || c == '\'') {
        string_literal(start, static_cast<char>(c));
      } else if (is_ident_start(c) || c == '\\') {
        identifier(start, TokenKind::Identifier);
      } else if (c == '#' && pos_ + 1 < src_.size() && is_ident_start(static_cast<unsigned char>(src_[pos_ + 1]))) {
        ++pos_;
        identifier(start, TokenKind::PrivateName);
      } else if (is_digit(c) || (c == '.' && pos_ + 1 < src_.size() && is_digit(static_cast<unsigned char>(src_[pos_ + 1])))) {
        number(start);
      } else if (c == '/' && regex_allowed() && regex_literal(start)) {
        // emitted by regex_literal
      } else {
        punctuator(start);
      }
    }
    return std::move(tokens_);
  }

 private:
  void emit(TokenKind kind, std::size_t start, std::string value) {
    // Tokens come in source order, so the column continues from the previous token on the line.
    std::size_t line_index = column_line_ == static_cast<std::size_t>(-1) ? 0 : column_line_;
    while (line_index + 1 < line_starts_.size() && line_starts_[line_index + 1] <= start) ++line_index;
    if (line_index != column_line_) {
      column_line_ = line_index;
      column_offset_ = line_starts_[line_index];
      column_ = 1;
    }
    for (std::size_t i = column_offset_; i < start; ++i) {
      if ((static_cast<unsigned char>(src_[i]) & 0xC0) != 0x80) ++column_;  // count characters, not bytes
    }
    column_offset_ = start;
    tokens_.push_back(Token{kind, std::move(value), start, static_cast<int>(line_index) + 1, column_});
  }

  void skip_line() {
    while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
  }

  void skip_space_and_comments() {
    while (pos_ < src_.size()) {
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      unsigned char next = pos_ + 1 < src_.size() ? static_cast<unsigned char>(src_[pos_ + 1]) : 0;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        ++pos_;
      } else if (c == '/' && next == '/') {
        skip_line();
      } else if (c == '/' && next == '*') {
        auto end = src_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? src_.size() : end + 2;
      } else if (c == 0xC2 && next == 0xA0) {
        pos_ += 2;  // no-break space
      } else if ((c == 0xEF && src_.substr(pos_, 3) == "\xEF\xBB\xBF") || (c == 0xE2 && (src_.substr(pos_, 3) == "\xE2\x80\xA8" ||
                                                                                   src_.substr(pos_, 3) == "\xE2\x80\xA9"))) {
        pos_ += 3;  // byte order mark, line and paragraph separators
      } else {
        break;
      }
    }
  }

  // Reads one escape sequence after the backslash at pos_ into `out` (cooked value).
  void escape(std::string& out) {
    ++pos_;  // the backslash
    if (pos_ >= src_.size()) return;
    char c = src_[pos_++];
    switch (c) {
      case 'n': out += '\n'; return;
      case 't': out += '\t'; return;
      case 'r': out += '\r'; return;
      case 'b': out += '\b'; return;
      case 'f': out += '\f'; return;
      case 'v': out += '\v'; return;
      case '0': out += '\0'; return;
      case '\r': if (pos_ < src_.size() && src_[pos_] == '\n') ++pos_; return;  // line continuation
      case '\n': return;
      case 'x': {
        if (pos_ + 2 <= src_.size() && hex_value(src_[pos_]) >= 0 && hex_value(src_[pos_ + 1]) >= 0) {
          append_utf8(out, static_cast<std::uint32_t>(hex_value(src_[pos_]) * 16 + hex_value(src_[pos_ + 1])));
          pos_ += 2;
        }
        return;
      }
      case 'u': append_utf8(out, unicode_escape()); return;
      default: out += c; return;
    }
  }

  // After `\u`: XXXX or {X...}. Returns U+FFFD for a malformed escape.
  std::uint32_t unicode_escape() {
    std::uint32_t cp = 0;
    if (pos_ < src_.size() && src_[pos_] == '{') {
      ++pos_;
      while (pos_ < src_.size() && src_[pos_] != '}') {
        int h = hex_value(src_[pos_++]);
        if (h < 0 || cp > 0x10FFFF) return 0xFFFD;
        cp = cp * 16 + static_cast<std::uint32_t>(h);
      }
      if (pos_ < src_.size()) ++pos_;
      return cp <= 0x10FFFF ? cp : 0xFFFD;
    }
    for (int i = 0; i < 4; ++i) {
      if (pos_ >= src_.size() || hex_value(src_[pos_]) < 0) return 0xFFFD;
      cp = cp * 16 + static_cast<std::uint32_t>(hex_value(src_[pos_++]));
    }
    return cp;
  }

  void string_literal(std::size_t start, char quote) {
    ++pos_;
    std::string value;
    while (pos_ < src_.size() && src_[pos_] != quote && src_[pos_] != '\n') {
      if (src_[pos_] == '\\') {
        escape(value);
      } else {
        value += src_[pos_++];
      }
    }
    if (pos_ < src_.size() && src_[pos_] == quote) ++pos_;
    emit(TokenKind::String, start, std::move(value));
  }

  // From just after "`" or the "}" that closes a substitution, up to "`" or "${".
  void template_chunk(std::size_t start) {
    while (pos_ < src_.size()) {
      if (src_[pos_] == '\\') {
        pos_ += 2;
      } else if (src_[pos_] == '`') {
        ++pos_;
        break;
      } else if (src_[pos_] == '$' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '{') {
        pos_ += 2;
        template_braces_.push_back(brace_depth_);
        break;
      } else {
        ++pos_;
      }
    }
    emit(TokenKind::Template, start, std::string(src_.substr(start, std::min(pos_, src_.size()) - start)));
  }

  void identifier(std::size_t start, TokenKind kind) {
    std::string name;
    if (kind == TokenKind::PrivateName) name += '#';
    while (pos_ < src_.size()) {
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (c == '\\' && pos_ + 1 < src_.size() && src_[pos_ + 1] == 'u') {
        pos_ += 2;
        append_utf8(name, unicode_escape());
      } else if (is_ident_part(c)) {
        name += static_cast<char>(c);
        ++pos_;
      } else {
        break;
      }
    }
    if (pos_ == start) ++pos_;  // a lone backslash: skip it
    emit(kind, start, std::move(name));
  }

  void number(std::size_t start) {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      bool exponent_sign = (c == '+' || c == '-') && pos_ > start && (src_[pos_ - 1] == 'e' || src_[pos_ - 1] == 'E') &&
                           !(src_.substr(start, 2) == "0x" || src_.substr(start, 2) == "0X");
      if (is_ident_part(static_cast<unsigned char>(c)) || c == '.' || exponent_sign) {
        ++pos_;
      } else {
        break;
      }
    }
    emit(TokenKind::Number, start, std::string(src_.substr(start, pos_ - start)));
  }

  bool regex_allowed() const {
    if (tokens_.empty()) return true;
    const Token& last = tokens_.back();
    switch (last.kind) {
      case TokenKind::Identifier:
        return std::find(kRegexAfterKeyword.begin(), kRegexAfterKeyword.end(), last.value) != kRegexAfterKeyword.end();
      case TokenKind::Punctuator:
        return last.value != ")" && last.value != "]" && last.value != "++" && last.value != "--";
      case TokenKind::Template:
        return last.value.size() >= 2 && last.value.substr(last.value.size() - 2) == "${";
      default:
        return false;
    }
  }

  // A regex literal ends at an unescaped `/` outside a class, on the same line. Returns false
  // (consuming nothing) when there is none: then the `/` is a division.
  bool regex_literal(std::size_t start) {
    std::size_t p = pos_ + 1;
    bool in_class = false;
    while (p < src_.size() && src_[p] != '\n') {
      char c = src_[p];
      if (c == '\\') {
        p += 2;
        continue;
      }
      if (c == '[') in_class = true;
      if (c == ']') in_class = false;
      if (c == '/' && !in_class) break;
      ++p;
    }
    if (p >= src_.size() || src_[p] != '/') return false;
    ++p;
    while (p < src_.size() && is_ident_part(static_cast<unsigned char>(src_[p]))) ++p;
    pos_ = p;
    emit(TokenKind::Regex, start, std::string(src_.substr(start, pos_ - start)));
    return true;
  }

  void punctuator(std::size_t start) {
    std::string_view rest = src_.substr(pos_);
    std::string_view text = rest.substr(0, 1);
    for (std::string_view p : kPunctuators) {
      if (p[0] == rest[0] && rest.substr(0, p.size()) == p) {
        // `a?.5:b` is a conditional, not optional chaining.
        if (p == "?." && rest.size() > 2 && is_digit(static_cast<unsigned char>(rest[2]))) continue;
        text = p;
        break;
      }
    }
    pos_ += text.size();
    if (text == "{") ++brace_depth_;
    if (text == "}") --brace_depth_;
    emit(TokenKind::Punctuator, start, std::string(text));
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  std::vector<std::size_t> line_starts_;
  std::vector<Token> tokens_;
  int brace_depth_ = 0;
  std::vector<int> template_braces_;  // brace depth at each open `${`
  std::size_t column_line_ = static_cast<std::size_t>(-1);
  std::size_t column_offset_ = 0;
  int column_ = 1;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Tokenizer(source).run(); }

bool is_identifier(const Token& token, std::string_view name) {
  return token.kind == TokenKind::Identifier && token.value == name;
}

bool is_punctuator(const Token& token, std::string_view text) {
  return token.kind == TokenKind::Punctuator && token.value == text;
}

}  // namespace as::validate
