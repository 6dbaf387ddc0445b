#include "reconciler/core/desired.h"

#include <openssl/rand.h>

#include <array>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "reconciler/util/digest.h"

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

namespace {

// The env and the secret env keys of the pod or endpoint `desired`
// declares at `address`; both nullptr when it declares none there.
struct DeclaredEnv {
  const std::map<std::string, std::string>* env = nullptr;
  const std::set<std::string>* secrets = nullptr;
  const std::map<std::string, std::string>* secret_digests = nullptr;
};

template <typename Declared>
DeclaredEnv EnvIn(const std::map<std::string, Declared>& declared,
                  const std::string& key) {
  auto it = declared.find(key);
  if (it == declared.end()) return {};
  return {&it->second.spec.env, &it->second.secret_env,
          &it->second.secret_env_digests};
}

DeclaredEnv FindEnv(const Desired& desired, const Address& address) {
  switch (address.kind) {
    case Kind::kPod:
      return EnvIn(desired.pods, address.name);
    case Kind::kEndpoint:
      return EnvIn(desired.endpoints, address.name);
    case Kind::kVolume:
      break;
  }
  return {};
}

}  // namespace

const std::map<std::string, std::string>* Desired::EnvAt(
    const Address& address) const {
  return FindEnv(*this, address).env;
}

const std::set<std::string>* Desired::SecretEnvAt(
    const Address& address) const {
  return FindEnv(*this, address).secrets;
}

const std::map<std::string, std::string>* Desired::SecretEnvDigestsAt(
    const Address& address) const {
  return FindEnv(*this, address).secret_digests;
}

std::string NewSecretSalt() {
  std::array<unsigned char, 32> bytes;
  if (RAND_bytes(bytes.data(), bytes.size()) != 1) std::abort();
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void DigestSecretValues(const SecretValues& secrets, Desired* desired) {
  desired->secret_salt = NewSecretSalt();
  auto digest = [&](const Address& address,
                    std::map<std::string, std::string>& digests) {
    digests.clear();
    for (const auto& [key, value] : secrets.EnvAt(address)) {
      digests[key] = SecretEnvDigest(desired->secret_salt, value);
    }
  };
  for (auto& [key, pod] : desired->pods) {
    digest({Kind::kPod, key}, pod.secret_env_digests);
  }
  for (auto& [key, endpoint] : desired->endpoints) {
    digest({Kind::kEndpoint, key}, endpoint.secret_env_digests);
  }
}

std::string SecretEnvDigest(std::string_view salt, std::string_view value) {
  Sha256Stream digest;
  digest.Update(salt);
  digest.Update(value);
  return digest.HexDigest();
}

}  // namespace podform
