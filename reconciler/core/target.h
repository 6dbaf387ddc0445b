#ifndef PODFORM_RECONCILER_CORE_TARGET_H_
#define PODFORM_RECONCILER_CORE_TARGET_H_

// Where a lock file or a saved plan belongs: the API endpoint it was made
// against and, where RunPod tells it, the account. A state or plan used
// against another target is refused (CheckSameTarget), so that a plan
// reviewed on the sandbox is never applied to a real account, and a lock
// file written against one account never calls another's resources
// "deleted outside podform".

#include <string>

#include "absl/status/status.h"

namespace podform {

struct Target {
  // NormalizeEndpoint() of the URL requests went to, or SandboxEndpoint()
  // of the in-process sandbox's data file. "" = unknown (a lock file
  // written before podform recorded it).
  std::string endpoint;
  // The account id RunPod reports (GraphQL `myself { id }`); "" when the
  // API does not tell it.
  std::string account;

  bool operator==(const Target&) const = default;
  bool empty() const { return endpoint.empty() && account.empty(); }
  // "account user_x at https://api.runpod.io/graphql", or
  // "https://api.runpod.io/graphql" when the account is unknown.
  std::string ToString() const;
};

// `url` with its scheme and host in lowercase, the scheme's default port
// (:443 for https, :80 for http) removed, and a trailing "/" of the path
// removed; user info, query and fragment are dropped. Text that is not a
// URL is returned unchanged.
std::string NormalizeEndpoint(const std::string& url);

// The endpoint of the in-process sandbox persisted to `data_path`:
// "sandbox:" and the absolute, normalized path of the data file.
std::string SandboxEndpoint(const std::string& data_path);

// The one rule for whether a state or plan file that records `recorded`
// may be used against `current`. OK when `recorded` is empty (an old lock
// file: the caller records `current` on its next write). When both name
// an account, the account decides (an endpoint may have several URLs, a
// sandbox server a new port); otherwise the endpoints must be equal, but
// for a last path segment "/v2" or "/graphql": REST v2 and GraphQL are two
// APIs of one RunPod service.
// FailedPrecondition naming both targets otherwise: "WHAT belongs to
// RECORDED, but this run talks to CURRENT; ...".
absl::Status CheckSameTarget(const Target& recorded, const Target& current,
                             const std::string& what);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_TARGET_H_
