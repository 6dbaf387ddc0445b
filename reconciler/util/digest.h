#ifndef PODFORM_RECONCILER_UTIL_DIGEST_H_
#define PODFORM_RECONCILER_UTIL_DIGEST_H_

#include <string>
#include <string_view>

namespace podform {

// The SHA-256 of `bytes` as 64 lowercase hex digits: the config's digest,
// a plan file's checksum, a live resource's fingerprint.
std::string Sha256Hex(std::string_view bytes);

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_DIGEST_H_
