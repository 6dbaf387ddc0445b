// Account's templates and serverless endpoints (account.h, serverless.h).

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/core/catalog.h"
#include "reconciler/sandbox/account.h"
#include "reconciler/sandbox/messages.h"
#include "reconciler/util/status_macros.h"

namespace podform::sandbox {
namespace {

constexpr size_t kTemplateIdLength = 10;  // e.g. "30zmvf89kd"
constexpr size_t kEndpointIdLength = 14;

// Sets the container settings `req` names; env replaces the whole map.
absl::Status ApplyContainer(const TemplateRequest& req, ContainerSettings* c) {
  if (req.ports.has_value()) {
    RETURN_IF_ERROR(CheckPorts(absl::StrJoin(*req.ports, ",")));
    c->ports = *req.ports;
  }
  if (req.image.has_value()) {
    if (req.image->empty()) return ImageNameRequiredError();
    c->image = *req.image;
  }
  if (req.args.has_value()) c->args = *req.args;
  if (req.cmd.has_value()) c->cmd = req.cmd;
  if (req.entrypoint.has_value()) c->entrypoint = req.entrypoint;
  if (req.disk_gb.has_value()) c->disk_gb = *req.disk_gb;
  if (req.env.has_value()) c->env = *req.env;
  if (req.registry_null) c->registry.reset();
  if (req.registry.has_value()) c->registry = req.registry;
  return absl::OkStatus();
}

// The body of an endpoint create or PATCH over `base`, with the settings of
// template `source` applied first when there is one: the body's fields win,
// and env is the template's merged with the body's (the body winning).
absl::Status ApplyEndpointContainer(const TemplateRequest& body,
                                    const Template* source,
                                    ContainerSettings* base) {
  if (source == nullptr) return ApplyContainer(body, base);
  const ContainerSettings& from = source->container;
  base->image = from.image;
  base->args = from.args;
  base->cmd = from.cmd;
  base->entrypoint = from.entrypoint;
  base->disk_gb = from.disk_gb;
  base->ports = from.ports;
  base->registry = from.registry;
  base->env = from.env;
  TemplateRequest rest = body;
  if (body.env.has_value()) {
    for (const auto& [key, value] : *body.env) base->env[key] = value;
    rest.env.reset();
  }
  return ApplyContainer(rest, base);
}

}  // namespace

// -------------------------------------------------------------- templates

absl::StatusOr<Template> Account::CreateTemplate(const TemplateRequest& req) {
  Template value;
  value.name = req.name.value_or("");
  if (!req.image.has_value()) return ImageNameRequiredError();
  RETURN_IF_ERROR(ApplyContainer(req, &value.container));
  if (req.persistent_size_gb.has_value()) {
    value.persistent_size_gb = req.persistent_size_gb;
    value.persistent_path = req.persistent_path.value_or(kDefaultMountPath);
  }
  value.serverless = req.serverless.value_or(false);
  value.is_public = req.is_public.value_or(false);
  value.category = req.category.value_or(kDefaultTemplateCategory);
  value.start_ssh = req.start_ssh.value_or(true);
  value.start_jupyter = req.start_jupyter.value_or(true);
  value.allowed_cuda_versions =
      req.allowed_cuda_versions.value_or(std::vector<std::string>{});
  value.id = NewId(kTemplateIdLength, &Account::TemplateIdTaken);
  value.serial = ++last_serverless_serial_;
  templates_.push_back(value);
  template_index_[value.id] = std::prev(templates_.end());
  TemplateChanged(value.id);
  return value;
}

absl::StatusOr<Template> Account::UpdateTemplate(const std::string& id,
                                                 const TemplateRequest& req) {
  const Template* current = FindTemplate(id);
  if (current == nullptr) return TemplateNotFoundError(id);
  // Validate everything before changing anything.
  Template value = *current;
  RETURN_IF_ERROR(ApplyContainer(req, &value.container));
  if (req.name.has_value()) value.name = *req.name;
  if (req.persistent_size_gb.has_value()) {
    value.persistent_size_gb = req.persistent_size_gb;
  }
  if (req.persistent_path.has_value()) value.persistent_path = *req.persistent_path;
  if (req.serverless.has_value()) value.serverless = *req.serverless;
  if (req.is_public.has_value()) value.is_public = *req.is_public;
  if (req.category.has_value()) value.category = *req.category;
  if (req.start_ssh.has_value()) value.start_ssh = *req.start_ssh;
  if (req.start_jupyter.has_value()) value.start_jupyter = *req.start_jupyter;
  if (req.allowed_cuda_versions.has_value()) {
    value.allowed_cuda_versions = *req.allowed_cuda_versions;
  }
  Template* stored = MutableTemplate(id);
  value.data_file_text.clear();
  *stored = std::move(value);
  return *stored;
}

absl::Status Account::DeleteTemplate(const std::string& id) {
  auto it = template_index_.find(id);
  if (it == template_index_.end()) return TemplateNotFoundError(id);
  if (it->second->endpoint_id.has_value()) return TemplateInUseError();
  templates_.erase(it->second);
  template_index_.erase(it);
  TemplateChanged(id);
  return absl::OkStatus();
}

// -------------------------------------------------------------- endpoints

absl::Status Account::CheckEndpoint(Endpoint& endpoint) const {
  // GPU selection: known pools, exclusions inside them, something left.
  std::set<std::string> types_in_pools;
  for (const std::string& pool : endpoint.gpu_pools) {
    if (!IsKnownGpuPool(pool)) return UnknownGpuPoolError(pool);
    for (const GpuTypeInfo& gpu : KnownGpuTypes()) {
      if (gpu.pool == pool) types_in_pools.insert(std::string(gpu.id));
    }
  }
  const std::set<std::string> excluded(endpoint.excluded_types.begin(),
                                       endpoint.excluded_types.end());
  for (const std::string& type : endpoint.excluded_types) {
    if (types_in_pools.count(type) == 0) {
      return ExcludedTypeNotInPoolsError(type);
    }
  }
  if (types_in_pools.size() <= excluded.size()) {
    return NoGpuTypeLeftError();
  }
  if (!endpoint.allowed_cuda_versions.empty() &&
      endpoint.min_cuda_version.has_value()) {
    return CudaConstraintsExclusiveError();
  }
  if (endpoint.workers_min > endpoint.workers_max) {
    return WorkersMinAboveMaxError(endpoint.workers_min, endpoint.workers_max);
  }
  if (endpoint.type == kEndpointLoadBalancer &&
      endpoint.scaler_type == kScalerQueueDelay) {
    return QueueDelayOnLoadBalancerError();
  }
  for (const std::string& dc : endpoint.data_center_ids) {
    if (FindDataCenter(dc) == nullptr) return UnknownDataCenterError(dc);
  }
  // Volumes exist, one per data center; the endpoint runs where they are.
  std::vector<std::string> volume_dcs;
  std::map<std::string, std::string> volume_in_dc;
  for (const std::string& id : endpoint.network_volumes) {
    const NetworkVolume* volume = FindVolume(id);
    if (volume == nullptr) return VolumeNotFoundError(id);
    auto [it, inserted] = volume_in_dc.emplace(volume->data_center_id, id);
    if (!inserted) {
      return TwoVolumesInDataCenterError(it->second, id,
                                         volume->data_center_id);
    }
    volume_dcs.push_back(volume->data_center_id);
  }
  if (volume_dcs.empty()) return absl::OkStatus();
  if (!endpoint.data_center_ids.empty() &&
      std::set<std::string>(endpoint.data_center_ids.begin(),
                            endpoint.data_center_ids.end()) !=
          std::set<std::string>(volume_dcs.begin(), volume_dcs.end())) {
    return EndpointDataCentersError(absl::StrJoin(volume_dcs, ", "));
  }
  endpoint.data_center_ids = std::move(volume_dcs);
  return absl::OkStatus();
}

absl::StatusOr<Endpoint> Account::CreateEndpoint(const EndpointRequest& req) {
  if (req.has_gpu == req.has_cpu) return GpuOrCpuError();
  if (req.has_cpu) return CpuEndpointsNotOfferedError();
  const Template* source = nullptr;
  if (req.template_id.has_value()) {
    source = FindTemplate(*req.template_id);
    if (source == nullptr) return TemplateNotFoundError(*req.template_id);
    if (!source->serverless) return TemplateNotServerlessError(source->id);
  } else if (!req.container.image.has_value()) {
    return ImageNameRequiredError();
  }
  ContainerSettings container;
  RETURN_IF_ERROR(ApplyEndpointContainer(req.container, source, &container));

  Endpoint endpoint;
  endpoint.name = req.name.value_or("");
  endpoint.type = req.type.value_or(kEndpointQueue);
  endpoint.gpu_pools = req.gpu_pools.value_or(std::vector<std::string>{});
  endpoint.excluded_types =
      req.excluded_types.value_or(std::vector<std::string>{});
  endpoint.gpu_count = req.gpu_count.value_or(1);
  endpoint.min_cuda_version = req.min_cuda_version;
  if (req.allowed_cuda_versions.has_value()) {
    endpoint.allowed_cuda_versions = *req.allowed_cuda_versions;
  } else if (source != nullptr && !req.min_cuda_version.has_value()) {
    // The template's constraint seeds the endpoint's.
    endpoint.allowed_cuda_versions = source->allowed_cuda_versions;
  }
  endpoint.workers_min = req.workers_min.value_or(kDefaultWorkersMin);
  endpoint.workers_max = req.workers_max.value_or(kDefaultWorkersMax);
  endpoint.idle_timeout = req.idle_timeout.value_or(kDefaultIdleTimeout);
  endpoint.scaler_type = req.scaler_type.value_or(kScalerQueueDelay);
  endpoint.scaler_value = req.scaler_value.value_or(4);
  endpoint.data_center_ids =
      req.data_center_ids.value_or(std::vector<std::string>{});
  endpoint.network_volumes =
      req.network_volumes.value_or(std::vector<std::string>{});
  endpoint.timeout_ms = req.timeout_ms.value_or(kDefaultEndpointTimeoutMs);
  endpoint.flashboot = req.flashboot.value_or(kDefaultFlashboot);
  if (req.idle_timeout.has_value() && endpoint.type == kEndpointQueue &&
      endpoint.scaler_type == kScalerRequestCount) {
    return IdleTimeoutNotApplicableError();
  }
  RETURN_IF_ERROR(CheckEndpoint(endpoint));

  endpoint.id = NewId(kEndpointIdLength, &Account::EndpointIdTaken);
  endpoint.created_at = clock_();
  Template bound;
  bound.id = NewId(kTemplateIdLength, &Account::TemplateIdTaken);
  bound.name = absl::StrCat(endpoint.name, "__template__", endpoint.id);
  bound.container = std::move(container);
  bound.serverless = true;
  // Pod-only flags: a serverless worker starts neither.
  bound.start_ssh = false;
  bound.start_jupyter = false;
  bound.endpoint_id = endpoint.id;
  bound.serial = ++last_serverless_serial_;
  endpoint.template_id = bound.id;
  endpoint.serial = ++last_serverless_serial_;
  templates_.push_back(std::move(bound));
  template_index_[templates_.back().id] = std::prev(templates_.end());
  TemplateChanged(templates_.back().id);
  endpoints_.push_back(endpoint);
  endpoint_index_[endpoint.id] = std::prev(endpoints_.end());
  EndpointChanged(endpoint.id);
  return endpoint;
}

absl::StatusOr<Endpoint> Account::UpdateEndpoint(const std::string& id,
                                                 const EndpointRequest& req) {
  const Endpoint* current = FindEndpoint(id);
  if (current == nullptr) return EndpointNotFoundError(id);
  if (req.has_gpu && req.has_cpu) return GpuOrCpuError();
  if (req.has_cpu) return ComputeFamilyImmutableError();
  // Validate everything before changing anything.
  Endpoint value = *current;
  const Template* bound = FindTemplate(value.template_id);
  ContainerSettings container =
      bound != nullptr ? bound->container : ContainerSettings();
  const Template* source = nullptr;
  if (req.template_id.has_value()) {
    source = FindTemplate(*req.template_id);
    if (source == nullptr) return TemplateNotFoundError(*req.template_id);
    if (!source->serverless) return TemplateNotServerlessError(source->id);
  }
  RETURN_IF_ERROR(ApplyEndpointContainer(req.container, source, &container));
  if (req.name.has_value()) value.name = *req.name;
  if (req.gpu_pools.has_value()) {
    // pools and excludedTypes are one selection, replaced together.
    value.gpu_pools = *req.gpu_pools;
    value.excluded_types =
        req.excluded_types.value_or(std::vector<std::string>{});
  }
  if (req.gpu_count.has_value()) value.gpu_count = *req.gpu_count;
  if (req.allowed_cuda_versions.has_value()) {
    value.allowed_cuda_versions = *req.allowed_cuda_versions;
  }
  if (req.min_cuda_version.has_value()) {
    value.min_cuda_version = req.min_cuda_version->empty()
                                 ? std::nullopt
                                 : req.min_cuda_version;
  }
  if (req.workers_min.has_value()) value.workers_min = *req.workers_min;
  if (req.workers_max.has_value()) value.workers_max = *req.workers_max;
  if (req.idle_timeout.has_value()) value.idle_timeout = *req.idle_timeout;
  if (req.scaler_type.has_value()) {
    value.scaler_type = *req.scaler_type;
    value.scaler_value = req.scaler_value.value_or(value.scaler_value);
  }
  if (req.idle_timeout.has_value() && value.type == kEndpointQueue &&
      value.scaler_type == kScalerRequestCount) {
    return IdleTimeoutNotApplicableError();
  }
  if (req.network_volumes.has_value()) {
    value.network_volumes = *req.network_volumes;
    // The data centers follow the new volumes unless the body names them.
    if (!req.data_center_ids.has_value() && !value.network_volumes.empty()) {
      value.data_center_ids.clear();
    }
  }
  if (req.data_center_ids.has_value()) {
    value.data_center_ids = *req.data_center_ids;
  }
  if (req.timeout_ms.has_value()) value.timeout_ms = *req.timeout_ms;
  if (req.flashboot.has_value()) value.flashboot = *req.flashboot;
  RETURN_IF_ERROR(CheckEndpoint(value));

  if (bound != nullptr && !(bound->container == container)) {
    // A new release of the endpoint: its bound template takes the settings.
    Template* stored = MutableTemplate(value.template_id);
    stored->container = std::move(container);
  }
  Endpoint* stored = MutableEndpoint(id);
  value.data_file_text.clear();
  *stored = std::move(value);
  return *stored;
}

absl::Status Account::DeleteEndpoint(const std::string& id) {
  auto it = endpoint_index_.find(id);
  if (it == endpoint_index_.end()) return EndpointNotFoundError(id);
  const std::string template_id = it->second->template_id;
  endpoints_.erase(it->second);
  endpoint_index_.erase(it);
  EndpointChanged(id);
  if (auto bound = template_index_.find(template_id);
      bound != template_index_.end()) {
    templates_.erase(bound->second);
    template_index_.erase(bound);
    TemplateChanged(template_id);
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------ reads

const Template* Account::FindTemplate(const std::string& id) const {
  auto it = template_index_.find(id);
  return it == template_index_.end() ? nullptr : &*it->second;
}

const Endpoint* Account::FindEndpoint(const std::string& id) const {
  auto it = endpoint_index_.find(id);
  return it == endpoint_index_.end() ? nullptr : &*it->second;
}

std::vector<std::string> Account::EndpointsUsingVolume(
    const std::string& id) const {
  std::vector<std::string> out;
  for (const Endpoint& endpoint : endpoints_) {
    const std::vector<std::string>& volumes = endpoint.network_volumes;
    if (std::find(volumes.begin(), volumes.end(), id) != volumes.end()) {
      out.push_back(endpoint.id);
    }
  }
  return out;
}

Template* Account::MutableTemplate(const std::string& id) {
  auto it = template_index_.find(id);
  if (it == template_index_.end()) return nullptr;
  it->second->data_file_text.clear();
  TemplateChanged(id);
  return &*it->second;
}

Endpoint* Account::MutableEndpoint(const std::string& id) {
  auto it = endpoint_index_.find(id);
  if (it == endpoint_index_.end()) return nullptr;
  it->second->data_file_text.clear();
  EndpointChanged(id);
  return &*it->second;
}

bool Account::TemplateIdTaken(const std::string& id) const {
  return template_index_.count(id) > 0;
}

bool Account::EndpointIdTaken(const std::string& id) const {
  return endpoint_index_.count(id) > 0;
}

// -------------------------------------------------- restoring, replaying

absl::Status Account::RestoreTemplate(Template value) {
  if (TemplateIdTaken(value.id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("template id ", value.id, " appears twice"));
  }
  value.serial = ++last_serverless_serial_;
  templates_.push_back(std::move(value));
  template_index_[templates_.back().id] = std::prev(templates_.end());
  return absl::OkStatus();
}

absl::Status Account::RestoreEndpoint(Endpoint value) {
  if (EndpointIdTaken(value.id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoint id ", value.id, " appears twice"));
  }
  value.serial = ++last_serverless_serial_;
  endpoints_.push_back(std::move(value));
  endpoint_index_[endpoints_.back().id] = std::prev(endpoints_.end());
  return absl::OkStatus();
}

void Account::ReplayTemplate(const std::string& id,
                             std::optional<Template> value) {
  auto it = template_index_.find(id);
  if (it == template_index_.end()) {
    if (!value.has_value()) return;
    value->serial = ++last_serverless_serial_;
    templates_.push_back(*std::move(value));
    template_index_[id] = std::prev(templates_.end());
  } else if (value.has_value()) {
    value->serial = it->second->serial;
    *it->second = *std::move(value);
  } else {
    templates_.erase(it->second);
    template_index_.erase(it);
  }
}

void Account::ReplayEndpoint(const std::string& id,
                             std::optional<Endpoint> value) {
  auto it = endpoint_index_.find(id);
  if (it == endpoint_index_.end()) {
    if (!value.has_value()) return;
    value->serial = ++last_serverless_serial_;
    endpoints_.push_back(*std::move(value));
    endpoint_index_[id] = std::prev(endpoints_.end());
  } else if (value.has_value()) {
    value->serial = it->second->serial;
    *it->second = *std::move(value);
  } else {
    endpoints_.erase(it->second);
    endpoint_index_.erase(it);
  }
}

void Account::TemplateChanged(const std::string& id) {
  if (changed_template_ids_.insert(id).second) {
    changed_.templates.push_back(id);
  }
}

void Account::EndpointChanged(const std::string& id) {
  if (changed_endpoint_ids_.insert(id).second) {
    changed_.endpoints.push_back(id);
  }
}

}  // namespace podform::sandbox
