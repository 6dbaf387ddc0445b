#include "reconciler/sandbox/resolvers.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "reconciler/core/catalog.h"
#include "reconciler/sandbox/messages.h"
#include "reconciler/sandbox/serverless.h"
#include "reconciler/sandbox/views.h"
#include "reconciler/util/status_macros.h"

namespace podform::sandbox {
namespace {

using graphql::ResolveInfo;
using nlohmann::json;

// Arguments arrive coerced to the schema's types (the executor validated
// them), so only presence and null need checking here.
const json& Input(const ResolveInfo& info) {
  static const json kNull;
  auto it = info.args.find("input");
  return it == info.args.end() ? kNull : *it;
}

const json* Member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> OptString(const json& object, const char* key) {
  const json* v = Member(object, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::string String(const json& object, const char* key) {
  return OptString(object, key).value_or("");
}

std::optional<int64_t> OptInt(const json& object, const char* key) {
  const json* v = Member(object, key);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

std::optional<int> OptInt32(const json& object, const char* key) {
  std::optional<int64_t> v = OptInt(object, key);
  if (!v.has_value()) return std::nullopt;
  return static_cast<int>(*v);  // GraphQL Int is 32-bit: already in range
}

// [EnvironmentVariableInput] -> env; null list items are skipped.
std::optional<std::vector<EnvVar>> OptEnv(const json& object) {
  const json* v = Member(object, "env");
  if (v == nullptr || !v->is_array()) return std::nullopt;
  std::vector<EnvVar> env;
  for (const json& item : *v) {
    if (!item.is_object()) continue;
    env.push_back({String(item, "key"), String(item, "value")});
  }
  return env;
}

// A comma-separated list ("EU-RO-1,US-TX-3"); "" is the empty list.
std::vector<std::string> CommaList(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

// GraphQL's EndpointInput as the account's EndpointRequest: what the input
// sets (non-null), nothing else. gpuIds "ADA_24,AMPERE_24,-NVIDIA L4" is
// pools ADA_24 and AMPERE_24 without the L4; a non-empty instanceIds or
// computeType CPU asks for CPU workers. type QB|QUEUE, LB|LOAD_BALANCER.
// Accepted and ignored: hubReleaseId, modelReferences.
absl::StatusOr<EndpointRequest> EndpointRequestFromInput(const json& input) {
  EndpointRequest req;
  req.name = OptString(input, "name");
  req.template_id = OptString(input, "templateId");
  if (std::optional<std::string> gpu_ids = OptString(input, "gpuIds")) {
    std::vector<std::string> pools, excluded;
    for (std::string& id : CommaList(*gpu_ids)) {
      if (id[0] == '-') {
        excluded.emplace_back(absl::StripAsciiWhitespace(id.substr(1)));
      } else {
        pools.push_back(std::move(id));
      }
    }
    if (!pools.empty() || !excluded.empty()) {
      req.has_gpu = true;
      req.gpu_pools = std::move(pools);
      if (!excluded.empty()) req.excluded_types = std::move(excluded);
    }
  }
  const json* instances = Member(input, "instanceIds");
  if ((instances != nullptr && instances->is_array() && !instances->empty()) ||
      OptString(input, "computeType") == "CPU") {
    req.has_cpu = true;
  }
  if (std::optional<std::string> type = OptString(input, "type")) {
    if (*type == "QB" || *type == kEndpointQueue) {
      req.type = kEndpointQueue;
    } else if (*type == "LB" || *type == kEndpointLoadBalancer) {
      req.type = kEndpointLoadBalancer;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("type must be QB or LB, not ", *type, "."));
    }
  }
  if (std::optional<int64_t> count = OptInt(input, "gpuCount")) {
    req.gpu_count = count;
  }
  req.workers_min = OptInt(input, "workersMin");
  req.workers_max = OptInt(input, "workersMax");
  req.idle_timeout = OptInt(input, "idleTimeout");
  req.scaler_type = OptString(input, "scalerType");
  if (req.scaler_type.has_value() && *req.scaler_type != kScalerQueueDelay &&
      *req.scaler_type != kScalerRequestCount) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scalerType must be QUEUE_DELAY or REQUEST_COUNT, not ",
        *req.scaler_type, "."));
  }
  if (std::optional<int64_t> value = OptInt(input, "scalerValue")) {
    req.scaler_value = static_cast<double>(*value);
  }
  req.timeout_ms = OptInt(input, "executionTimeoutMs");
  req.min_cuda_version = OptString(input, "minCudaVersion");
  if (req.min_cuda_version == "") req.min_cuda_version.reset();
  if (std::optional<std::string> cuda = OptString(input, "allowedCudaVersions")) {
    req.allowed_cuda_versions = CommaList(*cuda);
  }
  req.flashboot = OptString(input, "flashBootType");  // the schema's enum
  if (std::optional<std::string> locations = OptString(input, "locations")) {
    req.data_center_ids = CommaList(*locations);
  }
  // networkVolumeIds [{networkVolumeId}] and the single networkVolumeId
  // ("" for none, as runpod-python sends it) name the volumes together.
  std::optional<std::vector<std::string>> volumes;
  if (const json* list = Member(input, "networkVolumeIds");
      list != nullptr && list->is_array()) {
    volumes.emplace();
    for (const json& item : *list) {
      std::optional<std::string> id = OptString(item, "networkVolumeId");
      if (id.has_value() && !id->empty()) volumes->push_back(*id);
    }
  }
  if (std::optional<std::string> id = OptString(input, "networkVolumeId")) {
    if (!volumes.has_value()) volumes.emplace();
    if (!id->empty() &&
        std::find(volumes->begin(), volumes->end(), *id) == volumes->end()) {
      volumes->insert(volumes->begin(), *id);
    }
  }
  req.network_volumes = std::move(volumes);
  return req;
}

absl::Status ToGraphqlError(const absl::Status& status) {
  return graphql::ResolverError(std::string(status.message()),
                                GraphqlCode(status));
}

class Resolvers {
 public:
  using Method = absl::StatusOr<json> (Resolvers::*)(const ResolveInfo&);

  explicit Resolvers(SandboxStore* store) : store_(store) {}

  // Registers every resolver; each holds a reference to `self`, so the set
  // lives as long as the executor's resolvers.
  static void Register(const std::shared_ptr<Resolvers>& self,
                       graphql::Executor& executor) {
    auto Add = [&](const std::string& name, Method method) {
      executor.SetResolver(name, [self, method](const ResolveInfo& info) {
        return ((*self).*method)(info);
      });
    };
    Add("Query.myself", &Resolvers::Myself);
    Add("User.networkVolumes", &Resolvers::NetworkVolumes);
    Add("User.pods", &Resolvers::Pods);
    Add("User.currentSpendPerHr", &Resolvers::CurrentSpend);
    Add("Pod.runtime", &Resolvers::Runtime);
    Add("Query.pod", &Resolvers::PodById);
    Add("Query.dataCenters", &Resolvers::DataCenters);
    Add("Query.gpuTypes", &Resolvers::GpuTypes);
    Add("GpuType.lowestPrice", &Resolvers::LowestPrice);
    Add("DataCenter.gpuAvailability", &Resolvers::GpuAvailability);
    Add("Query.serverlessGpuPools", &Resolvers::ServerlessGpuPools);
    Add("Mutation.createNetworkVolume", &Resolvers::CreateVolume);
    Add("Mutation.updateNetworkVolume", &Resolvers::UpdateVolume);
    Add("Mutation.deleteNetworkVolume", &Resolvers::DeleteVolume);
    Add("Mutation.podFindAndDeployOnDemand", &Resolvers::Deploy);
    Add("Mutation.podEditJob", &Resolvers::Edit);
    Add("Mutation.podStop", &Resolvers::Stop);
    Add("Mutation.podResume", &Resolvers::Resume);
    Add("Mutation.podTerminate", &Resolvers::Terminate);
    Add("User.endpoints", &Resolvers::Endpoints);
    Add("Mutation.saveEndpoint", &Resolvers::SaveEndpoint);
    Add("Mutation.deleteEndpoint", &Resolvers::DeleteEndpoint);
  }

 private:

  Account& account() { return store_->account(); }

  // Persists a successful mutation and renders its result; a refused one
  // becomes RunPod's GraphQL error.
  template <typename T, typename View>
  absl::StatusOr<json> Commit(const ResolveInfo& info,
                              const absl::StatusOr<T>& result, View view) {
    if (!result.ok()) return ToGraphqlError(result.status());
    RETURN_IF_ERROR(Store(info));
    return view(*result);
  }

  absl::StatusOr<json> CommitVoid(const ResolveInfo& info,
                                  const absl::Status& result) {
    if (!result.ok()) return ToGraphqlError(result);
    RETURN_IF_ERROR(Store(info));
    return json(nullptr);
  }

  absl::Status Store(const ResolveInfo& info) {
    absl::Status committed = store_->Commit();
    if (!committed.ok()) return ToGraphqlError(committed);
    if (info.context != nullptr) {
      static_cast<RequestContext*>(info.context)->committed = true;
    }
    return absl::OkStatus();
  }

  json RenderPod(const Pod& pod) { return PodView(pod, account().Now()); }

  // ---------------------------------------------------------------- reads

  absl::StatusOr<json> Myself(const ResolveInfo&) {
    return ProfileView(account().profile());
  }

  absl::StatusOr<json> NetworkVolumes(const ResolveInfo&) {
    json out = json::array();
    for (const NetworkVolume& volume : account().volumes()) {
      out.push_back(VolumeView(volume));
    }
    return out;
  }

  absl::StatusOr<json> Pods(const ResolveInfo&) {
    absl::Time now = account().Now();
    json out = json::array();
    for (const Pod& pod : account().pods()) out.push_back(PodView(pod, now));
    return out;
  }

  // The parent is a PodView; its id finds the pod.
  absl::StatusOr<json> Runtime(const ResolveInfo& info) {
    const Pod* pod = account().FindPod(String(info.parent, "id"));
    if (pod == nullptr) return json(nullptr);
    return RuntimeView(*pod, account().Now());
  }

  absl::StatusOr<json> Endpoints(const ResolveInfo&) {
    json out = json::array();
    for (const Endpoint& endpoint : account().endpoints()) {
      out.push_back(EndpointView(account(), endpoint));
    }
    return out;
  }

  absl::StatusOr<json> CurrentSpend(const ResolveInfo&) {
    return json(CurrentSpendPerHr(account()));
  }

  // pod(input: {podId}): an unknown id reads as null, without an error
  // (runpod-api.md is silent; runpod-python returns data.pod as is).
  absl::StatusOr<json> PodById(const ResolveInfo& info) {
    const Pod* pod = account().FindPod(String(Input(info), "podId"));
    if (pod == nullptr) return json(nullptr);
    return RenderPod(*pod);
  }

  absl::StatusOr<json> DataCenters(const ResolveInfo&) {
    json out = json::array();
    for (const DataCenterInfo& dc : KnownDataCenters()) {
      out.push_back(DataCenterView(dc));
    }
    return out;
  }

  // gpuTypes(input: {id}): every type, or the one with that id (an unknown
  // id gives an empty list).
  absl::StatusOr<json> GpuTypes(const ResolveInfo& info) {
    std::optional<std::string> id = OptString(Input(info), "id");
    json out = json::array();
    for (const GpuTypeInfo& gpu : KnownGpuTypes()) {
      if (id.has_value() && *id != gpu.id) continue;
      out.push_back(GpuTypeView(gpu));
    }
    return out;
  }

  absl::StatusOr<json> LowestPrice(const ResolveInfo& info) {
    const GpuTypeInfo* gpu = FindGpuType(String(info.parent, "id"));
    if (gpu == nullptr) return json(nullptr);
    const json* secure = Member(Input(info), "secureCloud");
    return LowestPriceView(
        *gpu, OptInt32(Input(info), "gpuCount"),
        secure != nullptr && secure->is_boolean()
            ? std::optional<bool>(secure->get<bool>())
            : std::nullopt);
  }

  // The parent is a DataCenterView; its id finds the data center.
  absl::StatusOr<json> GpuAvailability(const ResolveInfo& info) {
    const DataCenterInfo* dc = FindDataCenter(String(info.parent, "id"));
    if (dc == nullptr) return json(nullptr);
    return GpuAvailabilityView(account(), *dc,
                               OptInt32(Input(info), "gpuCount").value_or(1));
  }

  absl::StatusOr<json> ServerlessGpuPools(const ResolveInfo&) {
    return ServerlessGpuPoolsView();
  }

  // ------------------------------------------------------------ mutations

  absl::StatusOr<json> CreateVolume(const ResolveInfo& info) {
    const json& input = Input(info);
    CreateVolumeRequest req;
    req.name = OptString(input, "name");
    req.size = OptInt(input, "size");
    std::optional<std::string> data_center = OptString(input, "dataCenterId");
    if (!data_center.has_value()) {
      return ToGraphqlError(
          absl::InvalidArgumentError("dataCenterId is required."));
    }
    req.data_center_id = *data_center;
    return Commit(info, account().CreateVolume(req), VolumeView);
  }

  absl::StatusOr<json> UpdateVolume(const ResolveInfo& info) {
    const json& input = Input(info);
    UpdateVolumeRequest req;
    req.id = String(input, "id");
    req.name = OptString(input, "name");
    req.size = OptInt(input, "size");
    return Commit(info, account().UpdateVolume(req), VolumeView);
  }

  absl::StatusOr<json> DeleteVolume(const ResolveInfo& info) {
    return CommitVoid(info, account().DeleteVolume(String(Input(info), "id")));
  }

  // Input fields RunPod accepts that do not change what the sandbox models
  // (startSsh, startJupyter, supportPublicIp, allowedCudaVersions,
  // countryCode, minDownload, minUpload, minDisk, stopAfter, terminateAfter,
  // aiApiId, deployCost, instanceId(s), port, volumeKey, savingsPlan,
  // cudaVersion, minCudaVersion, compliance, globalNetwork) are accepted and
  // ignored. Without gpuTypeId, the first id of gpuTypeIdList is the type.
  absl::StatusOr<json> Deploy(const ResolveInfo& info) {
    const json& input = Input(info);
    DeployPodRequest req;
    req.name = OptString(input, "name");
    req.image_name = OptString(input, "imageName");
    req.gpu_type_id = OptString(input, "gpuTypeId");
    const json* candidates = Member(input, "gpuTypeIdList");
    if ((!req.gpu_type_id.has_value() || req.gpu_type_id->empty()) &&
        candidates != nullptr && candidates->is_array()) {
      for (const json& candidate : *candidates) {
        if (candidate.is_string()) {
          req.gpu_type_id = candidate.get<std::string>();
          break;
        }
      }
    }
    req.gpu_count = OptInt32(input, "gpuCount");
    req.cloud_type = OptString(input, "cloudType");
    req.data_center_id = OptString(input, "dataCenterId");
    req.network_volume_id = OptString(input, "networkVolumeId");
    req.volume_mount_path = OptString(input, "volumeMountPath");
    req.volume_in_gb = OptInt(input, "volumeInGb");
    req.container_disk_in_gb = OptInt(input, "containerDiskInGb");
    req.env = OptEnv(input);
    req.ports = OptString(input, "ports");
    req.docker_args = OptString(input, "dockerArgs");
    req.min_vcpu_count = OptInt32(input, "minVcpuCount");
    req.min_memory_in_gb = OptInt32(input, "minMemoryInGb");
    req.template_id = OptString(input, "templateId");
    req.container_registry_auth_id =
        OptString(input, "containerRegistryAuthId");
    return Commit(info, account().DeployPod(req),
                  [this](const Pod& pod) { return RenderPod(pod); });
  }

  absl::StatusOr<json> Edit(const ResolveInfo& info) {
    const json& input = Input(info);
    EditPodRequest req;
    req.pod_id = String(input, "podId");
    req.image_name = String(input, "imageName");
    req.container_disk_in_gb = OptInt(input, "containerDiskInGb").value_or(0);
    req.docker_args = OptString(input, "dockerArgs");
    req.env = OptEnv(input);
    req.ports = OptString(input, "ports");
    req.volume_in_gb = OptInt(input, "volumeInGb");
    req.volume_mount_path = OptString(input, "volumeMountPath");
    return Commit(info, account().EditPod(req),
                  [this](const Pod& pod) { return RenderPod(pod); });
  }

  absl::StatusOr<json> Stop(const ResolveInfo& info) {
    return Commit(info, account().StopPod(String(Input(info), "podId")),
                  [this](const Pod& pod) { return RenderPod(pod); });
  }

  absl::StatusOr<json> Resume(const ResolveInfo& info) {
    const json& input = Input(info);
    return Commit(info, account().ResumePod(String(input, "podId"),
                                      OptInt32(input, "gpuCount")),
                  [this](const Pod& pod) { return RenderPod(pod); });
  }

  absl::StatusOr<json> Terminate(const ResolveInfo& info) {
    return CommitVoid(info, account().TerminatePod(String(Input(info), "podId")));
  }

  // saveEndpoint: without `id` creates (Account::CreateEndpoint), with it
  // changes what the input sets (UpdateEndpoint): the same rules as REST
  // v2's /v2/serverless.
  absl::StatusOr<json> SaveEndpoint(const ResolveInfo& info) {
    const json& input = Input(info);
    absl::StatusOr<EndpointRequest> req = EndpointRequestFromInput(input);
    if (!req.ok()) return ToGraphqlError(req.status());
    auto view = [this](const Endpoint& e) {
      return EndpointView(account(), e);
    };
    std::optional<std::string> id = OptString(input, "id");
    if (id.has_value() && !id->empty()) {
      return Commit(info, account().UpdateEndpoint(*id, *req), view);
    }
    return Commit(info, account().CreateEndpoint(*req), view);
  }

  absl::StatusOr<json> DeleteEndpoint(const ResolveInfo& info) {
    auto id = info.args.find("id");
    return CommitVoid(info, account().DeleteEndpoint(
                                id != info.args.end() && id->is_string()
                                    ? id->get<std::string>()
                                    : ""));
  }

  SandboxStore* store_;
};

}  // namespace

void RegisterResolvers(graphql::Executor& executor, SandboxStore* store) {
  Resolvers::Register(std::make_shared<Resolvers>(store), executor);
}

}  // namespace podform::sandbox
