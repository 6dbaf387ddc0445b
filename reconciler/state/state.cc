#include "reconciler/state/state.h"

#include <array>
#include <cstdint>
#include <random>

namespace podform {

const ResourceState* State::Find(const Address& address) const {
  auto it = resources.find(address);
  return it == resources.end() ? nullptr : &it->second;
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
