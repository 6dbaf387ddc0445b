#include "reconciler/core/desired.h"

namespace podform {

Resource RecordedResource(const std::string& key, const DesiredVolume& volume) {
  Resource r;
  r.address = {Kind::kVolume, key};
  r.volume = volume.spec;
  r.protect = volume.protect;
  return r;
}

Resource RecordedResource(const std::string& key, const DesiredPod& pod) {
  Resource r;
  r.address = {Kind::kPod, key};
  r.pod = pod.spec;
  r.pod.network_volume_id.clear();
  r.volume_key = pod.volume;
  r.read_only = pod.read_only;
  r.secret_env = pod.secret_env;
  for (const std::string& secret : pod.secret_env) r.pod.env.erase(secret);
  return r;
}

Resource RecordedResource(const std::string& key,
                          const DesiredEndpoint& endpoint) {
  Resource r;
  r.address = {Kind::kEndpoint, key};
  r.endpoint = endpoint.spec;
  r.endpoint.network_volume_ids.clear();
  r.volume_keys = endpoint.volumes;
  r.read_only = endpoint.read_only;
  r.secret_env = endpoint.secret_env;
  for (const std::string& secret : endpoint.secret_env) {
    r.endpoint.env.erase(secret);
  }
  return r;
}

std::optional<Resource> Desired::RecordedAt(const Address& address) const {
  switch (address.kind) {
    case Kind::kVolume:
      if (auto it = volumes.find(address.name); it != volumes.end()) {
        return RecordedResource(address.name, it->second);
      }
      break;
    case Kind::kPod:
      if (auto it = pods.find(address.name); it != pods.end()) {
        return RecordedResource(address.name, it->second);
      }
      break;
    case Kind::kEndpoint:
      if (auto it = endpoints.find(address.name); it != endpoints.end()) {
        return RecordedResource(address.name, it->second);
      }
      break;
  }
  return std::nullopt;
}

const std::map<std::string, std::string>* Desired::EnvAt(
    const Address& address) const {
  if (address.kind == Kind::kPod) {
    auto it = pods.find(address.name);
    return it == pods.end() ? nullptr : &it->second.spec.env;
  }
  if (address.kind == Kind::kEndpoint) {
    auto it = endpoints.find(address.name);
    return it == endpoints.end() ? nullptr : &it->second.spec.env;
  }
  return nullptr;
}

const std::set<std::string>* Desired::SecretEnvAt(
    const Address& address) const {
  if (address.kind == Kind::kPod) {
    auto it = pods.find(address.name);
    return it == pods.end() ? nullptr : &it->second.secret_env;
  }
  if (address.kind == Kind::kEndpoint) {
    auto it = endpoints.find(address.name);
    return it == endpoints.end() ? nullptr : &it->second.secret_env;
  }
  return nullptr;
}

}  // namespace podform
