#ifndef PODFORM_RECONCILER_SANDBOX_VIEWS_H_
#define PODFORM_RECONCILER_SANDBOX_VIEWS_H_

// The sandbox's objects as RunPod serves them over GraphQL: JSON objects
// keyed by schema field name (schema/runpod.graphql), which the executor
// reads for fields that have no resolver of their own. Values RunPod knows
// and the sandbox cannot (utilisation, docker ids) are null or plausible, as
// noted per field.

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "nlohmann/json_fwd.hpp"
#include "reconciler/core/catalog.h"
#include "reconciler/sandbox/account.h"

namespace podform::sandbox {

// NetworkVolume { id name size dataCenterId storageType storageClusterId
// dataCenter } (dataCenter: DataCenterView of its data center).
nlohmann::json VolumeView(const NetworkVolume& volume);

// Pod with every field of the schema's Pod type at time `now`, except
// `runtime` (RuntimeView, resolved only when selected: it is the costliest
// part and list queries rarely ask for it).
nlohmann::json PodView(const Pod& pod, absl::Time now);

// Pod.runtime: { uptimeInSeconds ports gpus container } while the pod runs,
// null otherwise (RunPod reports runtime only for a running container).
nlohmann::json RuntimeView(const Pod& pod, absl::Time now);

// gpuCount x the catalog's per-GPU price for the pod's cloud type, USD/hour.
double PodCostPerHr(const Pod& pod);

// User { id pubKey email clientBalance spendLimit } (the lists and
// currentSpendPerHr have resolvers).
nlohmann::json ProfileView(const Profile& profile);

// Endpoint, as GraphQL's saveEndpoint and myself { endpoints } answer it:
// gpuIds are the pools, comma-separated, then each excluded type as
// "-TYPE"; locations the data centers, comma-separated; templateId,
// env and the rest from the endpoint and its bound template (serverless.h).
// What the sandbox does not keep (workersStandby, version, aiKey) is null.
nlohmann::json EndpointView(const Account& account, const Endpoint& endpoint);

// Running pods' costPerHr plus the volumes' storage price per hour.
double CurrentSpendPerHr(const Account& account);

// "NONE" (no free GPU), "LOW" (1..3), "MEDIUM" (4..15) or "HIGH" (16 and
// more): how REST v2's catalog words `free` GPUs; GraphQL's stockStatus
// says the same as "Low" | "Medium" | "High" (null for none).
std::string AvailabilityLevel(int free);

// DataCenter { id name location storageSupport } (gpuAvailability is a
// resolver: GpuAvailabilityView).
nlohmann::json DataCenterView(const DataCenterInfo& dc);

// DataCenter.gpuAvailability: for each catalog GPU type with at least
// `gpu_count` free GPUs in `dc`, { available stockStatus gpuTypeId
// gpuTypeDisplayName displayName id }, in catalog order.
nlohmann::json GpuAvailabilityView(const Account& account,
                                   const DataCenterInfo& dc, int gpu_count);

// serverlessGpuPools: { id gpuTypeIds } per pool of the catalog, in the
// order pools first appear in it.
nlohmann::json ServerlessGpuPoolsView();


// GpuType without lowestPrice (a resolver, LowestPriceView).
nlohmann::json GpuTypeView(const GpuTypeInfo& gpu);

// LowestPrice { gpuName gpuTypeId minimumBidPrice uninterruptablePrice }
// per GPU for a pod of `gpu_count` GPUs (nullopt: 1) on Secure Cloud
// (`secure_cloud` true), Community Cloud (false) or the cheaper of the two
// (nullopt); null prices when more GPUs than a machine has are asked for,
// or when no price is published for the clouds asked for. minMemory,
// minVcpu, stockStatus and countryCode are not known: null.
nlohmann::json LowestPriceView(const GpuTypeInfo& gpu,
                               std::optional<int> gpu_count,
                               std::optional<bool> secure_cloud);

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_VIEWS_H_
