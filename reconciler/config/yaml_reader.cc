#include "reconciler/config/yaml_reader.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/config/env_reference.h"
#include "reconciler/config/suggest.h"

namespace podform {
namespace {

constexpr std::string_view kStringTag = "tag:yaml.org,2002:str";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whether all of `text` (which may be empty) satisfies `is`.
template <typename Predicate>
bool AllOf(std::string_view text, Predicate is) {
  for (char c : text) {
    if (!is(c)) return false;
  }
  return true;
}

// One or more characters, each satisfying `is`.
template <typename Predicate>
bool OneOrMore(std::string_view text, Predicate is) {
  return !text.empty() && AllOf(text, is);
}

std::string_view WithoutSign(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    text.remove_prefix(1);
  }
  return text;
}

bool IsInteger(std::string_view text) {
  if (text.starts_with("0o") &&
      OneOrMore(text.substr(2), [](char c) { return c >= '0' && c <= '7'; })) {
    return true;
  }
  if (text.starts_with("0x") && OneOrMore(text.substr(2), [](char c) {
        return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      })) {
    return true;
  }
  return OneOrMore(WithoutSign(text), IsDigit);
}

bool IsFloat(std::string_view text) {
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return true;
  text = WithoutSign(text);
  if (text == ".inf" || text == ".Inf" || text == ".INF") return true;
  // (\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
  const size_t e = text.find_first_of("eE");
  if (e != std::string_view::npos &&
      !OneOrMore(WithoutSign(text.substr(e + 1)), IsDigit)) {
    return false;
  }
  const std::string_view mantissa = text.substr(0, e);
  const size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos) return OneOrMore(mantissa, IsDigit);
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction = mantissa.substr(dot + 1);
  return AllOf(whole, IsDigit) && AllOf(fraction, IsDigit) &&
         (whole.empty() ? !fraction.empty() : true);
}

}  // namespace

YamlType ResolvePlain(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE" || text == "false" ||
      text == "False" || text == "FALSE") {
    return YamlType::kBoolean;
  }
  if (IsInteger(text)) return YamlType::kInteger;
  if (IsFloat(text)) return YamlType::kFloat;
  return YamlType::kString;
}

namespace {

// Parses an integer that ResolvePlain accepted; saturates on overflow.
int64_t ParseInteger(const std::string& text) {
  std::string_view digits = text;
  int base = 10;
  bool negative = false;
  if (digits.starts_with("0o")) {
    base = 8;
    digits.remove_prefix(2);
  } else if (digits.starts_with("0x")) {
    base = 16;
    digits.remove_prefix(2);
  } else if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  uint64_t magnitude = 0;
  auto [end, error] = std::from_chars(
      digits.data(), digits.data() + digits.size(), magnitude, base);
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if (error == std::errc::result_out_of_range || magnitude > kMax) {
    return negative ? std::numeric_limits<int64_t>::min()
                    : std::numeric_limits<int64_t>::max();
  }
  int64_t value = static_cast<int64_t>(magnitude);
  return negative ? -value : value;
}

void ReportType(const Entry& entry, const std::string& expected,
                Diagnostics& diagnostics) {
  diagnostics.Error(entry.value_location,
                    absl::StrCat(Where(entry.path), "expected ", expected,
                                 ", got ", DescribeType(TypeOf(entry.value))));
}

}  // namespace

YamlType TypeOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return YamlType::kList;
    case YAML::NodeType::Map:
      return YamlType::kMapping;
    case YAML::NodeType::Scalar:
      break;
    default:
      return YamlType::kNull;
  }
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == kStringTag) return YamlType::kString;
  return ResolvePlain(node.Scalar());
}

const char* DescribeType(YamlType type) {
  switch (type) {
    case YamlType::kNull:
      return "null";
    case YamlType::kBoolean:
      return "a boolean";
    case YamlType::kInteger:
      return "an integer";
    case YamlType::kFloat:
      return "a number";
    case YamlType::kString:
      return "a string";
    case YamlType::kList:
      return "a list";
    case YamlType::kMapping:
      return "a mapping";
  }
  return "a value";
}

SourceLocation LocationOf(const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) return SourceLocation{};
  return SourceLocation{mark.line + 1, mark.column + 1};
}

std::string Where(const std::string& path) {
  return path.empty() ? std::string() : absl::StrCat(path, ": ");
}

std::vector<Entry> ReadMapping(const YAML::Node& mapping,
                               const std::string& path,
                               std::span<const std::string_view> allowed,
                               Diagnostics& diagnostics) {
  std::vector<Entry> entries;
  std::map<std::string, int> first_line;
  for (const auto& pair : mapping) {
    // Copies: the iterator's pairs are proxies.
    const YAML::Node key_node = pair.first;
    SourceLocation key_location = LocationOf(key_node.Mark());
    if (!key_node.IsScalar()) {
      diagnostics.Error(key_location,
                        absl::StrCat(Where(path), "keys must be strings, got ",
                                     DescribeType(TypeOf(key_node))));
      continue;
    }
    std::string key = key_node.Scalar();
    auto [seen, inserted] = first_line.emplace(key, key_location.line);
    if (!inserted) {
      diagnostics.Error(key_location,
                        absl::StrCat(Where(path), "duplicate key \"", key,
                                     "\" (first at line ", seen->second, ")"));
      continue;
    }
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::optional<std::string> suggestion = SuggestClosest(key, allowed);
      diagnostics.Error(
          key_location,
          absl::StrCat(
              Where(path), "unknown key \"", key, "\" ",
              suggestion.has_value()
                  ? absl::StrCat("(did you mean \"", *suggestion, "\"?)")
                  : absl::StrCat(
                        "(expected one of: ",
                        absl::StrJoin(std::vector<std::string>(allowed.begin(),
                                                               allowed.end()),
                                      ", "),
                        ")")));
      continue;
    }
    Entry entry;
    entry.key = key;
    entry.path = path.empty() ? key : absl::StrCat(path, ".", key);
    entry.key_location = key_location;
    entry.value = pair.second;
    entry.value_location =
        entry.value.IsNull() ? key_location : LocationOf(entry.value.Mark());
    entries.push_back(std::move(entry));
  }
  return entries;
}

bool ExpectMapping(const Entry& entry, bool allow_null,
                   Diagnostics& diagnostics) {
  if (entry.value.IsMap()) return true;
  if (allow_null && entry.value.IsNull()) return true;
  ReportType(entry, "a mapping", diagnostics);
  return false;
}

std::optional<std::string> ReadString(const Entry& entry,
                                      Diagnostics& diagnostics,
                                      bool allow_empty) {
  if (TypeOf(entry.value) != YamlType::kString) {
    ReportType(entry, "a string", diagnostics);
    return std::nullopt;
  }
  const std::string& text = entry.value.Scalar();
  if (!allow_empty && text.empty()) {
    diagnostics.Error(entry.value_location,
                      absl::StrCat(Where(entry.path), "must not be empty"));
    return std::nullopt;
  }
  if (ContainsEnvReference(text)) {
    diagnostics.Error(
        entry.value_location,
        absl::StrCat(Where(entry.path),
                     "${env:NAME} references are only resolved in env values"));
    return std::nullopt;
  }
  // A pod's or endpoint's image resolves ${var:NAME} itself
  // (ReadImage).
  const bool image = (entry.path.starts_with("pods.") ||
                      entry.path.starts_with("endpoints.")) &&
                     entry.path.ends_with(".image");
  if (ContainsVarReference(text) && !image) {
    diagnostics.Error(entry.value_location,
                      absl::StrCat(Where(entry.path),
                                   "${var:NAME} references are only resolved "
                                   "in env values and the image of a pod or "
                                   "endpoint"));
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> ReadOneOf(
    const Entry& entry, std::initializer_list<std::string_view> allowed,
    Diagnostics& diagnostics) {
  std::optional<std::string> text = ReadString(entry, diagnostics);
  if (!text.has_value()) return std::nullopt;
  for (std::string_view value : allowed) {
    if (*text == value) return text;
  }
  std::string choices;
  size_t i = 0;
  for (std::string_view value : allowed) {
    if (i > 0) choices += i + 1 == allowed.size() ? " or " : ", ";
    choices.append(value);
    ++i;
  }
  diagnostics.Error(entry.value_location,
                    absl::StrCat(entry.path, ": must be ", choices, ", got \"",
                                 *text, "\""));
  return std::nullopt;
}

std::optional<Integer> ReadInteger(const Entry& entry,
                                   Diagnostics& diagnostics) {
  if (TypeOf(entry.value) != YamlType::kInteger) {
    ReportType(entry, "an integer", diagnostics);
    return std::nullopt;
  }
  const std::string& text = entry.value.Scalar();
  return Integer{ParseInteger(text), text};
}

std::optional<int64_t> ReadIntegerInRange(const Entry& entry, int64_t min,
                                          int64_t max, std::string_view unit,
                                          Diagnostics& diagnostics) {
  std::optional<Integer> integer = ReadInteger(entry, diagnostics);
  if (!integer.has_value()) return std::nullopt;
  if (integer->value >= min && integer->value <= max) return integer->value;
  std::string range;
  if (max != kNoUpperBound) {
    range = absl::StrCat("must be between ", min, " and ", max);
  } else if (integer->value < min) {
    range = absl::StrCat("must be at least ", min);
  } else {
    range = absl::StrCat("must be at most ", max);
  }
  if (!unit.empty()) absl::StrAppend(&range, " (", std::string(unit), ")");
  diagnostics.Error(
      entry.value_location,
      absl::StrCat(Where(entry.path), range, ", got ", integer->text));
  return std::nullopt;
}

std::optional<bool> ReadBoolean(const Entry& entry, Diagnostics& diagnostics) {
  if (TypeOf(entry.value) != YamlType::kBoolean) {
    ReportType(entry, "true or false", diagnostics);
    return std::nullopt;
  }
  const std::string& text = entry.value.Scalar();
  return text == "true" || text == "True" || text == "TRUE";
}

std::optional<double> ReadNumberAtLeast(const Entry& entry, double min,
                                        Diagnostics& diagnostics) {
  YamlType type = TypeOf(entry.value);
  if (type != YamlType::kInteger && type != YamlType::kFloat) {
    ReportType(entry, "a number", diagnostics);
    return std::nullopt;
  }
  const std::string& text = entry.value.Scalar();
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
    diagnostics.Error(entry.value_location,
                      absl::StrCat(Where(entry.path),
                                   "must be a finite number, got ", text));
    return std::nullopt;
  }
  if (value < min) {
    diagnostics.Error(entry.value_location,
                      absl::StrCat(Where(entry.path), "must be at least ",
                                   min, ", got ", text));
    return std::nullopt;
  }
  return value;
}

}  // namespace podform
