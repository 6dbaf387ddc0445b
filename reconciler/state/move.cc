#include "reconciler/state/move.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace podform {

absl::StatusOr<std::vector<Address>> MoveAddress(const Address& from,
                                                 const Address& to,
                                                 State* state) {
  if (from.kind != to.kind) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot move ", from.ToString(), " to ", to.ToString(),
                     ": a ", KindName(from.kind), " can only move to another ",
                     KindName(from.kind), " address"));
  }
  if (from == to) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot move ", from.ToString(), " to itself"));
  }
  auto resource = state->resources.find(from);
  auto intent = state->intents.find(from);
  if (resource == state->resources.end() && intent == state->intents.end()) {
    return absl::NotFoundError(
        absl::StrCat(from.ToString(), " is not in the state"));
  }
  if (state->resources.count(to) > 0 || state->intents.count(to) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(to.ToString(), " is already in the state; cannot move ",
                     from.ToString(), " onto it"));
  }
  if (resource != state->resources.end()) {
    ResourceState moved = std::move(resource->second);
    moved.resource.address = to;
    state->resources.erase(resource);
    state->resources.emplace(to, std::move(moved));
  }
  if (intent != state->intents.end()) {
    CreateIntent moved = std::move(intent->second);
    moved.address = to;
    if (moved.resource.has_value()) moved.resource->address = to;
    state->intents.erase(intent);
    state->intents.emplace(to, std::move(moved));
  }
  // Deposed pods go with their address (the plan names them by it).
  if (auto deposed = state->deposed.find(from);
      deposed != state->deposed.end() && state->deposed.count(to) == 0) {
    std::vector<ResourceState> pods = std::move(deposed->second);
    for (ResourceState& pod : pods) pod.resource.address = to;
    state->deposed.erase(deposed);
    state->deposed.emplace(to, std::move(pods));
  }
  std::vector<Address> followed;
  if (from.kind != Kind::kVolume) return followed;
  for (auto& [address, recorded] : state->resources) {
    if (address.kind == Kind::kPod &&
        recorded.resource.volume_key == from.name) {
      recorded.resource.volume_key = to.name;
      followed.push_back(address);
    }
  }
  for (auto& [address, pending] : state->intents) {
    if (address.kind == Kind::kPod && pending.resource.has_value() &&
        pending.resource->volume_key == from.name) {
      pending.resource->volume_key = to.name;
      if (followed.empty() || followed.back() != address) {
        followed.push_back(address);
      }
    }
  }
  std::sort(followed.begin(), followed.end());
  followed.erase(std::unique(followed.begin(), followed.end()), followed.end());
  return followed;
}

}  // namespace podform
