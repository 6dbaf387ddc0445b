#include "reconciler/client/response_reader.h"

#include "absl/strings/str_cat.h"

namespace podform::wire {

absl::Status Malformed(const std::string& path, const std::string& what) {
  return absl::InternalError(
      absl::StrCat("malformed response from RunPod: ", path, " ", what));
}

std::string Describe(const nlohmann::json& value) {
  return absl::StrCat("is ", value.is_null() ? "null" : value.type_name());
}

absl::StatusOr<const nlohmann::json*> Member(const nlohmann::json& object,
                                             const char* key,
                                             const std::string& path,
                                             bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (!required) return nullptr;
    return Malformed(path + "." + key, "is missing");
  }
  return &*it;
}

}  // namespace podform::wire
