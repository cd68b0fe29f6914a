#pragma once
// A small JavaScript tokenizer for the validator's static checks. It knows exactly enough of the
// grammar to tell code from text: strings, template literals (their `${...}` parts are code and
// are tokenized), comments and regular-expression literals are never mistaken for identifiers,
// so `"eval"` in a string is text while `eval(...)` is a call.
//
// It does not parse. Regex-versus-division is decided from the previous token, as most
// tokenizers do; the one ambiguous case (`}` then `/`) is read as a regex. It never throws:
// an unterminated construct simply ends at the end of the input (the compiler reports it).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace as::validate {

enum class TokenKind {
  Identifier,   // names and keywords; `value` has \u escapes decoded (`\u0065val` is `eval`)
  PrivateName,  // #field
  Punctuator,   // operators and brackets, longest match (`?.`, `...`, `=>`, `===`, ...)
  String,       // '...' or "..."; `value` is the cooked string
  Template,     // one literal chunk of a template: `...${  or  }...${  or  }...`
  Number,
  Regex,        // /.../flags
};

struct Token {
  TokenKind kind;
  std::string value;   // identifier name, cooked string, or the token's text
  std::size_t offset;  // byte offset in the source
  int line;            // 1-based
  int column;          // 1-based, in characters
};

std::vector<Token> tokenize(std::string_view source);

bool is_identifier(const Token& token, std::string_view name);
bool is_punctuator(const Token& token, std::string_view text);

}  // namespace as::validate
