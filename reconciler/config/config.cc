#include "reconciler/config/config.h"

#include <array>
#include <cstdlib>
#include <exception>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "reconciler/config/diagnostics.h"
#include "reconciler/config/drafts.h"
#include "reconciler/config/yaml_events.h"
#include "reconciler/config/yaml_reader.h"
#include "reconciler/core/resource.h"
#include "reconciler/util/digest.h"
#include "reconciler/util/file.h"
#include "reconciler/util/utf8.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/parser.h"

namespace podform {
namespace {

constexpr int kVersion = 1;

constexpr std::array<std::string_view, 7> kTopLevelKeys = {
    "version", "defaults", "guards", "volumes", "pods", "endpoints", "moved"};
constexpr std::array<std::string_view, 1> kDefaultsKeys = {"dataCenter"};
constexpr std::array<std::string_view, 2> kGuardsKeys = {"minRunwayDays",
                                                         "strict"};

std::string Json(const nlohmann::json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/true,
                    nlohmann::json::error_handler_t::replace);
}

// Config::digest: the SHA-256 of the canonical text of what `config` means,
// a JSON object (compact, ASCII, keys sorted) of
//   "defaultDataCenter", "destroyFirst" (the pods replaced destroy-first;
//   only when there is one, so that the digests of configs without it stay
//   as they were: a saved plan carries the replacement order it was made
//   with), "moved" (pairs of addresses), "resources" (each volume, pod and
//   endpoint by address, as ToAttributes writes it: a secret env key as a
//   marker, never its value; endpoints only when declared) and "version".
// Comments, whitespace, key order, quoting, anchors and defaults written out
// or left implicit do not change it. The text is hashed as it is written,
// resource by resource, in the order of a JSON object's keys ("endpoint."
// < "pod." < "volume.", each map in key order), never held whole.
std::string ConfigDigest(const Config& config) {
  Sha256Stream hash;
  bool first = true;
  auto add = [&](const std::string& address, const Resource& recorded) {
    hash.Update(first ? "" : ",");
    first = false;
    hash.Update(Json(address));
    hash.Update(":");
    hash.Update(Json(ToAttributes(recorded)));
  };
  nlohmann::json destroy_first = nlohmann::json::array();
  for (const auto& [key, desired] : config.pods) {
    if (desired.destroy_first) destroy_first.push_back("pod." + key);
  }
  nlohmann::json moved = nlohmann::json::array();
  for (const MovedBlock& block : config.moved) {
    moved.push_back({block.from.ToString(), block.to.ToString()});
  }
  hash.Update("{\"defaultDataCenter\":");
  hash.Update(Json(config.default_data_center));
  if (!destroy_first.empty()) {
    hash.Update(",\"destroyFirst\":");
    hash.Update(Json(destroy_first));
  }
  hash.Update(",\"moved\":");
  hash.Update(Json(moved));
  hash.Update(",\"resources\":{");
  for (const auto& [key, desired] : config.endpoints) {
    add("endpoint." + key, RecordedResource(key, desired));
  }
  for (const auto& [key, desired] : config.pods) {
    add("pod." + key, RecordedResource(key, desired));
  }
  for (const auto& [key, desired] : config.volumes) {
    add("volume." + key, RecordedResource(key, desired));
  }
  hash.Update("},\"version\":");
  hash.Update(Json(config.version));
  hash.Update("}");
  return hash.HexDigest();
}

// True if line `line` (0-based) of `text` is indented with a tab.
bool IndentedWithTab(const std::string& text, int line) {
  size_t start = 0;
  for (int i = 0; i < line && start != std::string::npos; ++i) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos || line < 0) return false;
  size_t indent_end = text.find_first_not_of(" \t", start);
  size_t end = indent_end == std::string::npos ? text.size() : indent_end;
  return text.find('\t', start) < end;
}

// yaml-cpp 0.7 accepts a quoted scalar that is never closed, running it to
// the end of the file. Returns the mark of such a scalar under `node` (keys
// included), found by looking for the closing quote in `text`. Running to
// the end of the file, it is the last node of the document: only the last
// item of each collection is looked at, down from `node`, not every node.
// REQUIRES: the text has no aliases (CheckYamlEvents does the same check,
// and more, when there are aliases).
std::optional<YAML::Mark> FindUnterminatedQuote(const YAML::Node& node,
                                                const std::string& text) {
  if (node.IsScalar()) {
    YAML::Mark mark = node.Mark();
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text.size()) {
      return std::nullopt;
    }
    char quote = text[mark.pos];
    if (quote != '"' && quote != '\'') return std::nullopt;
    if (QuotedScalarIsClosed(text, mark.pos)) return std::nullopt;
    return mark;
  }
  if (node.IsSequence() && node.size() > 0) {
    return FindUnterminatedQuote(node[node.size() - 1], text);
  }
  if (node.IsMap() && node.size() > 0) {
    YAML::const_iterator last = node.begin();
    for (auto it = node.begin(); it != node.end(); ++it) last = it;
    // A key left open swallows its value: check the key, then the value.
    if (auto mark = FindUnterminatedQuote(last->first, text)) return mark;
    return FindUnterminatedQuote(last->second, text);
  }
  return std::nullopt;
}

// Reports each line of `text` that is not valid UTF-8, at its first bad
// byte (columns count bytes, as every other diagnostic's). At most 10.
void CheckUtf8(const std::string& text, Diagnostics& diagnostics) {
  constexpr int kMaxReported = 10;
  int reported = 0;
  size_t line_start = 0;
  int line = 1;
  while (line_start < text.size() && reported < kMaxReported) {
    std::optional<size_t> bad = FirstInvalidUtf8(
        std::string_view(text).substr(line_start));
    if (!bad.has_value()) return;
    const size_t at = line_start + *bad;
    for (size_t newline = text.find('\n', line_start);
         newline != std::string::npos && newline < at;
         newline = text.find('\n', line_start)) {
      line_start = newline + 1;
      ++line;
    }
    diagnostics.Error(
        SourceLocation{line, static_cast<int>(at - line_start) + 1},
        absl::StrFormat("the file is not valid UTF-8 (byte 0x%02X); save it "
                        "as UTF-8",
                        static_cast<unsigned char>(text[at])));
    ++reported;
    size_t next = text.find('\n', at);
    if (next == std::string::npos) return;
    line_start = next + 1;
    ++line;
  }
}

void ReadVersion(const std::optional<Entry>& entry, SourceLocation root,
                 Diagnostics& diagnostics) {
  if (!entry.has_value()) {
    diagnostics.Error(root,
                      "missing required key \"version\" (add \"version: 1\")");
    return;
  }
  std::optional<Integer> version = ReadInteger(*entry, diagnostics);
  if (version.has_value() && version->value != kVersion) {
    diagnostics.Error(
        entry->value_location,
        absl::StrCat("version: unsupported version ", version->text,
                     "; this podform reads "
                     "version ",
                     kVersion));
  }
}

void ReadDefaults(const Entry& entry, Drafts& drafts,
                  Diagnostics& diagnostics) {
  if (!ExpectMapping(entry, /*allow_null=*/true, diagnostics)) return;
  for (const Entry& field :
       ReadMapping(entry.value, entry.path, kDefaultsKeys, diagnostics)) {
    // The only key is dataCenter.
    drafts.has_default_data_center = true;
    drafts.default_data_center_location = field.value_location;
    if (auto dc = ReadString(field, diagnostics)) {
      drafts.default_data_center = *dc;
    }
  }
}

void ReadGuards(const Entry& entry, Drafts& drafts, Diagnostics& diagnostics) {
  if (!ExpectMapping(entry, /*allow_null=*/true, diagnostics)) return;
  for (const Entry& field :
       ReadMapping(entry.value, entry.path, kGuardsKeys, diagnostics)) {
    if (field.key == "minRunwayDays") {
      drafts.guards.min_runway_days =
          ReadNumberAtLeast(field, /*min=*/0, diagnostics);
    } else if (auto strict = ReadBoolean(field, diagnostics)) {
      drafts.guards.strict = *strict;
    }
  }
}

// The entries of a section (volumes, pods or endpoints) whose keys are
// addresses.
std::vector<Entry> ReadSection(const Entry& entry, Diagnostics& diagnostics) {
  if (!ExpectMapping(entry, /*allow_null=*/true, diagnostics)) return {};
  std::vector<Entry> entries =
      ReadMapping(entry.value, entry.path, {}, diagnostics);
  for (const Entry& item : entries) {
    if (!IsAddressKey(item.key)) {
      diagnostics.Error(
          item.key_location,
          absl::StrCat(entry.path, ": invalid key \"", item.key,
                       "\": keys are addresses and must match "
                       "[a-z0-9][a-z0-9_-]*, at most 63 characters"));
    }
  }
  return entries;
}

// Moves the value of each key of `secret_keys` out of `env` into
// (*secrets)[address]: Desired keeps only the mark (and, once
// DigestSecretValues has run, the value's salted digest).
void MoveSecretValues(const Address& address,
                      const std::set<std::string>& secret_keys,
                      std::map<std::string, std::string>& env,
                      SecretValues* secrets) {
  for (const std::string& key : secret_keys) {
    auto value = env.extract(key);
    if (value.empty()) continue;
    secrets->env[address][key] = std::move(value.mapped());
  }
}

// Moves what `drafts` holds into the config.
Config BuildConfig(const std::string& path, Drafts&& drafts,
                   std::vector<Diagnostic> warnings, ConfigDigestMode digest,
                   SecretValues* secrets) {
  Config config;
  config.path = path;
  config.version = kVersion;
  config.default_data_center = drafts.default_data_center;
  config.guards = std::move(drafts.guards);
  for (VolumeDraft& draft : drafts.volumes) {
    DesiredVolume& volume = config.volumes[draft.key];
    volume.key = draft.key;
    volume.spec = std::move(draft.spec);
    volume.protect = draft.protect;
    volume.location = draft.location;
  }
  for (PodDraft& draft : drafts.pods) {
    DesiredPod& pod = config.pods[draft.key];
    pod.key = draft.key;
    pod.spec = std::move(draft.spec);
    pod.volume = std::move(draft.volume);
    pod.volume_location = draft.volume_location;
    pod.read_only = draft.read_only;
    pod.destroy_first = draft.destroy_first;
    pod.secret_env = std::move(draft.secret_env);
    MoveSecretValues({Kind::kPod, draft.key}, pod.secret_env, pod.spec.env,
                     secrets);
    pod.location = draft.location;
  }
  for (EndpointDraft& draft : drafts.endpoints) {
    DesiredEndpoint& endpoint = config.endpoints[draft.key];
    endpoint.key = draft.key;
    endpoint.spec = std::move(draft.spec);
    endpoint.volumes = std::move(draft.volumes);
    endpoint.volumes_location = draft.volumes_location;
    endpoint.read_only = draft.read_only;
    endpoint.secret_env = std::move(draft.secret_env);
    MoveSecretValues({Kind::kEndpoint, draft.key}, endpoint.secret_env,
                     endpoint.spec.env, secrets);
    endpoint.location = draft.location;
  }
  DigestSecretValues(*secrets, &config);
  config.moved = std::move(drafts.moved);
  if (digest == ConfigDigestMode::kCompute) {
    config.digest = ConfigDigest(config);
  }
  config.warnings = std::move(warnings);
  return config;
}

// Counts documents and nothing else. yaml-cpp 0.7 reports documents without
// end on some malformed streams (e.g. ",\n-\n.\nx: \"\n"), so YAML::LoadAll
// would loop, allocating, until memory runs out.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// Whether YAML::Load of `text` may stop before the end of the stream: in
// yaml-cpp 0.7 a document ends at a line that starts with "---" or "...",
// at a directive ("%"), and wherever its root node ends (see
// ReadsToTheEnd).
bool HasDocumentBoundaries(const std::string& text) {
  for (size_t line = 0; line < text.size();) {
    if (text.compare(line, 3, "---") == 0 ||
        text.compare(line, 3, "...") == 0 || text[line] == '%') {
      return true;
    }
    line = text.find('\n', line);
    if (line == std::string::npos) break;
    ++line;
  }
  return false;
}

// A block mapping that starts in column 0 ends only at the end of the
// stream, a document boundary or a syntax error, so YAML::Load read all of
// a text without boundaries. Any other root (indented, a flow mapping, a
// scalar) may have ended early, leaving more documents after it.
bool ReadsToTheEnd(const YAML::Node& root) {
  return root.IsMap() && root.Style() == YAML::EmitterStyle::Block &&
         root.Mark().column == 0;
}

// True when the stream has more than `limit` documents (or never ends).
bool MoreDocumentsThan(const std::string& text, int limit) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  for (int documents = 0; documents <= limit; ++documents) {
    if (!parser.HandleNextDocument(counter)) return false;
  }
  return true;
}

void Validate(const std::string& text, const EnvLookup& env,
              const EnvLookup& vars, bool strict, Drafts& drafts,
              Diagnostics& diagnostics) {
  constexpr int kMaxDocuments = 100;
  CheckUtf8(text, diagnostics);
  std::vector<YAML::Node> documents;
  try {
    const bool one_pass = !HasDocumentBoundaries(text);
    YAML::Node only = one_pass ? YAML::Load(text) : YAML::Node();
    if (one_pass && ReadsToTheEnd(only)) {
      // The whole text is one document, read in one pass. Anything else
      // takes the long way below.
      documents.push_back(std::move(only));
    } else if (MoreDocumentsThan(text, kMaxDocuments)) {
      diagnostics.Error(
          SourceLocation{1, 1},
          absl::StrCat("YAML syntax error: more than ", kMaxDocuments,
                       " documents (the stream does not end)"));
      return;
    } else {
      documents = YAML::LoadAll(text);
    }
  } catch (const YAML::ParserException& e) {
    std::string message = absl::StrCat("YAML syntax error: ", e.msg);
    if (IndentedWithTab(text, e.mark.line)) {
      message.append(" (YAML does not allow tabs for indentation)");
    }
    diagnostics.Error(LocationOf(e.mark), std::move(message));
    return;
  }
  if (documents.size() > 1) {
    diagnostics.Error(
        LocationOf(documents[1].Mark()),
        absl::StrCat("expected one YAML document, found ", documents.size()));
  }
  if (text.find('*') != std::string::npos) {
    // There may be aliases: walk the events, each node once.
    if (!CheckYamlEvents(text, kMaxDocuments, diagnostics)) return;
  } else {
    for (const YAML::Node& document : documents) {
      if (auto mark = FindUnterminatedQuote(document, text)) {
        diagnostics.Error(LocationOf(*mark),
                          "YAML syntax error: unterminated quoted string");
        return;
      }
    }
  }
  if (documents.empty() || documents[0].IsNull()) {
    diagnostics.Error(SourceLocation{1, 1},
                      "the file is empty; expected a mapping with "
                      "\"version: 1\"");
    return;
  }
  const YAML::Node& root = documents[0];
  SourceLocation root_location = LocationOf(root.Mark());
  if (!root.IsMap()) {
    diagnostics.Error(root_location,
                      absl::StrCat("expected a mapping at the top level, got ",
                                   DescribeType(TypeOf(root))));
    return;
  }

  std::optional<Entry> version, defaults, guards, volumes, pods, endpoints,
      moved;
  for (Entry& entry : ReadMapping(root, "", kTopLevelKeys, diagnostics)) {
    if (entry.key == "version") version = std::move(entry);
    if (entry.key == "defaults") defaults = std::move(entry);
    if (entry.key == "guards") guards = std::move(entry);
    if (entry.key == "volumes") volumes = std::move(entry);
    if (entry.key == "pods") pods = std::move(entry);
    if (entry.key == "endpoints") endpoints = std::move(entry);
    if (entry.key == "moved") moved = std::move(entry);
  }
  ReadVersion(version, root_location, diagnostics);
  if (defaults.has_value()) ReadDefaults(*defaults, drafts, diagnostics);
  if (guards.has_value()) ReadGuards(*guards, drafts, diagnostics);
  if (volumes.has_value()) {
    for (const Entry& entry : ReadSection(*volumes, diagnostics)) {
      drafts.volume_keys.insert(entry.key);
      drafts.volumes.push_back(ReadVolume(entry, drafts, diagnostics));
    }
  }
  if (pods.has_value()) {
    for (const Entry& entry : ReadSection(*pods, diagnostics)) {
      drafts.pods.push_back(ReadPod(entry, env, vars, diagnostics));
    }
  }
  if (endpoints.has_value()) {
    for (const Entry& entry : ReadSection(*endpoints, diagnostics)) {
      drafts.endpoints.push_back(ReadEndpoint(entry, env, vars, diagnostics));
    }
  }
  CheckReferences(drafts, diagnostics);
  CheckEndpoints(drafts, diagnostics);
  CheckWriters(drafts, strict || drafts.guards.strict, diagnostics);
  if (moved.has_value()) ReadMoved(*moved, drafts, diagnostics);
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

LoadResult ParseConfig(const std::string& path, const std::string& text,
                       const EnvLookup& env, const EnvLookup& vars,
                       bool strict, ConfigDigestMode digest) {
  Diagnostics diagnostics(path);
  Drafts drafts;
  try {
    Validate(text, env, vars, strict, drafts, diagnostics);
  } catch (const std::exception& e) {
    // yaml-cpp throws on misuse of a node; every access above checks the
    // type first, so this is a defect, reported rather than thrown.
    diagnostics.Error(
        SourceLocation{},
        absl::StrCat("internal error while reading the file: ", e.what()));
  }
  LoadResult result;
  result.diagnostics = diagnostics.Sorted();
  if (!diagnostics.has_errors()) {
    std::vector<Diagnostic> warnings;
    for (const Diagnostic& d : result.diagnostics) {
      if (d.severity == Diagnostic::Severity::kWarning) warnings.push_back(d);
    }
    result.config =
        BuildConfig(path, std::move(drafts), std::move(warnings), digest,
                    &result.secret_values);
  }
  return result;
}

LoadResult LoadConfigFile(const std::string& path, const EnvLookup& env,
                          const EnvLookup& vars, bool strict,
                          ConfigDigestMode digest) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    // ReadFile says "cannot read PATH: REASON"; keep the reason.
    std::string message(text.status().message());
    std::string prefix = absl::StrCat("cannot read ", path, ": ");
    std::string reason =
        message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
    LoadResult result;
    result.diagnostics.push_back(
        Diagnostic{Diagnostic::Severity::kError, path, SourceLocation{},
                   absl::StrCat("cannot read: ", reason)});
    return result;
  }
  return ParseConfig(path, *text, env, vars, strict, digest);
}

}  // namespace podform
