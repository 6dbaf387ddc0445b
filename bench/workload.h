#ifndef PODFORM_BENCH_WORKLOAD_H_
#define PODFORM_BENCH_WORKLOAD_H_

// Generated workloads for the benchmarks: a podform.yaml of N resources
// (N/2 network volumes and N/2 pods, each pod mounting its own volume), and
// either
//   - a sandbox data file holding the same resources and a podform.lock
//     recording them (a no-op plan), or
//   - an empty sandbox data file and no lock file (every resource is a
//     create).
//
// The YAML is written as a person would write it. The sandbox's resources
// are made with the emulator's own Account (as podFindAndDeployOnDemand and
// createNetworkVolume would make them) and the lock file with the lock-file
// serializer, both from the config as podform loads it, so the three files
// agree exactly.

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "reconciler/config/config.h"
#include "reconciler/core/catalog.h"
#include "reconciler/sandbox/account.h"
#include "reconciler/sandbox/account_json.h"
#include "reconciler/state/serialize.h"
#include "reconciler/state/state.h"
#include "reconciler/util/file.h"

namespace podform::bench {

struct Workload {
  std::string dir;
  std::string config;   // DIR/podform.yaml
  std::string lock;     // DIR/podform.lock (absent when holding none)
  std::string sandbox;  // DIR/sandbox.json
  int resources = 0;
  bool holding = false;
};

inline constexpr char kImage[] =
    "runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04";

// podform.yaml for `resources` resources (rounded down to an even number).
inline std::string WorkloadYaml(int resources) {
  const auto dcs = KnownDataCenters();
  const auto gpus = KnownGpuTypes();
  const int pairs = resources / 2;
  std::string yaml = "version: 1\n";
  if (pairs > 0) yaml += "volumes:\n";
  for (int i = 0; i < pairs; ++i) {
    absl::StrAppendFormat(&yaml,
                          "  data-%06d:\n"
                          "    size: %d\n"
                          "    dataCenter: %s\n",
                          i, 100 + i % 400, dcs[i % dcs.size()].id);
  }
  if (pairs > 0) yaml += "pods:\n";
  for (int i = 0; i < pairs; ++i) {
    // Spread the pods over every (data center, GPU type) so that none runs
    // out of the sandbox's default capacity.
    absl::StrAppendFormat(
        &yaml,
        "  worker-%06d:\n"
        "    image: %s\n"
        "    gpuType: %s\n"
        "    volume: data-%06d\n"
        "    ports: [8888/http, 22/tcp]\n"
        "    env: {HF_HOME: /workspace/hf, RUN_ID: \"%06d\"}\n",
        i, kImage, gpus[(i / dcs.size()) % gpus.size()].id, i, i);
  }
  return yaml;
}

// The request podform's client sends for `spec` (client/wire.cc
// CreatePodInput), as the emulator's Account takes it.
inline sandbox::DeployPodRequest DeployRequest(const PodSpec& spec) {
  sandbox::DeployPodRequest req;
  req.name = spec.name;
  req.image_name = spec.image;
  req.gpu_type_id = spec.gpu_type;
  req.gpu_count = spec.gpu_count;
  req.cloud_type = spec.cloud_type;
  if (!spec.data_center.empty()) req.data_center_id = spec.data_center;
  req.container_disk_in_gb = spec.container_disk_gb;
  req.volume_in_gb = 0;
  std::vector<sandbox::EnvVar> env;
  for (const auto& [key, value] : spec.env) env.push_back({key, value});
  req.env = env;
  req.ports = absl::StrJoin(spec.ports, ",");
  req.docker_args = spec.docker_args;
  if (!spec.network_volume_id.empty()) {
    req.network_volume_id = spec.network_volume_id;
    req.volume_mount_path = spec.mount_path;
  }
  return req;
}

// Writes DIR/podform.yaml, DIR/sandbox.json and (when `holding`)
// DIR/podform.lock. DIR is created; files in it are replaced.
inline absl::StatusOr<Workload> WriteWorkload(const std::string& dir,
                                              int resources, bool holding) {
  Workload w;
  w.dir = dir;
  w.config = dir + "/podform.yaml";
  w.lock = dir + "/podform.lock";
  w.sandbox = dir + "/sandbox.json";
  w.resources = resources / 2 * 2;
  w.holding = holding;
  if (absl::Status s = MakeDirectories(dir); !s.ok()) return s;
  std::filesystem::remove(w.lock);

  const std::string yaml = WorkloadYaml(resources);
  if (absl::Status s = WriteFileAtomically(w.config, yaml, 0644); !s.ok()) {
    return s;
  }
  LoadResult loaded = ParseConfig(w.config, yaml, [](const std::string&) {
    return std::optional<std::string>();
  });
  if (!loaded.config.has_value() || !loaded.config->warnings.empty()) {
    std::string problems;
    for (const Diagnostic& d : loaded.diagnostics) {
      absl::StrAppend(&problems, "\n", d.ToString());
    }
    return absl::InternalError("generated config is not clean:" + problems);
  }
  const Config& config = *loaded.config;

  const absl::Time created = absl::FromUnixSeconds(1767225600);  // 2026-01-01
  sandbox::Account account(/*seed=*/42, [created] { return created; });
  State state;
  state.lineage = NewLineage();
  state.serial = 1;
  if (holding) {
    for (const auto& [key, volume] : config.volumes) {
      absl::StatusOr<sandbox::NetworkVolume> made = account.CreateVolume(
          {volume.spec.name, volume.spec.size_gb, volume.spec.data_center});
      if (!made.ok()) return made.status();
      Resource r;
      r.address = {Kind::kVolume, key};
      r.volume = volume.spec;
      r.protect = volume.protect;
      state.resources[r.address] = ResourceState{made->id, r};
    }
    for (const auto& [key, pod] : config.pods) {
      Resource r;
      r.address = {Kind::kPod, key};
      r.pod = pod.spec;
      r.volume_key = pod.volume;
      r.secret_env = pod.secret_env;
      if (!pod.volume.empty()) {
        r.pod.network_volume_id =
            state.resources.at({Kind::kVolume, pod.volume}).id;
      }
      absl::StatusOr<sandbox::Pod> made =
          account.DeployPod(DeployRequest(r.pod));
      if (!made.ok()) return made.status();
      for (const std::string& secret : r.secret_env) r.pod.env.erase(secret);
      state.resources[r.address] = ResourceState{made->id, r};
    }
    if (absl::Status s = WriteFileAtomically(w.lock, SerializeState(state));
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s =
          WriteFileAtomically(w.sandbox, sandbox::AccountToJsonText(account));
      !s.ok()) {
    return s;
  }
  return w;
}

}  // namespace podform::bench

#endif  // PODFORM_BENCH_WORKLOAD_H_
