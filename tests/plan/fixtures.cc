#include "tests/plan/fixtures.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/plan/planner.h"

namespace podform::testing {

DesiredVolume MakeVolume(const std::string& key, int64_t size_gb,
                         const std::string& data_center, bool protect) {
  DesiredVolume v;
  v.key = key;
  v.spec.name = key;
  v.spec.size_gb = size_gb;
  v.spec.data_center = data_center;
  v.protect = protect;
  return v;
}

DesiredPod MakePod(const std::string& key, const std::string& volume) {
  DesiredPod p;
  p.key = key;
  p.spec.name = key;
  p.spec.image = "runpod/pytorch:2.4.0";
  p.spec.gpu_type = kA100;
  p.spec.gpu_count = 1;
  p.spec.cloud_type = "SECURE";
  p.spec.data_center = volume.empty() ? "" : "EU-RO-1";
  p.spec.mount_path = "/workspace";
  p.spec.container_disk_gb = 20;
  p.spec.ports = {"8888/http", "22/tcp"};
  p.spec.env = {{"HF_HOME", "/workspace/hf"}, {"HF_TOKEN", kSecret}};
  p.spec.running = true;
  p.volume = volume;
  p.secret_env = {"HF_TOKEN"};
  return p;
}

DesiredEndpoint MakeEndpoint(const std::string& key,
                             const std::vector<std::string>& volumes) {
  DesiredEndpoint e;
  e.key = key;
  e.spec.name = key;
  e.spec.image = "ghcr.io/acme/embed:1.4";
  e.spec.type = kEndpointTypeQueue;
  e.spec.gpu_pools = {"ADA_24"};
  e.spec.gpu_count = 1;
  e.spec.workers_min = 0;
  e.spec.workers_max = 3;
  e.spec.idle_timeout = 10;
  e.spec.scaler_type = kScalerQueueDelay;
  e.spec.scaler_value = 4;
  e.spec.timeout_ms = 600000;
  e.spec.flashboot = kFlashbootOff;
  e.spec.env = {{"MODEL_DIR", "/runpod-volume/models"}, {"HF_TOKEN", kSecret}};
  for (size_t i = 0; i < volumes.size(); ++i) {
    e.spec.data_centers.push_back("EU-RO-1");
  }
  e.volumes = volumes;
  e.secret_env = {"HF_TOKEN"};
  return e;
}

namespace {

template <typename Declared>
void AddSecrets(Kind kind, const std::map<std::string, Declared>& declared,
                SecretValues* secrets) {
  for (const auto& [key, d] : declared) {
    for (const std::string& secret : d.secret_env) {
      auto value = d.spec.env.find(secret);
      if (value != d.spec.env.end()) {
        secrets->env[{kind, key}][secret] = value->second;
      }
    }
  }
}

}  // namespace

SecretValues SecretsIn(const Desired& desired) {
  SecretValues secrets;
  AddSecrets(Kind::kPod, desired.pods, &secrets);
  AddSecrets(Kind::kEndpoint, desired.endpoints, &secrets);
  return secrets;
}

Config WithSecretDigests(Config config) {
  DigestSecretValues(SecretsIn(config), &config);
  return config;
}

World::World() {
  config.path = "podform.yaml";
  config.default_data_center = "EU-RO-1";
  config.digest = std::string(64, 'c');
  state.lineage = kLineage;
  state.serial = 7;
  state.target = {"https://api.runpod.io/graphql", "user_2x8Kq"};
}

void World::Exists(const DesiredVolume& v, const std::string& id) {
  Resource r;
  r.address = Vol(v.key);
  r.volume = v.spec;
  r.protect = v.protect;
  state.resources[r.address] = {id, r};
  live.volumes.push_back({id, v.spec});
}

void World::Exists(const DesiredPod& p, const std::string& id) {
  Resource r;
  r.address = PodAt(p.key);
  r.pod = p.spec;
  r.volume_key = p.volume;
  r.read_only = p.read_only;
  r.secret_env = p.secret_env;
  for (const std::string& key : p.secret_env) r.pod.env.erase(key);
  if (!p.volume.empty()) {
    const ResourceState* volume = state.Find(Vol(p.volume));
    if (volume != nullptr) r.pod.network_volume_id = volume->id;
  }
  state.resources[r.address] = {id, r};
  LivePod live_pod;
  live_pod.id = id;
  live_pod.spec = p.spec;
  live_pod.spec.network_volume_id = r.pod.network_volume_id;
  live_pod.spec.data_center = "";  // RunPod does not report these
  live_pod.spec.cloud_type = "";
  live_pod.status = p.spec.running ? PodStatus::kRunning : PodStatus::kExited;
  live_pod.cost_per_hr = 1.0;
  live.pods.push_back(live_pod);
}

void World::Exists(const DesiredEndpoint& e, const std::string& id) {
  Resource r = RecordedResource(e.key, e);
  for (const std::string& key : e.volumes) {
    const ResourceState* volume = state.Find(Vol(key));
    if (volume != nullptr) r.endpoint.network_volume_ids.push_back(volume->id);
  }
  state.resources[r.address] = {id, r};
  LiveEndpoint live_endpoint;
  live_endpoint.id = id;
  live_endpoint.spec = e.spec;
  live_endpoint.spec.network_volume_ids = r.endpoint.network_volume_ids;
  live.endpoints.push_back(live_endpoint);
}

void World::Converged(const DesiredEndpoint& e, const std::string& id) {
  Desire(e);
  Exists(e, id);
}

void World::Converged(const DesiredVolume& v, const std::string& id) {
  Desire(v);
  Exists(v, id);
}

void World::Converged(const DesiredPod& p, const std::string& id) {
  Desire(p);
  Exists(p, id);
}

LiveVolume& World::LiveVolumeWithId(const std::string& id) {
  for (LiveVolume& v : live.volumes) {
    if (v.id == id) return v;
  }
  abort();
}

LivePod& World::LivePodWithId(const std::string& id) {
  for (LivePod& p : live.pods) {
    if (p.id == id) return p;
  }
  abort();
}

LiveEndpoint& World::LiveEndpointWithId(const std::string& id) {
  for (LiveEndpoint& e : live.endpoints) {
    if (e.id == id) return e;
  }
  abort();
}

void World::RemoveLive(const std::string& id) {
  std::erase_if(live.endpoints,
                [&](const LiveEndpoint& e) { return e.id == id; });
  std::erase_if(live.volumes, [&](const LiveVolume& v) { return v.id == id; });
  std::erase_if(live.pods, [&](const LivePod& p) { return p.id == id; });
}

std::vector<std::string> Describe(const Plan& plan) {
  std::vector<std::string> lines;
  auto join = [](const std::vector<Address>& addresses) {
    std::vector<std::string> names;
    for (const Address& a : addresses) names.push_back(a.ToString());
    return absl::StrJoin(names, ",");
  };
  for (const Change& c : plan.changes) {
    std::string line = absl::StrCat(std::string(ActionName(c.action)), " ",
                                    c.address.ToString());
    if (!c.id.empty()) absl::StrAppend(&line, " id=", c.id);
    if (!c.deposed_id.empty()) {
      absl::StrAppend(&line, " deposed=", c.deposed_id);
    }
    if (c.replace_order == ReplaceOrder::kCreateFirst) {
      absl::StrAppend(&line, " create-first");
    }
    if (c.destroys_data) absl::StrAppend(&line, " data");
    if (!c.replace_attributes.empty()) {
      absl::StrAppend(&line,
                      " replace=", absl::StrJoin(c.replace_attributes, ","));
    }
    if (!c.depends_on.empty()) {
      absl::StrAppend(&line, " deps=", join(c.depends_on));
    }
    if (!c.destroy_depends_on.empty()) {
      absl::StrAppend(&line, " destroy-deps=", join(c.destroy_depends_on));
    }
    lines.push_back(line);
    for (const std::string& reason : c.reasons) {
      lines.push_back(absl::StrCat("  # ", reason));
    }
    if (!c.replace_order_reason.empty()) {
      lines.push_back(
          absl::StrCat("  # destroy-first: ", c.replace_order_reason));
    }
  }
  return lines;
}

Plan MixedPlan() {
  World w;
  DesiredVolume models = MakeVolume("models", 100);
  models.spec.name = "ml-models";
  w.Exists(models, "vol-models");
  models.spec.size_gb = 200;
  w.Desire(models);

  w.Desire(MakeVolume("datasets", 50));

  w.Exists(MakeVolume("old", 500), "vol-old");

  DesiredPod trainer = MakePod("trainer", "models");
  w.Exists(trainer, "pod-trainer");
  trainer.spec.image = "runpod/pytorch:2.5.0";
  trainer.spec.env["HF_TOKEN"] = "hf_rotated_token";
  w.Desire(trainer);

  DesiredPod notebook = MakePod("notebook", "");
  w.Exists(notebook, "pod-notebook");
  notebook.spec.gpu_type = kH100;
  w.Desire(notebook);

  w.Desire(MakePod("worker", "datasets"));
  w.state.intents[PodAt("worker")] = {PodAt("worker"), "worker", "EU-RO-1",
                                      "2026-03-01T10:00:00Z"};

  DesiredPod idle = MakePod("idle", "");
  w.Exists(idle, "pod-idle");
  idle.spec.running = false;
  w.Desire(idle);

  w.Exists(MakePod("scratch", "old"), "pod-scratch");

  w.live.volumes.push_back({"vol-manual", {"manual-backup", 10, "EU-SE-1"}});
  LivePod debug;
  debug.id = "pod-debug";
  debug.spec.name = "debug";
  debug.status = PodStatus::kRunning;
  w.live.pods.push_back(debug);

  PlanOptions options;
  options.allow_destroy = {Vol("old")};
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, options);
  if (!plan.ok()) abort();
  return *plan;
}

Plan EndpointPlan() {
  World w;
  w.Converged(MakeVolume("models-eu", 100), "vol-eu");
  w.Desire(MakeVolume("models-us", 100, "US-TX-3"));

  w.Exists(MakeEndpoint("embed", {"models-eu"}), "ep-embed");
  DesiredEndpoint embed = MakeEndpoint("embed", {"models-eu", "models-us"});
  embed.spec.data_centers = {"EU-RO-1", "US-TX-3"};
  embed.spec.image = "ghcr.io/acme/embed:1.5";
  embed.spec.workers_min = 1;
  w.Desire(embed);

  w.Exists(MakeEndpoint("router", {}), "ep-router");
  DesiredEndpoint router = MakeEndpoint("router", {});
  router.spec.type = kEndpointTypeLoadBalancer;
  router.spec.scaler_type = kScalerRequestCount;
  router.spec.scaler_value = 2;
  w.Desire(router);

  w.Exists(MakeEndpoint("legacy", {}), "ep-legacy");

  LiveEndpoint manual;
  manual.id = "ep-manual";
  manual.spec.name = "console-made";
  w.live.endpoints.push_back(manual);

  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  if (!plan.ok()) abort();
  return *plan;
}

}  // namespace podform::testing
