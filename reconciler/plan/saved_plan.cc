#include "reconciler/plan/saved_plan.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/plan/kind_rules.h"
#include "reconciler/plan/planner.h"

namespace podform {

absl::Status StalePlan(const std::string& why) {
  return absl::AbortedError(
      absl::StrCat("the saved plan is stale: ", why,
                   ". Nothing was changed; run podform plan again"));
}

namespace {

absl::Status NoLongerDeclared(const std::string& key) {
  return absl::AbortedError(absl::StrCat(
      "secret env ", key, " is no longer declared in the configuration"));
}

// OK when `desired` declares each secret env key of change.after as a
// secret, with a value (a digest), at its address; else SecretValuesToSend's
// error for the first key it lacks.
absl::Status SecretsStillDeclared(const Desired& desired,
                                  const Change& change) {
  if (!change.after) return absl::OkStatus();
  const std::set<std::string>* declared = desired.SecretEnvAt(change.address);
  const std::map<std::string, std::string>* digests =
      desired.SecretEnvDigestsAt(change.address);
  for (const std::string& key : change.after->secret_env) {
    if (declared == nullptr || declared->count(key) == 0 ||
        digests->count(key) == 0) {
      return NoLongerDeclared(key);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> SecretValuesToSend(
    const Desired& desired, const SecretValues& secrets, const Change& change) {
  std::map<std::string, std::string> values;
  if (!change.after) return values;
  const std::set<std::string>* declared = desired.SecretEnvAt(change.address);
  const std::map<std::string, std::string>& env = secrets.EnvAt(change.address);
  for (const std::string& key : change.after->secret_env) {
    const std::string* raw = nullptr;
    if (declared != nullptr && declared->count(key) > 0) {
      auto it = env.find(key);
      if (it != env.end()) raw = &it->second;
    }
    if (raw == nullptr) return NoLongerDeclared(key);
    values[key] = *raw;
  }
  return values;
}

namespace {

// The state the plan applies to: the stored one when it is the plan's, a
// new one when there was none then and is none now.
absl::StatusOr<State> StateOfThePlan(const Plan& plan,
                                     absl::StatusOr<State> stored,
                                     const std::string& state_path) {
  if (stored.ok()) {
    if (stored->lineage != plan.lineage) {
      return StalePlan(
          absl::StrCat(state_path, " is another lineage than the plan's"));
    }
    if (stored->serial != plan.serial) {
      return StalePlan(absl::StrCat(state_path, " moved from serial ",
                                    plan.serial, " to ", stored->serial,
                                    " since the plan was made"));
    }
    return *std::move(stored);
  }
  if (stored.status().code() != absl::StatusCode::kNotFound) {
    return stored.status();
  }
  if (plan.serial != 0) {
    return StalePlan(
        absl::StrCat(state_path, " has disappeared since the plan was made"));
  }
  State state;
  state.lineage = plan.lineage;
  return state;
}

}  // namespace

absl::StatusOr<State> CheckSavedPlan(const Plan& plan, const Desired& desired,
                                     absl::StatusOr<State> stored,
                                     const LiveState& live,
                                     const SavedPlanSources& sources) {
  if (desired.digest != plan.config_digest) {
    return StalePlan(absl::StrCat(sources.config_file,
                                  " changed since the plan was made"));
  }
  absl::StatusOr<State> state =
      StateOfThePlan(plan, std::move(stored), sources.state_path);
  if (!state.ok()) return state.status();
  for (const Change& change : plan.changes) {
    if (change.action == Action::kNoOp || change.action == Action::kDelete) {
      continue;
    }
    absl::Status to_send = SecretsStillDeclared(desired, change);
    if (!to_send.ok()) {
      return StalePlan(
          absl::StrCat(change.address.ToString(), ": ", to_send.message()));
    }
  }
  const LiveIndex index(live);
  for (const Change& change : plan.changes) {
    if (change.action == Action::kNoOp || change.id.empty()) continue;
    const auto [now, live_env] =
        plan_internal::RulesFor(change.address.kind)
            .FindLiveNow(change, index);
    if (now != change.live_fingerprint) {
      return StalePlan(absl::StrCat(change.address.ToString(), " (", change.id,
                                    ") changed on RunPod since the plan was "
                                    "made"));
    }
    // The fingerprint covers no secret value: decide again, from the
    // environment and the live pod or endpoint, which secrets change, and
    // refuse a plan whose decision no longer holds.
    if (live_env == nullptr || !change.after.has_value() ||
        desired.EnvAt(change.address) == nullptr) {
      continue;
    }
    const std::vector<std::string> changes = ChangedSecretEnv(
        change.after->secret_env, desired.secret_salt,
        *desired.SecretEnvDigestsAt(change.address), *live_env);
    if (changes != change.secret_env_changes) {
      std::vector<std::string> differ;
      std::set_symmetric_difference(
          changes.begin(), changes.end(), change.secret_env_changes.begin(),
          change.secret_env_changes.end(), std::back_inserter(differ));
      return StalePlan(absl::StrCat(
          change.address.ToString(), ": secret env ",
          absl::StrJoin(differ, ", "),
          " no longer compares with the value RunPod holds as it did when the "
          "plan was made (the environment or the pod changed)"));
    }
  }
  return state;
}

}  // namespace podform
