#ifndef PODFORM_RECONCILER_CLIENT_RESPONSE_READER_H_
#define PODFORM_RECONCILER_CLIENT_RESPONSE_READER_H_

// What both wire formats (wire.cc for GraphQL, rest_wire.cc for REST v2)
// need to read RunPod's answers and to say exactly where one is malformed.

#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "reconciler/util/json_reader.h"

namespace podform::wire {

// Internal: "malformed response from RunPod: PATH WHAT".
absl::Status Malformed(const std::string& path, const std::string& what);

// "is null", "is string", ...: what `value` is, for Malformed.
std::string Describe(const nlohmann::json& value);

// A fail-fast reader of `object` (which must outlive it), found at `path`
// of RunPod's answer; a null member is a value. Its errors are Malformed:
// "PATH.KEY is missing", "PATH.KEY is string, expected an integer",
// "PATH.KEY is empty", "PATH.KEY is out of range".
JsonReader ResponseReader(const nlohmann::json& object,
                          const std::string& path);

}  // namespace podform::wire

#endif  // PODFORM_RECONCILER_CLIENT_RESPONSE_READER_H_
