#ifndef PODFORM_RECONCILER_PLAN_STEPS_H_
#define PODFORM_RECONCILER_PLAN_STEPS_H_

// How a plan's changes break into the units apply executes, and the order
// among them (see Change::depends_on and Change::destroy_depends_on).

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/plan/plan.h"

namespace podform {

enum class Phase {
  kDestroy,  // delete; the delete/terminate half of replace
  kCreate,   // create, update, stop, resume; the create half of replace
};

struct Step {
  size_t change = 0;  // index into the changes passed to ExecutionSteps
  Phase phase = Phase::kCreate;
  // Indices into the returned vector of the steps that must be done before
  // this one; always smaller than this step's own index.
  std::vector<size_t> after;
};

// The steps of `changes` (no-ops have none; replace has two) in a
// deterministic topological order: whenever several steps are ready, destroy
// phases come first (pods and endpoints before volumes), then create phases
// (volumes before pods and endpoints), then by address. Edges: a replace's create phase after its
// destroy phase, or for a create-first replace its destroy phase after its
// create phase and its create phase after the termination of each deposed
// pod of its address; a change's create phase after every step of the
// change of each address in its depends_on; its destroy phase after the
// destroy phase of the change, and of the deposed pods' terminations, of
// each address in its destroy_depends_on, or after the create phase of an
// update there (an endpoint updated to stop mounting the volume that
// goes). Dependencies on no-ops, or on a phase a change
// does not have, impose nothing. Running the steps one by one in the
// returned order is a valid sequential apply; steps whose `after` are done
// may run in parallel.
// InvalidArgument when a dependency names an address that has no change, an
// address appears twice (deposed pods' terminations aside, each of which
// must be a delete, once per id), or the dependencies form a cycle (only a damaged or
// hand-made plan does that; MakePlan never does).
absl::StatusOr<std::vector<Step>> ExecutionSteps(
    const std::vector<Change>& changes);

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_STEPS_H_
