#ifndef PODFORM_RECONCILER_STATE_MOVE_H_
#define PODFORM_RECONCILER_STATE_MOVE_H_

// Renaming an address in the state (`podform state mv`, `moved:` in
// podform.yaml): the recorded resource keeps its RunPod id and attributes
// under its new address, and nothing is sent to RunPod.

#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/core/model.h"
#include "reconciler/state/state.h"

namespace podform {

// Moves what `state` records at `from` (the resource, its pending create, or
// both) to `to`, with the pods deposed at `from` (State::deposed) unless
// `to` has deposed pods of its own. A pod that mounts a moved volume records the volume by its
// key, so every recorded pod and pending create of a pod that mounts
// volume.FROM is made to mount volume.TO; their addresses are returned,
// sorted. On failure `*state` is unchanged:
//   - InvalidArgument when `from` and `to` are of different kinds, or equal;
//   - NotFound when `state` records nothing at `from`;
//   - AlreadyExists when `state` records a resource or a pending create at
//     `to`.
absl::StatusOr<std::vector<Address>> MoveAddress(const Address& from,
                                                 const Address& to,
                                                 State* state);

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_MOVE_H_
