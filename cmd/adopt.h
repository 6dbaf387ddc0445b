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
struct AdoptedEndpoint {
  std::string key;
  LiveEndpoint live;
  // The keys of its volumes, in the order of live.spec.network_volume_ids
  // (one each).
  std::vector<std::string> volume_keys;
  // As AdoptedPod::secret_refs.
  std::map<std::string, std::string> secret_refs;
};

// Why podform.yaml cannot declare `endpoint` as RunPod reports it (its
// volumes aside), as the end of "skipped endpoint ID "NAME": ..."; "" when
// it can. What the config cannot hold: an empty name or image, a type
// other than QUEUE and LOAD_BALANCER, no GPU pools (a CPU endpoint) or a
// pool the catalog does not know, fewer than 1 GPU, workers min above max
// or below 0, an idle timeout outside 1..3600 s (or any on a queue that
// scales on REQUEST_COUNT, which has none), a scaler other than
// QUEUE_DELAY (at least 0.5 s; not on a load balancer) and REQUEST_COUNT
// (from 1), a timeout that is not a whole number of seconds in
// 1..2147483, flashboot other than OFF and FLASHBOOT (PRIORITY_FLASHBOOT),
// a data center listed twice and an env name that is not
// [A-Za-z_][A-Za-z0-9_]*.
std::string WhyNotDeclarable(const LiveEndpoint& endpoint);

// Why podform.yaml cannot declare `endpoint` with the volumes it mounts,
// whose data centers RunPod reports as `volume_data_centers` (one per id of
// endpoint.spec.network_volume_ids, in that order): two of them in one
// data center, or RunPod placing it elsewhere than exactly there (the
// config gives such an endpoint its volumes' data centers). "" when it can,
// and for an endpoint without volumes.
std::string WhyVolumesNotDeclarable(
    const LiveEndpoint& endpoint,
    const std::vector<std::string>& volume_data_centers);

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

// The same for endpoints (config field order, defaults as
// config/endpoint_reader.cc applies them left out): name when it equals the
// key, type queue, gpu.count 1, workers min 0, max 3 and idleTimeout 10
// (never an idleTimeout on a queue that scales on requestCount), scaling
// queueDelay 4 on a queue (a load balancer's requestCount is always
// written: the config requires it), timeout 300, flashboot false, no env.
// gpu, workers, scaling, volumes and dataCenters are flow-style one-liners
// (`gpu: {pools: [ADA_24], count: 2}`); `volumes:` lists volume_keys,
// `dataCenters:` is written only when there are no volumes and RunPod
// reports some. `access` is podform's own record, which RunPod does not
// report: never written (read-write).
// REQUIRES: WhyNotDeclarable(e.live) is "" for each.
std::string EndpointEntries(const std::vector<AdoptedEndpoint>& endpoints,
                            int indent);

// Where import --all puts new entries in an existing config (`text`, which
// loaded without errors).
struct Insertion {
  // Byte offset in `text` where the entries go; npos: append a new
  // "SECTION:" at the end of the file.
  size_t offset = std::string::npos;
  int indent = 2;  // of the entries' keys
};

// Where new entries of top-level `section` ("volumes", "pods" or
// "endpoints") go in
// `text`: after the last non-blank line of the section's last entry (the
// lines indented deeper than the entries' keys; comments and blank lines
// that follow it at the entries' level or left of it stay after the new
// entries), or right after "SECTION:" when its value is empty.
// FailedPrecondition when the section is written in flow style or as an
// explicit null (`{}`, `~`), which would have to be rewritten; InvalidArgument
// when `text` is not YAML.
absl::StatusOr<Insertion> FindInsertion(const std::string& text,
                                        const std::string& section);

// `text` with the volume, pod and endpoint entries added (as FindInsertion
// says; missing sections are appended in that order); an empty text gets
// "version: 1" first. Entries' text comes from VolumeEntries/PodEntries/
// EndpointEntries with the indent found; any may be empty.
absl::StatusOr<std::string> AppendEntries(
    const std::string& text, const std::vector<AdoptedVolume>& volumes,
    const std::string& default_data_center, const std::vector<AdoptedPod>& pods,
    const std::vector<AdoptedEndpoint>& endpoints = {});

}  // namespace podform

#endif  // PODFORM_CMD_ADOPT_H_
