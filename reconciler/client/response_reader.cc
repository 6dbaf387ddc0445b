#include "reconciler/client/response_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace podform::wire {
namespace {

const char* Expected(JsonExpected expected) {
  switch (expected) {
    case JsonExpected::kString:
      return "a string";
    case JsonExpected::kNonEmptyString:
      return "a non-empty string";
    case JsonExpected::kInteger:
      return "an integer";
    case JsonExpected::kNumber:
      return "a number";
    case JsonExpected::kBool:
      return "a boolean";
    case JsonExpected::kStrings:
    case JsonExpected::kArray:
      return "a list";
    case JsonExpected::kObject:
    case JsonExpected::kStringMap:
      return "an object";
  }
  return "a value";
}

absl::Status Words(const JsonViolation& v) {
  switch (v.kind) {
    case JsonViolation::Kind::kNotObject:
      return Malformed(v.path, Describe(*v.found) + ", expected an object");
    case JsonViolation::Kind::kMissing:
      return Malformed(v.MemberPath(), "is missing");
    case JsonViolation::Kind::kWrongType:
      // An element of a list or a member of a map is a string.
      return Malformed(
          v.FoundPath(),
          absl::StrCat(Describe(*v.found), ", expected ",
                       v.item.empty() ? Expected(v.expected) : "a string"));
    case JsonViolation::Kind::kEmpty:
      return Malformed(v.MemberPath(), "is empty");
    case JsonViolation::Kind::kBelowMinimum:
    case JsonViolation::Kind::kAboveMaximum:
      return Malformed(v.MemberPath(), "is out of range");
    case JsonViolation::Kind::kUnknown:
      return Malformed(v.path, absl::StrCat("has unknown members ",
                                            absl::StrJoin(v.unknown, ", ")));
  }
  return Malformed(v.path, "is malformed");
}

}  // namespace

absl::Status Malformed(const std::string& path, const std::string& what) {
  return absl::InternalError(
      absl::StrCat("malformed response from RunPod: ", path, " ", what));
}

std::string Describe(const nlohmann::json& value) {
  return absl::StrCat("is ", value.is_null() ? "null" : value.type_name());
}

JsonReader ResponseReader(const nlohmann::json& object,
                          const std::string& path) {
  return JsonReader(object, path, Words);
}

}  // namespace podform::wire
