// A serverless endpoint's apply steps: created, updated and deleted through
// the provider's endpoint calls with its volumes' ids and data centers
// filled in; recognised after an interrupted create by its name.

#include "absl/strings/str_cat.h"
#include "reconciler/apply/kind_steps.h"
#include "reconciler/util/status_macros.h"

namespace podform::apply_internal {
namespace {

// change.after's endpoint with its volumes' ids and data centers (in the
// order of its volume keys, from their records in the state) and the raw
// secret values filled in; FailedPrecondition when a volume has no id yet.
absl::StatusOr<EndpointSpec> EndpointToSend(const Change& change,
                                            StepOps& ops) {
  const Resource& after = *change.after;
  EndpointSpec spec = after.endpoint;
  if (!after.volume_keys.empty()) {
    // The ids and data centers the volumes have now: a volume this apply
    // created has its id only once its step is done.
    std::vector<std::string> ids, data_centers;
    std::string missing;
    ops.ReadState([&](const State& state) {
      for (const std::string& key : after.volume_keys) {
        const ResourceState* r = state.Find(Address{Kind::kVolume, key});
        if (r == nullptr || r->id.empty()) {
          if (missing.empty()) missing = absl::StrCat("volume.", key);
          continue;
        }
        ids.push_back(r->id);
        data_centers.push_back(r->resource.volume.data_center);
      }
    });
    if (!missing.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(missing, " has no RunPod id in the lock file"));
    }
    spec.network_volume_ids = std::move(ids);
    spec.data_centers = std::move(data_centers);
  }
  RETURN_IF_ERROR(ops.AddSecretValues(change, &spec.env));
  return spec;
}

// change.after as recorded once `sent` went to RunPod.
Resource Recorded(const Change& change, const EndpointSpec& sent) {
  Resource recorded = *change.after;
  recorded.endpoint.network_volume_ids = sent.network_volume_ids;
  recorded.endpoint.data_centers = sent.data_centers;
  return recorded;
}

class Endpoints : public KindSteps {
 public:
  Kind kind() const override { return Kind::kEndpoint; }

  std::string CreatedName(const Resource& resource) const override {
    return resource.endpoint.name;
  }
  std::string CreatedDataCenter(const Resource& resource) const override {
    return std::string();
  }

  absl::StatusOr<std::string> Create(const Change& change,
                                     StepOps& ops) const override {
    // On an error nothing was sent.
    ASSIGN_OR_RETURN(EndpointSpec endpoint, EndpointToSend(change, ops));
    ASSIGN_OR_RETURN(std::string id, ops.SendCreate(change, [&] {
      return MadeId(ops.provider().CreateEndpoint(endpoint));
    }));
    RETURN_IF_ERROR(
        ops.Record(id, Recorded(change, endpoint), DeposedByCreate(change)));
    return id;
  }

  absl::StatusOr<std::string> Update(const Change& change,
                                     StepOps& ops) const override {
    const Resource& before = *change.before;
    ASSIGN_OR_RETURN(EndpointSpec endpoint, EndpointToSend(change, ops));
    const Resource recorded = Recorded(change, endpoint);
    // Secrets have no value in either: their change is a separate decision.
    // An access change alone is podform's record only.
    if (!(before.endpoint == recorded.endpoint) ||
        before.secret_env != change.after->secret_env ||
        !change.secret_env_changes.empty()) {
      RETURN_IF_ERROR(
          ops.provider().UpdateEndpoint(change.id, endpoint).status());
    }
    RETURN_IF_ERROR(ops.Record(change.id, recorded, ""));
    return change.id;
  }

  absl::Status Delete(Provider& provider,
                      const std::string& id) const override {
    return provider.DeleteEndpoint(id);
  }

  void IndexLive(const LiveState& live,
                 std::unordered_map<std::string, std::vector<LiveMatch>>*
                     by_name) const override {
    for (size_t i = 0; i < live.endpoints.size(); ++i) {
      const LiveEndpoint& e = live.endpoints[i];
      (*by_name)[e.spec.name].push_back({e.id, std::nullopt, false, i});
    }
  }

  void Adopt(const LiveState& live, const LiveMatch& match,
             const CreateIntent& intent, bool declared,
             Resource* resource) const override {
    const EndpointSpec& seen = live.endpoints[match.position].spec;
    if (!declared) {
      resource->endpoint = seen;
      // As a pod's: only going to be deleted, it needs no env recorded.
      resource->endpoint.env.clear();
    }
    resource->endpoint.network_volume_ids = seen.network_volume_ids;
    resource->endpoint.data_centers = seen.data_centers;
  }
};

}  // namespace

const KindSteps& EndpointSteps() {
  static const Endpoints steps;
  return steps;
}

}  // namespace podform::apply_internal
