#ifndef PODFORM_TESTS_PLAN_FIXTURES_H_
#define PODFORM_TESTS_PLAN_FIXTURES_H_

// Fixed inputs for planner and renderer tests: a desired config, the lock
// file state and RunPod's live state, built directly (no YAML, no network).

#include <string>
#include <vector>

#include "reconciler/config/config.h"
#include "reconciler/core/model.h"
#include "reconciler/core/resource.h"
#include "reconciler/plan/plan.h"
#include "reconciler/state/state.h"

namespace podform::testing {

inline constexpr char kLineage[] = "6f9c1d2e-0b7a-4c51-9e43-2d8f7a615b30";
inline constexpr char kA100[] = "NVIDIA A100 80GB PCIe";
inline constexpr char kH100[] = "NVIDIA H100 80GB HBM3";
inline constexpr char kSecret[] = "hf_s3cr3t_token";

inline Address Vol(const std::string& name) { return {Kind::kVolume, name}; }
inline Address PodAt(const std::string& name) { return {Kind::kPod, name}; }
inline Address EndpointAt(const std::string& name) {
  return {Kind::kEndpoint, name};
}

// A volume as the config loader gives it (defaults applied).
DesiredVolume MakeVolume(const std::string& key, int64_t size_gb,
                         const std::string& data_center = "EU-RO-1",
                         bool protect = true);

// A pod as the config loader gives it: A100 x1, SECURE, image
// runpod/pytorch:2.4.0, ports 8888/http and 22/tcp, env HF_HOME (plain)
// and HF_TOKEN (secret, kSecret), running; data center EU-RO-1 when it
// mounts a volume.
DesiredPod MakePod(const std::string& key, const std::string& volume);

// An endpoint as the config loader gives it: queue, image
// ghcr.io/acme/embed:1.4, pool ADA_24 x1, workers 0..3 (idle 10 s), queue
// delay 4 s, timeout 600 s, flashboot off, env MODEL_DIR (plain) and
// HF_TOKEN (secret, kSecret), mounting `volumes` (data centers: EU-RO-1
// per volume; none without).
DesiredEndpoint MakeEndpoint(const std::string& key,
                             const std::vector<std::string>& volumes);

// The fixtures give a secret env key its value in spec.env, for brevity;
// this splits those values out as the config loader does (config.h): the
// raw value of each secret_env key of each pod and endpoint.
SecretValues SecretsIn(const Desired& desired);

// `config` with what the config loader adds beside each such value: a fresh
// secret_salt and, for each pod and endpoint, the secret_env_digests of the
// values SecretsIn(config) holds.
Config WithSecretDigests(Config config);

// The inputs of MakePlan, kept consistent by the helpers below.
struct World {
  Config config;
  State state;
  LiveState live;

  World();

  // SecretsIn(config): what the applier takes.
  SecretValues Secrets() const { return SecretsIn(config); }
  // WithSecretDigests(config): what the planner takes.
  Config Loaded() const { return WithSecretDigests(config); }

  void Desire(const DesiredVolume& v) { config.volumes[v.key] = v; }
  void Desire(const DesiredPod& p) { config.pods[p.key] = p; }
  void Desire(const DesiredEndpoint& e) { config.endpoints[e.key] = e; }
  // Records `v` in the lock file with `id` and puts it live, as an apply
  // would have left it.
  void Exists(const DesiredVolume& v, const std::string& id);
  // Same for a pod; its network volume id is the recorded id of its volume
  // (record the volume first).
  void Exists(const DesiredPod& p, const std::string& id);
  // Same for an endpoint; its network volume ids are the recorded ids of
  // its volumes (record them first).
  void Exists(const DesiredEndpoint& e, const std::string& id);
  // Desire + Exists.
  void Converged(const DesiredVolume& v, const std::string& id);
  void Converged(const DesiredPod& p, const std::string& id);
  void Converged(const DesiredEndpoint& e, const std::string& id);

  LiveVolume& LiveVolumeWithId(const std::string& id);
  LivePod& LivePodWithId(const std::string& id);
  LiveEndpoint& LiveEndpointWithId(const std::string& id);
  void RemoveLive(const std::string& id);
};

// One line per change, for exact comparisons:
// "ACTION ADDRESS [id=ID] [deposed=ID] [create-first] [data] [replace=a,b]
// [deps=x,y] [destroy-deps=x]" followed by "  # reason" lines and, for a
// pod's destroy-first replace, "  # destroy-first: WHY".
std::vector<std::string> Describe(const Plan& plan);

// The mixed plan used for the golden renderings: creates, an in-place grow,
// a pod update with a secret change, a replaced pod, a stop, a protected
// volume deleted with --allow-destroy, unmanaged resources and a warning.
Plan MixedPlan();

// A plan of serverless endpoints for the golden renderings: an endpoint
// that gains active workers, a new image and a second volume (created), one
// replaced for its type, one deleted, and an unmanaged endpoint.
Plan EndpointPlan();

}  // namespace podform::testing

#endif  // PODFORM_TESTS_PLAN_FIXTURES_H_
