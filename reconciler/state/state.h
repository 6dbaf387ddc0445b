#ifndef PODFORM_RECONCILER_STATE_STATE_H_
#define PODFORM_RECONCILER_STATE_STATE_H_

// What podform has created and manages: the contents of podform.lock.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reconciler/core/resource.h"
#include "reconciler/core/target.h"

namespace podform {

// A managed resource as recorded after its last applied step.
struct ResourceState {
  std::string id;     // RunPod id
  Resource resource;  // recorded attributes; secret env values are digests

  bool operator==(const ResourceState&) const = default;
};

// A create that apply will send or has sent, whose outcome is not yet
// recorded. Written for every create of an apply before its first request,
// removed when the id is recorded or the create certainly did not happen;
// a run that finds one looks for the resource live before doing anything
// else.
struct CreateIntent {
  Address address;
  std::string name;         // RunPod name sent in the create
  std::string data_center;  // may be empty for pods without a volume
  std::string started_at;   // RFC 3339 UTC
  // Unmanaged live resources of the same kind and name that existed when
  // the plan was made: the create did not make them, so a later run never
  // adopts them for this address.
  std::vector<std::string> preexisting_ids = {};
  // What the config declared for the address when the create was sent, in
  // the form the state records (secret env values as digests): what the
  // resource is recorded with when a later run adopts it, whatever the
  // config says by then. nullopt only in lock files of older podforms.
  std::optional<Resource> resource = std::nullopt;

  bool operator==(const CreateIntent&) const = default;
};

struct State {
  static constexpr int kVersion = 1;

  std::string lineage;  // uuid; fixed for the life of the lock file
  int64_t serial = 0;   // +1 on every write
  // Where the state belongs (core/target.h); empty in a lock file of an
  // older podform until the next write records it.
  Target target;
  std::map<Address, ResourceState> resources;
  std::map<Address, CreateIntent> intents;
  // Pods that a create-before-destroy replacement replaced and has not yet
  // terminated (Terraform calls them "deposed"): still on RunPod and still
  // billed, no longer what the address stands for. Recorded in the same
  // write as the new pod, removed once terminated; the next plan
  // terminates each one left behind. Per address, sorted by id, each id
  // once; an address with none has no entry. Only pods.
  std::map<Address, std::vector<ResourceState>> deposed;

  const ResourceState* Find(const Address& address) const;
  // Whether `id` is recorded under any address, deposed pods included.
  bool Records(const std::string& id) const;

  // Moves the resource recorded at `address` (a pod) to the address's
  // deposed pods; nothing when none is recorded or its id is empty.
  void Depose(const Address& address);
  // Removes the deposed pod `id` of `address`; false when there is none.
  bool RemoveDeposed(const Address& address, const std::string& id);

  bool operator==(const State&) const = default;
};

// A fresh lineage for a new lock file: a random UUID (version 4) in
// canonical lowercase form, "xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx".
std::string NewLineage();

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_STATE_H_
