#ifndef PODFORM_RECONCILER_CORE_DESIRED_H_
#define PODFORM_RECONCILER_CORE_DESIRED_H_

// Desired: what podform.yaml declares, as the planner, the applier and
// import take it (DESIGN.md's data flow: podform.yaml -> Desired). The
// config loader (config/config.h) builds it; nothing here reads YAML. It
// holds no raw secret value, only which env keys are secret and a salted
// digest of each secret value: the loader puts the values themselves in a
// SecretValues (core/secret_values.h) beside it, for the applier alone.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/core/model.h"
#include "reconciler/core/resource.h"
#include "reconciler/core/secret_values.h"

namespace podform {

struct SourceLocation {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

struct DesiredVolume {
  std::string key;  // address volume.KEY
  VolumeSpec spec;  // name defaults to key; data_center to defaults.dataCenter
  bool protect = true;
  SourceLocation location;  // of the key
};

struct DesiredPod {
  std::string key;  // address pod.KEY
  // Defaults applied; spec.env holds the resolved plain values, and no
  // secret key (SecretValues holds those values); spec.network_volume_id is
  // empty (ids are not known to the config).
  PodSpec spec;
  std::string volume;  // key of the mounted volume; empty: none
  SourceLocation volume_location;  // of its `volume:` value
  // `access: read-only` (only with a volume): podform's record of the
  // mount's intent, which RunPod does not enforce (docs/GUARDS.md).
  bool read_only = false;
  // Env keys whose value came from ${env:NAME}: marks only; the values are
  // in SecretValues (core/secret_values.h), never here.
  std::set<std::string> secret_env;
  // Secret env key -> SecretEnvDigest(Desired::secret_salt, its value), for
  // exactly the keys of secret_env: what the planner compares with the live
  // value (ChangedSecretEnv). Never serialized, rendered or logged, and not
  // part of Desired::digest.
  std::map<std::string, std::string> secret_env_digests;
  // `replace: destroy-first`: a replacement terminates the old pod before
  // creating the new one, instead of the default create-before-destroy
  // (docs/PLAN_FORMAT.md, "Replacement order"). Planning only; not sent to
  // RunPod nor recorded in the state.
  bool destroy_first = false;
  SourceLocation location;
};

struct DesiredEndpoint {
  std::string key;  // address endpoint.KEY
  // Defaults applied, in RunPod's units (timeout in ms); spec.env as
  // DesiredPod's (no secret key); spec.network_volume_ids is empty;
  // spec.data_centers are its volumes' data centers (or as declared).
  EndpointSpec spec;
  std::vector<std::string> volumes;  // keys of the mounted volumes, in order
  SourceLocation volumes_location;   // of its `volumes:` value
  // `access: read-only` (only with volumes), as DesiredPod::read_only.
  bool read_only = false;
  std::set<std::string> secret_env;  // as DesiredPod::secret_env
  std::map<std::string, std::string> secret_env_digests;  // as DesiredPod's
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

struct Desired {
  std::string path;  // the file that declares it, as given (for messages)
  std::string default_data_center;
  Guards guards;
  std::map<std::string, DesiredVolume> volumes;      // by key
  std::map<std::string, DesiredPod> pods;            // by key
  std::map<std::string, DesiredEndpoint> endpoints;  // by key
  std::vector<MovedBlock> moved;                     // in document order
  // Hex SHA-256 of what the config means (every volume, pod and endpoint
  // as the state records them, secret env keys as markers only, default data
  // center, moved:), not of its bytes: a comment or whitespace edit keeps
  // it; a saved plan is refused when it moves.
  std::string digest;
  // The salt of every secret_env_digests entry: NewSecretSalt(), drawn anew
  // each time the config is loaded, so that a digest means nothing outside
  // the process that loaded it. Never serialized, rendered or logged, and
  // not part of `digest`.
  std::string secret_salt;

  // The recorded form (RecordedResource) of what is declared at `address`;
  // nullopt when nothing is.
  std::optional<Resource> RecordedAt(const Address& address) const;
  // The plain env (no secret key) and the secret env keys of the pod or
  // endpoint declared at `address`; nullptr when none is declared there.
  const std::map<std::string, std::string>* EnvAt(const Address& address) const;
  const std::set<std::string>* SecretEnvAt(const Address& address) const;
  // The secret_env_digests of the pod or endpoint declared at `address`;
  // nullptr when none is declared there.
  const std::map<std::string, std::string>* SecretEnvDigestsAt(
      const Address& address) const;
};

// 32 random bytes (OpenSSL RAND_bytes) as 64 lowercase hex digits: a fresh
// Desired::secret_salt. Aborts if the system has no randomness to give.
std::string NewSecretSalt();

// The hex SHA-256 of `salt` (its text) followed by `value`: the digest
// Desired keeps of a secret env value, and what the planner computes from
// the live value to compare with it.
std::string SecretEnvDigest(std::string_view salt, std::string_view value);

// Draws a new desired->secret_salt and sets every pod's and endpoint's
// secret_env_digests to the SecretEnvDigest of each value `secrets` holds
// at its address (nothing else): what the config loader does once it has
// moved the values out of Desired.
void DigestSecretValues(const SecretValues& secrets, Desired* desired);

// The form the state records for what the config declares at `key`
// (core/resource.h): a secret env key is only marked (in secret_env),
// never with its value, and a pod's network volume id is left empty (the
// config knows none). The one conversion the planner, the recovery of
// interrupted creates and Desired::digest share.
Resource RecordedResource(const std::string& key, const DesiredVolume& volume);
Resource RecordedResource(const std::string& key, const DesiredPod& pod);
Resource RecordedResource(const std::string& key,
                          const DesiredEndpoint& endpoint);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_DESIRED_H_
