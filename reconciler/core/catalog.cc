#include "reconciler/core/catalog.h"

#include <algorithm>
#include <map>
#include <utility>

namespace podform {
namespace {

// Ids from RunPod's OpenAPI description (2026).
constexpr DataCenterInfo kDataCenters[] = {
    {"EU-RO-1", "EU-RO-1", "Romania"},
    {"CA-MTL-1", "CA-MTL-1", "Canada"},
    {"EU-SE-1", "EU-SE-1", "Sweden"},
    {"US-IL-1", "US-IL-1", "United States"},
    {"EUR-IS-1", "EUR-IS-1", "Iceland"},
    {"EU-CZ-1", "EU-CZ-1", "Czech Republic"},
    {"US-TX-3", "US-TX-3", "United States"},
    {"EUR-IS-2", "EUR-IS-2", "Iceland"},
    {"US-KS-2", "US-KS-2", "United States"},
    {"US-GA-2", "US-GA-2", "United States"},
    {"US-WA-1", "US-WA-1", "United States"},
    {"US-TX-1", "US-TX-1", "United States"},
    {"CA-MTL-3", "CA-MTL-3", "Canada"},
    {"EU-NL-1", "EU-NL-1", "Netherlands"},
    {"US-TX-4", "US-TX-4", "United States"},
    {"US-CA-2", "US-CA-2", "United States"},
    {"US-NC-1", "US-NC-1", "United States"},
    {"OC-AU-1", "OC-AU-1", "Australia"},
    {"US-DE-1", "US-DE-1", "United States"},
    {"EUR-IS-3", "EUR-IS-3", "Iceland"},
    {"CA-MTL-2", "CA-MTL-2", "Canada"},
    {"AP-JP-1", "AP-JP-1", "Japan"},
    {"EUR-NO-1", "EUR-NO-1", "Norway"},
    {"EU-FR-1", "EU-FR-1", "France"},
    {"US-KS-3", "US-KS-3", "United States"},
    {"US-GA-1", "US-GA-1", "United States"},
};

// Every GPU type RunPod lists (references/gpu-types.mdx in RunPod's docs,
// table of 2026-02-12: id, display name, memory). Pools: RunPod's GPU pool
// tables (references/gpu-types.mdx and flash/configuration/gpu-types.mdx;
// where they disagree, the per-type one: RTX A4500 in AMPERE_24, L4 in
// ADA_24); "" for a type in no documented pool. Prices: RunPod's published
// on-demand prices (2026), per GPU-hour, for the 13 types podform's price
// list covers (docs/GUARDS.md, "Costs"); every other type has no known
// price (nullopt).
// cudaCores are known for the priced types only (0: unknown). Which clouds
// offer a type is plausible, not published: data-center-only parts
// (B200, B300, NVL, MIG slices, RTX PRO 6000 Server) Secure Cloud only.
constexpr std::optional<double> kUnpriced = std::nullopt;

constexpr GpuTypeInfo kGpuTypes[] = {
    {"AMD Instinct MI300X OAM", "MI300X", "AMD", 192, 19456, "", true, true,
     2.49, 2.49, 8},
    {"NVIDIA A100 80GB PCIe", "A100 PCIe", "Nvidia", 80, 6912, "AMPERE_80",
     true, true, 1.64, 1.19, 8},
    {"NVIDIA A100-SXM4-80GB", "A100 SXM", "Nvidia", 80, 6912, "AMPERE_80", true,
     true, 1.74, 1.39, 8},
    {"NVIDIA A30", "A30", "Nvidia", 24, 0, "", true, true, kUnpriced, kUnpriced,
     8},
    {"NVIDIA A40", "A40", "Nvidia", 48, 0, "AMPERE_48", true, true, kUnpriced,
     kUnpriced, 8},
    {"NVIDIA B200", "B200", "Nvidia", 180, 0, "BLACKWELL_180", true, false,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA B300 SXM6 AC", "B300", "Nvidia", 288, 0, "", true, false,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA GeForce RTX 3070", "RTX 3070", "Nvidia", 8, 0, "", true, true,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA GeForce RTX 3080", "RTX 3080", "Nvidia", 10, 0, "", true, true,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA GeForce RTX 3080 Ti", "RTX 3080 Ti", "Nvidia", 12, 0, "", true,
     true, kUnpriced, kUnpriced, 8},
    {"NVIDIA GeForce RTX 3090", "RTX 3090", "Nvidia", 24, 10496, "AMPERE_24",
     true, true, 0.43, 0.22, 8},
    {"NVIDIA GeForce RTX 3090 Ti", "RTX 3090 Ti", "Nvidia", 24, 0, "", true,
     true, kUnpriced, kUnpriced, 8},
    {"NVIDIA GeForce RTX 4070 Ti", "RTX 4070 Ti", "Nvidia", 12, 0, "", true,
     true, kUnpriced, kUnpriced, 8},
    {"NVIDIA GeForce RTX 4080", "RTX 4080", "Nvidia", 16, 0, "", true, true,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA GeForce RTX 4080 SUPER", "RTX 4080 SUPER", "Nvidia", 16, 0, "",
     true, true, kUnpriced, kUnpriced, 8},
    {"NVIDIA GeForce RTX 4090", "RTX 4090", "Nvidia", 24, 16384, "ADA_24", true,
     true, 0.69, 0.34, 8},
    {"NVIDIA GeForce RTX 5080", "RTX 5080", "Nvidia", 16, 0, "", true, true,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA GeForce RTX 5090", "RTX 5090", "Nvidia", 32, 0, "ADA_32_PRO", true,
     true, kUnpriced, kUnpriced, 8},
    {"NVIDIA H100 80GB HBM3", "H100 SXM", "Nvidia", 80, 16896, "ADA_80_PRO",
     true, true, 2.69, 2.39, 8},
    {"NVIDIA H100 NVL", "H100 NVL", "Nvidia", 94, 0, "", true, false, kUnpriced,
     kUnpriced, 8},
    {"NVIDIA H100 PCIe", "H100 PCIe", "Nvidia", 80, 14592, "ADA_80_PRO", true,
     true, 2.39, 1.99, 8},
    {"NVIDIA H200", "H200 SXM", "Nvidia", 141, 16896, "HOPPER_141", true, true,
     3.99, 3.59, 8},
    {"NVIDIA H200 NVL", "NVIDIA H200 NVL", "Nvidia", 143, 0, "", true, false,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA L4", "L4", "Nvidia", 24, 7424, "ADA_24", true, true, 0.43, 0.28,
     8},
    {"NVIDIA L40", "L40", "Nvidia", 48, 0, "ADA_48_PRO", true, true, kUnpriced,
     kUnpriced, 8},
    {"NVIDIA L40S", "L40S", "Nvidia", 48, 18176, "ADA_48_PRO", true, true, 0.86,
     0.79, 8},
    {"NVIDIA RTX 2000 Ada Generation", "RTX 2000 Ada", "Nvidia", 16, 0,
     "AMPERE_16", true, true, kUnpriced, kUnpriced, 8},
    {"NVIDIA RTX 4000 Ada Generation", "RTX 4000 Ada", "Nvidia", 20, 0,
     "AMPERE_16", true, true, kUnpriced, kUnpriced, 8},
    {"NVIDIA RTX 4000 SFF Ada Generation", "RTX 4000 Ada SFF", "Nvidia", 20, 0,
     "", true, true, kUnpriced, kUnpriced, 8},
    {"NVIDIA RTX 5000 Ada Generation", "RTX 5000 Ada", "Nvidia", 32, 0, "",
     true, true, kUnpriced, kUnpriced, 8},
    {"NVIDIA RTX 6000 Ada Generation", "RTX 6000 Ada", "Nvidia", 48, 18176,
     "ADA_48_PRO", true, true, 0.77, 0.74, 8},
    {"NVIDIA RTX A2000", "RTX A2000", "Nvidia", 6, 0, "", true, true, kUnpriced,
     kUnpriced, 8},
    {"NVIDIA RTX A4000", "RTX A4000", "Nvidia", 16, 0, "AMPERE_16", true, true,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA RTX A4500", "RTX A4500", "Nvidia", 20, 0, "AMPERE_24", true, true,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA RTX A5000", "RTX A5000", "Nvidia", 24, 8192, "AMPERE_24", true,
     true, 0.27, 0.16, 8},
    {"NVIDIA RTX A6000", "RTX A6000", "Nvidia", 48, 10752, "AMPERE_48", true,
     true, 0.49, 0.33, 8},
    {"NVIDIA RTX PRO 4500 Blackwell", "RTX PRO 4500", "Nvidia", 32, 0, "", true,
     true, kUnpriced, kUnpriced, 8},
    {"NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition",
     "RTX PRO 6000 MaxQ", "Nvidia", 96, 0, "BLACKWELL_96", true, true,
     kUnpriced, kUnpriced, 8},
    {"NVIDIA RTX PRO 6000 Blackwell Server Edition MIG 1g.24gb",
     "PRO 6000 MIG 24GB", "Nvidia", 24, 0, "", true, false, kUnpriced,
     kUnpriced, 8},
    {"NVIDIA RTX PRO 6000 Blackwell Server Edition MIG 2g.48gb",
     "PRO 6000 MIG 48GB", "Nvidia", 48, 0, "", true, false, kUnpriced,
     kUnpriced, 8},
    {"NVIDIA RTX PRO 6000 Blackwell Server Edition", "RTX PRO 6000", "Nvidia",
     96, 0, "BLACKWELL_96", true, false, kUnpriced, kUnpriced, 8},
    {"NVIDIA RTX PRO 6000 Blackwell Workstation Edition", "RTX PRO 6000 WK",
     "Nvidia", 96, 0, "BLACKWELL_96", true, true, kUnpriced, kUnpriced, 8},
    {"Tesla V100-PCIE-16GB", "Tesla V100", "Nvidia", 16, 0, "", true, true,
     kUnpriced, kUnpriced, 8},
    {"Tesla V100-SXM2-16GB", "V100 SXM2", "Nvidia", 16, 0, "", true, true,
     kUnpriced, kUnpriced, 8},
    {"Tesla V100-SXM2-32GB", "V100 SXM2 32GB", "Nvidia", 32, 0, "", true, true,
     kUnpriced, kUnpriced, 8},
};

// RunPod's serverless price list (serverless/pricing.mdx of its docs, its
// GPU pricing table): USD per GPU per second, flex workers, by pool. The
// table names GPUs, not pools; each row is the pool of its GPUs here. The
// table has no row for ADA_32_PRO (RTX 5090), which stays unpriced.
struct ServerlessPrice {
  std::string_view pool;
  double per_second;
};
constexpr ServerlessPrice kServerlessPrices[] = {
    {"AMPERE_16", 0.00016},     {"AMPERE_24", 0.00019},
    {"ADA_24", 0.00031},        {"AMPERE_48", 0.00034},
    {"ADA_48_PRO", 0.00053},    {"AMPERE_80", 0.00076},
    {"ADA_80_PRO", 0.00116},    {"BLACKWELL_96", 0.00111},
    {"HOPPER_141", 0.00155},    {"BLACKWELL_180", 0.00240},
};

}  // namespace

std::span<const DataCenterInfo> KnownDataCenters() { return kDataCenters; }
std::span<const GpuTypeInfo> KnownGpuTypes() { return kGpuTypes; }

const DataCenterInfo* FindDataCenter(std::string_view id) {
  for (const DataCenterInfo& dc : kDataCenters) {
    if (dc.id == id) return &dc;
  }
  return nullptr;
}

const GpuTypeInfo* FindGpuType(std::string_view id) {
  for (const GpuTypeInfo& gpu : kGpuTypes) {
    if (gpu.id == id) return &gpu;
  }
  return nullptr;
}

const GpuTypeInfo* FindGpuTypeByDisplayName(std::string_view display_name) {
  for (const GpuTypeInfo& gpu : kGpuTypes) {
    if (gpu.display_name == display_name) return &gpu;
  }
  return nullptr;
}

double VolumeMonthlyCost(int64_t size_gb) {
  if (size_gb <= 0) return 0;
  constexpr int64_t kTier = 1000;
  if (size_gb <= kTier) return 0.07 * static_cast<double>(size_gb);
  return 0.07 * kTier + 0.05 * static_cast<double>(size_gb - kTier);
}

bool VolumePricePublished(std::string_view type) {
  return type != "HIGH_PERFORMANCE";
}

std::optional<double> PodHourlyCost(std::string_view gpu_type, int gpu_count,
                                    std::string_view cloud_type) {
  const GpuTypeInfo* gpu = FindGpuType(gpu_type);
  if (gpu == nullptr) return std::nullopt;
  const std::optional<double>& per_gpu =
      cloud_type == "COMMUNITY" ? gpu->community_price : gpu->secure_price;
  if (!per_gpu.has_value()) return std::nullopt;
  return *per_gpu * gpu_count;
}

std::optional<double> ServerlessGpuHourlyPrice(std::string_view pool) {
  for (const ServerlessPrice& price : kServerlessPrices) {
    if (price.pool == pool) return price.per_second * 3600;
  }
  return std::nullopt;
}

std::optional<double> ServerlessWorkersHourlyCost(
    std::span<const std::string> pools, int gpu_count, int workers) {
  if (pools.empty()) return std::nullopt;
  double dearest = 0;
  for (const std::string& pool : pools) {
    std::optional<double> per_gpu = ServerlessGpuHourlyPrice(pool);
    if (!per_gpu.has_value()) return std::nullopt;
    dearest = std::max(dearest, *per_gpu);
  }
  return dearest * gpu_count * workers;
}

bool IsKnownGpuPool(std::string_view pool) {
  if (pool.empty()) return false;
  for (const GpuTypeInfo& gpu : kGpuTypes) {
    if (gpu.pool == pool) return true;
  }
  return false;
}

const std::vector<std::string_view>& KnownGpuPools() {
  static const std::vector<std::string_view>* const pools = [] {
    std::map<std::string_view, int> smallest;  // pool -> GB
    for (const GpuTypeInfo& gpu : kGpuTypes) {
      if (gpu.pool.empty()) continue;
      auto [it, inserted] = smallest.try_emplace(gpu.pool, gpu.memory_gb);
      if (!inserted) it->second = std::min(it->second, gpu.memory_gb);
    }
    std::vector<std::pair<int, std::string_view>> order;
    for (const auto& [pool, gb] : smallest) order.emplace_back(gb, pool);
    std::sort(order.begin(), order.end());
    auto* out = new std::vector<std::string_view>();
    for (const auto& [gb, pool] : order) out->push_back(pool);
    return out;
  }();
  return *pools;
}

}  // namespace podform
