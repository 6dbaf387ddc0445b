#include "reconciler/graphql/values.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "reconciler/graphql/lexer.h"
#include "reconciler/graphql/messages.h"

namespace podform::graphql {
namespace {

using json = nlohmann::json;
using Kind = ast::Value::Kind;

constexpr int64_t kMinInt = std::numeric_limits<int32_t>::min();
constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();

// Parses an Int literal's text; false if it does not fit in 32 bits.
bool ParseInt32(const std::string& text, int64_t* out) {
  if (text.size() > 12) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) return false;
  if (v < kMinInt || v > kMaxInt) return false;
  *out = v;
  return true;
}

double ParseDouble(const std::string& text) {
  return std::strtod(text.c_str(), nullptr);
}

std::string EnumSuggestions(const TypeDef& type, std::string_view input) {
  return DidYouMean(SuggestionList(input, type.enum_values), "the enum value");
}

// graphql-js valueFromASTUntyped(), for custom scalars.
std::optional<json> Untyped(const ast::Value& value, const json* variables,
                            int depth) {
  if (depth > kMaxValueDepth) return std::nullopt;
  switch (value.kind) {
    case Kind::kVariable:
      if (variables == nullptr || !variables->contains(value.text)) {
        return std::nullopt;
      }
      return (*variables)[value.text];
    case Kind::kInt: {
      int64_t v;
      if (ParseInt32(value.text, &v)) return json(v);
      return json(ParseDouble(value.text));
    }
    case Kind::kFloat:
      return json(ParseDouble(value.text));
    case Kind::kString:
    case Kind::kEnum:
      return json(value.text);
    case Kind::kBoolean:
      return json(value.boolean);
    case Kind::kNull:
      return json(nullptr);
    case Kind::kList: {
      json out = json::array();
      for (const ast::Value& item : value.list) {
        auto v = Untyped(item, variables, depth + 1);
        out.push_back(v ? std::move(*v) : json(nullptr));
      }
      return out;
    }
    case Kind::kObject: {
      json out = json::object();
      for (const ast::ObjectField& field : value.fields) {
        auto v = Untyped(field.value, variables, depth + 1);
        if (v) out[field.name] = std::move(*v);
      }
      return out;
    }
  }
  return std::nullopt;
}

bool IsMissingVariable(const ast::Value& value, const json* variables) {
  return value.kind == Kind::kVariable &&
         (variables == nullptr || !variables->contains(value.text));
}

// Whether `v` nests deeper than `limit` levels (stops early).
bool TooDeep(const json& v, int limit) {
  if (limit < 0) return true;
  if (v.is_array() || v.is_object()) {
    for (const json& item : v) {
      if (TooDeep(item, limit - 1)) return true;
    }
  }
  return false;
}

// Whether `v` can be output as is: nested at most `limit` levels, with
// valid UTF-8 in every string and key.
bool Outputtable(const json& v, int limit) {
  if (limit < 0) return false;
  if (v.is_string())
    return IsValidUtf8(v.get_ref<const std::string&>(), nullptr);
  if (v.is_array()) {
    for (const json& item : v) {
      if (!Outputtable(item, limit - 1)) return false;
    }
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!IsValidUtf8(it.key(), nullptr) ||
          !Outputtable(it.value(), limit - 1)) {
        return false;
      }
    }
  }
  return true;
}

// JavaScript's Number(string), closely enough: NaN when not a number.
double JsNumber(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  const std::string t = s.substr(b, e - b);
  if (t.empty()) return 0;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(t.c_str() + 2, &end, 16);
    return *end == '\0' ? static_cast<double>(v) : std::nan("");
  }
  if (t == "Infinity" || t == "+Infinity") return HUGE_VAL;
  if (t == "-Infinity") return -HUGE_VAL;
  for (char c : t) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' ||
          c == 'E' || c == '+' || c == '-')) {
      return std::nan("");
    }
  }
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  return *end == '\0' ? v : std::nan("");
}

bool IsInteger(double d) { return std::isfinite(d) && std::trunc(d) == d; }

}  // namespace

std::optional<std::string> CheckLeafLiteral(const TypeDef& type,
                                            const ast::Value& value) {
  if (value.kind == Kind::kVariable) return std::nullopt;
  if (type.kind == TypeKind::kEnum) {
    const std::string printed = PrintValue(value);
    if (value.kind != Kind::kEnum) {
      return "Enum \"" + type.name +
             "\" cannot represent non-enum value: " + printed + "." +
             EnumSuggestions(type, printed);
    }
    if (!type.HasEnumValue(value.text)) {
      return "Value \"" + printed + "\" does not exist in \"" + type.name +
             "\" enum." + EnumSuggestions(type, printed);
    }
    return std::nullopt;
  }
  if (type.name == "Int") {
    if (value.kind != Kind::kInt) {
      return "Int cannot represent non-integer value: " + PrintValue(value);
    }
    int64_t v;
    if (!ParseInt32(value.text, &v)) {
      return "Int cannot represent non 32-bit signed integer value: " +
             value.text;
    }
  } else if (type.name == "Float") {
    if ((value.kind != Kind::kInt && value.kind != Kind::kFloat) ||
        !std::isfinite(ParseDouble(value.text))) {
      return "Float cannot represent non numeric value: " + PrintValue(value);
    }
  } else if (type.name == "String") {
    if (value.kind != Kind::kString) {
      return "String cannot represent a non string value: " + PrintValue(value);
    }
  } else if (type.name == "Boolean") {
    if (value.kind != Kind::kBoolean) {
      return "Boolean cannot represent a non boolean value: " +
             PrintValue(value);
    }
  } else if (type.name == "ID") {
    if (value.kind != Kind::kString && value.kind != Kind::kInt) {
      return "ID cannot represent a non-string and non-integer value: " +
             PrintValue(value);
    }
  }
  return std::nullopt;
}

std::optional<json> ValueFromLiteral(const Schema& schema,
                                     const ast::Value& value,
                                     const TypeRef& type, const json* variables,
                                     int depth) {
  if (depth > kMaxValueDepth) return std::nullopt;
  if (value.kind == Kind::kVariable) {
    if (variables == nullptr || !variables->contains(value.text)) {
      return std::nullopt;
    }
    const json& v = (*variables)[value.text];
    if (v.is_null() && type.IsNonNull()) return std::nullopt;
    return v;
  }
  if (type.IsNonNull()) {
    if (value.kind == Kind::kNull) return std::nullopt;
    return ValueFromLiteral(schema, value, *type.of, variables, depth);
  }
  if (value.kind == Kind::kNull) return json(nullptr);
  if (type.IsList()) {
    const TypeRef& item_type = *type.of;
    if (value.kind == Kind::kList) {
      json out = json::array();
      for (const ast::Value& item : value.list) {
        if (IsMissingVariable(item, variables)) {
          if (item_type.IsNonNull()) return std::nullopt;
          out.push_back(nullptr);
          continue;
        }
        auto v =
            ValueFromLiteral(schema, item, item_type, variables, depth + 1);
        if (!v) return std::nullopt;
        out.push_back(std::move(*v));
      }
      return out;
    }
    auto v = ValueFromLiteral(schema, value, item_type, variables, depth + 1);
    if (!v) return std::nullopt;
    json out = json::array();
    out.push_back(std::move(*v));
    return out;
  }
  const TypeDef* def = schema.FindType(type.name);
  if (def == nullptr) return std::nullopt;
  if (def->kind == TypeKind::kInputObject) {
    if (value.kind != Kind::kObject) return std::nullopt;
    json out = json::object();
    for (const InputValue& field : def->input_fields) {
      const ast::ObjectField* node = nullptr;
      for (const ast::ObjectField& f : value.fields) {
        if (f.name == field.name) {
          node = &f;
          break;
        }
      }
      if (node == nullptr || IsMissingVariable(node->value, variables)) {
        if (field.default_value) {
          out[field.name] = *field.default_value;
        } else if (field.type.IsNonNull()) {
          return std::nullopt;
        }
        continue;
      }
      auto v = ValueFromLiteral(schema, node->value, field.type, variables,
                                depth + 1);
      if (!v) return std::nullopt;
      out[field.name] = std::move(*v);
    }
    for (const ast::ObjectField& f : value.fields) {
      if (def->FindInputField(f.name) == nullptr) return std::nullopt;
    }
    return out;
  }
  if (def->kind == TypeKind::kObject) return std::nullopt;
  if (CheckLeafLiteral(*def, value)) return std::nullopt;
  if (def->kind == TypeKind::kEnum) return json(value.text);
  if (def->name == "Int") {
    int64_t v = 0;
    ParseInt32(value.text, &v);
    return json(v);
  }
  if (def->name == "Float") return json(ParseDouble(value.text));
  if (def->name == "String" || def->name == "ID") return json(value.text);
  if (def->name == "Boolean") return json(value.boolean);
  return Untyped(value, variables, depth);
}

json CoerceInputValue(const Schema& schema, const json& value,
                      const TypeRef& type, const InputErrorFn& on_error,
                      const std::string& path, int depth) {
  if (depth > kMaxValueDepth) {
    on_error(path, value,
             "Value is nested more than " + std::to_string(kMaxValueDepth) +
                 " levels deep.");
    return nullptr;
  }
  if (type.IsNonNull()) {
    if (!value.is_null()) {
      return CoerceInputValue(schema, value, *type.of, on_error, path, depth);
    }
    on_error(path, value,
             "Expected non-nullable type \"" + type.ToString() +
                 "\" not to be null.");
    return nullptr;
  }
  if (value.is_null()) return nullptr;
  if (type.IsList()) {
    if (value.is_array()) {
      json out = json::array();
      for (size_t i = 0; i < value.size(); ++i) {
        out.push_back(CoerceInputValue(schema, value[i], *type.of, on_error,
                                       path + "[" + std::to_string(i) + "]",
                                       depth + 1));
      }
      return out;
    }
    json out = json::array();
    out.push_back(
        CoerceInputValue(schema, value, *type.of, on_error, path, depth + 1));
    return out;
  }
  const TypeDef* def = schema.FindType(type.name);
  if (def == nullptr) {
    on_error(path, value, "Unknown type \"" + type.name + "\".");
    return nullptr;
  }
  if (def->kind == TypeKind::kInputObject) {
    if (!value.is_object()) {
      on_error(path, value,
               "Expected type \"" + def->name + "\" to be an object.");
      return nullptr;
    }
    json out = json::object();
    for (const InputValue& field : def->input_fields) {
      const auto it = value.find(field.name);
      if (it == value.end()) {
        if (field.default_value) {
          out[field.name] = *field.default_value;
        } else if (field.type.IsNonNull()) {
          on_error(path, value,
                   "Field \"" + field.name + "\" of required type \"" +
                       field.type.ToString() + "\" was not provided.");
        }
        continue;
      }
      out[field.name] = CoerceInputValue(schema, *it, field.type, on_error,
                                         path + "." + field.name, depth + 1);
    }
    std::vector<std::string> names;
    for (const InputValue& field : def->input_fields)
      names.push_back(field.name);
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (def->FindInputField(it.key()) == nullptr) {
        on_error(path, value,
                 "Field \"" + it.key() + "\" is not defined by type \"" +
                     def->name + "\"." +
                     DidYouMean(SuggestionList(it.key(), names)));
      }
    }
    return out;
  }
  if (def->kind == TypeKind::kEnum) {
    if (!value.is_string()) {
      const std::string printed = Inspect(value);
      on_error(path, value,
               "Enum \"" + def->name +
                   "\" cannot represent non-string value: " + printed + "." +
                   EnumSuggestions(*def, printed));
      return nullptr;
    }
    const std::string& s = value.get_ref<const std::string&>();
    if (!def->HasEnumValue(s)) {
      on_error(path, value,
               "Value \"" + s + "\" does not exist in \"" + def->name +
                   "\" enum." + EnumSuggestions(*def, s));
      return nullptr;
    }
    return value;
  }
  if (def->name == "Int") {
    if (!value.is_number() || !IsInteger(value.get<double>())) {
      on_error(path, value,
               "Int cannot represent non-integer value: " + Inspect(value));
      return nullptr;
    }
    const double d = value.get<double>();
    if (d < kMinInt || d > kMaxInt) {
      on_error(path, value,
               "Int cannot represent non 32-bit signed integer value: " +
                   Inspect(value));
      return nullptr;
    }
    return json(static_cast<int64_t>(d));
  }
  if (def->name == "Float") {
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      on_error(path, value,
               "Float cannot represent non numeric value: " + Inspect(value));
      return nullptr;
    }
    return json(value.get<double>());
  }
  if (def->name == "String") {
    if (!value.is_string()) {
      on_error(path, value,
               "String cannot represent a non string value: " + Inspect(value));
      return nullptr;
    }
    return value;
  }
  if (def->name == "Boolean") {
    if (!value.is_boolean()) {
      on_error(
          path, value,
          "Boolean cannot represent a non boolean value: " + Inspect(value));
      return nullptr;
    }
    return value;
  }
  if (def->name == "ID") {
    if (value.is_string()) return value;
    if (value.is_number() && IsInteger(value.get<double>())) {
      return json(Inspect(value));
    }
    on_error(path, value, "ID cannot represent value: " + Inspect(value));
    return nullptr;
  }
  if (def->kind == TypeKind::kObject) {
    on_error(path, value, "Expected type \"" + def->name + "\".");
    return nullptr;
  }
  if (TooDeep(value, kMaxValueDepth - depth)) {
    on_error(path, value,
             "Value is nested more than " + std::to_string(kMaxValueDepth) +
                 " levels deep.");
    return nullptr;
  }
  return value;  // custom scalar
}

bool SerializeLeaf(const TypeDef& type, const json& value,
                   nlohmann::ordered_json* out, std::string* error) {
  if (type.kind == TypeKind::kEnum) {
    if (value.is_string() &&
        type.HasEnumValue(value.get_ref<const std::string&>())) {
      *out = value.get_ref<const std::string&>();
      return true;
    }
    *error =
        "Enum \"" + type.name + "\" cannot represent value: " + Inspect(value);
    return false;
  }
  const std::string& name = type.name;
  if (name == "Int" || name == "Float") {
    double d;
    if (value.is_boolean()) {
      d = value.get<bool>() ? 1 : 0;
    } else if (value.is_string() &&
               !value.get_ref<const std::string&>().empty()) {
      d = JsNumber(value.get_ref<const std::string&>());
    } else if (value.is_number()) {
      if (name == "Int" && value.is_number_integer()) {
        const auto v = value.is_number_unsigned()
                           ? static_cast<double>(value.get<uint64_t>())
                           : static_cast<double>(value.get<int64_t>());
        if (v < kMinInt || v > kMaxInt) {
          *error = "Int cannot represent non 32-bit signed integer value: " +
                   Inspect(value);
          return false;
        }
        *out = value.get<int64_t>();
        return true;
      }
      d = value.get<double>();
    } else {
      d = std::nan("");
    }
    if (name == "Int") {
      if (!IsInteger(d)) {
        *error = "Int cannot represent non-integer value: " + Inspect(value);
        return false;
      }
      if (d < kMinInt || d > kMaxInt) {
        *error = "Int cannot represent non 32-bit signed integer value: " +
                 Inspect(value);
        return false;
      }
      *out = static_cast<int64_t>(d);
      return true;
    }
    if (!std::isfinite(d)) {
      *error = "Float cannot represent non numeric value: " + Inspect(value);
      return false;
    }
    if (value.is_number_integer()) {
      *out = value;
    } else {
      *out = d;
    }
    return true;
  }
  if (name == "String" || name == "ID") {
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      if (!IsValidUtf8(s, nullptr)) {
        *error = name + " cannot represent a value that is not valid UTF-8";
        return false;
      }
      *out = s;
      return true;
    }
    if (name == "String" && value.is_boolean()) {
      *out = value.get<bool>() ? "true" : "false";
      return true;
    }
    if (value.is_number() &&
        (name == "String" ? std::isfinite(value.get<double>())
                          : IsInteger(value.get<double>()))) {
      *out = Inspect(value);
      return true;
    }
    *error = name + " cannot represent value: " + Inspect(value);
    return false;
  }
  if (name == "Boolean") {
    if (value.is_boolean()) {
      *out = value.get<bool>();
      return true;
    }
    if (value.is_number() && std::isfinite(value.get<double>())) {
      *out = value.get<double>() != 0;
      return true;
    }
    *error = "Boolean cannot represent a non boolean value: " + Inspect(value);
    return false;
  }
  if (!Outputtable(value, kMaxValueDepth)) {
    *error = name + " cannot represent a value nested more than " +
             std::to_string(kMaxValueDepth) +
             " levels deep or holding invalid UTF-8";
    return false;
  }
  *out = nlohmann::ordered_json(value);  // custom scalar: as is
  return true;
}

}  // namespace podform::graphql
