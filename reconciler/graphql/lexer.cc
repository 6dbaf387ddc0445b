#include "reconciler/graphql/lexer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace podform::graphql {
namespace {

// Decodes the UTF-8 sequence at s[pos]. Returns its length (1-4), or 0 when
// the bytes there are not valid UTF-8 (or pos is at the end).
int DecodeUtf8(std::string_view s, size_t pos, uint32_t* cp) {
  if (pos >= s.size()) return 0;
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  int len;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, *cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, *cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, *cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > s.size()) return 0;
  for (int i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsNameStart(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool IsNameContinue(int c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(int c) { return c >= '0' && c <= '9'; }

int HexDigit(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool IsScalarValue(int64_t cp) {
  return (cp >= 0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0x10FFFF);
}

// graphql-js dedentBlockStringLines, joined with "\n".
std::string DedentBlockString(const std::vector<std::string>& lines) {
  size_t common = SIZE_MAX;
  long first_non_empty = -1, last_non_empty = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    size_t indent = 0;
    while (indent < line.size() &&
           (line[indent] == ' ' || line[indent] == '\t')) {
      ++indent;
    }
    if (indent == line.size()) continue;
    if (first_non_empty < 0) first_non_empty = static_cast<long>(i);
    last_non_empty = static_cast<long>(i);
    if (i != 0 && indent < common) common = indent;
  }
  std::string out;
  const size_t begin = first_non_empty < 0 ? 0 : first_non_empty;
  for (long i = static_cast<long>(begin); i <= last_non_empty; ++i) {
    const std::string& line = lines[i];
    if (i != static_cast<long>(begin)) out.push_back('\n');
    if (i == 0) {
      out += line;
    } else if (common < line.size()) {
      out.append(line, common, std::string::npos);
    }
  }
  return out;
}

}  // namespace

std::string TokenKindDescription(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEof:
      return "<EOF>";
    case TokenKind::kBang:
      return "\"!\"";
    case TokenKind::kDollar:
      return "\"$\"";
    case TokenKind::kAmp:
      return "\"&\"";
    case TokenKind::kParenL:
      return "\"(\"";
    case TokenKind::kParenR:
      return "\")\"";
    case TokenKind::kSpread:
      return "\"...\"";
    case TokenKind::kColon:
      return "\":\"";
    case TokenKind::kEquals:
      return "\"=\"";
    case TokenKind::kAt:
      return "\"@\"";
    case TokenKind::kBracketL:
      return "\"[\"";
    case TokenKind::kBracketR:
      return "\"]\"";
    case TokenKind::kBraceL:
      return "\"{\"";
    case TokenKind::kPipe:
      return "\"|\"";
    case TokenKind::kBraceR:
      return "\"}\"";
    case TokenKind::kName:
      return "Name";
    case TokenKind::kInt:
      return "Int";
    case TokenKind::kFloat:
      return "Float";
    case TokenKind::kString:
      return "String";
    case TokenKind::kBlockString:
      return "BlockString";
  }
  return "?";
}

std::string TokenDescription(const Token& token) {
  std::string out = TokenKindDescription(token.kind);
  switch (token.kind) {
    case TokenKind::kName:
    case TokenKind::kInt:
    case TokenKind::kFloat:
    case TokenKind::kString:
    case TokenKind::kBlockString:
      out += " \"" + token.value + "\"";
      break;
    default:
      break;
  }
  return out;
}

Lexer::Lexer(std::string_view source, size_t max_tokens)
    : src_(source), max_tokens_(max_tokens) {}

bool Lexer::Fail(size_t offset, std::string message, SyntaxError* error) const {
  error->message = "Syntax Error: " + std::move(message);
  error->offset = offset;
  return false;
}

std::string Lexer::DescribeCharAt(size_t pos) const {
  if (pos >= src_.size()) return "<EOF>";
  uint32_t cp;
  if (DecodeUtf8(src_, pos, &cp) == 0) cp = 0xFFFD;
  if (cp >= 0x20 && cp <= 0x7E) {
    if (cp == '"') return "'\"'";
    return std::string("\"") + static_cast<char>(cp) + "\"";
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

bool Lexer::Advance() {
  if (started_ && token_.kind == TokenKind::kEof) return true;
  Token next;
  if (!ReadToken(started_ ? token_.end : 0, &next, &error_)) return false;
  started_ = true;
  if (next.kind != TokenKind::kEof && ++tokens_ > max_tokens_) {
    return Fail(next.start,
                "Document contains more than " + std::to_string(max_tokens_) +
                    " tokens. Parsing aborted.",
                &error_);
  }
  token_ = std::move(next);
  return true;
}

bool Lexer::Lookahead(Token* out) const {
  if (started_ && token_.kind == TokenKind::kEof) {
    *out = token_;
    return true;
  }
  SyntaxError ignored;
  return ReadToken(started_ ? token_.end : 0, out, &ignored);
}

bool Lexer::ReadToken(size_t pos, Token* out, SyntaxError* error) const {
  const size_t n = src_.size();
  while (pos < n) {
    const auto c = static_cast<unsigned char>(src_[pos]);
    switch (c) {
      case ' ':
      case '\t':
      case ',':
      case '\n':
      case '\r':
        ++pos;
        continue;
      case 0xEF:  // U+FEFF byte order mark
        if (src_.substr(pos, 3) == "\xEF\xBB\xBF") {
          pos += 3;
          continue;
        }
        break;
      case '#':
        while (pos < n && src_[pos] != '\n' && src_[pos] != '\r') ++pos;
        continue;
      default:
        break;
    }
    out->start = pos;
    out->value.clear();
    auto punct = [&](TokenKind kind, size_t len) {
      out->kind = kind;
      out->end = pos + len;
      return true;
    };
    switch (c) {
      case '!':
        return punct(TokenKind::kBang, 1);
      case '$':
        return punct(TokenKind::kDollar, 1);
      case '&':
        return punct(TokenKind::kAmp, 1);
      case '(':
        return punct(TokenKind::kParenL, 1);
      case ')':
        return punct(TokenKind::kParenR, 1);
      case ':':
        return punct(TokenKind::kColon, 1);
      case '=':
        return punct(TokenKind::kEquals, 1);
      case '@':
        return punct(TokenKind::kAt, 1);
      case '[':
        return punct(TokenKind::kBracketL, 1);
      case ']':
        return punct(TokenKind::kBracketR, 1);
      case '{':
        return punct(TokenKind::kBraceL, 1);
      case '|':
        return punct(TokenKind::kPipe, 1);
      case '}':
        return punct(TokenKind::kBraceR, 1);
      case '.':
        if (src_.substr(pos, 3) == "...") return punct(TokenKind::kSpread, 3);
        break;
      case '"':
        if (src_.substr(pos, 3) == "\"\"\"")
          return ReadBlockString(pos, out, error);
        return ReadString(pos, out, error);
      default:
        break;
    }
    if (IsDigit(c) || c == '-') return ReadNumber(pos, out, error);
    if (IsNameStart(c)) {
      size_t end = pos + 1;
      while (end < n && IsNameContinue(static_cast<unsigned char>(src_[end])))
        ++end;
      out->kind = TokenKind::kName;
      out->end = end;
      out->value.assign(src_.substr(pos, end - pos));
      return true;
    }
    if (c == '\'') {
      return Fail(pos,
                  "Unexpected single quote character ('), did you mean to use "
                  "a double quote (\")?",
                  error);
    }
    uint32_t cp;
    if (DecodeUtf8(src_, pos, &cp) == 0) {
      return Fail(pos, "Invalid character: " + DescribeCharAt(pos) + ".",
                  error);
    }
    return Fail(pos, "Unexpected character: " + DescribeCharAt(pos) + ".",
                error);
  }
  out->kind = TokenKind::kEof;
  out->start = out->end = n;
  out->value.clear();
  return true;
}

bool Lexer::ReadNumber(size_t start, Token* out, SyntaxError* error) const {
  const size_t n = src_.size();
  auto at = [&](size_t p) -> int {
    return p < n ? static_cast<unsigned char>(src_[p]) : -1;
  };
  auto read_digits = [&](size_t* p) {
    if (!IsDigit(at(*p))) {
      return Fail(
          *p,
          "Invalid number, expected digit but got: " + DescribeCharAt(*p) + ".",
          error);
    }
    while (IsDigit(at(*p))) ++*p;
    return true;
  };
  size_t pos = start;
  bool is_float = false;
  if (at(pos) == '-') ++pos;
  if (at(pos) == '0') {
    ++pos;
    if (IsDigit(at(pos))) {
      return Fail(pos,
                  "Invalid number, unexpected digit after 0: " +
                      DescribeCharAt(pos) + ".",
                  error);
    }
  } else if (!read_digits(&pos)) {
    return false;
  }
  if (at(pos) == '.') {
    is_float = true;
    ++pos;
    if (!read_digits(&pos)) return false;
  }
  if (at(pos) == 'e' || at(pos) == 'E') {
    is_float = true;
    ++pos;
    if (at(pos) == '+' || at(pos) == '-') ++pos;
    if (!read_digits(&pos)) return false;
  }
  if (at(pos) == '.' || IsNameStart(at(pos))) {
    return Fail(
        pos,
        "Invalid number, expected digit but got: " + DescribeCharAt(pos) + ".",
        error);
  }
  out->kind = is_float ? TokenKind::kFloat : TokenKind::kInt;
  out->end = pos;
  out->value.assign(src_.substr(start, pos - start));
  return true;
}

bool Lexer::ReadString(size_t start, Token* out, SyntaxError* error) const {
  const size_t n = src_.size();
  // `count` characters of source from `pos`, for error messages.
  auto slice_chars = [&](size_t pos, int count) {
    size_t end = pos;
    for (int i = 0; i < count && end < n; ++i) {
      uint32_t cp;
      const int len = DecodeUtf8(src_, end, &cp);
      end += len == 0 ? 1 : len;
    }
    return SanitizeUtf8(src_.substr(pos, end - pos));
  };
  auto at = [&](size_t p) -> int {
    return p < n ? static_cast<unsigned char>(src_[p]) : -1;
  };
  auto hex4 = [&](size_t p) -> int32_t {
    int32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int d = HexDigit(at(p + i));
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    return v;
  };
  std::string value;
  size_t pos = start + 1;
  size_t chunk = pos;
  while (pos < n) {
    const int c = at(pos);
    if (c == '"') {
      value.append(src_.substr(chunk, pos - chunk));
      out->kind = TokenKind::kString;
      out->end = pos + 1;
      out->value = std::move(value);
      return true;
    }
    if (c == '\\') {
      value.append(src_.substr(chunk, pos - chunk));
      const int e = at(pos + 1);
      if (e == 'u' && at(pos + 2) == '{') {
        int32_t point = 0;
        size_t size = 3;
        bool ok = false;
        while (size < 12) {
          const int code = at(pos + size++);
          if (code == '}') {
            ok = size >= 5 && IsScalarValue(point);
            break;
          }
          point = static_cast<int32_t>(static_cast<uint32_t>(point) << 4) |
                  HexDigit(code);
          if (point < 0) break;
        }
        if (!ok) {
          return Fail(pos,
                      "Invalid Unicode escape sequence: \"" +
                          slice_chars(pos, static_cast<int>(size)) + "\".",
                      error);
        }
        AppendUtf8(static_cast<uint32_t>(point), &value);
        pos += size;
      } else if (e == 'u') {
        const int32_t code = hex4(pos + 2);
        if (IsScalarValue(code)) {
          AppendUtf8(static_cast<uint32_t>(code), &value);
          pos += 6;
        } else if (code >= 0xD800 && code <= 0xDBFF && at(pos + 6) == '\\' &&
                   at(pos + 7) == 'u' && hex4(pos + 8) >= 0xDC00 &&
                   hex4(pos + 8) <= 0xDFFF) {
          const uint32_t trail = static_cast<uint32_t>(hex4(pos + 8));
          AppendUtf8(0x10000 + ((static_cast<uint32_t>(code) - 0xD800) << 10) +
                         (trail - 0xDC00),
                     &value);
          pos += 12;
        } else {
          return Fail(pos,
                      "Invalid Unicode escape sequence: \"" +
                          slice_chars(pos, 6) + "\".",
                      error);
        }
      } else {
        char decoded;
        switch (e) {
          case '"':
            decoded = '"';
            break;
          case '\\':
            decoded = '\\';
            break;
          case '/':
            decoded = '/';
            break;
          case 'b':
            decoded = '\b';
            break;
          case 'f':
            decoded = '\f';
            break;
          case 'n':
            decoded = '\n';
            break;
          case 'r':
            decoded = '\r';
            break;
          case 't':
            decoded = '\t';
            break;
          default:
            return Fail(pos,
                        "Invalid character escape sequence: \"" +
                            slice_chars(pos, 2) + "\".",
                        error);
        }
        value.push_back(decoded);
        pos += 2;
      }
      chunk = pos;
      continue;
    }
    if (c == '\n' || c == '\r') break;
    uint32_t cp;
    const int len = DecodeUtf8(src_, pos, &cp);
    if (len == 0) {
      return Fail(
          pos, "Invalid character within String: " + DescribeCharAt(pos) + ".",
          error);
    }
    pos += len;
  }
  return Fail(pos, "Unterminated string.", error);
}

bool Lexer::ReadBlockString(size_t start, Token* out,
                            SyntaxError* error) const {
  const size_t n = src_.size();
  size_t pos = start + 3;
  size_t chunk = pos;
  std::string line;
  std::vector<std::string> lines;
  while (pos < n) {
    const char c = src_[pos];
    if (c == '"' && src_.substr(pos, 3) == "\"\"\"") {
      line.append(src_.substr(chunk, pos - chunk));
      lines.push_back(std::move(line));
      out->kind = TokenKind::kBlockString;
      out->end = pos + 3;
      out->value = DedentBlockString(lines);
      return true;
    }
    if (c == '\\' && src_.substr(pos, 4) == "\\\"\"\"") {
      line.append(src_.substr(chunk, pos - chunk));
      chunk = pos + 1;  // drop only the backslash
      pos += 4;
      continue;
    }
    if (c == '\n' || c == '\r') {
      line.append(src_.substr(chunk, pos - chunk));
      lines.push_back(std::move(line));
      line.clear();
      pos += (c == '\r' && pos + 1 < n && src_[pos + 1] == '\n') ? 2 : 1;
      chunk = pos;
      continue;
    }
    uint32_t cp;
    const int len = DecodeUtf8(src_, pos, &cp);
    if (len == 0) {
      return Fail(
          pos, "Invalid character within String: " + DescribeCharAt(pos) + ".",
          error);
    }
    pos += len;
  }
  return Fail(pos, "Unterminated string.", error);
}

LineIndex::LineIndex(std::string_view source) : src_(source) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\n') {
      line_starts_.push_back(i + 1);
    } else if (source[i] == '\r') {
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
      line_starts_.push_back(i + 1);
    }
  }
}

std::pair<int, int> LineIndex::Locate(size_t offset) const {
  offset = std::min(offset, src_.size());
  const auto it =
      std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const size_t line = static_cast<size_t>(it - line_starts_.begin());
  size_t pos = line_starts_[line - 1];
  int column = 1;
  while (pos < offset) {
    uint32_t cp;
    const int len = DecodeUtf8(src_, pos, &cp);
    if (len == 0) {
      ++pos;
      ++column;
    } else {
      pos += len;
      column += cp >= 0x10000 ? 2 : 1;
    }
  }
  return {static_cast<int>(line), column};
}

bool IsValidUtf8(std::string_view text, size_t* bad_offset) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    uint32_t cp;
    const int len = DecodeUtf8(text, pos, &cp);
    if (len == 0) {
      if (bad_offset) *bad_offset = pos;
      return false;
    }
    pos += len;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view text) {
  size_t bad;
  if (IsValidUtf8(text, &bad)) return std::string(text);
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    uint32_t cp;
    const int len = DecodeUtf8(text, pos, &cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++pos;
    } else {
      out.append(text.substr(pos, len));
      pos += len;
    }
  }
  return out;
}

}  // namespace podform::graphql
