#include "reconciler/graphql/messages.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <map>

#include "nlohmann/json.hpp"

namespace podform::graphql {
namespace {

// graphql-js printString(): JSON-like escaping, plus U+007F..U+009F.
std::string PrintString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    char buf[8];
    switch (c) {
      case '\b':
        out += "\\b";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
      std::snprintf(buf, sizeof buf, "\\u%04X", c);
      out += buf;
    } else if (c == 0xC2 && i + 1 < s.size() &&
               static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      std::snprintf(buf, sizeof buf, "\\u%04X",
                    static_cast<unsigned char>(s[i + 1]));
      out += buf;
      ++i;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

bool IsBlockWhitespace(char c) { return c == ' ' || c == '\t'; }

// graphql-js printBlockString() (without the minimize option).
std::string PrintBlockString(const std::string& value) {
  std::string escaped;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value.compare(i, 3, "\"\"\"") == 0) {
      escaped += "\\\"\"\"";
      i += 2;
    } else {
      escaped.push_back(value[i]);
    }
  }
  std::vector<std::string> lines;
  {
    std::string line;
    for (size_t i = 0; i < escaped.size(); ++i) {
      const char c = escaped[i];
      if (c == '\n' || c == '\r') {
        lines.push_back(line);
        line.clear();
        if (c == '\r' && i + 1 < escaped.size() && escaped[i + 1] == '\n') ++i;
      } else {
        line.push_back(c);
      }
    }
    lines.push_back(line);
  }
  const bool single_line = lines.size() == 1;
  const bool force_leading_newline =
      lines.size() > 1 &&
      std::all_of(lines.begin() + 1, lines.end(), [](const std::string& l) {
        return l.empty() || IsBlockWhitespace(l[0]);
      });
  const bool trailing_triple =
      escaped.size() >= 4 &&
      escaped.compare(escaped.size() - 4, 4, "\\\"\"\"") == 0;
  const bool trailing_quote =
      !value.empty() && value.back() == '"' && !trailing_triple;
  const bool trailing_slash = !value.empty() && value.back() == '\\';
  const bool force_trailing_newline = trailing_quote || trailing_slash;
  const bool multiple_lines = !single_line || value.size() > 70 ||
                              force_trailing_newline || force_leading_newline ||
                              trailing_triple;
  std::string result;
  const bool skip_leading_newline =
      single_line && !value.empty() && IsBlockWhitespace(value[0]);
  if ((multiple_lines && !skip_leading_newline) || force_leading_newline) {
    result += "\n";
  }
  result += escaped;
  if (multiple_lines || force_trailing_newline) result += "\n";
  return "\"\"\"" + result + "\"\"\"";
}

std::string FormatNumber(const nlohmann::json& v) {
  std::string s = v.dump();
  if (v.is_number_float()) {
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) {
      s.resize(s.size() - 2);
    }
    if (s == "null") {  // NaN or infinity
      const double d = v.get<double>();
      s = d != d ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
    }
  }
  return s;
}

std::string InspectAt(const nlohmann::json& v, int seen) {
  switch (v.type()) {
    case nlohmann::json::value_t::string:
      return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::array: {
      if (v.empty()) return "[]";
      if (seen + 1 > 2) return "[Array]";
      const size_t len = std::min<size_t>(10, v.size());
      std::string out = "[";
      for (size_t i = 0; i < len; ++i) {
        if (i) out += ", ";
        out += InspectAt(v[i], seen + 1);
      }
      const size_t remaining = v.size() - len;
      if (remaining == 1) out += ", ... 1 more item";
      if (remaining > 1) {
        out += ", ... " + std::to_string(remaining) + " more items";
      }
      return out + "]";
    }
    case nlohmann::json::value_t::object: {
      if (v.empty()) return "{}";
      if (seen + 1 > 2) return "[Object]";
      std::string out = "{ ";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        out += it.key() + ": " + InspectAt(it.value(), seen + 1);
      }
      return out + " }";
    }
    default:
      if (v.is_number()) return FormatNumber(v);
      return "undefined";
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// graphql-js LexicalDistance.measure(): Damerau-Levenshtein (optimal string
// alignment) of the lower-cased strings, -1 when above the threshold.
int LexicalDistance(std::string_view input, std::string_view option,
                    int threshold) {
  if (input == option) return 0;
  std::string a = Lower(option), b = Lower(input);
  if (a == b) return 1;
  if (a.size() < b.size()) std::swap(a, b);
  const int a_len = static_cast<int>(a.size()),
            b_len = static_cast<int>(b.size());
  if (a_len - b_len > threshold) return -1;
  std::array<std::vector<int>, 3> rows;
  for (auto& row : rows) row.assign(b_len + 1, 0);
  for (int j = 0; j <= b_len; ++j) rows[0][j] = j;
  for (int i = 1; i <= a_len; ++i) {
    std::vector<int>& up = rows[(i - 1) % 3];
    std::vector<int>& current = rows[i % 3];
    int smallest = current[0] = i;
    for (int j = 1; j <= b_len; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int cell = std::min({up[j] + 1, current[j - 1] + 1, up[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cell = std::min(cell, rows[(i - 2) % 3][j - 2] + 1);
      }
      smallest = std::min(smallest, cell);
      current[j] = cell;
    }
    if (smallest > threshold) return -1;
  }
  const int distance = rows[a_len % 3][b_len];
  return distance <= threshold ? distance : -1;
}

// graphql-js naturalCompare(): digit runs compare as numbers.
int NaturalCompare(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  auto digit = [](const std::string& s, size_t k) {
    return k < s.size() && s[k] >= '0' && s[k] <= '9';
  };
  while (i < a.size() && j < b.size()) {
    if (digit(a, i) && digit(b, j)) {
      unsigned long long an = 0, bn = 0;
      do {
        an = an * 10 + (a[i++] - '0');
      } while (digit(a, i) && an > 0);
      do {
        bn = bn * 10 + (b[j++] - '0');
      } while (digit(b, j) && bn > 0);
      if (an != bn) return an < bn ? -1 : 1;
    } else {
      if (a[i] != b[j]) {
        return static_cast<unsigned char>(a[i]) <
                       static_cast<unsigned char>(b[j])
                   ? -1
                   : 1;
      }
      ++i, ++j;
    }
  }
  return static_cast<int>(a.size()) - static_cast<int>(b.size());
}

}  // namespace

std::string PrintValue(const ast::Value& value) {
  using Kind = ast::Value::Kind;
  switch (value.kind) {
    case Kind::kVariable:
      return "$" + value.text;
    case Kind::kInt:
    case Kind::kFloat:
    case Kind::kEnum:
      return value.text;
    case Kind::kString:
      return value.block ? PrintBlockString(value.text)
                         : PrintString(value.text);
    case Kind::kBoolean:
      return value.boolean ? "true" : "false";
    case Kind::kNull:
      return "null";
    case Kind::kList: {
      std::string out = "[";
      for (size_t i = 0; i < value.list.size(); ++i) {
        if (i) out += ", ";
        out += PrintValue(value.list[i]);
      }
      return out + "]";
    }
    case Kind::kObject: {
      std::string out = "{";
      for (size_t i = 0; i < value.fields.size(); ++i) {
        if (i) out += ", ";
        out += value.fields[i].name + ": " + PrintValue(value.fields[i].value);
      }
      return out + "}";
    }
  }
  return "";
}

std::string Inspect(const nlohmann::json& value) { return InspectAt(value, 0); }

std::vector<std::string> SuggestionList(
    std::string_view input, const std::vector<std::string>& options) {
  const int threshold = static_cast<int>(input.size() * 4 / 10) + 1;
  std::map<std::string, int> by_distance;
  for (const std::string& option : options) {
    const int d = LexicalDistance(input, option, threshold);
    if (d >= 0) by_distance.emplace(option, d);
  }
  std::vector<std::string> out;
  for (const auto& [option, d] : by_distance) out.push_back(option);
  std::sort(out.begin(), out.end(),
            [&](const std::string& a, const std::string& b) {
              const int da = by_distance[a], db = by_distance[b];
              if (da != db) return da < db;
              return NaturalCompare(a, b) < 0;
            });
  return out;
}

std::string DidYouMean(const std::vector<std::string>& suggestions,
                       std::string_view sub_message) {
  if (suggestions.empty()) return "";
  std::string message = " Did you mean ";
  if (!sub_message.empty()) message += std::string(sub_message) + " ";
  auto quoted = [](const std::string& s) { return "\"" + s + "\""; };
  if (suggestions.size() == 1) return message + quoted(suggestions[0]) + "?";
  if (suggestions.size() == 2) {
    return message + quoted(suggestions[0]) + " or " + quoted(suggestions[1]) +
           "?";
  }
  const size_t n = std::min<size_t>(5, suggestions.size());
  for (size_t i = 0; i + 1 < n; ++i) message += quoted(suggestions[i]) + ", ";
  return message + "or " + quoted(suggestions[n - 1]) + "?";
}

}  // namespace podform::graphql
