#include "reconciler/core/serverless_pools.h"

#include <algorithm>
#include <array>

namespace podform {
namespace {

constexpr std::array<std::string_view, 8> kPools = {
    "AMPERE_16",  "AMPERE_24", "ADA_24",     "AMPERE_48",
    "ADA_48_PRO", "AMPERE_80", "ADA_80_PRO", "HOPPER_141"};

}  // namespace

std::span<const std::string_view> KnownServerlessGpuPools() { return kPools; }

bool IsServerlessGpuPool(std::string_view pool) {
  return std::find(kPools.begin(), kPools.end(), pool) != kPools.end();
}

}  // namespace podform
