#ifndef PODFORM_CMD_ADOPT_H_
#define PODFORM_CMD_ADOPT_H_

// `podform import --all`: what to declare for live resources podform does
// not manage yet, as podform.yaml text, and where that text goes in an
// existing file. Pure functions: no I/O.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/core/model.h"

namespace podform {

// A config key (an address name: [a-z0-9][a-z0-9_-]*, at most 63
// characters) made from a RunPod name: lower-cased, every other character
// (and every run of them) replaced by one '-', leading and trailing '-'
// and '_' dropped, cut to 63 characters. `fallback` when nothing is left.
std::string KeyFromName(std::string_view name, std::string_view fallback);

// `base` when `taken` does not hold it, else the first of base-2, base-3, ...
// that it does not (the suffix replaces the end of a 63-character base).
std::string UniqueKey(const std::string& base,
                      const std::set<std::string>& taken);

// Whether an env variable is to be written as an ${env:NAME} reference
// rather than in clear: its name holds KEY, TOKEN, SECRET, PASSWORD, PASSWD
// or CREDENTIAL (any case), or its value looks like a token: a known prefix
// (hf_, sk-, ghp_, gho_, ghs_, github_pat_, glpat-, rpa_, xoxb-, xoxp-,
// AKIA), or at least 20 characters without spaces mixing letters and digits
// with high entropy (3.5 bits per character or more).
bool LooksSecret(std::string_view name, std::string_view value);

// `value` as a YAML scalar that the config reads back as the same string:
// plain when that is unambiguous, else double-quoted. `env_value`: the
// value of an env variable, where "${" is written "$${".
std::string YamlString(std::string_view value, bool env_value = false);

// What import --all declares for one live resource.
struct AdoptedVolume {
  std::string key;
  LiveVolume live;
};
struct AdoptedPod {
  std::string key;
  LivePod live;
  std::string volume_key;  // "" = none
  // Env variables written as ${env:NAME}: variable -> NAME.
  std::map<std::string, std::string> secret_refs;
};

// The text of the entries: each volume or pod as "KEY:" at `indent` spaces
// and its fields two spaces deeper, one line per field, fields equal to the
// config's defaults left out (name when it equals the key, dataCenter when
// it equals `default_data_center`, gpuCount 1, cloudType SECURE or not
// reported, mountPath /workspace or not reported, containerDiskGb 20,
// status running, no ports, no env, empty dockerArgs), `protect: true`
// always, a volume's type only when RunPod reported one that IsVolumeType
// knows, a pod's dataCenter only without a volume.
std::string VolumeEntries(const std::vector<AdoptedVolume>& volumes,
                          const std::string& default_data_center, int indent);
std::string PodEntries(const std::vector<AdoptedPod>& pods, int indent);

// Where import --all puts new entries in an existing config (`text`, which
// loaded without errors).
struct Insertion {
  // Byte offset in `text` where the entries go; npos: append a new
  // "SECTION:" at the end of the file.
  size_t offset = std::string::npos;
  int indent = 2;  // of the entries' keys
};

// Where new entries of top-level `section` ("volumes" or "pods") go in
// `text`: after the last non-blank line of the section's last entry (the
// lines indented deeper than the entries' keys; comments and blank lines
// that follow it at the entries' level or left of it stay after the new
// entries), or right after "SECTION:" when its value is empty.
// FailedPrecondition when the section is written in flow style or as an
// explicit null (`{}`, `~`), which would have to be rewritten; InvalidArgument
// when `text` is not YAML.
absl::StatusOr<Insertion> FindInsertion(const std::string& text,
                                        const std::string& section);

// `text` with the volume and pod entries added (as FindInsertion says);
// an empty text gets "version: 1" first. Entries' text comes from
// VolumeEntries/PodEntries with the indent found; either may be empty.
absl::StatusOr<std::string> AppendEntries(
    const std::string& text, const std::vector<AdoptedVolume>& volumes,
    const std::string& default_data_center,
    const std::vector<AdoptedPod>& pods);

}  // namespace podform

#endif  // PODFORM_CMD_ADOPT_H_
