#ifndef PODFORM_TESTS_STATE_SAMPLE_STATE_H_
#define PODFORM_TESTS_STATE_SAMPLE_STATE_H_

// States and lock files shared by the state tests.

#include <string>

#include "reconciler/core/resource.h"
#include "reconciler/state/state.h"

namespace podform {

inline constexpr char kLineage[] = "0b7c5f8e-2d41-4a3b-9c6e-5f1a2b3c4d5e";

// volume.models (protected) and pod.trainer mounting it, serial 7.
inline State SampleState() {
  State state;
  state.lineage = kLineage;
  state.serial = 7;
  Resource volume;
  volume.address = {Kind::kVolume, "models"};
  volume.volume = {"ml-models", 500, "EU-RO-1"};
  volume.protect = true;
  state.resources[volume.address] = {"agv6w2qcg7", volume};
  Resource pod;
  pod.address = {Kind::kPod, "trainer"};
  pod.pod.name = "trainer";
  pod.pod.image = "runpod/pytorch:2.4.0";
  pod.pod.gpu_type = "NVIDIA A100 80GB PCIe";
  pod.pod.data_center = "EU-RO-1";
  pod.pod.network_volume_id = "agv6w2qcg7";
  pod.pod.ports = {"8888/http", "22/tcp"};
  pod.pod.env = {{"HF_HOME", "/workspace/hf"}};  // HF_TOKEN: secret, no value
  pod.volume_key = "models";
  pod.secret_env = {"HF_TOKEN"};
  state.resources[pod.address] = {"x7k2m9p4q1", pod};
  return state;
}

// SerializeState(SampleState()), written out by hand.
inline std::string SampleLockFile() {
  return R"({
  "lineage": "0b7c5f8e-2d41-4a3b-9c6e-5f1a2b3c4d5e",
  "resources": {
    "pod.trainer": {
      "attributes": {
        "cloudType": "SECURE",
        "containerDiskGb": 20,
        "dataCenter": "EU-RO-1",
        "dockerArgs": "",
        "env": {
          "HF_HOME": "/workspace/hf"
        },
        "gpuCount": 1,
        "gpuType": "NVIDIA A100 80GB PCIe",
        "image": "runpod/pytorch:2.4.0",
        "mountPath": "/workspace",
        "name": "trainer",
        "networkVolumeId": "agv6w2qcg7",
        "ports": [
          "8888/http",
          "22/tcp"
        ],
        "secretEnv": [
          "HF_TOKEN"
        ],
        "status": "running",
        "volume": "volume.models"
      },
      "id": "x7k2m9p4q1"
    },
    "volume.models": {
      "attributes": {
        "dataCenter": "EU-RO-1",
        "name": "ml-models",
        "protect": true,
        "size": 500
      },
      "id": "agv6w2qcg7",
      "protect": true
    }
  },
  "serial": 7,
  "version": 1
}
)";
}

}  // namespace podform

#endif  // PODFORM_TESTS_STATE_SAMPLE_STATE_H_
