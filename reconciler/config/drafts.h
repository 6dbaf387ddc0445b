#ifndef PODFORM_RECONCILER_CONFIG_DRAFTS_H_
#define PODFORM_RECONCILER_CONFIG_DRAFTS_H_

// The loader's working copy of podform.yaml: each volume and pod as read,
// with defaults applied and the position of every field that a later check
// may point at. ParseConfig turns drafts into a Config when nothing is wrong.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "reconciler/config/config.h"
#include "reconciler/config/diagnostics.h"
#include "reconciler/config/yaml_reader.h"

namespace podform {

struct VolumeDraft {
  std::string key;
  std::string path;         // "volumes.KEY"
  SourceLocation location;  // of the key
  VolumeSpec spec;          // name = key unless given
  bool protect = true;
  bool has_name = false;
  SourceLocation name_location;
  bool has_data_center = false;  // given on the volume itself
  SourceLocation data_center_location;
};

struct PodDraft {
  std::string key;
  std::string path;  // "pods.KEY"
  SourceLocation location;
  PodSpec spec;  // defaults applied; data_center as given
  bool has_name = false;
  SourceLocation name_location;
  bool has_gpu_type = false;
  SourceLocation gpu_type_location;
  bool has_cloud_type = false;
  SourceLocation cloud_type_location;
  bool has_data_center = false;
  SourceLocation data_center_location;
  std::string volume;  // key; "" = none
  SourceLocation volume_location;
  bool has_access = false;  // `access:` is given
  SourceLocation access_location;
  bool read_only = false;
  bool destroy_first = false;  // `replace: destroy-first`
  std::set<std::string> secret_env;
};

struct EndpointDraft {
  std::string key;
  std::string path;  // "endpoints.KEY"
  SourceLocation location;
  EndpointSpec spec;  // defaults applied; data_centers as declared
  bool has_name = false;
  SourceLocation name_location;
  SourceLocation pools_location;  // of `gpu.pools`
  // The value of each pool id, in order (parallel to spec.gpu_pools).
  std::vector<SourceLocation> pool_locations;
  bool has_scaling = false;
  SourceLocation scaling_location;               // of `scaling`'s value
  std::vector<std::string> volumes;              // keys, in order
  std::vector<SourceLocation> volume_locations;  // parallel to volumes
  SourceLocation volumes_location;               // of `volumes`'s value
  bool has_data_centers = false;
  SourceLocation data_centers_location;
  bool has_access = false;
  SourceLocation access_location;
  bool read_only = false;
  std::set<std::string> secret_env;
};

struct Drafts {
  bool has_default_data_center = false;  // defaults.dataCenter is present
  std::string default_data_center;       // its value; "" if unusable
  SourceLocation default_data_center_location;
  Guards guards;
  std::vector<VolumeDraft> volumes;  // in document order
  std::vector<PodDraft> pods;
  std::vector<EndpointDraft> endpoints;
  std::set<std::string> volume_keys;  // every key under volumes, even bad ones
  std::vector<MovedBlock> moved;      // the items of `moved:` that parse
};

// True if `key` can be part of an address: [a-z0-9][a-z0-9_-]*, at most 63
// characters.
bool IsAddressKey(const std::string& key);

// A draft of the volume, pod or endpoint at `entry` (volumes.KEY, ...) with
// what every kind starts with: its key, path and key location, and the key
// as its RunPod name until a `name:` says otherwise.
template <typename Draft>
Draft NewDraft(const Entry& entry) {
  Draft draft;
  draft.key = entry.key;
  draft.path = entry.path;
  draft.location = entry.key_location;
  draft.spec.name = entry.key;
  return draft;
}

// Reads a volume's, pod's or endpoint's `name:` (`field`) into `draft`:
// has_name, name_location, and spec.name, which is cleared when the value
// is not a string (an unusable name is not compared for uniqueness).
template <typename Draft>
void ReadName(const Entry& field, Draft& draft, Diagnostics& diagnostics) {
  draft.has_name = true;
  draft.name_location = field.value_location;
  if (auto name = ReadString(field, diagnostics)) {
    draft.spec.name = *name;
  } else {
    draft.spec.name.clear();
  }
}

// Reads a pod's or endpoint's `access:` (`field`) into `draft`: has_access,
// access_location, and read_only when the value is "read-only" (a value
// other than "read-write" or "read-only" is an error).
template <typename Draft>
void ReadAccess(const Entry& field, Draft& draft, Diagnostics& diagnostics) {
  draft.has_access = true;
  draft.access_location = field.value_location;
  if (auto access =
          ReadOneOf(field, {"read-write", "read-only"}, diagnostics)) {
    draft.read_only = *access == "read-only";
  }
}

// Reads the body of volumes.KEY (`entry`) into a draft. `drafts` supplies
// defaults.dataCenter, which must be read first.
VolumeDraft ReadVolume(const Entry& entry, const Drafts& drafts,
                       Diagnostics& diagnostics);

// Reads the body of pods.KEY, resolving ${env:NAME} in env values via `env`
// and ${var:NAME} in env values and the image via `vars`.
PodDraft ReadPod(const Entry& entry, const EnvLookup& env,
                 const EnvLookup& vars, Diagnostics& diagnostics);

// Reads the body of endpoints.KEY (config/endpoint_reader.cc), resolving
// env values as ReadPod does.
EndpointDraft ReadEndpoint(const Entry& entry, const EnvLookup& env,
                           const EnvLookup& vars, Diagnostics& diagnostics);

// Reads `env` (a mapping of variable names to values) into `values`:
// ${env:NAME} references are resolved via `env` and make the variable a
// secret (its name goes into `secret_env`), ${var:NAME} via `vars`. No
// value ever appears in a message.
void ReadEnv(const Entry& entry, const EnvLookup& env, const EnvLookup& vars,
             std::map<std::string, std::string>& values,
             std::set<std::string>& secret_env, Diagnostics& diagnostics);

// A pod's or endpoint's image, the string at `entry`, with its ${var:NAME}
// references resolved via `vars`; `image` is left as it is when the value
// is not a string.
void ReadImage(const Entry& entry, const EnvLookup& vars, std::string& image,
               Diagnostics& diagnostics);

// The checks of endpoints against the volumes (config/endpoint_reader.cc):
// each volume key declared, at most one volume per data center, no
// `dataCenters` beside volumes, unique RunPod names; sets each endpoint's
// data centers to its volumes'; warns when the volumes of one endpoint
// differ in size.
void CheckEndpoints(Drafts& drafts, Diagnostics& diagnostics);

// The checks that span entries: volume references, a pod's data center
// against its volume's (and inheriting it), COMMUNITY with a volume,
// duplicate RunPod names within a kind, and warnings for data centers and
// GPU types missing from the catalog.
void CheckReferences(Drafts& drafts, Diagnostics& diagnostics);

// The several-writers guard (core/writers.h) over the pods and endpoints
// of `drafts` that mount a declared volume: a warning per volume with more than
// one read-write mounter, an error when `strict`.
void CheckWriters(const Drafts& drafts, bool strict, Diagnostics& diagnostics);

// Reads `moved:` (a list of {from, to}) into drafts.moved and checks each
// item against the config (see ParseConfig in config.h). Call after the
// volumes and pods are read.
void ReadMoved(const Entry& entry, Drafts& drafts, Diagnostics& diagnostics);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_DRAFTS_H_
