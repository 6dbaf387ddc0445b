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
#include "reconciler/core/desired.h"
#include "reconciler/core/secret_values.h"

namespace podform {

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

// A loaded config: what it declares (Desired), and what only the loader
// and the commands need.
struct Config : Desired {
  int version = 1;
  std::vector<Diagnostic> warnings;
};

// Reads NAME for ${env:NAME}; returns nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

struct LoadResult {
  std::optional<Config> config;         // set iff there were no errors
  // With `config`: the raw values of its secret env, which `config` only
  // marks (DesiredPod::secret_env) and digests (secret_env_digests). Pass it
  // to the applier only; never write it out.
  SecretValues secret_values;
  std::vector<Diagnostic> diagnostics;  // every error and warning, in order
};

// Parses and validates `text` as the contents of `path`. Reports every
// problem in one pass, sorted by position; never throws. See DESIGN.md
// "Config". Beyond DESIGN.md:
// - Plain scalars are typed by the YAML 1.2 core schema (what editors use):
//   `protect: yes` is a string, `size: "500"` is not an integer. Env values
//   may be strings, numbers or booleans, taken as their text.
// - Keys under volumes and pods are addresses: [a-z0-9][a-z0-9_-]*, at most
//   63 characters. Env names match [A-Za-z_][A-Za-z0-9_]*.
// - In env values, ${env:NAME} (whole or embedded) is resolved via `env` and
//   makes the key secret: its value goes into secret_values, not into
//   config (whose env lacks the key); $${ is a literal ${; any other ${ is
//   an error, as is ${env:...} in any other field. A variable that `env`
//   does not have is an error. No message ever holds an env value.
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
//   `volume`. A volume with more than one read-write mounter (core/
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
// With kSkip, Config::digest is left empty: for a caller that neither
// saves a plan nor checks one (hashing a large config costs time).
enum class ConfigDigestMode { kCompute, kSkip };
LoadResult ParseConfig(const std::string& path, const std::string& text,
                       const EnvLookup& env, const EnvLookup& vars = nullptr,
                       bool strict = false,
                       ConfigDigestMode digest = ConfigDigestMode::kCompute);

// Reads `path` and calls ParseConfig. A file that cannot be read is one
// diagnostic "FILE: cannot read: REASON".
LoadResult LoadConfigFile(
    const std::string& path, const EnvLookup& env,
    const EnvLookup& vars = nullptr, bool strict = false,
    ConfigDigestMode digest = ConfigDigestMode::kCompute);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_CONFIG_H_
