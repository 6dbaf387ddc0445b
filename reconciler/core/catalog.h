#ifndef PODFORM_RECONCILER_CORE_CATALOG_H_
#define PODFORM_RECONCILER_CORE_CATALOG_H_

// What podform knows of RunPod's offer without asking: data-center ids, GPU
// types and prices (runpod-api.md). The config validator warns on ids not
// listed here (RunPod adds new ones); the sandbox serves exactly these; the
// planner prices plans with them.

#include <cstdint>
#include <span>
#include <string_view>

namespace podform {

struct DataCenterInfo {
  std::string_view id;        // "EU-RO-1"
  std::string_view name;      // "EU-RO-1"
  std::string_view location;  // "Romania"
};

struct GpuTypeInfo {
  std::string_view id;            // "NVIDIA A100 80GB PCIe"
  std::string_view display_name;  // "A100 PCIe"
  std::string_view manufacturer;  // "Nvidia"
  int memory_gb;
  int cuda_cores;
  double secure_price;      // USD per GPU-hour, on-demand Secure Cloud
  double community_price;   // USD per GPU-hour, on-demand Community Cloud
  int max_gpu_count;
};

std::span<const DataCenterInfo> KnownDataCenters();
std::span<const GpuTypeInfo> KnownGpuTypes();

// nullptr when unknown.
const DataCenterInfo* FindDataCenter(std::string_view id);
const GpuTypeInfo* FindGpuType(std::string_view id);
const GpuTypeInfo* FindGpuTypeByDisplayName(std::string_view display_name);

// The month the prices here were taken from RunPod's published price list
// (docs/GUARDS.md "Costs" names the pages).
inline constexpr char kPricesAsOf[] = "2026-12";

// Monthly price in USD of one standard network volume of `size_gb`:
// $0.07/GB-month for the first 1000 GB (RunPod's "1 TB"), $0.05/GB-month
// for each GB beyond (marginal, like a tax bracket: RunPod words it both
// ways). Volumes bill hourly whether or not a pod mounts them.
double VolumeMonthlyCost(int64_t size_gb);

// Whether RunPod publishes a price for network volumes of `type`:
// STANDARD, or "" (not declared: the data center's default tier, which is
// standard) yes; HIGH_PERFORMANCE ("priced at a premium") no.
bool VolumePricePublished(std::string_view type);

// Hourly price in USD of a pod with `gpu_count` GPUs of `gpu_type` on
// `cloud_type` ("SECURE" | "COMMUNITY"); 0 for an unknown GPU type. GPU
// time only: a stopped pod costs none (the caller leaves it out).
double PodHourlyCost(std::string_view gpu_type, int gpu_count,
                     std::string_view cloud_type);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_CATALOG_H_
