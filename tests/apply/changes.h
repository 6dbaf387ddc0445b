#ifndef PODFORM_TESTS_APPLY_CHANGES_H_
#define PODFORM_TESTS_APPLY_CHANGES_H_

// Plan changes as the applier tests write them.

#include <string>
#include <utility>
#include <vector>

#include "reconciler/plan/plan.h"

namespace podform {

// Creates `after` once `deps` exist.
inline Change Create(const Resource& after, std::vector<Address> deps = {}) {
  Change c;
  c.address = after.address;
  c.action = Action::kCreate;
  c.after = after;
  c.depends_on = std::move(deps);
  return c;
}

// Deletes `before` (RunPod id `id`) once `deps` are gone.
inline Change Delete(const std::string& id, const Resource& before,
                     std::vector<Address> deps = {}) {
  Change c;
  c.address = before.address;
  c.action = Action::kDelete;
  c.id = id;
  c.before = before;
  c.destroy_depends_on = std::move(deps);
  return c;
}

}  // namespace podform

#endif  // PODFORM_TESTS_APPLY_CHANGES_H_
