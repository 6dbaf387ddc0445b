#include "reconciler/apply/steps.h"

#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "reconciler/apply/recover.h"
#include "reconciler/plan/saved_plan.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

bool OutcomeUnknown(const absl::Status& status) {
  return status.code() == absl::StatusCode::kDeadlineExceeded ||
         status.code() == absl::StatusCode::kUnknown;
}

std::string Now() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(),
                          absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<std::string> StepRunner::Run(const Change& change, Phase phase) {
  if (phase == Phase::kDestroy) {
    RETURN_IF_ERROR(Delete(change));
    return std::string();
  }
  switch (change.action) {
    case Action::kNoOp:
    case Action::kDelete:
      return change.id;
    case Action::kCreate:
    case Action::kReplace:
      return Create(change);
    case Action::kUpdate:
      return Update(change);
    case Action::kStop:
      return SetRunning(change, false);
    case Action::kResume:
      return SetRunning(change, true);
  }
  return absl::InternalError("unknown action");
}

absl::StatusOr<PodSpec> StepRunner::PodToSend(const Change& change) const {
  const Resource& after = *change.after;
  PodSpec spec = after.pod;
  if (!after.volume_key.empty()) {
    Address volume{Kind::kVolume, after.volume_key};
    std::string id;
    recorder_->Read([&](const State& state) {
      if (const ResourceState* r = state.Find(volume)) id = r->id;
    });
    if (id.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          volume.ToString(), " has no RunPod id in the lock file"));
    }
    spec.network_volume_id = id;
  }
  RETURN_IF_ERROR(AddSecretValues(change, &spec.env));
  return spec;
}

absl::Status StepRunner::AddSecretValues(
    const Change& change, std::map<std::string, std::string>* env) const {
  if (change.after->secret_env.empty()) return absl::OkStatus();
  absl::StatusOr<std::map<std::string, std::string>> secrets =
      SecretValuesToSend(config_, secrets_, change);
  if (!secrets.ok()) {
    return absl::AbortedError(
        absl::StrCat(secrets.status().message(), "; plan again"));
  }
  for (auto& [key, value] : *secrets) (*env)[key] = std::move(value);
  return absl::OkStatus();
}

absl::StatusOr<EndpointSpec> StepRunner::EndpointToSend(
    const Change& change) const {
  const Resource& after = *change.after;
  EndpointSpec spec = after.endpoint;
  if (!after.volume_keys.empty()) {
    // The ids and data centers the volumes have now: a volume this apply
    // created has its id only once its step is done.
    std::vector<std::string> ids, data_centers;
    std::string missing;
    recorder_->Read([&](const State& state) {
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
  RETURN_IF_ERROR(AddSecretValues(change, &spec.env));
  return spec;
}

absl::Status StepRunner::Record(const std::string& id,
                                const Resource& resource,
                                const std::string& deposes) {
  // Not waited for: until the next write, the create's intent (on disk)
  // is what lets a later run find the resource (and depose what it
  // replaced, recover.h).
  return recorder_->Commit(
      resource.address,
      [&](State& state) {
        state.intents.erase(resource.address);
        const ResourceState* old = state.Find(resource.address);
        if (!deposes.empty() && old != nullptr && old->id == deposes) {
          state.Depose(resource.address);
        }
        state.resources[resource.address] = ResourceState{id, resource};
      },
      StateRecorder::Durability::kLater);
}

absl::Status StepRunner::RestoreReplaced(const Change& change,
                                         const std::string& new_id) {
  return recorder_->Commit(
      change.address,
      [&](State& state) {
        auto deposed = state.deposed.find(change.address);
        if (deposed == state.deposed.end()) return;
        std::optional<ResourceState> old;
        for (const ResourceState& pod : deposed->second) {
          if (pod.id == change.id) old = pod;
        }
        const ResourceState* now = state.Find(change.address);
        if (!old.has_value() || now == nullptr || now->id != new_id) return;
        state.RemoveDeposed(change.address, change.id);
        state.Depose(change.address);  // the new pod
        state.resources[change.address] = *std::move(old);
      },
      StateRecorder::Durability::kLater);
}

absl::StatusOr<std::string> StepRunner::FindCreated(const Change& change) {
  ASSIGN_OR_RETURN(LiveState live, provider_->Refresh());
  std::set<std::string> managed;
  std::optional<CreateIntent> intent;
  recorder_->Read([&](const State& state) {
    for (const auto& [address, resource] : state.resources) {
      managed.insert(resource.id);
    }
    for (const auto& [address, pods] : state.deposed) {
      for (const ResourceState& pod : pods) managed.insert(pod.id);
    }
    auto it = state.intents.find(change.address);
    if (it != state.intents.end()) intent = it->second;
  });
  if (!intent.has_value()) {  // DeclareCreates recorded it
    return absl::InternalError(
        absl::StrCat("no intent for the create of ", change.address.ToString()));
  }
  const std::vector<std::string> matches =
      MatchIds(LiveByName(live).MayHaveMade(*intent, managed));
  if (matches.size() > 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the create's outcome is unknown and ", matches.size(),
                     " unmanaged ", KindName(change.address.kind), "s named \"",
                     intent->name, "\" exist (", absl::StrJoin(matches, ", "),
                     "); adopt the right one with podform import"));
  }
  return matches.empty() ? std::string() : matches.front();
}

absl::Status StepRunner::DeclareCreates(const Plan& plan,
                                       const std::vector<Step>& steps) {
  std::vector<Address> addresses;
  std::vector<CreateIntent> intents;
  const std::string now = Now();
  for (const Step& step : steps) {
    const Change& change = plan.changes[step.change];
    if (step.phase != Phase::kCreate || !change.after ||
        (change.action != Action::kCreate &&
         change.action != Action::kReplace)) {
      continue;
    }
    const Resource& after = *change.after;
    const Kind kind = change.address.kind;
    CreateIntent intent{
        change.address,
        kind == Kind::kVolume     ? after.volume.name
        : kind == Kind::kEndpoint ? after.endpoint.name
                                  : after.pod.name,
        kind == Kind::kVolume ? after.volume.data_center
        : kind == Kind::kPod  ? after.pod.data_center
                              : std::string(),
        now,
        {},
        // What a later run records if it adopts what this create made.
        after};
    for (const UnmanagedResource& u : plan.unmanaged) {
      if (u.kind == change.address.kind && u.name == intent.name) {
        intent.preexisting_ids.push_back(u.id);
      }
    }
    // What a replace deletes may still be listed once its delete is
    // recorded, under the same name.
    if (change.action == Action::kReplace && !change.id.empty()) {
      intent.preexisting_ids.push_back(change.id);
    }
    addresses.push_back(change.address);
    intents.push_back(std::move(intent));
  }
  // Written even when there is no create: the write proves that the state
  // can be written before anything is sent.
  absl::Status declared = recorder_->Commit(addresses, [&](State& state) {
    for (CreateIntent& intent : intents) {
      state.intents[intent.address] = std::move(intent);
    }
  });
  if (!declared.ok()) {
    // Nothing will be sent: the state is left as it was.
    ForgetIntents(addresses).IgnoreError();
    return declared;
  }
  std::lock_guard<std::mutex> lock(mu_);
  unsent_.insert(addresses.begin(), addresses.end());
  return absl::OkStatus();
}

bool StepRunner::TakeDeclared(const Address& address) {
  std::lock_guard<std::mutex> lock(mu_);
  return unsent_.erase(address) > 0;
}

absl::Status StepRunner::WithdrawUnsent() {
  std::vector<Address> unsent;
  {
    std::lock_guard<std::mutex> lock(mu_);
    unsent.assign(unsent_.begin(), unsent_.end());
    unsent_.clear();
  }
  if (unsent.empty()) return absl::OkStatus();
  return ForgetIntents(unsent);
}

absl::Status StepRunner::ForgetIntents(const std::vector<Address>& addresses) {
  return recorder_->Commit(
      addresses,
      [&](State& state) {
        for (const Address& address : addresses) state.intents.erase(address);
      },
      StateRecorder::Durability::kLater);
}

absl::StatusOr<std::string> StepRunner::Create(const Change& change) {
  const Resource& after = *change.after;
  const bool is_volume = change.address.kind == Kind::kVolume;
  const bool is_endpoint = change.address.kind == Kind::kEndpoint;
  Resource recorded = after;
  PodSpec pod;
  EndpointSpec endpoint;
  if (is_endpoint) {
    absl::StatusOr<EndpointSpec> to_send = EndpointToSend(change);
    if (!to_send.ok()) return to_send.status();  // nothing was sent
    endpoint = *std::move(to_send);
    recorded.endpoint.network_volume_ids = endpoint.network_volume_ids;
    recorded.endpoint.data_centers = endpoint.data_centers;
  } else if (!is_volume) {
    absl::StatusOr<PodSpec> to_send = PodToSend(change);
    if (!to_send.ok()) {
      // Nothing was sent; the intent goes when apply ends (WithdrawUnsent).
      return to_send.status();
    }
    pod = *std::move(to_send);
    recorded.pod.network_volume_id = pod.network_volume_id;
  }
  // Its intent is on disk (DeclareCreates) before the request goes out.
  if (!TakeDeclared(change.address)) {
    return absl::InternalError(absl::StrCat(
        "the create of ", change.address.ToString(), " was not declared"));
  }

  absl::StatusOr<std::string> id;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (is_volume) {
      absl::StatusOr<LiveVolume> made = provider_->CreateVolume(after.volume);
      id = made.ok() ? absl::StatusOr<std::string>(made->id) : made.status();
    } else if (is_endpoint) {
      absl::StatusOr<LiveEndpoint> made = provider_->CreateEndpoint(endpoint);
      id = made.ok() ? absl::StatusOr<std::string>(made->id) : made.status();
    } else {
      absl::StatusOr<LivePod> made = provider_->CreatePod(pod);
      id = made.ok() ? absl::StatusOr<std::string>(made->id) : made.status();
    }
    if (id.ok() || !OutcomeUnknown(id.status())) break;
    // Never resend blindly: look first. Resend only if it certainly is not
    // there, and only once.
    absl::StatusOr<std::string> found = FindCreated(change);
    if (!found.ok()) {
      return Annotate(found.status(), "after an unknown create outcome");
    }
    if (!found->empty()) {
      id = *found;
      break;
    }
  }
  if (!id.ok()) {
    // The create certainly did not happen: the intent is void.
    RETURN_IF_ERROR(ForgetIntents({change.address}));
    return id.status();
  }
  // A create-first replace: the pod it replaces is deposed in the same
  // write that records the new one, so the state never lacks either.
  const std::string deposes =
      change.action == Action::kReplace &&
              change.replace_order == ReplaceOrder::kCreateFirst
          ? change.id
          : std::string();
  if (!is_volume && !is_endpoint && !after.pod.running) {
    recorded.pod.running = true;
    RETURN_IF_ERROR(Record(*id, recorded, deposes));
    RETURN_IF_ERROR(Annotate(SetPodRunning(*id, false, 0), "podStop"));
    recorded.pod.running = false;
  }
  RETURN_IF_ERROR(Record(*id, recorded, deposes));
  return *id;
}

absl::StatusOr<std::string> StepRunner::Update(const Change& change) {
  const Resource& after = *change.after;
  const Resource& before = *change.before;
  Resource recorded = after;
  if (change.address.kind == Kind::kVolume) {
    if (!(before.volume == after.volume)) {
      RETURN_IF_ERROR(
          provider_->UpdateVolume(change.id, after.volume).status());
    }
    RETURN_IF_ERROR(Record(change.id, recorded));
    return change.id;
  }
  if (change.address.kind == Kind::kEndpoint) {
    ASSIGN_OR_RETURN(EndpointSpec endpoint, EndpointToSend(change));
    recorded.endpoint.network_volume_ids = endpoint.network_volume_ids;
    recorded.endpoint.data_centers = endpoint.data_centers;
    // Secrets have no value in either: their change is a separate decision.
    // An access change alone is podform's record only.
    if (!(before.endpoint == recorded.endpoint) ||
        before.secret_env != after.secret_env ||
        !change.secret_env_changes.empty()) {
      RETURN_IF_ERROR(
          provider_->UpdateEndpoint(change.id, endpoint).status());
    }
    RETURN_IF_ERROR(Record(change.id, recorded));
    return change.id;
  }
  ASSIGN_OR_RETURN(PodSpec pod, PodToSend(change));
  recorded.pod.network_volume_id = pod.network_volume_id;
  PodSpec before_edit = before.pod;
  before_edit.running = pod.running;
  // A new GPU count goes with the resume, not with an edit.
  if (change.gpu_count_by_resume) before_edit.gpu_count = after.pod.gpu_count;
  // Secrets have no value in either: their change is a separate decision.
  if (!(before_edit == after.pod) || before.secret_env != after.secret_env ||
      !change.secret_env_changes.empty()) {
    RETURN_IF_ERROR(provider_->EditPod(change.id, pod).status());
  }
  if (change.gpu_count_by_resume) {
    RETURN_IF_ERROR(ResumeWithGpuCount(change, recorded));
  } else if (before.pod.running != after.pod.running) {
    recorded.pod.running = before.pod.running;
    RETURN_IF_ERROR(Record(change.id, recorded));
    recorded.pod.running = after.pod.running;
    RETURN_IF_ERROR(
        SetPodRunning(change.id, after.pod.running, after.pod.gpu_count));
  }
  RETURN_IF_ERROR(Record(change.id, recorded));
  return change.id;
}

absl::Status StepRunner::ResumeWithGpuCount(const Change& change,
                                            const Resource& recorded) {
  const PodSpec& before = change.before->pod;
  const int count = change.after->pod.gpu_count;
  // Until it resumes, the pod keeps its old count.
  Resource stopped = recorded;
  stopped.pod.gpu_count = before.gpu_count;
  if (before.running) {
    stopped.pod.running = true;
    RETURN_IF_ERROR(Record(change.id, stopped));
    RETURN_IF_ERROR(Annotate(SetPodRunning(change.id, false, 0), "podStop"));
  }
  stopped.pod.running = false;
  RETURN_IF_ERROR(Record(change.id, stopped));
  absl::Status resumed = SetPodRunning(change.id, true, count);
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

absl::StatusOr<std::string> StepRunner::SetRunning(const Change& change,
                                                   bool running) {
  RETURN_IF_ERROR(
      SetPodRunning(change.id, running, change.after->pod.gpu_count));
  Resource recorded = *change.after;
  recorded.pod.running = running;
  RETURN_IF_ERROR(Record(change.id, recorded));
  return change.id;
}

absl::Status StepRunner::SetPodRunning(const std::string& id, bool running,
                                       int gpu_count) {
  absl::Status status = running ? provider_->ResumePod(id, gpu_count).status()
                                : provider_->StopPod(id).status();
  if (status.code() != absl::StatusCode::kDeadlineExceeded) return status;
  // The answer was lost: the pod itself says whether it happened.
  absl::StatusOr<LiveState> live = provider_->Refresh();
  if (!live.ok()) return status;
  const LivePod* pod = live->FindPod(id);
  // A resume with a count is done only with that count.
  if (pod != nullptr && pod->Running() == running &&
      (!running || gpu_count <= 0 || pod->spec.gpu_count == gpu_count)) {
    return absl::OkStatus();
  }
  return status;
}

absl::Status StepRunner::Delete(const Change& change) {
  // The pod a create-first replace replaced is deposed by now (Create).
  const std::string deposed_id =
      !change.deposed_id.empty() ? change.deposed_id
      : change.action == Action::kReplace &&
              change.replace_order == ReplaceOrder::kCreateFirst
          ? change.id
          : std::string();
  if (!change.id.empty()) {
    absl::Status status =
        change.address.kind == Kind::kVolume ? provider_->DeleteVolume(change.id)
        : change.address.kind == Kind::kEndpoint
            ? provider_->DeleteEndpoint(change.id)
            : provider_->TerminatePod(change.id);
    // Already gone is what we wanted.
    if (!status.ok() && status.code() != absl::StatusCode::kNotFound) {
      return status;
    }
  }
  if (!deposed_id.empty()) {
    return recorder_->Commit(
        change.address,
        [&](State& state) { state.RemoveDeposed(change.address, deposed_id); },
        StateRecorder::Durability::kLater);
  }
  return recorder_->Commit(
      change.address,
      [&](State& state) { state.resources.erase(change.address); },
      StateRecorder::Durability::kLater);
}

}  // namespace podform
