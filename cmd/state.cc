// podform state list | state show ADDR | state rm ADDR...: inspect the lock
// file, or forget resources without touching them on RunPod.

#include <algorithm>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "cmd/command.h"
#include "cmd/workspace.h"
#include "nlohmann/json.hpp"
#include "reconciler/core/resource.h"

namespace podform {
namespace {

struct StateOptions {
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* rm = nullptr;
  std::string show_address;
  std::vector<std::string> rm_addresses;
};

int Fail(const CommandContext& context, const absl::Status& status) {
  *context.err << "podform: " << status.message() << "\n";
  return 1;
}

int Fail(const CommandContext& context, const std::string& message) {
  *context.err << "podform: " << message << "\n";
  return 1;
}

std::string DescribeIntent(const CreateIntent& intent) {
  std::string out = absl::StrCat("pending create of \"", intent.name, "\"");
  if (!intent.data_center.empty()) {
    absl::StrAppend(&out, " in ", intent.data_center);
  }
  absl::StrAppend(&out, " since ", intent.started_at);
  return out;
}

// One line per resource ("ADDRESS  ID") and per pending create, sorted by
// address; resources before an intent at the same address.
int List(const CommandContext& context) {
  std::string name;
  std::unique_ptr<StateStore> store = OpenStateStore(*context.global, &name);
  absl::StatusOr<State> state = store->Read();
  if (absl::IsNotFound(state.status())) return 0;
  if (!state.ok()) return Fail(context, state.status());
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& [address, resource] : state->resources) {
    rows.emplace_back(address.ToString(), resource.id);
  }
  for (const auto& [address, intent] : state->intents) {
    rows.emplace_back(address.ToString(),
                      absl::StrCat("(", DescribeIntent(intent), ")"));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.first < b.first;
  });
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  for (const auto& [address, text] : rows) {
    *context.out << address << std::string(width - address.size() + 2, ' ')
                 << text << "\n";
  }
  return 0;
}

// Reads the lock file for show and rm, which need one.
absl::StatusOr<State> ReadExisting(StateStore& store,
                                   const std::string& name) {
  absl::StatusOr<State> state = store.Read();
  if (absl::IsNotFound(state.status())) {
    return absl::NotFoundError(absl::StrCat("no lock file at ", name,
                                            "; nothing has been applied yet"));
  }
  return state;
}

int Show(const CommandContext& context, const std::string& text) {
  absl::StatusOr<Address> address = Address::Parse(text);
  if (!address.ok()) return Fail(context, address.status());
  std::string name;
  std::unique_ptr<StateStore> store = OpenStateStore(*context.global, &name);
  absl::StatusOr<State> state = ReadExisting(*store, name);
  if (!state.ok()) return Fail(context, state.status());
  const ResourceState* resource = state->Find(*address);
  auto intent = state->intents.find(*address);
  if (resource == nullptr && intent == state->intents.end()) {
    return Fail(context, absl::StrCat(text, " is not in ", name));
  }
  *context.out << "address: " << address->ToString() << "\n";
  if (resource != nullptr) {
    Resource attributes = resource->resource;
    attributes.address = *address;
    *context.out << "id: " << resource->id << "\n"
                 << "attributes: "
                 << ToAttributes(attributes)
                        .dump(2, ' ', false,
                              nlohmann::json::error_handler_t::replace)
                 << "\n";
  }
  if (intent != state->intents.end()) {
    *context.out << "pending: " << DescribeIntent(intent->second) << "\n";
  }
  return 0;
}

// Forgets resources (and pending creates) under the lock; all or nothing.
int Remove(const CommandContext& context,
           const std::vector<std::string>& texts) {
  std::vector<Address> addresses;
  for (const std::string& text : texts) {
    absl::StatusOr<Address> address = Address::Parse(text);
    if (!address.ok()) return Fail(context, address.status());
    addresses.push_back(*address);
  }
  std::string name;
  std::unique_ptr<StateStore> store = OpenStateStore(*context.global, &name);
  // Checked before locking too, so that a missing lock file gets no sibling.
  if (absl::StatusOr<State> state = ReadExisting(*store, name); !state.ok()) {
    return Fail(context, state.status());
  }
  absl::StatusOr<std::unique_ptr<StateLock>> lock =
      store->Lock("podform state rm");
  if (!lock.ok()) return Fail(context, lock.status());
  absl::StatusOr<State> state = ReadExisting(*store, name);
  if (!state.ok()) return Fail(context, state.status());
  for (const Address& address : addresses) {
    if (state->Find(address) == nullptr && !state->intents.count(address)) {
      return Fail(context, absl::StrCat(address.ToString(), " is not in ",
                                        name, "; nothing was removed"));
    }
  }
  std::vector<std::string> messages;
  for (const Address& address : addresses) {
    std::string name = address.ToString();
    if (const ResourceState* resource = state->Find(address)) {
      messages.push_back(absl::StrCat("Removed ", name, " (id ", resource->id,
                                      ") from the lock file; it still exists "
                                      "on RunPod."));
      state->resources.erase(address);
    }
    if (state->intents.erase(address) > 0) {
      messages.push_back(absl::StrCat(
          "Removed the pending create of ", name,
          " from the lock file; if it was created, it still exists on "
          "RunPod."));
    }
  }
  if (absl::Status status = store->Write(&*state); !status.ok()) {
    return Fail(context, status);
  }
  for (const std::string& message : messages) *context.out << message << "\n";
  return 0;
}

}  // namespace

CommandRun SetupState(CLI::App* command, const CommandContext& context) {
  auto options = std::make_shared<StateOptions>();
  command->require_subcommand(1);
  options->list = command->add_subcommand(
      "list", "List the resources in the lock file with their RunPod ids");
  options->show = command->add_subcommand(
      "show", "Show a resource's recorded id and attributes");
  options->show
      ->add_option("address", options->show_address,
                   "Resource address, e.g. volume.models")
      ->required();
  options->rm = command->add_subcommand(
      "rm",
      "Forget resources without deleting them on RunPod (they become "
      "unmanaged)");
  options->rm
      ->add_option("addresses", options->rm_addresses,
                   "Resource addresses, e.g. pod.trainer")
      ->required();
  return [options, context]() {
    if (options->list->parsed()) return List(context);
    if (options->show->parsed()) return Show(context, options->show_address);
    if (options->rm->parsed()) return Remove(context, options->rm_addresses);
    return Fail(context, "state needs a subcommand: list, show or rm");
  };
}

}  // namespace podform
