#ifndef PODFORM_RECONCILER_PLAN_MOVES_H_
#define PODFORM_RECONCILER_PLAN_MOVES_H_

// `moved:` in podform.yaml, applied to the state before planning, as
// Terraform's moved blocks are: an item whose `from` the state does not
// record is a no-op (it moved already, or never existed).

#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/core/desired.h"
#include "reconciler/plan/plan.h"
#include "reconciler/state/state.h"

namespace podform {

// Renames in `*state` every address that config.moved moves and that the
// state records (a resource or a pending create), with the pods that mount a
// moved volume following it (MoveAddress, state/move.h). Returns the moves
// made, in the order of config.moved. FailedPrecondition
// "FILE:LINE:COL: ..." (the item's position) when the state records both
// an item's `from` and its `to`; `*state` is then unchanged.
absl::StatusOr<std::vector<Move>> ApplyMoves(const Desired& config,
                                             State* state);

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_MOVES_H_
