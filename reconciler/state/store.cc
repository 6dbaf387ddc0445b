#include "reconciler/state/store.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "reconciler/state/serialize.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

absl::Status CheckNoSecrets(const State& state) {
  std::vector<std::pair<Address, const Resource*>> resources;
  for (const auto& [address, recorded] : state.resources) {
    resources.push_back({address, &recorded.resource});
  }
  for (const auto& [address, intent] : state.intents) {
    if (intent.resource.has_value()) {
      resources.push_back({address, &*intent.resource});
    }
  }
  for (const auto& [address, resource] : resources) {
    const Resource& r = *resource;
    for (const std::string& key : r.secret_env) {
      auto it = r.pod.env.find(key);
      if (it != r.pod.env.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            address.ToString(), ": env ", key,
            " is a secret but has a value; refusing to write a secret to the "
            "lock file"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> CheckWrite(const absl::StatusOr<State>& stored,
                                   const State& state, const std::string& name,
                                   int64_t own_serial) {
  if (state.lineage.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write ", name, ": the state has no lineage"));
  }
  if (absl::Status s = CheckNoSecrets(state); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write ", name, ": ", s.message()));
  }
  int64_t serial = state.serial + 1;
  if (stored.ok()) {
    if (stored->lineage != state.lineage) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, " belongs to lineage ", stored->lineage,
                       ", not this run's lineage ", state.lineage,
                       "; refusing to overwrite another lock file"));
    }
    if (stored->serial > state.serial) {
      if (stored->serial != own_serial) {
        return absl::AbortedError(absl::StrCat(
            name, " was written by another run since this one read it (serial ",
            stored->serial, ", this run has ", state.serial,
            "); refusing to overwrite it: run the command again"));
      }
      serial = stored->serial + 1;
    }
  } else if (!absl::IsNotFound(stored.status())) {
    absl::Status error = stored.status();
    if (absl::IsInvalidArgument(error) || absl::IsFailedPrecondition(error)) {
      return absl::Status(error.code(), absl::StrCat(error.message(),
                                                     "; refusing to overwrite "
                                                     "it"));
    }
    return error;
  }
  return serial;
}

absl::StatusOr<PreparedWrite> PrepareWrite(const absl::StatusOr<State>& stored,
                                           const State& state,
                                           const std::string& name,
                                           int64_t own_serial,
                                           StateSerializer& serializer) {
  PreparedWrite out;
  ASSIGN_OR_RETURN(out.serial, CheckWrite(stored, state, name, own_serial));
  out.bytes = serializer.Serialize(state, out.serial);
  return out;
}

}  // namespace podform
