#include "cmd/adopt.h"

#include <algorithm>
#include <cmath>
#include <regex>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "reconciler/config/env_reference.h"
#include "reconciler/core/catalog.h"
#include "yaml-cpp/yaml.h"

namespace podform {
namespace {

constexpr size_t kMaxKeyLength = 63;

bool KeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

double EntropyPerChar(std::string_view value) {
  std::map<char, int> counts;
  for (char c : value) ++counts[c];
  double entropy = 0;
  for (const auto& [c, n] : counts) {
    double p = static_cast<double>(n) / static_cast<double>(value.size());
    entropy -= p * std::log2(p);
  }
  return entropy;
}

std::string Spaces(int n) { return std::string(static_cast<size_t>(n), ' '); }

// The bounds config/endpoint_reader.cc reads an endpoint's fields within
// (RunPod's, runpod-rest-v2.md §2.3).
constexpr int kMaxIdleTimeout = 3600;
constexpr double kMinQueueDelay = 0.5;
constexpr int64_t kMaxTimeoutSeconds = 2147483;

// "[a, b]": a flow sequence of YamlString scalars (which never hold the
// flow indicators , [ ] { }).
std::string FlowList(const std::vector<std::string>& items) {
  std::vector<std::string> texts;
  for (const std::string& item : items) texts.push_back(YamlString(item));
  return absl::StrCat("[", absl::StrJoin(texts, ", "), "]");
}

// A number as YAML that reads back as the same double: a whole number
// without a fraction, else the shortest text that round-trips.
std::string NumberText(double value) {
  if (std::isfinite(value) && value == std::floor(value) &&
      std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return nlohmann::json(value).dump();
}

bool HasDuplicates(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return std::adjacent_find(items.begin(), items.end()) != items.end();
}

// An env block ("env:" and one line per variable), values that
// `secret_refs` names written as ${env:NAME}.
std::string EnvLines(const std::map<std::string, std::string>& env,
                     const std::map<std::string, std::string>& secret_refs,
                     const std::string& field) {
  if (env.empty()) return "";
  std::string out = absl::StrCat(field, "env:\n");
  for (const auto& [name, value] : env) {
    auto secret = secret_refs.find(name);
    std::string text = secret != secret_refs.end()
                           ? absl::StrCat("\"${env:", secret->second, "}\"")
                           : YamlString(value, /*env_value=*/true);
    absl::StrAppend(&out, field, "  ", name, ": ", text, "\n");
  }
  return out;
}

}  // namespace

std::string KeyFromName(std::string_view name, std::string_view fallback) {
  std::string key;
  for (char c : name) {
    char lower = absl::ascii_tolower(static_cast<unsigned char>(c));
    if (KeyChar(lower)) {
      key += lower;
    } else if (!key.empty() && key.back() != '-') {
      key += '-';
    }
  }
  if (key.size() > kMaxKeyLength) key.resize(kMaxKeyLength);
  while (!key.empty() && (key.back() == '-' || key.back() == '_')) {
    key.pop_back();
  }
  size_t first = key.find_first_not_of("-_");
  key = first == std::string::npos ? "" : key.substr(first);
  return key.empty() ? std::string(fallback) : key;
}

std::string UniqueKey(const std::string& base,
                      const std::set<std::string>& taken) {
  if (taken.count(base) == 0) return base;
  for (int n = 2;; ++n) {
    std::string suffix = absl::StrCat("-", n);
    std::string key = base.substr(0, kMaxKeyLength - suffix.size()) + suffix;
    if (taken.count(key) == 0) return key;
  }
}

bool LooksSecret(std::string_view name_view, std::string_view value_view) {
  // Debian's Abseil has its own string_view.
  const absl::string_view name(name_view.data(), name_view.size());
  const absl::string_view value(value_view.data(), value_view.size());
  std::string upper = absl::AsciiStrToUpper(name);
  for (absl::string_view word :
       {"KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"}) {
    if (absl::StrContains(upper, word)) return true;
  }
  for (absl::string_view prefix :
       {"hf_", "sk-", "ghp_", "gho_", "ghs_", "github_pat_", "glpat-", "rpa_",
        "xoxb-", "xoxp-", "AKIA"}) {
    if (absl::StartsWith(value, prefix) && value.size() > prefix.size() + 8) {
      return true;
    }
  }
  if (value.size() < 20) return false;
  bool letter = false, digit = false;
  for (char c : value) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
    letter = letter || absl::ascii_isalpha(static_cast<unsigned char>(c));
    digit = digit || absl::ascii_isdigit(static_cast<unsigned char>(c));
  }
  return letter && digit && EntropyPerChar(value_view) >= 3.5;
}

std::string YamlString(std::string_view value, bool env_value) {
  std::string text(value);
  if (env_value) {
    std::string escaped;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text.compare(i, 2, "${") == 0) escaped += '$';
      escaped += text[i];
    }
    text = std::move(escaped);
  }
  // Plain only when it reads back as this string: no indicator first, no
  // ": " or " #", not something the core schema types (null, booleans,
  // numbers) - which anything starting with a digit, '.', '+' or '-' might be.
  static const std::regex kPlain("[A-Za-z_/][A-Za-z0-9_./@+:() -]*");
  static const std::regex kTyped(
      "null|Null|NULL|true|True|TRUE|false|False|FALSE");
  bool plain = std::regex_match(text, kPlain) &&
               !std::regex_match(text, kTyped) && text.back() != ' ' &&
               text.back() != ':' && !absl::StrContains(text, ": ") &&
               !absl::StrContains(text, " #");
  if (plain) return text;
  return nlohmann::json(text).dump(-1, ' ', /*ensure_ascii=*/false,
                                   nlohmann::json::error_handler_t::replace);
}

std::string VolumeEntries(const std::vector<AdoptedVolume>& volumes,
                          const std::string& default_data_center, int indent) {
  std::string out;
  std::string field = Spaces(indent + 2);
  for (const AdoptedVolume& volume : volumes) {
    const VolumeSpec& spec = volume.live.spec;
    absl::StrAppend(&out, Spaces(indent), volume.key, ":\n");
    if (spec.name != volume.key) {
      absl::StrAppend(&out, field, "name: ", YamlString(spec.name), "\n");
    }
    absl::StrAppend(&out, field, "size: ", spec.size_gb, "\n");
    if (IsVolumeType(spec.type)) {
      absl::StrAppend(&out, field, "type: ", spec.type, "\n");
    }
    if (spec.data_center != default_data_center) {
      absl::StrAppend(&out, field, "dataCenter: ", YamlString(spec.data_center),
                      "\n");
    }
    absl::StrAppend(&out, field, "protect: true\n");
  }
  return out;
}

std::string PodEntries(const std::vector<AdoptedPod>& pods, int indent) {
  const PodSpec defaults;
  std::string out;
  std::string field = Spaces(indent + 2);
  for (const AdoptedPod& pod : pods) {
    const PodSpec& spec = pod.live.spec;
    absl::StrAppend(&out, Spaces(indent), pod.key, ":\n");
    if (spec.name != pod.key) {
      absl::StrAppend(&out, field, "name: ", YamlString(spec.name), "\n");
    }
    absl::StrAppend(&out, field, "image: ", YamlString(spec.image), "\n");
    absl::StrAppend(&out, field, "gpuType: ", YamlString(spec.gpu_type), "\n");
    if (spec.gpu_count != defaults.gpu_count) {
      absl::StrAppend(&out, field, "gpuCount: ", spec.gpu_count, "\n");
    }
    if (!spec.cloud_type.empty() && spec.cloud_type != defaults.cloud_type) {
      absl::StrAppend(&out, field, "cloudType: ", spec.cloud_type, "\n");
    }
    if (pod.volume_key.empty() && !spec.data_center.empty()) {
      absl::StrAppend(&out, field, "dataCenter: ", YamlString(spec.data_center),
                      "\n");
    }
    if (!pod.volume_key.empty()) {
      absl::StrAppend(&out, field, "volume: ", pod.volume_key, "\n");
    }
    if (!spec.mount_path.empty() && spec.mount_path != defaults.mount_path) {
      absl::StrAppend(&out, field, "mountPath: ", YamlString(spec.mount_path),
                      "\n");
    }
    if (spec.container_disk_gb != defaults.container_disk_gb) {
      absl::StrAppend(&out, field, "containerDiskGb: ", spec.container_disk_gb,
                      "\n");
    }
    if (!spec.ports.empty()) {
      std::vector<std::string> ports;
      for (const std::string& port : spec.ports) {
        ports.push_back(nlohmann::json(port).dump());
      }
      absl::StrAppend(&out, field, "ports: [", absl::StrJoin(ports, ", "),
                      "]\n");
    }
    absl::StrAppend(&out, EnvLines(spec.env, pod.secret_refs, field));
    if (!pod.live.Running()) {
      absl::StrAppend(&out, field, "status: stopped\n");
    }
    if (!spec.docker_args.empty()) {
      absl::StrAppend(&out, field, "dockerArgs: ", YamlString(spec.docker_args),
                      "\n");
    }
  }
  return out;
}

std::string WhyNotDeclarable(const LiveEndpoint& endpoint) {
  const EndpointSpec& spec = endpoint.spec;
  const bool queue = spec.type == kEndpointTypeQueue;
  const bool request_count = spec.scaler_type == kScalerRequestCount;
  if (spec.name.empty()) {
    return "it has no name, and podform.yaml gives every endpoint one";
  }
  if (spec.image.empty()) {
    return "RunPod reports no image for it, and podform.yaml requires one";
  }
  if (!queue && spec.type != kEndpointTypeLoadBalancer) {
    return absl::StrCat("its type ", spec.type,
                        " is neither QUEUE nor LOAD_BALANCER");
  }
  if (spec.gpu_pools.empty()) {
    return "it has no GPU pools (a CPU endpoint?); podform.yaml declares GPU "
           "endpoints only";
  }
  for (const std::string& pool : spec.gpu_pools) {
    if (!IsKnownGpuPool(pool)) {
      return absl::StrCat("its GPU pool ", pool,
                          " is not one podform's catalog knows");
    }
  }
  if (HasDuplicates(spec.gpu_pools)) return "it lists a GPU pool twice";
  if (spec.gpu_count < 1) {
    return absl::StrCat("its GPU count ", spec.gpu_count, " is below 1");
  }
  if (spec.workers_min < 0 || spec.workers_min > spec.workers_max) {
    return absl::StrCat("its workers (min ", spec.workers_min, ", max ",
                        spec.workers_max, ") are not 0 <= min <= max");
  }
  if (queue && request_count) {
    if (spec.idle_timeout != 0) {
      return absl::StrCat(
          "it has an idle timeout (", spec.idle_timeout,
          " s) on a queue that scales on REQUEST_COUNT, which podform.yaml "
          "cannot declare");
    }
  } else if (spec.idle_timeout < 1 || spec.idle_timeout > kMaxIdleTimeout) {
    return absl::StrCat("its idle timeout ", spec.idle_timeout,
                        " s is not in 1..", kMaxIdleTimeout);
  }
  if (spec.scaler_type == kScalerQueueDelay) {
    if (!queue) return "it is a load balancer that scales on QUEUE_DELAY";
    if (!(spec.scaler_value >= kMinQueueDelay)) {
      return absl::StrCat("its queue delay ", spec.scaler_value, " s is below ",
                          kMinQueueDelay);
    }
  } else if (request_count) {
    if (spec.scaler_value < 1 ||
        spec.scaler_value != std::floor(spec.scaler_value)) {
      return absl::StrCat("its request count ", spec.scaler_value,
                          " is not a whole number from 1");
    }
  } else {
    return absl::StrCat("its scaler ", spec.scaler_type,
                        " is neither QUEUE_DELAY nor REQUEST_COUNT");
  }
  if (spec.timeout_ms % 1000 != 0 || spec.timeout_ms < 1000 ||
      spec.timeout_ms > kMaxTimeoutSeconds * 1000) {
    return absl::StrCat("its timeout ", spec.timeout_ms,
                        " ms is not a whole number of seconds in 1..",
                        kMaxTimeoutSeconds);
  }
  if (spec.flashboot != kFlashbootOff && spec.flashboot != kFlashbootOn) {
    return absl::StrCat("its flashboot is ", spec.flashboot,
                        "; podform.yaml declares only OFF (flashboot: false) "
                        "and FLASHBOOT (flashboot: true)");
  }
  if (spec.network_volume_ids.empty() && HasDuplicates(spec.data_centers)) {
    return "it lists a data center twice";
  }
  for (const auto& [name, value] : spec.env) {
    if (!IsEnvVariableName(name)) {
      return absl::StrCat("its env variable \"", name,
                          "\" is not a name podform.yaml accepts "
                          "([A-Za-z_][A-Za-z0-9_]*)");
    }
  }
  return "";
}

std::string WhyVolumesNotDeclarable(
    const LiveEndpoint& endpoint,
    const std::vector<std::string>& volume_data_centers) {
  if (endpoint.spec.network_volume_ids.empty()) return "";
  std::vector<std::string> volume_set = volume_data_centers;
  absl::c_sort(volume_set);
  auto twice = std::adjacent_find(volume_set.begin(), volume_set.end());
  if (twice != volume_set.end()) {
    return absl::StrCat("two of its volumes are in data center ", *twice,
                        "; podform.yaml mounts at most one per data center");
  }
  std::vector<std::string> placed = endpoint.spec.data_centers;
  absl::c_sort(placed);
  if (placed == volume_set) return "";
  return absl::StrCat(
      "RunPod places it ",
      placed.empty()
          ? std::string("in any data center")
          : absl::StrCat("in ",
                         absl::StrJoin(endpoint.spec.data_centers, ", ")),
      ", not in its volumes' data centers (",
      absl::StrJoin(volume_data_centers, ", "),
      ") where podform.yaml would place it");
}

std::string EndpointEntries(const std::vector<AdoptedEndpoint>& endpoints,
                            int indent) {
  const EndpointSpec defaults;
  std::string out;
  std::string field = Spaces(indent + 2);
  for (const AdoptedEndpoint& endpoint : endpoints) {
    const EndpointSpec& spec = endpoint.live.spec;
    const bool queue = spec.type == kEndpointTypeQueue;
    const bool request_count = spec.scaler_type == kScalerRequestCount;
    absl::StrAppend(&out, Spaces(indent), endpoint.key, ":\n");
    if (spec.name != endpoint.key) {
      absl::StrAppend(&out, field, "name: ", YamlString(spec.name), "\n");
    }
    absl::StrAppend(&out, field, "image: ", YamlString(spec.image), "\n");
    if (!queue) absl::StrAppend(&out, field, "type: load-balancer\n");
    absl::StrAppend(&out, field, "gpu: {pools: ", FlowList(spec.gpu_pools),
                    spec.gpu_count != defaults.gpu_count
                        ? absl::StrCat(", count: ", spec.gpu_count)
                        : "",
                    "}\n");
    std::vector<std::string> workers;
    if (spec.workers_min != defaults.workers_min) {
      workers.push_back(absl::StrCat("min: ", spec.workers_min));
    }
    if (spec.workers_max != defaults.workers_max) {
      workers.push_back(absl::StrCat("max: ", spec.workers_max));
    }
    if (!(queue && request_count) &&
        spec.idle_timeout != defaults.idle_timeout) {
      workers.push_back(absl::StrCat("idleTimeout: ", spec.idle_timeout));
    }
    if (!workers.empty()) {
      absl::StrAppend(&out, field, "workers: {", absl::StrJoin(workers, ", "),
                      "}\n");
    }
    if (request_count) {
      absl::StrAppend(&out, field,
                      "scaling: {requestCount: ", NumberText(spec.scaler_value),
                      "}\n");
    } else if (spec.scaler_value != defaults.scaler_value) {
      absl::StrAppend(&out, field,
                      "scaling: {queueDelay: ", NumberText(spec.scaler_value),
                      "}\n");
    }
    if (!endpoint.volume_keys.empty()) {
      absl::StrAppend(&out, field, "volumes: ", FlowList(endpoint.volume_keys),
                      "\n");
    } else if (!spec.data_centers.empty()) {
      absl::StrAppend(&out, field, "dataCenters: ", FlowList(spec.data_centers),
                      "\n");
    }
    if (spec.timeout_ms != defaults.timeout_ms) {
      absl::StrAppend(&out, field, "timeout: ", spec.timeout_ms / 1000, "\n");
    }
    if (spec.flashboot == kFlashbootOn) {
      absl::StrAppend(&out, field, "flashboot: true\n");
    }
    absl::StrAppend(&out, EnvLines(spec.env, endpoint.secret_refs, field));
  }
  return out;
}

absl::StatusOr<Insertion> FindInsertion(const std::string& text,
                                        const std::string& section) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not YAML: ", e.what()));
  }
  Insertion insertion;
  if (!root.IsDefined() || root.IsNull()) return insertion;
  if (!root.IsMap() || root.Style() == YAML::EmitterStyle::Flow) {
    return absl::FailedPreconditionError(
        "the file is not a block mapping; podform import --all adds entries "
        "only to a block-style file (use --out FILE)");
  }
  for (const auto& item : root) {
    if (!item.first.IsScalar() || item.first.Scalar() != section) continue;
    const YAML::Node& value = item.second;
    const YAML::Mark key_mark = item.first.Mark();
    size_t key_line_end = text.find('\n', static_cast<size_t>(key_mark.pos));
    size_t colon = text.find(':', static_cast<size_t>(key_mark.pos));
    std::string after_colon =
        colon == std::string::npos
            ? ""
            : text.substr(colon + 1, key_line_end == std::string::npos
                                         ? std::string::npos
                                         : key_line_end - colon - 1);
    absl::string_view rest = absl::StripAsciiWhitespace(after_colon);
    if (value.IsNull() && (rest.empty() || rest[0] == '#')) {
      // "volumes:" and nothing else: the entries go on the next lines.
      insertion.offset =
          key_line_end == std::string::npos ? text.size() : key_line_end + 1;
      return insertion;
    }
    if (!value.IsMap() || value.Style() == YAML::EmitterStyle::Flow) {
      return absl::FailedPreconditionError(absl::StrCat(
          "\"", section, ":\" at line ", key_mark.line + 1,
          " is not written as a block mapping; podform import --all only adds "
          "entries under a block-style section, and never rewrites what is "
          "there (write it in block style, or use --out FILE)"));
    }
    insertion.indent = value.Mark().column;
    // The last entry runs from its key's line to the next line that is not
    // blank and starts at the entries' indentation or left of it (the next
    // top-level key, or a comment at that level). Deeper lines are its own,
    // '#' lines of a block scalar included; the entries go after the last
    // of them that is not blank.
    int last_line = 0;
    for (const auto& entry : value) {
      last_line = std::max(last_line, entry.first.Mark().line);
    }
    size_t pos = 0;
    for (int line = 0; line < last_line && pos < text.size(); ++line) {
      size_t end = text.find('\n', pos);
      pos = end == std::string::npos ? text.size() : end + 1;
    }
    size_t last_content_end = text.find('\n', pos);
    last_content_end = last_content_end == std::string::npos
                           ? text.size()
                           : last_content_end + 1;
    pos = last_content_end;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      size_t next = end == std::string::npos ? text.size() : end + 1;
      absl::string_view line(text.data() + pos, next - pos);
      absl::string_view stripped = absl::StripAsciiWhitespace(line);
      if (!stripped.empty()) {
        size_t indent = line.find_first_not_of(' ');
        if (indent <= static_cast<size_t>(insertion.indent)) break;
        last_content_end = next;
      }
      pos = next;
    }
    insertion.offset = last_content_end;
    return insertion;
  }
  return insertion;
}

absl::StatusOr<std::string> AppendEntries(
    const std::string& text, const std::vector<AdoptedVolume>& volumes,
    const std::string& default_data_center, const std::vector<AdoptedPod>& pods,
    const std::vector<AdoptedEndpoint>& endpoints) {
  const std::string original =
      absl::StripAsciiWhitespace(text).empty() ? "version: 1\n" : text;
  // The places are found in the original text (so that messages name its
  // lines), then filled from the end backwards; new sections go last.
  struct Pending {
    Insertion at;
    std::string section;
    std::string block;
  };
  std::vector<Pending> pending;
  if (!volumes.empty()) {
    absl::StatusOr<Insertion> at = FindInsertion(original, "volumes");
    if (!at.ok()) return at.status();
    pending.push_back(
        {*at, "volumes",
         VolumeEntries(volumes, default_data_center, at->indent)});
  }
  if (!pods.empty()) {
    absl::StatusOr<Insertion> at = FindInsertion(original, "pods");
    if (!at.ok()) return at.status();
    pending.push_back({*at, "pods", PodEntries(pods, at->indent)});
  }
  if (!endpoints.empty()) {
    absl::StatusOr<Insertion> at = FindInsertion(original, "endpoints");
    if (!at.ok()) return at.status();
    pending.push_back(
        {*at, "endpoints", EndpointEntries(endpoints, at->indent)});
  }
  std::string out = original;
  // Stable: new sections are appended in the order above.
  std::stable_sort(
      pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
        return a.at.offset != std::string::npos &&
               (b.at.offset == std::string::npos || a.at.offset > b.at.offset);
      });
  std::string appended;
  for (const Pending& p : pending) {
    if (p.at.offset == std::string::npos) {
      absl::StrAppend(&appended, p.section, ":\n", p.block);
      continue;
    }
    bool after_newline = p.at.offset == 0 || out[p.at.offset - 1] == '\n';
    out.insert(p.at.offset, after_newline ? p.block : "\n" + p.block);
  }
  if (!appended.empty()) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += appended;
  }
  return out;
}

}  // namespace podform
