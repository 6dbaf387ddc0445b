// podform state list | show [ADDR] [--serial N] | rm ADDR... | mv FROM TO |
// pull | history | migrate --to URI_OR_PATH | prune --keep N: inspect the
// state (a lock file or PostgreSQL), forget or rename resources without
// touching them on RunPod, copy the state to another store, and manage
// PostgreSQL's history.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/command.h"
#include "cmd/workspace.h"
#include "nlohmann/json.hpp"
#include "reconciler/core/resource.h"
#include "reconciler/state/move.h"
#include "reconciler/state/postgres_store.h"
#include "reconciler/state/serialize.h"

namespace podform {
namespace {

struct StateOptions {
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* rm = nullptr;
  CLI::App* mv = nullptr;
  CLI::App* pull = nullptr;
  CLI::App* history = nullptr;
  CLI::App* migrate = nullptr;
  CLI::App* prune = nullptr;
  std::string show_address;
  int64_t show_serial = 0;
  CLI::Option* show_serial_option = nullptr;
  std::vector<std::string> rm_addresses;
  std::string mv_from;
  std::string mv_to;
  std::string migrate_to;
  int64_t prune_keep = 0;
};

constexpr char kMigrateCommand[] = "podform state migrate";

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

// One line per resource ("ADDRESS  ID"), per pending create and per deposed
// pod, sorted by address; at the same address the resource, then the
// pending create, then the deposed pods.
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
  for (const auto& [address, pods] : state->deposed) {
    for (const ResourceState& pod : pods) {
      rows.emplace_back(address.ToString(),
                        absl::StrCat(pod.id, " (deposed: replaced, not yet "
                                     "terminated)"));
    }
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

PostgresStateStore* AsPostgres(StateStore& store) {
  return dynamic_cast<PostgresStateStore*>(&store);
}

// Reads the state for the commands that need one.
absl::StatusOr<State> ReadExisting(StateStore& store,
                                   const std::string& name) {
  absl::StatusOr<State> state = store.Read();
  if (absl::IsNotFound(state.status())) {
    if (AsPostgres(store) != nullptr) {
      return absl::NotFoundError(absl::StrCat(
          name, " holds no state yet; nothing has been applied yet"));
    }
    return absl::NotFoundError(absl::StrCat("no lock file at ", name,
                                            "; nothing has been applied yet"));
  }
  return state;
}

// What a lock file says when asked for its history.
std::string NoHistory(const std::string& path, int64_t serial) {
  return absl::StrCat(path,
                      " is a lock file: it keeps only its current version, "
                      "serial ",
                      serial, " (older versions are in version control: git "
                      "log -p ",
                      path, ")");
}

// The state at `serial` (the current one when nullopt).
absl::StatusOr<State> ReadAt(StateStore& store, const std::string& name,
                             std::optional<int64_t> serial) {
  if (serial.has_value()) {
    if (PostgresStateStore* pg = AsPostgres(store)) {
      return pg->ReadSerial(*serial);
    }
  }
  absl::StatusOr<State> state = ReadExisting(store, name);
  if (state.ok() && serial.has_value() && state->serial != *serial) {
    return absl::NotFoundError(absl::StrCat(
        "serial ", *serial, " is not kept: ", NoHistory(name, state->serial)));
  }
  return state;
}

int Show(const CommandContext& context, const std::string& text,
         std::optional<int64_t> serial) {
  if (text.empty() && !serial.has_value()) {
    return Fail(context,
                "state show needs a resource address, or --serial N");
  }
  std::optional<Address> address;
  if (!text.empty()) {
    absl::StatusOr<Address> parsed = Address::Parse(text);
    if (!parsed.ok()) return Fail(context, parsed.status());
    address = *parsed;
  }
  std::string name;
  std::unique_ptr<StateStore> store = OpenStateStore(*context.global, &name);
  absl::StatusOr<State> state = ReadAt(*store, name, serial);
  if (!state.ok()) return Fail(context, state.status());
  if (!address.has_value()) {
    *context.out << SerializeState(*state);
    return 0;
  }
  if (serial.has_value()) {
    name = absl::StrCat(name, " at serial ", *serial);
  }
  const ResourceState* resource = state->Find(*address);
  auto intent = state->intents.find(*address);
  auto deposed = state->deposed.find(*address);
  if (resource == nullptr && intent == state->intents.end() &&
      deposed == state->deposed.end()) {
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
    if (address->kind == Kind::kPod && !attributes.volume_key.empty()) {
      // Podform's record only; RunPod mounts every volume read-write.
      *context.out << "access: "
                   << (attributes.read_only ? "read-only" : "read-write")
                   << " (volume." << attributes.volume_key
                   << "; recorded by podform, not enforced by RunPod)\n";
    }
    if (address->kind == Kind::kEndpoint && !attributes.volume_keys.empty()) {
      *context.out << "access: "
                   << (attributes.read_only ? "read-only" : "read-write")
                   << " (volume."
                   << absl::StrJoin(attributes.volume_keys, ", volume.")
                   << "; recorded by podform, not enforced by RunPod)\n";
    }
  }
  if (intent != state->intents.end()) {
    *context.out << "pending: " << DescribeIntent(intent->second) << "\n";
  }
  if (deposed != state->deposed.end()) {
    for (const ResourceState& pod : deposed->second) {
      *context.out << "deposed: " << pod.id
                   << " (replaced, not yet terminated; the next apply "
                      "terminates it)\n";
    }
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
  const char* from =
      dynamic_cast<const PostgresStateStore*>(store.get()) != nullptr
          ? "the state"
          : "the lock file";
  // Pods left in the state that mount a removed volume: the next plan
  // would create a second volume and replace them.
  std::vector<std::string> warnings;
  for (const Address& address : addresses) {
    const ResourceState* volume = state->Find(address);
    if (address.kind != Kind::kVolume || volume == nullptr) continue;
    std::vector<std::string> pods, endpoints;
    for (const auto& [other, recorded] : state->resources) {
      const Resource& r = recorded.resource;
      if (std::find(addresses.begin(), addresses.end(), other) !=
          addresses.end()) {
        continue;
      }
      if (other.kind == Kind::kPod && r.volume_key == address.name) {
        pods.push_back(other.ToString());
      }
      if (other.kind == Kind::kEndpoint &&
          std::find(r.volume_keys.begin(), r.volume_keys.end(),
                    address.name) != r.volume_keys.end()) {
        endpoints.push_back(other.ToString());
      }
    }
    if (!pods.empty()) {
      const char* them = pods.size() == 1 ? "that pod" : "those pods";
      warnings.push_back(absl::StrCat(
          "warning: ", address.ToString(), " is still mounted by ",
          absl::StrJoin(pods, ", "), ", which ", from,
          " still manages: the next plan would create a second volume and "
          "replace ",
          them, " to mount it; import the volume again (podform import ",
          address.ToString(), " ", volume->id, ") or forget ", them,
          " too (podform state rm ", absl::StrJoin(pods, " "), ")"));
    }
    if (!endpoints.empty()) {
      const char* them =
          endpoints.size() == 1 ? "that endpoint" : "those endpoints";
      warnings.push_back(absl::StrCat(
          "warning: ", address.ToString(), " is still mounted by ",
          absl::StrJoin(endpoints, ", "), ", which ", from,
          " still manages: the next plan would create a second volume and "
          "mount it on ",
          them, " instead; import the volume again (podform import ",
          address.ToString(), " ", volume->id, ") or forget ", them,
          " too (podform state rm ", absl::StrJoin(endpoints, " "), ")"));
    }
  }
  std::vector<std::string> messages;
  for (const Address& address : addresses) {
    std::string name = address.ToString();
    if (const ResourceState* resource = state->Find(address)) {
      messages.push_back(absl::StrCat("Removed ", name, " (id ", resource->id,
                                      ") from ", from,
                                      "; it still exists on RunPod."));
      state->resources.erase(address);
    }
    if (state->intents.erase(address) > 0) {
      messages.push_back(absl::StrCat("Removed the pending create of ", name,
                                      " from ", from,
                                      "; if it was created, it still exists "
                                      "on RunPod."));
    }
  }
  if (absl::Status status = store->Write(&*state); !status.ok()) {
    return Fail(context, status);
  }
  for (const std::string& message : messages) *context.out << message << "\n";
  for (const std::string& warning : warnings) {
    *context.err << "podform: " << warning << "\n";
  }
  return 0;
}

// Renames an address under the lock; nothing is sent to RunPod.
int RunMove(const CommandContext& context, const std::string& from_text,
            const std::string& to_text) {
  absl::StatusOr<Address> from = Address::Parse(from_text);
  if (!from.ok()) return Fail(context, from.status());
  absl::StatusOr<Address> to = Address::Parse(to_text);
  if (!to.ok()) return Fail(context, to.status());
  std::string name;
  std::unique_ptr<StateStore> store = OpenStateStore(*context.global, &name);
  // Checked before locking too, so that a missing lock file gets no sibling.
  if (absl::StatusOr<State> state = ReadExisting(*store, name); !state.ok()) {
    return Fail(context, state.status());
  }
  absl::StatusOr<std::unique_ptr<StateLock>> lock =
      store->Lock("podform state mv");
  if (!lock.ok()) return Fail(context, lock.status());
  absl::StatusOr<State> state = ReadExisting(*store, name);
  if (!state.ok()) return Fail(context, state.status());
  const ResourceState* resource = state->Find(*from);
  const std::string id = resource != nullptr ? resource->id : "";
  absl::StatusOr<std::vector<Address>> followed =
      MoveAddress(*from, *to, &*state);
  if (!followed.ok()) {
    return Fail(context, absl::StrCat(followed.status().message(),
                                      "; nothing was moved"));
  }
  if (absl::Status status = store->Write(&*state); !status.ok()) {
    return Fail(context, status);
  }
  const char* in =
      AsPostgres(*store) != nullptr ? "the state" : "the lock file";
  *context.out << "Moved " << from->ToString();
  if (!id.empty()) *context.out << " (id " << id << ")";
  *context.out << " to " << to->ToString() << " in " << in
               << "; nothing was sent to RunPod.\n";
  for (const Address& pod : *followed) {
    *context.out << pod.ToString() << " now mounts " << to->ToString() << ".\n";
  }
  return 0;
}

// The current state as lock-file JSON.
int Pull(const CommandContext& context) {
  std::string name;
  std::unique_ptr<StateStore> store = OpenStateStore(*context.global, &name);
  absl::StatusOr<State> state = ReadExisting(*store, name);
  if (!state.ok()) return Fail(context, state.status());
  *context.out << SerializeState(*state);
  return 0;
}

// Every kept version, oldest first, as an aligned table; a lock file has
// only its current version and says so.
int History(const CommandContext& context) {
  std::string name;
  std::unique_ptr<StateStore> store = OpenStateStore(*context.global, &name);
  PostgresStateStore* pg = AsPostgres(*store);
  if (pg == nullptr) {
    absl::StatusOr<State> state = ReadExisting(*store, name);
    if (!state.ok()) return Fail(context, state.status());
    *context.out << NoHistory(name, state->serial) << ".\n";
    return 0;
  }
  absl::StatusOr<std::vector<PostgresStateStore::Version>> versions =
      pg->History();
  if (!versions.ok()) return Fail(context, versions.status());
  if (versions->empty()) {
    return Fail(context, absl::StrCat(name, " holds no state yet; nothing "
                                            "has been applied yet"));
  }
  auto or_dash = [](const std::string& text) {
    return text.empty() ? std::string("-") : text;
  };
  auto number = [](const std::optional<int64_t>& n) {
    return n.has_value() ? absl::StrCat(*n) : std::string("-");
  };
  std::vector<std::vector<std::string>> rows = {
      {"SERIAL", "WRITTEN", "HOST", "USER", "PID", "COMMAND", "CHANGES"}};
  for (const PostgresStateStore::Version& v : *versions) {
    rows.push_back({number(v.serial), v.written_at, or_dash(v.host),
                    or_dash(v.os_user), absl::StrCat(v.pid),
                    or_dash(v.command), number(v.changes)});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) {
        line.append(widths[i] - row[i].size() + 2, ' ');
      }
    }
    *context.out << line << "\n";
  }
  return 0;
}

// Copies the current state into the store at `to`, lineage and serial
// kept, under both stores' locks.
int Migrate(const CommandContext& context, const std::string& to) {
  std::string name;
  std::unique_ptr<StateStore> source = OpenStateStore(*context.global, &name);
  std::string to_name;
  std::unique_ptr<StateStore> destination =
      OpenStateStoreAt(to, *context.global, &to_name);
  // The same lock file however it is spelled (./podform.lock, a symlink).
  std::error_code unknown;
  if (to_name == name ||
      (!IsPostgresUri(name) && !IsPostgresUri(to_name) &&
       std::filesystem::equivalent(name, to_name, unknown))) {
    return Fail(context, absl::StrCat("--to names the current state (", name,
                                      "); nothing to copy"));
  }
  if (absl::StatusOr<State> state = ReadExisting(*source, name); !state.ok()) {
    return Fail(context, state.status());
  }
  absl::StatusOr<std::unique_ptr<StateLock>> source_lock =
      source->Lock(kMigrateCommand);
  if (!source_lock.ok()) return Fail(context, source_lock.status());
  absl::StatusOr<std::unique_ptr<StateLock>> destination_lock =
      destination->Lock(kMigrateCommand);
  if (!destination_lock.ok()) return Fail(context, destination_lock.status());
  absl::StatusOr<State> state = ReadExisting(*source, name);
  if (!state.ok()) return Fail(context, state.status());
  absl::StatusOr<State> existing = destination->Read();
  if (existing.ok()) {
    if (existing->lineage != state->lineage) {
      return Fail(context,
                  absl::StrCat(to_name, " already holds another state (lineage ",
                               existing->lineage, ", serial ",
                               existing->serial, "), not ", name,
                               "'s lineage ", state->lineage,
                               "; refusing to overwrite it"));
    }
    if (existing->serial == state->serial) {
      *context.out << to_name << " already holds serial " << state->serial
                   << " of lineage " << state->lineage
                   << "; nothing to copy.\n";
      return 0;
    }
    if (existing->serial > state->serial) {
      return Fail(context,
                  absl::StrCat(to_name, " holds serial ", existing->serial,
                               " of the same lineage, newer than ", name,
                               "'s serial ", state->serial,
                               "; refusing to overwrite it"));
    }
  } else if (!absl::IsNotFound(existing.status())) {
    return Fail(context,
                absl::Status(existing.status().code(),
                             absl::StrCat(existing.status().message(),
                                          "; refusing to overwrite it")));
  }
  const int64_t serial = state->serial;
  State copy = *state;
  copy.serial = serial - 1;  // Write stores serial + 1
  if (absl::Status status = destination->Write(&copy); !status.ok()) {
    return Fail(context, status);
  }
  *context.out << "Copied serial " << serial << " (lineage " << state->lineage
               << ") from " << name << " to " << to_name << ".\n";
  return 0;
}

// Deletes all but the `keep` newest versions of a PostgreSQL state.
int Prune(const CommandContext& context, int64_t keep) {
  std::string name;
  std::unique_ptr<StateStore> store = OpenStateStore(*context.global, &name);
  PostgresStateStore* pg = AsPostgres(*store);
  if (pg == nullptr) {
    absl::StatusOr<State> state = ReadExisting(*store, name);
    if (!state.ok()) return Fail(context, state.status());
    *context.out << NoHistory(name, state->serial)
                 << "; nothing to prune.\n";
    return 0;
  }
  absl::StatusOr<int64_t> deleted = pg->Prune(keep);
  if (!deleted.ok()) return Fail(context, deleted.status());
  *context.out << "Deleted " << *deleted << " old "
               << (*deleted == 1 ? "version" : "versions") << " of " << name
               << "; kept the newest " << keep << ".\n";
  return 0;
}

}  // namespace

CommandRun SetupState(CLI::App* command, const CommandContext& context) {
  auto options = std::make_shared<StateOptions>();
  command->require_subcommand(1);
  options->list = command->add_subcommand(
      "list", "List the resources in the state with their RunPod ids");
  options->show = command->add_subcommand(
      "show",
      "Show a resource's recorded id and attributes, or with --serial N and "
      "no address a whole kept version as lock-file JSON");
  // ADDR: shell completion offers the state's addresses (cmd/completion.cc).
  options->show
      ->add_option("address", options->show_address,
                   "Resource address, e.g. volume.models")
      ->type_name("ADDR");
  options->show_serial_option = options->show->add_option(
      "--serial", options->show_serial,
      "Read the kept version with this serial instead of the current one");
  options->rm = command->add_subcommand(
      "rm",
      "Forget resources without deleting them on RunPod (they become "
      "unmanaged)");
  options->rm
      ->add_option("addresses", options->rm_addresses,
                   "Resource addresses, e.g. pod.trainer")
      ->type_name("ADDR")
      ->required();
  options->mv = command->add_subcommand(
      "mv",
      "Rename a resource's address in the state without touching it on "
      "RunPod (pods that mount a moved volume follow it); refused when TO "
      "is already in the state or is of another kind");
  options->mv
      ->add_option("from", options->mv_from,
                   "The address it has now, e.g. volume.models")
      ->type_name("ADDR")
      ->required();
  options->mv
      ->add_option("to", options->mv_to,
                   "The address it is to have, e.g. volume.weights")
      ->required();
  options->pull = command->add_subcommand(
      "pull", "Print the current state as lock-file JSON");
  options->history = command->add_subcommand(
      "history",
      "List every kept version: serial, when, who (host, user, pid, "
      "command) and how many resources changed");
  options->migrate = command->add_subcommand(
      "migrate",
      "Copy the current state into another store (a lock file or a "
      "postgres:// URI), lineage and serial kept");
  options->migrate
      ->add_option("--to", options->migrate_to,
                   "The destination: a lock file path or a postgres:// URI")
      ->required();
  options->prune = command->add_subcommand(
      "prune", "Delete old versions from PostgreSQL's history");
  options->prune
      ->add_option("--keep", options->prune_keep,
                   "How many of the newest versions to keep (at least 1)")
      ->required()
      ->check(CLI::PositiveNumber);
  return [options, context]() {
    if (options->list->parsed()) return List(context);
    if (options->show->parsed()) {
      std::optional<int64_t> serial;
      if (options->show_serial_option->count() > 0) {
        serial = options->show_serial;
      }
      return Show(context, options->show_address, serial);
    }
    if (options->rm->parsed()) return Remove(context, options->rm_addresses);
    if (options->mv->parsed()) {
      return RunMove(context, options->mv_from, options->mv_to);
    }
    if (options->pull->parsed()) return Pull(context);
    if (options->history->parsed()) return History(context);
    if (options->migrate->parsed()) {
      return Migrate(context, options->migrate_to);
    }
    if (options->prune->parsed()) {
      return Prune(context, options->prune_keep);
    }
    return Fail(context,
                "state needs a subcommand: list, show, rm, mv, pull, "
                "history, migrate or prune");
  };
}

}  // namespace podform
