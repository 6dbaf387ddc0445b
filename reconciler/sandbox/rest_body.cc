#include "reconciler/sandbox/rest_body.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;

// JSON Schema's name for what each JsonExpected asks a member to be.
constexpr JsonExpectedWords kSchemaTypes = {"object",  "array",   "string",
                                            "string",  "integer", "number",
                                            "boolean", "array",   "object"};

// RunPod's words for a violation: "PATH: MESSAGE" as in its errors[].
std::string Words(const JsonViolation& v) {
  switch (v.kind) {
    case JsonViolation::Kind::kNotObject:
      return absl::StrCat(v.path, ": expected object, got ",
                          JsonTypeName(*v.found));
    case JsonViolation::Kind::kMissing:
      return absl::StrCat(v.path, ": missing property '", v.key, "'");
    case JsonViolation::Kind::kWrongType:
      // An element of a list or a member of a map is a string.
      return absl::StrCat(
          v.FoundPath(), ": expected ",
          v.item.empty() ? WordFor(kSchemaTypes, v.expected) : "string",
          ", got ", JsonTypeName(*v.found));
    case JsonViolation::Kind::kEmpty:
      return absl::StrCat(v.MemberPath(), ": must not be empty");
    case JsonViolation::Kind::kBelowMinimum:
      return absl::StrCat(v.MemberPath(), ": must be >= ", v.limit);
    case JsonViolation::Kind::kAboveMaximum:
      return absl::StrCat(v.MemberPath(), ": must be <= ", v.limit);
    case JsonViolation::Kind::kUnknown: {
      std::vector<std::string> quoted;
      for (const std::string& key : v.unknown) {
        quoted.push_back(absl::StrCat("'", key, "'"));
      }
      return absl::StrCat(v.path, ": additional properties ",
                          absl::StrJoin(quoted, ", "), " not allowed");
    }
  }
  return v.path;
}

}  // namespace

BodyReader::BodyReader(const json& value, std::string path,
                       std::vector<std::string>* errors)
    : value_(&value),
      path_(path),
      errors_(errors),
      reader_(value, std::move(path), [errors](const JsonViolation& v) {
        errors->push_back(Words(v));
        return absl::OkStatus();
      }) {}

bool BodyReader::IsObject() {
  (void)reader_.RequireObject();
  return reader_.is_object();
}

bool BodyReader::Has(const std::string& key) const {
  return value_->is_object() && value_->contains(key);
}

std::optional<std::string> BodyReader::String(const std::string& key,
                                              bool required, bool non_empty) {
  std::optional<std::string> s;
  JsonReader::Presence presence =
      required ? JsonReader::kRequired : JsonReader::kOptional;
  (void)(non_empty ? reader_.NonEmptyString(key, &s, presence)
                   : reader_.String(key, &s, presence));
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
  std::optional<int64_t> n;
  (void)reader_.Integer(
      key, &n, min, max,
      required ? JsonReader::kRequired : JsonReader::kOptional);
  return n;
}

std::optional<double> BodyReader::Number(const std::string& key,
                                         bool required, double min) {
  std::optional<double> n;
  (void)reader_.Number(
      key, &n, required ? JsonReader::kRequired : JsonReader::kOptional, min);
  return n;
}

std::optional<bool> BodyReader::Bool(const std::string& key) {
  std::optional<bool> b;
  (void)reader_.Bool(key, &b);
  return b;
}

std::optional<std::vector<std::string>> BodyReader::Strings(
    const std::string& key) {
  std::optional<std::vector<std::string>> strings;
  (void)reader_.Strings(key, &strings);
  return strings;
}

std::optional<std::map<std::string, std::string>> BodyReader::StringMap(
    const std::string& key) {
  std::optional<std::map<std::string, std::string>> map;
  (void)reader_.StringMap(key, &map);
  return map;
}

const json* BodyReader::Object(const std::string& key, bool required) {
  const json* object = nullptr;
  (void)reader_.Object(
      key, &object, required ? JsonReader::kRequired : JsonReader::kOptional);
  return object;
}

const json* BodyReader::Array(const std::string& key, bool required) {
  const json* array = nullptr;
  (void)reader_.Array(key, &array,
                      required ? JsonReader::kRequired : JsonReader::kOptional);
  return array;
}

void BodyReader::Finish() { (void)reader_.RefuseUnread(); }

}  // namespace podform::sandbox
