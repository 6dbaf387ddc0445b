#include "reconciler/state/state.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace podform {

const ResourceState* State::Find(const Address& address) const {
  auto it = resources.find(address);
  return it == resources.end() ? nullptr : &it->second;
}

bool State::Records(const std::string& id) const {
  for (const auto& [address, resource] : resources) {
    if (resource.id == id) return true;
  }
  for (const auto& [address, pods] : deposed) {
    for (const ResourceState& pod : pods) {
      if (pod.id == id) return true;
    }
  }
  return false;
}

void State::Depose(const Address& address) {
  auto it = resources.find(address);
  if (it == resources.end()) return;
  ResourceState old = std::move(it->second);
  resources.erase(it);
  if (old.id.empty()) return;
  std::vector<ResourceState>& pods = deposed[address];
  auto at = std::lower_bound(
      pods.begin(), pods.end(), old.id,
      [](const ResourceState& r, const std::string& id) { return r.id < id; });
  if (at != pods.end() && at->id == old.id) {
    *at = std::move(old);
  } else {
    pods.insert(at, std::move(old));
  }
}

bool State::RemoveDeposed(const Address& address, const std::string& id) {
  auto it = deposed.find(address);
  if (it == deposed.end()) return false;
  std::vector<ResourceState>& pods = it->second;
  auto at = std::find_if(pods.begin(), pods.end(),
                         [&](const ResourceState& r) { return r.id == id; });
  if (at == pods.end()) return false;
  pods.erase(at);
  if (pods.empty()) deposed.erase(it);
  return true;
}

std::string NewLineage() {
  // std::random_device reads the kernel's entropy source (getrandom or
  // /dev/urandom) on Linux.
  std::random_device device;
  std::array<uint8_t, 16> bytes;
  for (size_t i = 0; i < bytes.size(); i += 4) {
    uint32_t word = device();
    for (size_t j = 0; j < 4; ++j) bytes[i + j] = (word >> (8 * j)) & 0xff;
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // variant 10xx (RFC 4122)
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0f]);
  }
  return out;
}

}  // namespace podform
