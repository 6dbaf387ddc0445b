#include "cmd/adopt.h"

#include <algorithm>
#include <cmath>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
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
    if (!spec.env.empty()) {
      absl::StrAppend(&out, field, "env:\n");
      for (const auto& [name, value] : spec.env) {
        auto secret = pod.secret_refs.find(name);
        std::string text = secret != pod.secret_refs.end()
                               ? absl::StrCat("\"${env:", secret->second, "}\"")
                               : YamlString(value, /*env_value=*/true);
        absl::StrAppend(&out, field, "  ", name, ": ", text, "\n");
      }
    }
    if (!spec.running) absl::StrAppend(&out, field, "status: stopped\n");
    if (!spec.docker_args.empty()) {
      absl::StrAppend(&out, field, "dockerArgs: ", YamlString(spec.docker_args),
                      "\n");
    }
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
    const std::string& default_data_center,
    const std::vector<AdoptedPod>& pods) {
  const std::string original =
      absl::StripAsciiWhitespace(text).empty() ? "version: 1\n" : text;
  // Both places are found in the original text (so that messages name its
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
  std::string out = original;
  std::sort(
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
