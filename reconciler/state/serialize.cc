#include "reconciler/state/serialize.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "nlohmann/json.hpp"
#include "reconciler/util/json_reader.h"
#include "reconciler/util/json_text.h"
#include "reconciler/util/status_macros.h"

namespace podform {

using nlohmann::json;

namespace {

// The format never nests deeper than 4 (root, resources, entry, attributes,
// env); anything much deeper is not a lock file, and refusing it early keeps
// the recursive parts of nlohmann::json (copy, compare) shallow.
constexpr int kMaxDepth = 16;

std::string JsonType(const json& value) { return value.type_name(); }

// The deepest bracket nesting of `text`, ignoring brackets inside strings.
int MaxNesting(const std::string& text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

// The lock file's words for what a JsonReader found wrong in an object.
std::string Words(const JsonViolation& v) {
  switch (v.kind) {
    case JsonViolation::Kind::kUnknown:
      return absl::StrCat("unknown field \"", v.unknown[0], "\"");
    case JsonViolation::Kind::kMissing:
      return absl::StrCat("missing \"", v.key, "\"");
    case JsonViolation::Kind::kEmpty:
      return absl::StrCat("\"", v.key, "\" must be a non-empty string");
    default:
      break;
  }
  // The file's one integer is a count (the serial); a number that is not
  // one is shown.
  static constexpr JsonExpectedWords kWords = {"an object",
                                               "a list",
                                               "a string",
                                               "a non-empty string",
                                               "a non-negative integer",
                                               "a number",
                                               "true or false",
                                               "a list of strings",
                                               "an object"};
  bool shown = v.expected == JsonExpected::kInteger && v.found->is_number();
  return absl::StrCat("\"", v.key, "\" must be ", WordFor(kWords, v.expected),
                      ", not ", shown ? v.found->dump() : JsonType(*v.found));
}

// Errors for one object of the file: "PATH: CONTEXT: message".
class Reader {
 public:
  Reader(const std::string& path, std::string context)
      : prefix_(context.empty() ? absl::StrCat(path, ": ")
                                : absl::StrCat(path, ": ", context, ": ")) {}

  absl::Status Error(const std::string& message) const {
    return absl::InvalidArgumentError(absl::StrCat(prefix_, message));
  }

  // A reader of the members of `object` (which must outlive it), with this
  // reader's errors.
  JsonReader Members(const json& object) const {
    return JsonReader(object, "", [prefix = prefix_](const JsonViolation& v) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, Words(v)));
    });
  }

 private:
  std::string prefix_;
};

absl::Status CheckCanonical(const Reader& reader, const json& canonical,
                            const json& given) {
  for (const auto& [key, value] : given.items()) {
    if (!canonical.contains(key)) {
      return reader.Error(absl::StrCat("unknown attribute \"", key, "\""));
    }
  }
  for (const auto& [key, want] : canonical.items()) {
    const json& got = given.at(key);
    if (want.is_number() != got.is_number() ||
        (!want.is_number() && want.type() != got.type())) {
      return reader.Error(absl::StrCat(
          "attribute \"", key, "\" has the wrong type (", JsonType(got), ")"));
    }
    if (got != want) {
      if (want.is_number()) {
        return reader.Error(
            absl::StrCat("attribute \"", key, "\" is out of range"));
      }
      return reader.Error(absl::StrCat("attribute \"", key,
                                       "\" is not in canonical form; expected ",
                                       want.dump()));
    }
  }
  return absl::OkStatus();
}

// The "attributes" of an entry: FromAttributes, in canonical form.
absl::StatusOr<Resource> ParseAttributes(const Reader& reader,
                                         const std::string& path,
                                         const Address& address,
                                         const json& attributes) {
  // Every number in the canonical attributes is an integer; converting a
  // float to one could overflow, so floats are refused before conversion.
  for (const auto& [key, value] : attributes.items()) {
    if (value.is_number_float()) {
      return reader.Error(
          absl::StrCat("attribute \"", key, "\" must be an integer"));
    }
  }
  // Digests of secrets that older versions recorded are dropped on load (and
  // so never written again): the secret is then only marked as one.
  // (A copy is made only then: most lock files have none.)
  std::optional<json> without_digests;
  if (!LegacySecretDigestKeys(attributes).empty()) {
    without_digests = attributes;
    DropLegacySecretDigests(&*without_digests);
  }
  const json& current = without_digests ? *without_digests : attributes;
  absl::StatusOr<Resource> resource = FromAttributes(address, current);
  if (!resource.ok()) return Annotate(resource.status(), path);
  RETURN_IF_ERROR(CheckCanonical(reader, ToAttributes(*resource), current));
  return resource;
}

absl::StatusOr<ResourceState> ParseResource(const std::string& path,
                                            const Address& address,
                                            const json& entry) {
  Reader reader(path, address.ToString());
  if (!entry.is_object()) {
    return reader.Error(
        absl::StrCat("must be an object, not ", JsonType(entry)));
  }
  bool volume = address.kind == Kind::kVolume;
  JsonReader members = reader.Members(entry);
  RETURN_IF_ERROR(volume ? members.OnlyMembers({"attributes", "id", "protect"})
                         : members.OnlyMembers({"attributes", "id"}));
  ResourceState out;
  RETURN_IF_ERROR(members.NonEmptyString("id", &out.id, JsonReader::kRequired));
  const json* attributes = nullptr;
  RETURN_IF_ERROR(
      members.Object("attributes", &attributes, JsonReader::kRequired));
  ASSIGN_OR_RETURN(Resource resource,
                   ParseAttributes(reader, path, address, *attributes));
  if (volume) {
    bool protect = false;
    RETURN_IF_ERROR(members.Bool("protect", &protect, JsonReader::kRequired));
    if (protect != resource.protect) {
      return reader.Error(absl::StrCat(
          "\"protect\" is ", protect ? "true" : "false",
          " but attributes.protect is ", resource.protect ? "true" : "false",
          "; they must agree (was the file edited by hand?)"));
    }
  }
  out.resource = std::move(resource);
  return out;
}

absl::StatusOr<CreateIntent> ParseIntent(const std::string& path,
                                         const Address& address,
                                         const json& entry) {
  Reader reader(path, absl::StrCat("intents: ", address.ToString()));
  if (!entry.is_object()) {
    return reader.Error(
        absl::StrCat("must be an object, not ", JsonType(entry)));
  }
  JsonReader members = reader.Members(entry);
  RETURN_IF_ERROR(members.OnlyMembers(
      {"attributes", "dataCenter", "name", "preexistingIds", "startedAt"}));
  CreateIntent out;
  out.address = address;
  RETURN_IF_ERROR(members.String("name", &out.name, JsonReader::kRequired));
  RETURN_IF_ERROR(
      members.String("dataCenter", &out.data_center, JsonReader::kRequired));
  RETURN_IF_ERROR(
      members.String("startedAt", &out.started_at, JsonReader::kRequired));
  const json* ids = nullptr;
  RETURN_IF_ERROR(members.Array("preexistingIds", &ids));
  if (ids != nullptr) {
    for (const json& id : *ids) {
      if (!id.is_string() || id.get_ref<const std::string&>().empty()) {
        return reader.Error("\"preexistingIds\" must be a list of ids");
      }
      out.preexisting_ids.push_back(id.get<std::string>());
    }
  }
  const json* attributes = nullptr;
  RETURN_IF_ERROR(members.Object("attributes", &attributes));
  if (attributes != nullptr) {
    ASSIGN_OR_RETURN(out.resource,
                     ParseAttributes(reader, path, address, *attributes));
  }
  return out;
}

absl::StatusOr<Target> ParseTarget(const Reader& reader,
                                   JsonReader& root_members) {
  Target target;
  const json* entry = nullptr;
  RETURN_IF_ERROR(root_members.Object("target", &entry));
  if (entry == nullptr) return target;
  JsonReader members = reader.Members(*entry);
  RETURN_IF_ERROR(members.OnlyMembers({"account", "endpoint"}));
  RETURN_IF_ERROR(members.String("account", &target.account));
  RETURN_IF_ERROR(members.NonEmptyString("endpoint", &target.endpoint,
                                         JsonReader::kRequired));
  return target;
}

absl::StatusOr<Address> ParseAddress(const Reader& reader,
                                     const std::string& key) {
  absl::StatusOr<Address> address = Address::Parse(key);
  if (!address.ok())
    return reader.Error(std::string(address.status().message()));
  return address;
}

absl::StatusOr<State> ParseDocument(const json& root, const std::string& path) {
  Reader reader(path, "");
  if (!root.is_object()) {
    return reader.Error(
        absl::StrCat("not a podform lock file: expected a JSON object, not ",
                     JsonType(root)));
  }
  // The version first: a newer file may differ in everything else.
  auto version = root.find("version");
  if (version == root.end()) {
    return reader.Error("missing \"version\"; this is not a podform lock file");
  }
  if (!version->is_number_integer()) {
    return reader.Error(absl::StrCat("\"version\" must be an integer, not ",
                                     JsonType(*version)));
  }
  if (version->is_number_unsigned() &&
      version->get<uint64_t>() > static_cast<uint64_t>(State::kVersion)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " was written by a newer podform (version ",
                     version->dump(), "); this podform reads version ",
                     State::kVersion, ": upgrade podform"));
  }
  if (!version->is_number_unsigned() ||
      version->get<uint64_t>() != static_cast<uint64_t>(State::kVersion)) {
    return reader.Error(absl::StrCat("unsupported version ", version->dump(),
                                     "; this podform reads version ",
                                     State::kVersion));
  }
  JsonReader members = reader.Members(root);
  RETURN_IF_ERROR(
      members.OnlyMembers({"deposed", "intents", "lineage", "resources",
                           "serial", "target", "version"}));

  State state;
  RETURN_IF_ERROR(
      members.NonEmptyString("lineage", &state.lineage, JsonReader::kRequired));
  RETURN_IF_ERROR(members.Integer("serial", &state.serial, 0,
                                  std::numeric_limits<int64_t>::max(),
                                  JsonReader::kRequired));
  ASSIGN_OR_RETURN(state.target, ParseTarget(reader, members));
  const json* resources = nullptr;
  RETURN_IF_ERROR(
      members.Object("resources", &resources, JsonReader::kRequired));
  Reader resources_reader(path, "resources");
  for (const auto& [key, entry] : resources->items()) {
    ASSIGN_OR_RETURN(Address address, ParseAddress(resources_reader, key));
    ASSIGN_OR_RETURN(ResourceState resource,
                     ParseResource(path, address, entry));
    state.resources.emplace(address, std::move(resource));
  }
  const json* intents = nullptr;
  RETURN_IF_ERROR(members.Object("intents", &intents));
  if (intents != nullptr) {
    Reader intents_reader(path, "intents");
    for (const auto& [key, entry] : intents->items()) {
      ASSIGN_OR_RETURN(Address address, ParseAddress(intents_reader, key));
      ASSIGN_OR_RETURN(CreateIntent intent, ParseIntent(path, address, entry));
      state.intents.emplace(address, std::move(intent));
    }
  }
  const json* deposed = nullptr;
  RETURN_IF_ERROR(members.Object("deposed", &deposed));
  if (deposed != nullptr) {
    Reader deposed_reader(path, "deposed");
    for (const auto& [key, entry] : deposed->items()) {
      ASSIGN_OR_RETURN(Address address, ParseAddress(deposed_reader, key));
      Reader pods_reader(path, absl::StrCat("deposed: ", key));
      if (address.kind != Kind::kPod) {
        return pods_reader.Error("only pods are deposed");
      }
      if (!entry.is_array() || entry.empty()) {
        return pods_reader.Error("must be a non-empty list");
      }
      std::vector<ResourceState> pods;
      for (const json& pod : entry) {
        ASSIGN_OR_RETURN(ResourceState recorded,
                         ParseResource(path, address, pod));
        if (!pods.empty() && !(pods.back().id < recorded.id)) {
          return pods_reader.Error("must be sorted by id, each id once");
        }
        pods.push_back(std::move(recorded));
      }
      state.deposed.emplace(address, std::move(pods));
    }
  }
  return state;
}

}  // namespace

namespace {

// The text of `value` as nlohmann::json::dump(2) writes it, with the
// lock file's error handling (invalid UTF-8 becomes U+FFFD).
std::string Dump(const json& value, int indent) {
  return value.dump(indent, ' ', /*ensure_ascii=*/false,
                    json::error_handler_t::replace);
}

// One member of a section of the root object (root > section > member),
// exactly as json::dump(2) of the whole tree would place it.
std::string RenderMember(const std::string& key, const json& value) {
  std::string text = absl::StrCat("    ", Dump(json(key), -1), ": ");
  for (char c : Dump(value, 2)) {
    text += c;
    if (c == '\n') text += "    ";
  }
  return text;
}

std::string RenderResource(const Address& address,
                           const ResourceState& recorded) {
  Resource resource = recorded.resource;
  resource.address = address;
  json entry = json::object();
  entry["id"] = recorded.id;
  entry["attributes"] = ToAttributes(resource);
  if (address.kind == Kind::kVolume) entry["protect"] = resource.protect;
  return RenderMember(address.ToString(), entry);
}

std::string RenderIntent(const Address& address, const CreateIntent& intent) {
  json entry = json::object();
  entry["name"] = intent.name;
  entry["dataCenter"] = intent.data_center;
  entry["startedAt"] = intent.started_at;
  if (!intent.preexisting_ids.empty()) {
    entry["preexistingIds"] = intent.preexisting_ids;
  }
  if (intent.resource.has_value()) {
    Resource resource = *intent.resource;
    resource.address = address;
    entry["attributes"] = ToAttributes(resource);
  }
  return RenderMember(address.ToString(), entry);
}

std::string RenderDeposed(const Address& address,
                          const std::vector<ResourceState>& pods) {
  json entries = json::array();
  for (const ResourceState& pod : pods) {
    Resource resource = pod.resource;
    resource.address = address;
    entries.push_back({{"attributes", ToAttributes(resource)}, {"id", pod.id}});
  }
  return RenderMember(address.ToString(), entries);
}

// Appends `"NAME": {...}` of the root object with the members of `cache` in
// the order of their JSON keys: "endpoint.*" sorts before "pod.*" before
// "volume.*", while Address sorts volumes, pods, endpoints.
template <typename Cache>
void AppendSection(const char* name, const Cache& cache, std::string* out) {
  absl::StrAppend(out, "  \"", name, "\": ");
  if (cache.empty()) {
    out->append("{}");
    return;
  }
  out->append("{\n");
  auto pods = cache.lower_bound(Address{Kind::kPod, ""});
  auto endpoints = cache.lower_bound(Address{Kind::kEndpoint, ""});
  bool first = true;
  auto append = [&](auto begin, auto end) {
    for (auto it = begin; it != end; ++it) {
      if (!first) out->append(",\n");
      first = false;
      out->append(it->second.text);
    }
  };
  append(endpoints, cache.end());  // "endpoint.*"
  append(pods, endpoints);         // "pod.*"
  append(cache.begin(), pods);     // "volume.*"
  out->append("\n  }");
}

}  // namespace

template <typename Value, typename Render>
void StateSerializer::Sync(const std::map<Address, Value>& values,
                           Cache<Value>* cache, const Render& render) {
  // Both maps are sorted by address: walk them together.
  auto it = cache->begin();
  for (const auto& [address, value] : values) {
    while (it != cache->end() && it->first < address) it = cache->erase(it);
    if (it != cache->end() && it->first == address) {
      if (!(it->second.value == value)) {
        it->second = {value, render(address, value)};
        ++renders_;
      }
      ++it;
      continue;
    }
    cache->emplace_hint(it, address,
                        Rendered<Value>{value, render(address, value)});
    ++renders_;
  }
  cache->erase(it, cache->end());
}

std::string StateSerializer::Serialize(const State& state, int64_t serial) {
  Sync(state.resources, &resources_, RenderResource);
  Sync(state.intents, &intents_, RenderIntent);
  Sync(state.deposed, &deposed_, RenderDeposed);
  size_t size = 256 + state.lineage.size();
  for (const auto& [address, entry] : deposed_) size += entry.text.size() + 2;
  for (const auto& [address, entry] : resources_) size += entry.text.size() + 2;
  for (const auto& [address, entry] : intents_) size += entry.text.size() + 2;
  std::string out;
  out.reserve(size);
  // The root's keys in sorted order, as json::dump writes them.
  out.append("{\n");
  if (!deposed_.empty()) {
    AppendSection("deposed", deposed_, &out);
    out.append(",\n");
  }
  if (!intents_.empty()) {
    AppendSection("intents", intents_, &out);
    out.append(",\n");
  }
  absl::StrAppend(&out, "  \"lineage\": ", Dump(json(state.lineage), -1),
                  ",\n");
  AppendSection("resources", resources_, &out);
  absl::StrAppend(&out, ",\n  \"serial\": ", serial, ",\n");
  if (!state.target.empty()) {
    json target = {{"endpoint", state.target.endpoint}};
    if (!state.target.account.empty()) {
      target["account"] = state.target.account;
    }
    // Nested as json::dump(2) of the whole tree would place it.
    absl::StrAppend(&out, "  \"target\": ",
                    absl::StrReplaceAll(Dump(target, 2), {{"\n", "\n  "}}),
                    ",\n");
  }
  absl::StrAppend(&out, "  \"version\": ", State::kVersion, "\n}\n");
  return out;
}

std::string SerializeState(const State& state) {
  return StateSerializer().Serialize(state, state.serial);
}

absl::StatusOr<State> ParseState(const std::string& text,
                                 const std::string& path_for_messages) {
  const std::string& path = path_for_messages;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": the file is empty (truncated?); restore it from version control "
        "or a backup"));
  }
  if (MaxNesting(text) > kMaxDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a podform lock file: nested deeper than ",
                     kMaxDepth, " levels"));
  }
  absl::StatusOr<json> root = ParseJson(text);
  if (!root.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not valid JSON at ", root.status().message()));
  }
  try {
    return ParseDocument(*root, path);
  } catch (const std::exception& e) {
    // Defensive: ParseDocument checks types before every conversion.
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
  }
}

}  // namespace podform
