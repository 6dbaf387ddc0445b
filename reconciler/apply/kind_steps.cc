#include "reconciler/apply/kind_steps.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace podform::apply_internal {

absl::StatusOr<std::string> KindSteps::SetRunning(const Change& change,
                                                  bool running,
                                                  StepOps& ops) const {
  return absl::InternalError(absl::StrCat(change.address.ToString(), ": ",
                                          KindName(kind()),
                                          "s are never stopped or resumed"));
}

bool KindSteps::StartsPod(const Change& change, Phase phase) const {
  return false;
}

bool KindSteps::AdoptionDeposes() const { return false; }

const std::vector<const KindSteps*>& ApplyKinds() {
  static const std::vector<const KindSteps*> kinds = {
      &VolumeSteps(), &PodSteps(), &EndpointSteps()};
  return kinds;
}

const KindSteps& StepsFor(Kind kind) {
  for (const KindSteps* steps : ApplyKinds()) {
    if (steps->kind() == kind) return *steps;
  }
  std::abort();  // ApplyKinds() lists every Kind (kind_steps_test.cc)
}

std::string DeposedByCreate(const Change& change) {
  return change.action == Action::kReplace &&
                 change.replace_order == ReplaceOrder::kCreateFirst
             ? change.id
             : std::string();
}

}  // namespace podform::apply_internal
