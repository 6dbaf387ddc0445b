#include "reconciler/client/response_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace podform::wire {
namespace {

constexpr JsonExpectedWords kExpected = {
    "an object", "a list",    "a string", "a non-empty string", "an integer",
    "a number",  "a boolean", "a list",   "an object"};

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
          absl::StrCat(
              Describe(*v.found), ", expected ",
              v.item.empty() ? WordFor(kExpected, v.expected) : "a string"));
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
