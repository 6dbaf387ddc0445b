#ifndef PODFORM_RECONCILER_CORE_CATALOG_H_
#define PODFORM_RECONCILER_CORE_CATALOG_H_

// What podform knows of RunPod's offer without asking: data-center ids, GPU
// types and prices (runpod-api.md). The config validator warns on ids not
// listed here (RunPod adds new ones); the sandbox serves exactly these; the
// planner prices plans with them.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace podform {

struct DataCenterInfo {
  std::string_view id;        // "EU-RO-1"
  std::string_view name;      // "EU-RO-1"
  std::string_view location;  // "Romania"
};

// One GPU type of RunPod's catalog (references/gpu-types.mdx of RunPod's
// docs: every type RunPod lists, with its id, display name and memory).
struct GpuTypeInfo {
  std::string_view id;            // "NVIDIA A100 80GB PCIe"
  std::string_view display_name;  // "A100 PCIe"
  std::string_view manufacturer;  // "Nvidia" | "AMD"
  int memory_gb;
  int cuda_cores;         // 0 when podform does not know it
  std::string_view pool;  // serverless GPU pool ("AMPERE_80"); "" when the
                          // type is in no pool RunPod documents
  bool secure_cloud;      // offered on Secure Cloud
  bool community_cloud;   // offered on Community Cloud
  // USD per GPU-hour, on-demand; nullopt when podform has no published
  // price for the type on that cloud (an unknown price, never $0).
  std::optional<double> secure_price;
  std::optional<double> community_price;
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
// `cloud_type` ("SECURE" | "COMMUNITY"; anything else reads as SECURE);
// nullopt when the price is not known: a GPU type not in the catalog, or
// one without a published price on that cloud. GPU time only: a stopped
// pod costs none (the caller leaves it out).
std::optional<double> PodHourlyCost(std::string_view gpu_type, int gpu_count,
                                    std::string_view cloud_type);

// USD per GPU-hour of a serverless worker in GPU pool `pool` ("ADA_24"):
// RunPod's published per-second list price for the pool, times 3600 (the
// same for flex and active workers; a discount negotiated for active
// workers is not known to podform). nullopt for a pool RunPod publishes no
// price for (ADA_32_PRO) or one the catalog does not know.
std::optional<double> ServerlessGpuHourlyPrice(std::string_view pool);

// Hourly price in USD of `workers` serverless workers of `gpu_count` GPUs
// each, which RunPod may place in any of `pools`: priced at the dearest of
// them, so an upper bound when they differ. nullopt when `pools` is empty
// or one of them has no known price. Zero workers cost 0.
std::optional<double> ServerlessWorkersHourlyCost(
    std::span<const std::string> pools, int gpu_count, int workers);

// Whether the serverless GPU pool `pool` ("ADA_24") is one the catalog's
// types belong to.
bool IsKnownGpuPool(std::string_view pool);

// Every serverless GPU pool the catalog's types belong to, by the memory
// of their smallest GPU, then by name: AMPERE_16, ADA_24, AMPERE_24, ...
const std::vector<std::string_view>& KnownGpuPools();

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_CATALOG_H_
