#include "reconciler/core/catalog.h"

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

// Prices are RunPod's published on-demand prices (2026), per GPU-hour.
constexpr GpuTypeInfo kGpuTypes[] = {
    {"NVIDIA A100 80GB PCIe", "A100 PCIe", "Nvidia", 80, 6912, 1.64, 1.19, 8},
    {"NVIDIA A100-SXM4-80GB", "A100 SXM", "Nvidia", 80, 6912, 1.74, 1.39, 8},
    {"NVIDIA H100 80GB HBM3", "H100 SXM", "Nvidia", 80, 16896, 2.69, 2.39, 8},
    {"NVIDIA H100 PCIe", "H100 PCIe", "Nvidia", 80, 14592, 2.39, 1.99, 8},
    {"NVIDIA H200", "H200 SXM", "Nvidia", 141, 16896, 3.99, 3.59, 8},
    {"NVIDIA GeForce RTX 4090", "RTX 4090", "Nvidia", 24, 16384, 0.69, 0.34, 8},
    {"NVIDIA GeForce RTX 3090", "RTX 3090", "Nvidia", 24, 10496, 0.43, 0.22, 8},
    {"NVIDIA RTX A6000", "RTX A6000", "Nvidia", 48, 10752, 0.49, 0.33, 8},
    {"NVIDIA RTX A5000", "RTX A5000", "Nvidia", 24, 8192, 0.27, 0.16, 8},
    {"NVIDIA RTX 6000 Ada Generation", "RTX 6000 Ada", "Nvidia", 48, 18176,
     0.77, 0.74, 8},
    {"NVIDIA L40S", "L40S", "Nvidia", 48, 18176, 0.86, 0.79, 8},
    {"NVIDIA L4", "L4", "Nvidia", 24, 7424, 0.43, 0.28, 8},
    {"AMD Instinct MI300X OAM", "MI300X", "AMD", 192, 19456, 2.49, 2.49, 8},
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

double PodHourlyCost(std::string_view gpu_type, int gpu_count,
                     std::string_view cloud_type) {
  const GpuTypeInfo* gpu = FindGpuType(gpu_type);
  if (gpu == nullptr) return 0;
  double per_gpu =
      cloud_type == "COMMUNITY" ? gpu->community_price : gpu->secure_price;
  return per_gpu * gpu_count;
}

}  // namespace podform
