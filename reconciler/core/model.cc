#include "reconciler/core/model.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace podform {

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kVolume:
      return "volume";
    case Kind::kPod:
      return "pod";
    case Kind::kEndpoint:
      return "endpoint";
  }
  return "volume";
}

std::string Address::ToString() const {
  return absl::StrCat(KindName(kind), ".", name);
}

absl::StatusOr<Address> Address::Parse(std::string_view text) {
  size_t dot = text.find('.');
  if (dot != std::string_view::npos && dot + 1 < text.size()) {
    std::string_view kind = text.substr(0, dot);
    std::string name(text.substr(dot + 1));
    if (kind == "volume") return Address{Kind::kVolume, name};
    if (kind == "pod") return Address{Kind::kPod, name};
    if (kind == "endpoint") return Address{Kind::kEndpoint, name};
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid address \"", std::string(text),
                   "\": expected volume.NAME, pod.NAME or endpoint.NAME"));
}

bool IsVolumeType(std::string_view type) {
  return type == "STANDARD" || type == "HIGH_PERFORMANCE";
}

namespace {

struct StatusWordEntry {
  PodStatus status;
  std::string_view word;
};

constexpr StatusWordEntry kPodStatusWords[] = {
    {PodStatus::kRunning, "RUNNING"},       {PodStatus::kExited, "EXITED"},
    {PodStatus::kTerminated, "TERMINATED"}, {PodStatus::kCreated, "CREATED"},
    {PodStatus::kRestarting, "RESTARTING"}, {PodStatus::kPaused, "PAUSED"},
    {PodStatus::kDead, "DEAD"},
};

}  // namespace

PodStatus ParsePodStatus(std::string_view word) {
  if (word.empty()) return PodStatus::kUnset;
  for (const StatusWordEntry& e : kPodStatusWords) {
    if (e.word == word) return e.status;
  }
  return PodStatus::kUnknown;
}

std::string_view PodStatusWord(PodStatus status) {
  for (const StatusWordEntry& e : kPodStatusWords) {
    if (e.status == status) return e.word;
  }
  return "";
}

namespace {

constexpr std::pair<PodPhase, std::string_view> kPodPhaseWords[] = {
    {PodPhase::kUnknown, ""},
    {PodPhase::kProvisioning, "PROVISIONING"},
    {PodPhase::kStarting, "STARTING"},
    {PodPhase::kRunning, "RUNNING"},
    {PodPhase::kExited, "EXITED"},
    {PodPhase::kError, "ERROR"},
    {PodPhase::kTerminated, "TERMINATED"},
};

}  // namespace

std::optional<PodPhase> ParsePodPhase(std::string_view word) {
  for (const auto& [phase, phase_word] : kPodPhaseWords) {
    if (phase_word == word) return phase;
  }
  return std::nullopt;
}

std::string_view PodPhaseWord(PodPhase phase) {
  for (const auto& [known, word] : kPodPhaseWords) {
    if (known == phase) return word;
  }
  return "";
}

PodCondition ConditionOf(PodStatus status) {
  switch (status) {
    case PodStatus::kRunning:
    case PodStatus::kCreated:
    case PodStatus::kRestarting:
      return PodCondition::kRunning;
    case PodStatus::kTerminated:
      return PodCondition::kGone;
    case PodStatus::kUnset:
    case PodStatus::kExited:
    case PodStatus::kPaused:
    case PodStatus::kDead:
    case PodStatus::kUnknown:
      return PodCondition::kStopped;
  }
  return PodCondition::kStopped;
}

void LivePod::SetStatus(std::string_view word) {
  status = ParsePodStatus(word);
  unknown_status =
      status == PodStatus::kUnknown ? std::string(word) : std::string();
}

std::string LivePod::StatusWord() const {
  if (status == PodStatus::kUnknown) return unknown_status;
  return std::string(PodStatusWord(status));
}

PodCondition LivePod::Condition() const {
  if (status == PodStatus::kUnset) {
    return spec.running ? PodCondition::kRunning : PodCondition::kStopped;
  }
  return ConditionOf(status);
}

const LiveVolume* LiveState::FindVolume(std::string_view id) const {
  for (const LiveVolume& v : volumes) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

const LivePod* LiveState::FindPod(std::string_view id) const {
  for (const LivePod& p : pods) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const LiveEndpoint* LiveState::FindEndpoint(std::string_view id) const {
  for (const LiveEndpoint& e : endpoints) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

LiveIndex::LiveIndex(const LiveState& live) {
  volumes_.reserve(live.volumes.size());
  for (const LiveVolume& v : live.volumes) volumes_.emplace(v.id, &v);
  pods_.reserve(live.pods.size());
  for (const LivePod& p : live.pods) pods_.emplace(p.id, &p);
  endpoints_.reserve(live.endpoints.size());
  for (const LiveEndpoint& e : live.endpoints) endpoints_.emplace(e.id, &e);
}

const LiveVolume* LiveIndex::FindVolume(std::string_view id) const {
  auto it = volumes_.find(id);
  return it == volumes_.end() ? nullptr : it->second;
}

const LivePod* LiveIndex::FindPod(std::string_view id) const {
  auto it = pods_.find(id);
  return it == pods_.end() ? nullptr : it->second;
}

const LiveEndpoint* LiveIndex::FindEndpoint(std::string_view id) const {
  auto it = endpoints_.find(id);
  return it == endpoints_.end() ? nullptr : it->second;
}

}  // namespace podform
