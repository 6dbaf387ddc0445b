// A network volume's apply steps: created, updated (size and name) and
// deleted through the provider's volume calls; recognised after an
// interrupted create by its name and data center.

#include "reconciler/apply/kind_steps.h"
#include "reconciler/util/status_macros.h"

namespace podform::apply_internal {
namespace {

class Volumes : public KindSteps {
 public:
  Kind kind() const override { return Kind::kVolume; }

  std::string CreatedName(const Resource& resource) const override {
    return resource.volume.name;
  }
  std::string CreatedDataCenter(const Resource& resource) const override {
    return resource.volume.data_center;
  }

  absl::StatusOr<std::string> Create(const Change& change,
                                     StepOps& ops) const override {
    ASSIGN_OR_RETURN(std::string id, ops.SendCreate(change, [&] {
      return MadeId(ops.provider().CreateVolume(change.after->volume));
    }));
    RETURN_IF_ERROR(ops.Record(id, *change.after, DeposedByCreate(change)));
    return id;
  }

  absl::StatusOr<std::string> Update(const Change& change,
                                     StepOps& ops) const override {
    if (!(change.before->volume == change.after->volume)) {
      RETURN_IF_ERROR(ops.provider()
                          .UpdateVolume(change.id, change.after->volume)
                          .status());
    }
    RETURN_IF_ERROR(ops.Record(change.id, *change.after, ""));
    return change.id;
  }

  absl::Status Delete(Provider& provider,
                      const std::string& id) const override {
    return provider.DeleteVolume(id);
  }

  void IndexLive(const LiveState& live,
                 std::unordered_map<std::string, std::vector<LiveMatch>>*
                     by_name) const override {
    for (size_t i = 0; i < live.volumes.size(); ++i) {
      const LiveVolume& v = live.volumes[i];
      (*by_name)[v.spec.name].push_back({v.id, v.spec.data_center, false, i});
    }
  }

  void Adopt(const LiveState& live, const LiveMatch& match,
             const CreateIntent& intent, bool declared,
             Resource* resource) const override {
    if (declared) return;
    resource->volume = live.volumes[match.position].spec;
    resource->protect = true;
  }
};

}  // namespace

const KindSteps& VolumeSteps() {
  static const Volumes steps;
  return steps;
}

}  // namespace podform::apply_internal
