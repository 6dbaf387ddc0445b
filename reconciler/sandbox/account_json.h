#ifndef PODFORM_RECONCILER_SANDBOX_ACCOUNT_JSON_H_
#define PODFORM_RECONCILER_SANDBOX_ACCOUNT_JSON_H_

// The sandbox data file: one JSON document holding a whole Account.
//
//   {
//     "version": 1,
//     "random": "9e3779b97f4a7c15",       // generator state (16 hex digits)
//     "profile": {"id": "user_...", "email": "sandbox@podform.invalid",
//                 "pubKey": null, "clientBalance": 100.0, "spendLimit": 80},
//     "journalSequence": 12,              // last journal line it holds
//     "defaultCapacity": 1000,            // GPUs per (data center, GPU type)
//     "capacity": {                       // overrides, total GPUs (in use or
//       "EU-RO-1": {"NVIDIA RTX A6000": 2} //   free) of one type in one DC
//     },
//     "networkVolumes": [{"id", "name", "size", "dataCenterId",
//                         "type"}, ...],
//     "pods": [{"id", "name", "imageName", "gpuTypeId", "gpuCount",
//               "cloudType", "dataCenterId", "networkVolumeId",
//               "volumeMountPath", "volumeInGb", "containerDiskInGb",
//               "env": [{"key", "value"}], "ports", "dockerArgs",
//               "templateId", "containerRegistryAuthId", "desiredStatus",
//               "vcpuCount", "memoryInGb", "machineId", "podHostId",
//               "publicIp", "publicPortBase", "createdAt", "startedAt",
//               "lastStatusChange", "provisionedAt", "readyAt",
//               "startFails", "locked", "globalNetworking", "cmd",
//               "entrypoint"}, ...],
//     "templates": [{"id", "name", "image", "args", "cmd", "entrypoint",
//                    "disk", "env": {KEY: VALUE}, "ports", "registry",
//                    "persistentSize", "persistentPath", "serverless",
//                    "public", "category", "startSsh", "startJupyter",
//                    "allowedCudaVersions", "endpointId"}, ...],
//     "endpoints": [{"id", "name", "type", "templateId", "gpuPools",
//                    "excludedTypes", "gpuCount", "allowedCudaVersions",
//                    "minCudaVersion", "workersMin", "workersMax",
//                    "idleTimeout", "scalerType", "scalerValue",
//                    "dataCenterIds", "networkVolumes", "timeout",
//                    "flashboot", "createdAt"}, ...]
//   }
//
// "templates" and "endpoints" (REST v2's /v2/templates and /v2/serverless)
// are written only when not empty. A template's "endpointId" names the
// endpoint it is bound to; an endpoint's "templateId" must name a template
// bound to it, and its "networkVolumes" volumes that exist, one per data
// center. Within a template "id" and "image" are required, within an
// endpoint "id" and "templateId".
//
// REST v2's members ("type" of a volume; a pod's provisioning times, in
// milliseconds, and the members after them) are written only when they
// differ from their default (STANDARD; running at once; false; absent), so
// a data file from before them loads unchanged and a sandbox that never
// uses them writes the same file as before.
//
// Lists are in creation order, one volume or pod per line. Only "version" is required, so a hand-written
// file such as {"version": 1, "capacity": {"EU-RO-1": {"NVIDIA H100 80GB
// HBM3": 0}}} seeds a sandbox with no H100s in EU-RO-1. Within a volume,
// "id", "size" and "dataCenterId" are required; within a pod, "id",
// "imageName", "gpuTypeId" and "dataCenterId" (the rest default as a new pod
// would). Unknown keys are refused so that typos do not pass silently.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json_fwd.hpp"
#include "reconciler/sandbox/account.h"

namespace podform::sandbox {

inline constexpr int kDataFileVersion = 1;

// The data file's JSON text for `account` (top-level keys and each volume
// and pod on a line of its own; trailing newline).
std::string AccountToJsonText(const Account& account);

// Reads a data file's text. Missing optional parts come from a fresh
// Account(seed, clock). Errors: InvalidArgument naming the first problem
// ("pods[2].gpuTypeId: unknown GPU type \"X\"", "not JSON: ...", "version 7
// is not supported (this podform reads version 1)").
absl::StatusOr<Account> AccountFromJsonText(const std::string& text,
                                            uint64_t seed, Clock clock);

// The data file's journal (sandbox/store.h) holds one line per write since
// the data file was last written whole:
//
//   {"seq": N, "random": "HEX", "networkVolumes": [volume, ...],
//    "pods": [pod, ...], "deletedNetworkVolumes": [id, ...],
//    "deletedPods": [id, ...]}
//
// plus, when templates or endpoints changed, "templates", "endpoints",
// "deletedTemplates" and "deletedEndpoints" in the same form,
//
// with the volumes, pods, templates and endpoints that `changed` names as
// `account` now holds them (in the data file's form), and the ids of those
// it no longer holds.
// N is account.journal_sequence(), which the caller numbers; the data file
// records the number of the last line it holds ("journalSequence"), and a
// line at or below it is skipped on replay, so a journal left beside a
// newer data file by a kill changes nothing. Ends with a newline.
std::string JournalLine(const Account& account,
                        const Account::Changed& changed);

// Applies one journal line (without its newline) to `account`, unless it is
// already there (its number is not above account.journal_sequence()); a
// line numbered past the next one is refused.
// InvalidArgument naming the first problem, including what the data file
// refuses: a pod on a missing volume or one in another data center, a
// volume deleted while a pod mounts it.
absl::Status ReplayJournalLine(const std::string& line, Account& account);

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_ACCOUNT_JSON_H_
