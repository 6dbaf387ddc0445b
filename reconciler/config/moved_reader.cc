// ReadMoved (drafts.h): the `moved:` list of podform.yaml.

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "reconciler/config/drafts.h"

namespace podform {
namespace {

constexpr std::array<std::string_view, 2> kMovedKeys = {"from", "to"};

struct Item {
  std::string path;  // "moved[N]"
  MovedBlock block;
  SourceLocation from_location;
};

std::optional<Address> ReadAddress(const Entry& entry,
                                   Diagnostics& diagnostics) {
  std::optional<std::string> text = ReadString(entry, diagnostics);
  if (!text.has_value()) return std::nullopt;
  absl::StatusOr<Address> address = Address::Parse(*text);
  if (!address.ok()) {
    diagnostics.Error(
        entry.value_location,
        absl::StrCat(entry.path, ": ", address.status().message()));
    return std::nullopt;
  }
  if (!IsAddressKey(address->name)) {
    diagnostics.Error(entry.value_location,
                      absl::StrCat(entry.path, ": invalid address \"", *text,
                                   "\": the key must match "
                                   "[a-z0-9][a-z0-9_-]*, at most 63 "
                                   "characters"));
    return std::nullopt;
  }
  return *address;
}

// "volumes", "pods" or "endpoints": where an address of `kind` is
// declared.
const char* Section(Kind kind) {
  switch (kind) {
    case Kind::kVolume:
      return "volumes";
    case Kind::kPod:
      return "pods";
    case Kind::kEndpoint:
      return "endpoints";
  }
  return "volumes";
}

}  // namespace

void ReadMoved(const Entry& entry, Drafts& drafts, Diagnostics& diagnostics) {
  if (entry.value.IsNull()) return;
  if (!entry.value.IsSequence()) {
    diagnostics.Error(entry.value_location,
                      absl::StrCat(entry.path, ": expected a list, got ",
                                   DescribeType(TypeOf(entry.value))));
    return;
  }
  std::vector<Item> items;
  int index = 0;
  for (const YAML::Node& node : entry.value) {
    const std::string path = absl::StrCat(entry.path, "[", index++, "]");
    const SourceLocation location =
        node.IsNull() ? entry.value_location : LocationOf(node.Mark());
    if (!node.IsMap()) {
      diagnostics.Error(location,
                        absl::StrCat(path,
                                     ": expected a mapping with from and to, "
                                     "got ",
                                     DescribeType(TypeOf(node))));
      continue;
    }
    std::optional<Entry> from_entry, to_entry;
    for (Entry& field : ReadMapping(node, path, kMovedKeys, diagnostics)) {
      if (field.key == "from") from_entry = std::move(field);
      if (field.key == "to") to_entry = std::move(field);
    }
    for (auto [field, name] :
         {std::pair{&from_entry, "from"}, std::pair{&to_entry, "to"}}) {
      if (!field->has_value()) {
        diagnostics.Error(location, absl::StrCat(path,
                                                 ": missing required key "
                                                 "\"",
                                                 name, "\""));
      }
    }
    if (!from_entry.has_value() || !to_entry.has_value()) continue;
    std::optional<Address> from = ReadAddress(*from_entry, diagnostics);
    std::optional<Address> to = ReadAddress(*to_entry, diagnostics);
    if (!from.has_value() || !to.has_value()) continue;
    if (from->kind != to->kind) {
      diagnostics.Error(
          to_entry->value_location,
          absl::StrCat(to_entry->path, ": ", from->ToString(),
                       " cannot move to ", to->ToString(), ": a ",
                       KindName(from->kind), " can only move to another ",
                       KindName(from->kind), " address"));
      continue;
    }
    if (*from == *to) {
      diagnostics.Error(to_entry->value_location,
                        absl::StrCat(to_entry->path, ": ", to->ToString(),
                                     " is also the address moved from"));
      continue;
    }
    items.push_back({path,
                     {*from, *to, location, to_entry->value_location},
                     from_entry->value_location});
  }

  // Each address in one item at most, never both moved from and to.
  std::map<Address, const Item*> by_from, by_to;
  std::set<const Item*> refused;
  for (const Item& item : items) {
    if (auto [seen, added] = by_from.emplace(item.block.from, &item); !added) {
      diagnostics.Error(
          item.from_location,
          absl::StrCat(item.path, ".from: ", item.block.from.ToString(),
                       " is already moved by ", seen->second->path, " (line ",
                       seen->second->block.location.line, ")"));
      refused.insert(&item);
    }
    if (auto [seen, added] = by_to.emplace(item.block.to, &item); !added) {
      diagnostics.Error(
          item.block.to_location,
          absl::StrCat(item.path, ".to: ", item.block.to.ToString(),
                       " is already the target of ", seen->second->path,
                       " (line ", seen->second->block.location.line, ")"));
      refused.insert(&item);
    }
  }
  for (const Item& item : items) {
    for (const Item& other : items) {
      if (&other == &item || other.block.to != item.block.from) continue;
      diagnostics.Error(
          item.from_location,
          absl::StrCat(item.path, ".from: ", item.block.from.ToString(),
                       " is the target of ", other.path, " (line ",
                       other.block.location.line,
                       "): chains and cycles of moves are not allowed; move "
                       "each old address straight to the one now declared"));
      refused.insert(&item);
      refused.insert(&other);
    }
  }

  std::set<std::string> pod_keys, endpoint_keys;
  for (const PodDraft& pod : drafts.pods) pod_keys.insert(pod.key);
  for (const EndpointDraft& e : drafts.endpoints) endpoint_keys.insert(e.key);
  auto declared = [&](const Address& address) {
    switch (address.kind) {
      case Kind::kVolume:
        return drafts.volume_keys.count(address.name) > 0;
      case Kind::kPod:
        return pod_keys.count(address.name) > 0;
      case Kind::kEndpoint:
        return endpoint_keys.count(address.name) > 0;
    }
    return false;
  };
  for (const Item& item : items) {
    if (refused.count(&item) > 0) continue;
    bool ok = true;
    if (!declared(item.block.to)) {
      diagnostics.Error(
          item.block.to_location,
          absl::StrCat(item.path, ".to: ", item.block.to.ToString(),
                       " is not declared under ", Section(item.block.to.kind)));
      ok = false;
    }
    if (declared(item.block.from)) {
      diagnostics.Error(
          item.from_location,
          absl::StrCat(item.path, ".from: ", item.block.from.ToString(),
                       " is still declared under ",
                       Section(item.block.from.kind),
                       "; a moved address must no longer be declared"));
      ok = false;
    }
    if (ok) drafts.moved.push_back(item.block);
  }
}

}  // namespace podform
