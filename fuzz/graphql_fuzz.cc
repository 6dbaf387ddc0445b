// libFuzzer target: arbitrary bytes as a GraphQL request body, executed
// against the RunPod schema with resolvers that return plausible objects.
// Every input must yield a response that serializes as JSON.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "reconciler/graphql/executor.h"
#include "reconciler/graphql/schema.h"

namespace {

using nlohmann::json;
using podform::graphql::Executor;
using podform::graphql::ResolveInfo;
using podform::graphql::ResolverError;
using podform::graphql::Schema;

absl::StatusOr<json> Fixed(const char* text) { return json::parse(text); }

const Executor& RunPodExecutor() {
  static const Executor* const exec = [] {
    auto* e = new Executor(Schema::RunPod());
    static const char kPod[] = R"({
        "id": "p1", "name": "trainer", "imageName": "runpod/pytorch",
        "env": ["A=b"], "gpuCount": 1, "desiredStatus": "RUNNING",
        "costPerHr": 0.79, "containerDiskInGb": 20, "volumeInGb": 0,
        "machine": {"gpuDisplayName": "RTX 4090", "podHostId": "p1-64"},
        "runtime": {"uptimeInSeconds": 3,
                    "ports": [{"ip": "1.2.3.4", "isIpPublic": true,
                               "privatePort": 22, "publicPort": 40022,
                               "type": "tcp"}],
                    "gpus": [{"id": "g", "gpuUtilPercent": 5}],
                    "container": {"cpuPercent": 1}}})";
    static const char kVolume[] =
        R"({"id": "v1", "name": "models", "size": 50, "dataCenterId": "EU-RO-1"})";
    e->SetResolver("Query.myself",
                   [](const ResolveInfo&) -> absl::StatusOr<json> {
                     json pod = json::parse(kPod);
                     return json{{"id", "u1"},
                                 {"clientBalance", 10.5},
                                 {"pods", {pod, pod}},
                                 {"networkVolumes", {json::parse(kVolume)}}};
                   });
    e->SetResolver("Query.pod", [](const ResolveInfo&) { return Fixed(kPod); });
    e->SetResolver("Query.dataCenters", [](const ResolveInfo&) {
      return Fixed(
          R"([{"id": "EU-RO-1", "name": "Romania", "storageSupport": true}])");
    });
    e->SetResolver("Query.gpuTypes", [](const ResolveInfo&) {
      return Fixed(
          R"([{"id": "NVIDIA L40S", "displayName": "L40S", "memoryInGb": 48}])");
    });
    e->SetResolver("GpuType.lowestPrice", [](const ResolveInfo& info) {
      return absl::StatusOr<json>(json{{"minimumBidPrice", 0.3},
                                       {"uninterruptablePrice", 0.8},
                                       {"args", info.args}});
    });
    for (const char* m : {"createNetworkVolume", "updateNetworkVolume"}) {
      e->SetResolver(std::string("Mutation.") + m,
                     [](const ResolveInfo&) { return Fixed(kVolume); });
    }
    for (const char* m :
         {"podFindAndDeployOnDemand", "podEditJob", "podStop", "podResume"}) {
      e->SetResolver(std::string("Mutation.") + m,
                     [](const ResolveInfo&) { return Fixed(kPod); });
    }
    e->SetResolver("Mutation.deleteNetworkVolume", [](const ResolveInfo&) {
      return absl::StatusOr<json>(
          ResolverError("You must remove this network volume from all pods "
                        "before deleting it.",
                        "RUNPOD"));
    });
    e->SetResolver("Mutation.podTerminate", [](const ResolveInfo&) {
      return absl::StatusOr<json>(nullptr);
    });
    return e;
  }();
  return *exec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const podform::graphql::ExecutionResult r =
      RunPodExecutor().ExecuteBody(body, nullptr);
  if (r.http_status != 200 && r.http_status != 400) std::abort();
  // Throws (and so crashes the fuzzer) if the response is not valid JSON.
  const std::string text = r.body.dump();
  if (!json::accept(text)) std::abort();
  if (!r.body.contains("errors") && !r.body.contains("data")) std::abort();
  return 0;
}
