#ifndef PODFORM_RECONCILER_CORE_SERVERLESS_POOLS_H_
#define PODFORM_RECONCILER_CORE_SERVERLESS_POOLS_H_

// RunPod's serverless GPU pools: what an endpoint's `gpu.pools` names
// (REST v2 GET /v2/catalog/gpus reports each GPU type's `pool`). A closed
// set on RunPod's side, unlike GPU types and data centers, so a pool not
// listed here is a config error. The sandbox derives each GPU type's pool
// from the catalog (sandbox/serverless.h GpuPool); a sandbox test checks
// that it knows no pool missing here (its catalog has no GPU type in
// AMPERE_16 today).

#include <span>
#include <string_view>

namespace podform {

// In order of GPU memory: AMPERE_16, AMPERE_24, ADA_24, AMPERE_48,
// ADA_48_PRO, AMPERE_80, ADA_80_PRO, HOPPER_141.
std::span<const std::string_view> KnownServerlessGpuPools();

bool IsServerlessGpuPool(std::string_view pool);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_SERVERLESS_POOLS_H_
