#ifndef PODFORM_RECONCILER_CLIENT_RESPONSE_READER_H_
#define PODFORM_RECONCILER_CLIENT_RESPONSE_READER_H_

// What both wire formats (wire.cc for GraphQL, rest_wire.cc for REST v2)
// need to read RunPod's answers and to say exactly where one is malformed.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace podform::wire {

// Internal: "malformed response from RunPod: PATH WHAT".
absl::Status Malformed(const std::string& path, const std::string& what);

// "is null", "is string", ...: what `value` is, for Malformed.
std::string Describe(const nlohmann::json& value);

// object[key]. When absent: Malformed "PATH.KEY is missing" if `required`,
// else nullptr.
absl::StatusOr<const nlohmann::json*> Member(const nlohmann::json& object,
                                             const char* key,
                                             const std::string& path,
                                             bool required = true);

}  // namespace podform::wire

#endif  // PODFORM_RECONCILER_CLIENT_RESPONSE_READER_H_
