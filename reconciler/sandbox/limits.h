#ifndef PODFORM_RECONCILER_SANDBOX_LIMITS_H_
#define PODFORM_RECONCILER_SANDBOX_LIMITS_H_

// What one request may cost the sandbox, whichever API it speaks. The
// server refuses a larger body before reading it (its Content-Length); the
// service refuses one again per API, before authentication, so that both
// transports answer alike.

#include <cstddef>
#include <string_view>

namespace podform::sandbox {

// RunPod's REST v2 limit (runpod-rest-v2.md: "Requests larger than 102400
// bytes receive 413 before authentication or processing").
inline constexpr size_t kMaxRestBodyBytes = 102400;
// GraphQL documents: RunPod publishes no limit; podform's largest are a
// few kilobytes.
inline constexpr size_t kMaxGraphqlBodyBytes = 1024 * 1024;
// What the HTTP server reads at most (the larger of the two).
inline constexpr size_t kMaxBodyBytes = kMaxGraphqlBodyBytes;
// Arrays and objects nested in a JSON body, counted together.
inline constexpr int kMaxJsonDepth = 400;

// Whether the JSON text `text` nests arrays and objects deeper than
// `max_depth` (brackets inside strings do not count). Reads the text once
// without parsing it, so that a body nested a million levels deep costs no
// more than its length; the text need not be valid JSON.
bool JsonNestedDeeperThan(std::string_view text, int max_depth);

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_LIMITS_H_
