#ifndef PODFORM_RECONCILER_CORE_SECRET_VALUES_H_
#define PODFORM_RECONCILER_CORE_SECRET_VALUES_H_

// The raw values of the config's secret env (${env:NAME}), kept apart from
// Desired, which marks a secret env key (secret_env) but never holds its
// value (DESIGN.md: "raw secret values travel to the applier alone"). The
// config loader builds both. Only the applier takes it, to send the values
// to RunPod; the planner decides which values changed from Desired's salted
// digests (DesiredPod::secret_env_digests) alone.
//
// Never serialized, rendered, logged or put in a message: nothing in
// podform writes a SecretValues (or anything derived from a value) out.

#include <map>
#include <string>

#include "reconciler/core/model.h"

namespace podform {

struct SecretValues {
  // Address of a pod or endpoint -> secret env key -> raw value. Holds
  // exactly the keys of that resource's secret_env in Desired; an address
  // without a secret env is absent.
  std::map<Address, std::map<std::string, std::string>> env;

  // The raw secret env of the pod or endpoint at `address`; empty when it
  // has none.
  const std::map<std::string, std::string>& EnvAt(
      const Address& address) const {
    static const std::map<std::string, std::string> kNone;
    auto it = env.find(address);
    return it == env.end() ? kNone : it->second;
  }
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_SECRET_VALUES_H_
