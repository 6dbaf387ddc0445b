#ifndef PODFORM_RECONCILER_GRAPHQL_LEXER_H_
#define PODFORM_RECONCILER_GRAPHQL_LEXER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podform::graphql {

enum class TokenKind {
  kEof,
  kBang,
  kDollar,
  kAmp,
  kParenL,
  kParenR,
  kSpread,
  kColon,
  kEquals,
  kAt,
  kBracketL,
  kBracketR,
  kBraceL,
  kPipe,
  kBraceR,
  kName,
  kInt,
  kFloat,
  kString,
  kBlockString,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  size_t start = 0;  // byte offsets into the source
  size_t end = 0;
  // kName: the name; kInt/kFloat: the literal; kString/kBlockString: the
  // decoded value (escapes resolved, block indentation removed).
  std::string value;
};

// A syntax error: the message as graphql-js words it ("Syntax Error: ...")
// and the byte offset it refers to.
struct SyntaxError {
  std::string message;
  size_t offset = 0;
};

// "Name", "\"{\"", "<EOF>" ...: how graphql-js names a token kind.
std::string TokenKindDescription(TokenKind kind);
// The kind description plus the value for valued tokens: `Name "foo"`.
std::string TokenDescription(const Token& token);

// Splits GraphQL source (UTF-8) into tokens, skipping whitespace, commas,
// comments and a byte order mark. The source must outlive the lexer.
class Lexer {
 public:
  // `max_tokens` bounds the number of tokens produced (hostile input).
  Lexer(std::string_view source, size_t max_tokens);

  // Reads the next token into token(). Returns false on a syntax error
  // (error() describes it); the lexer is then unusable.
  bool Advance();
  const Token& token() const { return token_; }
  const SyntaxError& error() const { return error_; }
  // Reads the token after token() without consuming anything. Returns false
  // on a syntax error in it.
  bool Lookahead(Token* out) const;

 private:
  bool ReadToken(size_t pos, Token* out, SyntaxError* error) const;
  bool ReadNumber(size_t pos, Token* out, SyntaxError* error) const;
  bool ReadString(size_t pos, Token* out, SyntaxError* error) const;
  bool ReadBlockString(size_t pos, Token* out, SyntaxError* error) const;
  bool Fail(size_t offset, std::string message, SyntaxError* error) const;
  // printCodePointAt: "\"a\"", "U+0007" or "<EOF>".
  std::string DescribeCharAt(size_t pos) const;

  std::string_view src_;
  size_t max_tokens_;
  size_t tokens_ = 0;
  bool started_ = false;
  Token token_;
  SyntaxError error_;
};

// Turns byte offsets into 1-based line and column as graphql-js counts them
// (lines end at \n, \r\n or \r; columns count UTF-16 code units).
class LineIndex {
 public:
  explicit LineIndex(std::string_view source);
  std::pair<int, int> Locate(size_t offset) const;

 private:
  std::string_view src_;
  std::vector<size_t> line_starts_;
};

// Whether `text` is valid UTF-8 (no overlongs, surrogates or values past
// U+10FFFF). On failure sets *bad_offset to the first bad byte.
bool IsValidUtf8(std::string_view text, size_t* bad_offset);
// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view text);

}  // namespace podform::graphql

#endif  // PODFORM_RECONCILER_GRAPHQL_LEXER_H_
