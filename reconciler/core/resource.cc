#include "reconciler/core/resource.h"

#include <cstdint>
#include <limits>
#include <type_traits>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace podform {

using nlohmann::json;

json ToAttributes(const Resource& r) {
  if (r.address.kind == Kind::kVolume) {
    return json{{"name", r.volume.name},
                {"size", r.volume.size_gb},
                {"dataCenter", r.volume.data_center},
                {"protect", r.protect}};
  }
  const PodSpec& p = r.pod;
  return json{
      {"name", p.name},
      {"image", p.image},
      {"gpuType", p.gpu_type},
      {"gpuCount", p.gpu_count},
      {"cloudType", p.cloud_type},
      {"dataCenter", p.data_center},
      {"volume", r.volume_key.empty()
                     ? json(nullptr)
                     : json(absl::StrCat("volume.", r.volume_key))},
      {"networkVolumeId", p.network_volume_id},
      {"mountPath", p.mount_path},
      {"containerDiskGb", p.container_disk_gb},
      {"ports", p.ports},
      {"env", p.env},
      {"secretEnv", r.secret_env},
      {"dockerArgs", p.docker_args},
      {"status", p.running ? "running" : "stopped"},
  };
}

namespace {

// Reads attributes[key] into *out, or records why not.
template <typename T>
bool Read(const json& attributes, const char* key, T* out,
          std::string* error) {
  auto it = attributes.find(key);
  if (it == attributes.end()) {
    *error = absl::StrCat("missing attribute \"", key, "\"");
    return false;
  }
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // get<T>() would convert a float, or wrap a wide integer (a float out of
    // T's range is undefined behaviour).
    if (!it->is_number_integer()) {
      *error = absl::StrCat("attribute \"", key, "\" has the wrong type");
      return false;
    }
    const bool fits =
        it->is_number_unsigned()
            ? it->get<uint64_t>() <=
                  static_cast<uint64_t>(std::numeric_limits<T>::max())
            : it->get<int64_t>() >= std::numeric_limits<T>::min() &&
                  it->get<int64_t>() <= std::numeric_limits<T>::max();
    if (!fits) {
      *error = absl::StrCat("attribute \"", key, "\" is out of range");
      return false;
    }
  }
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
    *error = absl::StrCat("attribute \"", key, "\" has the wrong type");
    return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Resource> FromAttributes(const Address& address,
                                        const json& attributes) {
  Resource r;
  r.address = address;
  std::string error;
  auto fail = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat(address.ToString(), ": ", error));
  };
  if (!attributes.is_object()) {
    error = "attributes are not an object";
    return fail();
  }
  if (address.kind == Kind::kVolume) {
    if (!Read(attributes, "name", &r.volume.name, &error) ||
        !Read(attributes, "size", &r.volume.size_gb, &error) ||
        !Read(attributes, "dataCenter", &r.volume.data_center, &error) ||
        !Read(attributes, "protect", &r.protect, &error)) {
      return fail();
    }
    return r;
  }
  PodSpec& p = r.pod;
  std::string status;
  json volume;
  if (!Read(attributes, "name", &p.name, &error) ||
      !Read(attributes, "image", &p.image, &error) ||
      !Read(attributes, "gpuType", &p.gpu_type, &error) ||
      !Read(attributes, "gpuCount", &p.gpu_count, &error) ||
      !Read(attributes, "cloudType", &p.cloud_type, &error) ||
      !Read(attributes, "dataCenter", &p.data_center, &error) ||
      !Read(attributes, "volume", &volume, &error) ||
      !Read(attributes, "networkVolumeId", &p.network_volume_id, &error) ||
      !Read(attributes, "mountPath", &p.mount_path, &error) ||
      !Read(attributes, "containerDiskGb", &p.container_disk_gb, &error) ||
      !Read(attributes, "ports", &p.ports, &error) ||
      !Read(attributes, "env", &p.env, &error) ||
      !Read(attributes, "secretEnv", &r.secret_env, &error) ||
      !Read(attributes, "dockerArgs", &p.docker_args, &error) ||
      !Read(attributes, "status", &status, &error)) {
    return fail();
  }
  if (status != "running" && status != "stopped") {
    error = "attribute \"status\" must be \"running\" or \"stopped\"";
    return fail();
  }
  p.running = status == "running";
  if (volume.is_string()) {
    absl::StatusOr<Address> volume_address =
        Address::Parse(volume.get<std::string>());
    if (!volume_address.ok() || volume_address->kind != Kind::kVolume) {
      error = "attribute \"volume\" must be volume.NAME or null";
      return fail();
    }
    r.volume_key = volume_address->name;
  } else if (!volume.is_null()) {
    error = "attribute \"volume\" must be volume.NAME or null";
    return fail();
  }
  return r;
}

std::string SecretDigest(std::string_view salt, std::string_view value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(),
       digest, &length);
  return absl::StrCat(
      "hmac-sha256:",
      absl::BytesToHexString(absl::string_view(
          reinterpret_cast<const char*>(digest), length)));
}

}  // namespace podform
