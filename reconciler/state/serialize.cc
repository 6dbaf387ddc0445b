#include "reconciler/state/serialize.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "nlohmann/json.hpp"
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

// Reads a non-negative integer that fits in int64.
bool GetCount(const json& value, int64_t* out) {
  if (!value.is_number_unsigned()) return false;
  uint64_t u = value.get<uint64_t>();
  if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return false;
  }
  *out = static_cast<int64_t>(u);
  return true;
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

  // Fails unless every key of `object` is in `known`.
  absl::Status OnlyKnown(const json& object,
                         std::initializer_list<const char*> known) const {
    for (const auto& [key, value] : object.items()) {
      bool found = false;
      for (const char* k : known) found = found || key == k;
      if (!found) return Error(absl::StrCat("unknown field \"", key, "\""));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<const json*> Field(const json& object, const char* key,
                                    json::value_t type,
                                    const char* type_text) const {
    auto it = object.find(key);
    if (it == object.end()) {
      return Error(absl::StrCat("missing \"", key, "\""));
    }
    bool ok = it->type() == type ||
              (type == json::value_t::number_integer && it->is_number());
    if (!ok) {
      return Error(absl::StrCat("\"", key, "\" must be ", type_text, ", not ",
                                JsonType(*it)));
    }
    return &*it;
  }

  absl::StatusOr<std::string> String(const json& object, const char* key,
                                     bool non_empty = false) const {
    ASSIGN_OR_RETURN(const json* value,
                     Field(object, key, json::value_t::string,
                           non_empty ? "a non-empty string" : "a string"));
    std::string s = value->get<std::string>();
    if (non_empty && s.empty()) {
      return Error(absl::StrCat("\"", key, "\" must be a non-empty string"));
    }
    return s;
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
  json current = attributes;
  DropLegacySecretDigests(&current);
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
  RETURN_IF_ERROR(volume
                      ? reader.OnlyKnown(entry, {"attributes", "id", "protect"})
                      : reader.OnlyKnown(entry, {"attributes", "id"}));
  ResourceState out;
  ASSIGN_OR_RETURN(out.id, reader.String(entry, "id", /*non_empty=*/true));
  ASSIGN_OR_RETURN(
      const json* attributes,
      reader.Field(entry, "attributes", json::value_t::object, "an object"));
  ASSIGN_OR_RETURN(Resource resource,
                   ParseAttributes(reader, path, address, *attributes));
  if (volume) {
    ASSIGN_OR_RETURN(const json* protect,
                     reader.Field(entry, "protect", json::value_t::boolean,
                                  "true or false"));
    if (protect->get<bool>() != resource.protect) {
      return reader.Error(absl::StrCat(
          "\"protect\" is ", protect->dump(), " but attributes.protect is ",
          resource.protect ? "true" : "false",
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
  RETURN_IF_ERROR(reader.OnlyKnown(entry, {"attributes", "dataCenter", "name",
                                           "preexistingIds", "startedAt"}));
  CreateIntent out;
  out.address = address;
  ASSIGN_OR_RETURN(out.name, reader.String(entry, "name"));
  ASSIGN_OR_RETURN(out.data_center, reader.String(entry, "dataCenter"));
  ASSIGN_OR_RETURN(out.started_at, reader.String(entry, "startedAt"));
  if (entry.contains("preexistingIds")) {
    ASSIGN_OR_RETURN(const json* ids,
                     reader.Field(entry, "preexistingIds",
                                  json::value_t::array, "a list"));
    for (const json& id : *ids) {
      if (!id.is_string() || id.get_ref<const std::string&>().empty()) {
        return reader.Error("\"preexistingIds\" must be a list of ids");
      }
      out.preexisting_ids.push_back(id.get<std::string>());
    }
  }
  if (entry.contains("attributes")) {
    ASSIGN_OR_RETURN(
        const json* attributes,
        reader.Field(entry, "attributes", json::value_t::object, "an object"));
    ASSIGN_OR_RETURN(out.resource,
                     ParseAttributes(reader, path, address, *attributes));
  }
  return out;
}

absl::StatusOr<Target> ParseTarget(const Reader& reader, const json& root) {
  Target target;
  if (!root.contains("target")) return target;
  ASSIGN_OR_RETURN(
      const json* entry,
      reader.Field(root, "target", json::value_t::object, "an object"));
  RETURN_IF_ERROR(reader.OnlyKnown(*entry, {"account", "endpoint"}));
  if (entry->contains("account")) {
    ASSIGN_OR_RETURN(target.account, reader.String(*entry, "account"));
  }
  ASSIGN_OR_RETURN(target.endpoint,
                   reader.String(*entry, "endpoint", /*non_empty=*/true));
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
  RETURN_IF_ERROR(reader.OnlyKnown(root, {"deposed", "intents", "lineage",
                                          "resources", "serial", "target",
                                          "version"}));

  State state;
  ASSIGN_OR_RETURN(state.lineage,
                   reader.String(root, "lineage", /*non_empty=*/true));
  ASSIGN_OR_RETURN(const json* serial,
                   reader.Field(root, "serial", json::value_t::number_integer,
                                "a non-negative integer"));
  if (!GetCount(*serial, &state.serial)) {
    return reader.Error(absl::StrCat(
        "\"serial\" must be a non-negative integer, not ", serial->dump()));
  }
  ASSIGN_OR_RETURN(state.target, ParseTarget(reader, root));
  ASSIGN_OR_RETURN(
      const json* resources,
      reader.Field(root, "resources", json::value_t::object, "an object"));
  Reader resources_reader(path, "resources");
  for (const auto& [key, entry] : resources->items()) {
    ASSIGN_OR_RETURN(Address address, ParseAddress(resources_reader, key));
    ASSIGN_OR_RETURN(ResourceState resource,
                     ParseResource(path, address, entry));
    state.resources.emplace(address, std::move(resource));
  }
  if (root.contains("intents")) {
    ASSIGN_OR_RETURN(
        const json* intents,
        reader.Field(root, "intents", json::value_t::object, "an object"));
    Reader intents_reader(path, "intents");
    for (const auto& [key, entry] : intents->items()) {
      ASSIGN_OR_RETURN(Address address, ParseAddress(intents_reader, key));
      ASSIGN_OR_RETURN(CreateIntent intent, ParseIntent(path, address, entry));
      state.intents.emplace(address, std::move(intent));
    }
  }
  if (root.contains("deposed")) {
    ASSIGN_OR_RETURN(
        const json* deposed,
        reader.Field(root, "deposed", json::value_t::object, "an object"));
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
