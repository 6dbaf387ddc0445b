// A pod's apply steps: created (then stopped when declared stopped),
// edited, stopped and resumed (a new GPU count goes with a resume) and
// terminated through the provider's pod calls; recognised after an
// interrupted create by its name, unless terminated. An adopted pod deposes
// the one its address records: what a create-first replace replaced.

#include "absl/strings/str_cat.h"
#include "reconciler/apply/kind_steps.h"
#include "reconciler/util/status_macros.h"

namespace podform::apply_internal {
namespace {

// podStop or podResume of pod `id`. When the answer is lost, the pod is
// read back: already in the wanted state counts as done (both requests can
// be repeated without harm, but there is no need to).
absl::Status SetPodRunning(Provider& provider, const std::string& id,
                           bool running, int gpu_count) {
  absl::Status status = running ? provider.ResumePod(id, gpu_count).status()
                                : provider.StopPod(id).status();
  if (status.code() != absl::StatusCode::kDeadlineExceeded) return status;
  // The answer was lost: the pod itself says whether it happened.
  absl::StatusOr<LiveState> live = provider.Refresh();
  if (!live.ok()) return status;
  const LivePod* pod = live->FindPod(id);
  // A resume with a count is done only with that count.
  if (pod != nullptr && pod->Running() == running &&
      (!running || gpu_count <= 0 || pod->spec.gpu_count == gpu_count)) {
    return absl::OkStatus();
  }
  return status;
}

// change.after's pod with the mounted volume's id and the raw secret values
// filled in; FailedPrecondition when the volume has no id yet.
absl::StatusOr<PodSpec> PodToSend(const Change& change, StepOps& ops) {
  const Resource& after = *change.after;
  PodSpec spec = after.pod;
  if (!after.volume_key.empty()) {
    Address volume{Kind::kVolume, after.volume_key};
    std::string id;
    ops.ReadState([&](const State& state) {
      if (const ResourceState* r = state.Find(volume)) id = r->id;
    });
    if (id.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          volume.ToString(), " has no RunPod id in the lock file"));
    }
    spec.network_volume_id = id;
  }
  RETURN_IF_ERROR(ops.AddSecretValues(change, &spec.env));
  return spec;
}

// An update's gpu_count_by_resume half, after its edit: records the pod
// stopped with its old count (podStop first when it runs), then resumes it
// with change.after's count. On a refused resume (no free GPUs on its
// machine, say) the pod stays stopped and recorded so, with the old count,
// and the error names the pod and both counts.
absl::Status ResumeWithGpuCount(const Change& change, const Resource& recorded,
                                StepOps& ops) {
  const PodSpec& before = change.before->pod;
  const int count = change.after->pod.gpu_count;
  // Until it resumes, the pod keeps its old count.
  Resource stopped = recorded;
  stopped.pod.gpu_count = before.gpu_count;
  if (before.running) {
    stopped.pod.running = true;
    RETURN_IF_ERROR(ops.Record(change.id, stopped, ""));
    RETURN_IF_ERROR(Annotate(SetPodRunning(ops.provider(), change.id, false, 0),
                             "podStop"));
  }
  stopped.pod.running = false;
  RETURN_IF_ERROR(ops.Record(change.id, stopped, ""));
  absl::Status resumed = SetPodRunning(ops.provider(), change.id, true, count);
  if (!resumed.ok()) {
    return Annotate(
        resumed,
        absl::StrCat("podResume with ", count, count == 1 ? " GPU" : " GPUs",
                     " (pod ", change.id, " is stopped, with ",
                     before.gpu_count, before.gpu_count == 1 ? " GPU" : " GPUs",
                     ", and stays recorded; the next plan resumes it with ",
                     count, " again)"));
  }
  return absl::OkStatus();
}

class Pods : public KindSteps {
 public:
  Kind kind() const override { return Kind::kPod; }

  std::string CreatedName(const Resource& resource) const override {
    return resource.pod.name;
  }
  std::string CreatedDataCenter(const Resource& resource) const override {
    return resource.pod.data_center;
  }

  absl::StatusOr<std::string> Create(const Change& change,
                                     StepOps& ops) const override {
    const Resource& after = *change.after;
    // On an error nothing was sent; the intent goes when apply ends
    // (StepRunner::WithdrawUnsent).
    ASSIGN_OR_RETURN(PodSpec pod, PodToSend(change, ops));
    Resource recorded = after;
    recorded.pod.network_volume_id = pod.network_volume_id;
    ASSIGN_OR_RETURN(std::string id, ops.SendCreate(change, [&] {
      return MadeId(ops.provider().CreatePod(pod));
    }));
    // A create-first replace: the pod it replaces is deposed in the same
    // write that records the new one, so the state never lacks either.
    const std::string deposes = DeposedByCreate(change);
    if (!after.pod.running) {
      recorded.pod.running = true;
      RETURN_IF_ERROR(ops.Record(id, recorded, deposes));
      RETURN_IF_ERROR(
          Annotate(SetPodRunning(ops.provider(), id, false, 0), "podStop"));
      recorded.pod.running = false;
    }
    RETURN_IF_ERROR(ops.Record(id, recorded, deposes));
    return id;
  }

  absl::StatusOr<std::string> Update(const Change& change,
                                     StepOps& ops) const override {
    const Resource& after = *change.after;
    const Resource& before = *change.before;
    Resource recorded = after;
    ASSIGN_OR_RETURN(PodSpec pod, PodToSend(change, ops));
    recorded.pod.network_volume_id = pod.network_volume_id;
    PodSpec before_edit = before.pod;
    before_edit.running = pod.running;
    // A new GPU count goes with the resume, not with an edit.
    if (change.gpu_count_by_resume) before_edit.gpu_count = after.pod.gpu_count;
    // Secrets have no value in either: their change is a separate decision.
    if (!(before_edit == after.pod) || before.secret_env != after.secret_env ||
        !change.secret_env_changes.empty()) {
      RETURN_IF_ERROR(ops.provider().EditPod(change.id, pod).status());
    }
    if (change.gpu_count_by_resume) {
      RETURN_IF_ERROR(ResumeWithGpuCount(change, recorded, ops));
    } else if (before.pod.running != after.pod.running) {
      recorded.pod.running = before.pod.running;
      RETURN_IF_ERROR(ops.Record(change.id, recorded, ""));
      recorded.pod.running = after.pod.running;
      RETURN_IF_ERROR(SetPodRunning(ops.provider(), change.id,
                                    after.pod.running, after.pod.gpu_count));
    }
    RETURN_IF_ERROR(ops.Record(change.id, recorded, ""));
    return change.id;
  }

  absl::StatusOr<std::string> SetRunning(const Change& change, bool running,
                                         StepOps& ops) const override {
    RETURN_IF_ERROR(SetPodRunning(ops.provider(), change.id, running,
                                  change.after->pod.gpu_count));
    Resource recorded = *change.after;
    recorded.pod.running = running;
    RETURN_IF_ERROR(ops.Record(change.id, recorded, ""));
    return change.id;
  }

  absl::Status Delete(Provider& provider,
                      const std::string& id) const override {
    return provider.TerminatePod(id);
  }

  // A pod created (or re-created) to run, or a stopped pod started.
  bool StartsPod(const Change& change, Phase phase) const override {
    if (phase != Phase::kCreate || !change.after.has_value() ||
        !change.after->pod.running) {
      return false;
    }
    switch (change.action) {
      case Action::kCreate:
      case Action::kReplace:
      case Action::kResume:
        return true;
      case Action::kUpdate:
        return change.gpu_count_by_resume ||
               (change.before.has_value() && !change.before->pod.running);
      default:
        return false;
    }
  }

  void IndexLive(const LiveState& live,
                 std::unordered_map<std::string, std::vector<LiveMatch>>*
                     by_name) const override {
    for (size_t i = 0; i < live.pods.size(); ++i) {
      const LivePod& p = live.pods[i];
      (*by_name)[p.spec.name].push_back({p.id, std::nullopt, p.Gone(), i});
    }
  }

  void Adopt(const LiveState& live, const LiveMatch& match,
             const CreateIntent& intent, bool declared,
             Resource* resource) const override {
    const PodSpec& seen = live.pods[match.position].spec;
    if (!declared) {
      resource->pod = seen;
      resource->pod.data_center = intent.data_center;
      // Its env may hold secrets that the config no longer names; a pod
      // that is only going to be deleted needs none of it recorded.
      resource->pod.env.clear();
    }
    resource->pod.network_volume_id = seen.network_volume_id;
  }

  bool AdoptionDeposes() const override { return true; }
};

}  // namespace

const KindSteps& PodSteps() {
  static const Pods steps;
  return steps;
}

}  // namespace podform::apply_internal
