#include "reconciler/sandbox/rest_body.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace podform::sandbox {

using nlohmann::json;

std::string JsonTypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "value";
  }
}

BodyReader::BodyReader(const json& value, std::string path,
                       std::vector<std::string>* errors)
    : value_(value), path_(std::move(path)), errors_(errors) {}

bool BodyReader::IsObject() {
  is_object_ = value_.is_object();
  if (!is_object_) {
    Error(path_, absl::StrCat("expected object, got ", JsonTypeName(value_)));
  }
  return is_object_;
}

bool BodyReader::Has(const std::string& key) const {
  return is_object_ && value_.contains(key);
}

const json* BodyReader::Member(const std::string& key, bool required) {
  known_.insert(key);
  if (!is_object_) return nullptr;
  auto it = value_.find(key);
  if (it == value_.end()) {
    if (required) Error(path_, absl::StrCat("missing property '", key, "'"));
    return nullptr;
  }
  return &*it;
}

void BodyReader::WrongType(const std::string& key, const char* expected) {
  Error(Path(key), absl::StrCat("expected ", expected, ", got ",
                                JsonTypeName(value_.at(key))));
}

std::optional<std::string> BodyReader::String(const std::string& key,
                                              bool required, bool non_empty) {
  const json* v = Member(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    WrongType(key, "string");
    return std::nullopt;
  }
  std::string s = v->get<std::string>();
  if (non_empty && s.empty()) {
    Error(Path(key), "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> BodyReader::Enum(
    const std::string& key, const std::vector<std::string>& values,
    bool required) {
  std::optional<std::string> s = String(key, required);
  if (!s.has_value()) return std::nullopt;
  for (const std::string& v : values) {
    if (v == *s) return s;
  }
  Error(Path(key), absl::StrCat("must be one of ", absl::StrJoin(values, ", ")));
  return std::nullopt;
}

std::optional<int64_t> BodyReader::Integer(const std::string& key,
                                           bool required, int64_t min,
                                           int64_t max) {
  const json* v = Member(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) {
    WrongType(key, "integer");
    return std::nullopt;
  }
  if (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t{INT64_MAX}) {
    Error(Path(key), absl::StrCat("must be <= ", max));
    return std::nullopt;
  }
  int64_t n = v->get<int64_t>();
  if (n < min) {
    Error(Path(key), absl::StrCat("must be >= ", min));
    return std::nullopt;
  }
  if (n > max) {
    Error(Path(key), absl::StrCat("must be <= ", max));
    return std::nullopt;
  }
  return n;
}

std::optional<double> BodyReader::Number(const std::string& key,
                                         bool required, double min) {
  const json* v = Member(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) {
    WrongType(key, "number");
    return std::nullopt;
  }
  double n = v->get<double>();
  if (n < min) {
    Error(Path(key), absl::StrCat("must be >= ", min));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> BodyReader::Bool(const std::string& key) {
  const json* v = Member(key, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    WrongType(key, "boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::vector<std::string>> BodyReader::Strings(
    const std::string& key) {
  const json* v = Member(key, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    WrongType(key, "array");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    if (!item.is_string()) {
      Error(absl::StrCat(Path(key), "[", i, "]"),
            absl::StrCat("expected string, got ", JsonTypeName(item)));
      ok = false;
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> BodyReader::StringMap(
    const std::string& key) {
  const json* v = Member(key, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    WrongType(key, "object");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  bool ok = true;
  for (const auto& [name, item] : v->items()) {
    if (!item.is_string()) {
      Error(absl::StrCat(Path(key), ".", name),
            absl::StrCat("expected string, got ", JsonTypeName(item)));
      ok = false;
      continue;
    }
    out[name] = item.get<std::string>();
  }
  if (!ok) return std::nullopt;
  return out;
}

const json* BodyReader::Object(const std::string& key, bool required) {
  const json* v = Member(key, required);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    WrongType(key, "object");
    return nullptr;
  }
  return v;
}

const json* BodyReader::Array(const std::string& key, bool required) {
  const json* v = Member(key, required);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    WrongType(key, "array");
    return nullptr;
  }
  return v;
}

void BodyReader::Finish() {
  if (!is_object_) return;
  std::vector<std::string> unknown;
  for (const auto& [key, value] : value_.items()) {
    if (known_.count(key) == 0) unknown.push_back(absl::StrCat("'", key, "'"));
  }
  if (!unknown.empty()) {
    Error(path_, absl::StrCat("additional properties ",
                              absl::StrJoin(unknown, ", "), " not allowed"));
  }
}

}  // namespace podform::sandbox
