#ifndef PODFORM_RECONCILER_CONFIG_CONFIG_H_
#define PODFORM_RECONCILER_CONFIG_CONFIG_H_

// The desired state: podform.yaml (version 1) loaded and validated.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/core/model.h"
#include "reconciler/core/resource.h"

namespace podform {

struct SourceLocation {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

// One problem found in a config file.
struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string file;
  SourceLocation location;
  std::string message;

  // "FILE:LINE:COL: message" (errors) or "FILE:LINE:COL: warning: message".
  std::string ToString() const;
};

struct DesiredVolume {
  std::string key;  // address volume.KEY
  VolumeSpec spec;  // name defaults to key; data_center to defaults.dataCenter
  bool protect = true;
  SourceLocation location;  // of the key
};

struct DesiredPod {
  std::string key;  // address pod.KEY
  // Defaults applied; spec.env holds resolved values including secrets;
  // spec.network_volume_id is empty (ids are not known to the config).
  PodSpec spec;
  std::string volume;  // key of the mounted volume; empty: none
  SourceLocation volume_location;  // of its `volume:` value
  // `access: read-only` (only with a volume): podform's record of the
  // mount's intent, which RunPod does not enforce (docs/GUARDS.md).
  bool read_only = false;
  // Env keys whose value came from ${env:NAME}; never printed or stored.
  std::set<std::string> secret_env;
  // `replace: destroy-first`: a replacement terminates the old pod before
  // creating the new one, instead of the default create-before-destroy
  // (docs/PLAN_FORMAT.md, "Replacement order"). Planning only; not sent to
  // RunPod nor recorded in the state.
  bool destroy_first = false;
  SourceLocation location;
};

struct DesiredEndpoint {
  std::string key;  // address endpoint.KEY
  // Defaults applied, in RunPod's units (timeout in ms); spec.env holds
  // resolved values including secrets; spec.network_volume_ids is empty;
  // spec.data_centers are its volumes' data centers (or as declared).
  EndpointSpec spec;
  std::vector<std::string> volumes;  // keys of the mounted volumes, in order
  SourceLocation volumes_location;   // of its `volumes:` value
  // `access: read-only` (only with volumes), as DesiredPod::read_only.
  bool read_only = false;
  std::set<std::string> secret_env;  // as DesiredPod::secret_env
  SourceLocation location;
};

// One item of `moved:`: the resource recorded at `from` is now declared at
// `to` (same kind). Checked against the config when loaded, and against the
// state when planning (reconciler/plan/moves.h).
struct MovedBlock {
  Address from;
  Address to;
  SourceLocation location;     // of the item
  SourceLocation to_location;  // of its `to` value
};

// The `guards:` section (docs/GUARDS.md): checks a team sets once for
// every plan and apply; the matching command-line flags override them.
struct Guards {
  // Fail when the account's balance lasts fewer days than this after the
  // plan (--min-runway); unset: a warning only.
  std::optional<double> min_runway_days;
  // Turn guard warnings (several read-write mounters of a volume) into
  // errors (--strict).
  bool strict = false;

  bool operator==(const Guards&) const = default;
};

struct Config {
  std::string path;  // as given
  int version = 1;
  std::string default_data_center;
  Guards guards;
  std::map<std::string, DesiredVolume> volumes;  // by key
  std::map<std::string, DesiredPod> pods;        // by key
  std::map<std::string, DesiredEndpoint> endpoints;  // by key
  std::vector<MovedBlock> moved;                 // in document order
  // Hex SHA-256 of what the config means (every volume, pod and endpoint
  // as the state records them, secret env keys as markers only, default data
  // center, moved:), not of its bytes: a comment or whitespace edit keeps
  // it; a saved plan is refused when it moves.
  std::string digest;
  std::vector<Diagnostic> warnings;
};

// Reads NAME for ${env:NAME}; returns nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

struct LoadResult {
  std::optional<Config> config;         // set iff there were no errors
  std::vector<Diagnostic> diagnostics;  // every error and warning, in order
};

// The form the state records for what the config declares at `key`
// (core/resource.h): a secret env key is only marked (in secret_env),
// never with its value, and a pod's network volume id is left empty (the
// config knows none). The one conversion the planner, the recovery of
// interrupted creates and Config::digest share.
Resource RecordedResource(const std::string& key, const DesiredVolume& volume);
Resource RecordedResource(const std::string& key, const DesiredPod& pod);
Resource RecordedResource(const std::string& key,
                          const DesiredEndpoint& endpoint);

// Parses and validates `text` as the contents of `path`. Reports every
// problem in one pass, sorted by position; never throws. See DESIGN.md
// "Config". Beyond DESIGN.md:
// - Plain scalars are typed by the YAML 1.2 core schema (what editors use):
//   `protect: yes` is a string, `size: "500"` is not an integer. Env values
//   may be strings, numbers or booleans, taken as their text.
// - Keys under volumes and pods are addresses: [a-z0-9][a-z0-9_-]*, at most
//   63 characters. Env names match [A-Za-z_][A-Za-z0-9_]*.
// - In env values, ${env:NAME} (whole or embedded) is resolved via `env` and
//   makes the key secret; $${ is a literal ${; any other ${ is an error, as
//   is ${env:...} in any other field. A variable that `env` does not have
//   is an error. No message ever holds an env value.
// - ${var:NAME} is resolved via `vars` in env values and in a pod's image;
//   its value is plain (shown in plans, recorded in state). A name `vars`
//   does not define is an error at the reference.
// - Pods may set `dockerArgs` (a string, default "").
// - Data centers and GPU types missing from reconciler/core/catalog.h are
//   warnings, not errors.
// - `moved:` is a list of {from: ADDRESS, to: ADDRESS}: the same kind, `to`
//   declared and `from` no longer declared, each address in at most one
//   item and never both a `from` and a `to` (no chains, no cycles).
// - A pod's `access` is read-write (default) or read-only, and only with a
//   `volume`. A volume with more than one read-write mounter (config/
//   writers.h) is a warning at the `volume:` of its second one, naming
//   each; an error when `strict` (--strict) or guards.strict is true. An
//   endpoint whose workers.max exceeds 1 is several writers by itself
//   unless its access is read-only.
// - `endpoints:` (REST v2 names and rules; README "Endpoints"): type queue |
//   load-balancer, gpu {pools (serverless pool ids), count}, workers {min,
//   max, idleTimeout}, scaling {queueDelay} | {requestCount}, volumes (at
//   most one per data center; the endpoint runs in their data centers) or
//   dataCenters (only without volumes), timeout (seconds), flashboot, env
//   (as a pod's), access. Volumes of one endpoint that differ in size are
//   a warning.
LoadResult ParseConfig(const std::string& path, const std::string& text,
                       const EnvLookup& env, const EnvLookup& vars = nullptr,
                       bool strict = false);

// Reads `path` and calls ParseConfig. A file that cannot be read is one
// diagnostic "FILE: cannot read: REASON".
LoadResult LoadConfigFile(const std::string& path, const EnvLookup& env,
                          const EnvLookup& vars = nullptr,
                          bool strict = false);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_CONFIG_H_
