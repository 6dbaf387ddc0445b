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
  const apply_internal::KindSteps& kind =
      apply_internal::StepsFor(change.address.kind);
  switch (change.action) {
    case Action::kNoOp:
    case Action::kDelete:
      return change.id;
    case Action::kCreate:
    case Action::kReplace:
      return kind.Create(change, *this);
    case Action::kUpdate:
      return kind.Update(change, *this);
    case Action::kStop:
      return kind.SetRunning(change, false, *this);
    case Action::kResume:
      return kind.SetRunning(change, true, *this);
  }
  return absl::InternalError("unknown action");
}

void StepRunner::ReadState(absl::FunctionRef<void(const State&)> read) {
  recorder_->Read([&](const State& state) { read(state); });
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
    const apply_internal::KindSteps& kind =
        apply_internal::StepsFor(change.address.kind);
    CreateIntent intent{
        change.address,
        kind.CreatedName(after),
        kind.CreatedDataCenter(after),
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

absl::StatusOr<std::string> StepRunner::SendCreate(
    const Change& change,
    absl::FunctionRef<absl::StatusOr<std::string>()> send) {
  // Its intent is on disk (DeclareCreates) before the request goes out.
  if (!TakeDeclared(change.address)) {
    return absl::InternalError(absl::StrCat(
        "the create of ", change.address.ToString(), " was not declared"));
  }
  absl::StatusOr<std::string> id;
  for (int attempt = 0; attempt < 2; ++attempt) {
    id = send();
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
  }
  return id;
}

absl::Status StepRunner::Delete(const Change& change) {
  // The pod a create-first replace replaced is deposed by now (Create).
  const std::string deposed_id = !change.deposed_id.empty()
                                     ? change.deposed_id
                                     : apply_internal::DeposedByCreate(change);
  if (!change.id.empty()) {
    absl::Status status = apply_internal::StepsFor(change.address.kind)
                              .Delete(*provider_, change.id);
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
