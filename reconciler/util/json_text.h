#ifndef PODFORM_RECONCILER_UTIL_JSON_TEXT_H_
#define PODFORM_RECONCILER_UTIL_JSON_TEXT_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace podform {

// Parses `text` as one JSON document. On failure, InvalidArgument with
// "line L, column C: WHAT", where a document that stops early (a truncated
// file) says "unexpected end of input" whatever the parser was in the middle
// of, and a number beyond double's range says so.
absl::StatusOr<nlohmann::json> ParseJson(std::string_view text);

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_JSON_TEXT_H_
