#ifndef PODFORM_RECONCILER_SANDBOX_SERVERLESS_H_
#define PODFORM_RECONCILER_SANDBOX_SERVERLESS_H_

// RunPod's serverless endpoints and templates as the sandbox's Account keeps
// them (REST v2 /v2/serverless and /v2/templates, runpod-rest-v2.md §2.3,
// §2.4). Plain values; the rules that change them are Account's
// (account.h), their REST shapes rest_api.cc's.
//
// Every endpoint has a template of its own, created with it and bound to it
// (Template::endpoint_id): it holds the endpoint's container settings
// (image, args, env, ...), so an endpoint PATCH of those changes the bound
// template, and a PATCH of the bound template changes what the endpoint's
// workers run. A `templateId` given on create is only a source of settings,
// copied into the new bound template. Deleting the endpoint deletes its
// bound template and nothing else; a bound template cannot be deleted.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "reconciler/core/catalog.h"

namespace podform::sandbox {

inline constexpr char kEndpointQueue[] = "QUEUE";
inline constexpr char kEndpointLoadBalancer[] = "LOAD_BALANCER";
inline constexpr char kScalerQueueDelay[] = "QUEUE_DELAY";
inline constexpr char kScalerRequestCount[] = "REQUEST_COUNT";
// Defaults of CreateEndpointRequest.
inline constexpr int64_t kDefaultWorkersMin = 0;
inline constexpr int64_t kDefaultWorkersMax = 3;
inline constexpr int64_t kDefaultIdleTimeout = 10;
inline constexpr int64_t kDefaultEndpointTimeoutMs = 300000;
inline constexpr char kDefaultFlashboot[] = "OFF";
inline constexpr char kDefaultTemplateCategory[] = "NVIDIA";
// The container disk of a template that names none (the contract gives no
// default; the sandbox uses its pods' default).
inline constexpr int64_t kDefaultTemplateDiskGb = 20;

// The container settings templates and endpoints share (RunPod's
// ContainerConfig).
struct ContainerSettings {
  std::string image;
  std::string args;
  std::optional<std::vector<std::string>> cmd;         // exec form
  std::optional<std::vector<std::string>> entrypoint;  // exec form
  int64_t disk_gb = kDefaultTemplateDiskGb;
  std::map<std::string, std::string> env;
  std::vector<std::string> ports;  // "8000/http"
  std::optional<std::string> registry;  // registry credential id
  bool operator==(const ContainerSettings&) const = default;
};

struct Template {
  std::string id;  // 10 lowercase alphanumerics, e.g. "30zmvf89kd"
  std::string name;
  ContainerSettings container;
  // mounts.persistent (templates take no network mount).
  std::optional<int64_t> persistent_size_gb;
  std::string persistent_path;
  bool serverless = false;
  bool is_public = false;
  std::string category = kDefaultTemplateCategory;  // CPU | NVIDIA | AMD
  bool start_ssh = true;
  bool start_jupyter = true;
  std::vector<std::string> allowed_cuda_versions;
  // The endpoint this template is bound to (created with it); nullopt for a
  // template created through /v2/templates.
  std::optional<std::string> endpoint_id;
  // Creation order within the account (not persisted); REST v2 cursors.
  uint64_t serial = 0;
  // As NetworkVolume::data_file_text (account.h).
  mutable std::string data_file_text;
};

struct Endpoint {
  std::string id;  // 14 lowercase alphanumerics
  std::string name;
  std::string type = kEndpointQueue;  // QUEUE | LOAD_BALANCER
  std::string template_id;            // its bound template
  std::vector<std::string> gpu_pools;
  std::vector<std::string> excluded_types;  // GPU type ids in the pools
  int64_t gpu_count = 1;
  std::vector<std::string> allowed_cuda_versions;
  std::optional<std::string> min_cuda_version;
  int64_t workers_min = kDefaultWorkersMin;
  int64_t workers_max = kDefaultWorkersMax;
  int64_t idle_timeout = kDefaultIdleTimeout;
  std::string scaler_type = kScalerQueueDelay;  // QUEUE_DELAY | REQUEST_COUNT
  double scaler_value = 4;  // queueDelay (seconds) or requestCount
  std::vector<std::string> data_center_ids;
  std::vector<std::string> network_volumes;  // volume ids
  int64_t timeout_ms = kDefaultEndpointTimeoutMs;
  std::string flashboot = kDefaultFlashboot;
  absl::Time created_at;
  uint64_t serial = 0;  // as Template::serial
  mutable std::string data_file_text;
};

// A template's settings as POST or PATCH /v2/templates gives them; nullopt
// keeps (PATCH) or defaults (POST) a field.
struct TemplateRequest {
  std::optional<std::string> name;
  std::optional<std::string> image, args, registry;
  bool registry_null = false;  // "registry": null clears it
  std::optional<std::vector<std::string>> cmd, entrypoint, ports;
  std::optional<int64_t> disk_gb;
  std::optional<std::map<std::string, std::string>> env;
  std::optional<int64_t> persistent_size_gb;
  std::optional<std::string> persistent_path;
  std::optional<bool> serverless, is_public, start_ssh, start_jupyter;
  std::optional<std::string> category;
  std::optional<std::vector<std::string>> allowed_cuda_versions;
};

// POST or PATCH /v2/serverless; nullopt keeps (PATCH) or defaults (POST).
struct EndpointRequest {
  std::optional<std::string> name, type;
  // Container settings (image, args, env, ...; TemplateRequest's).
  TemplateRequest container;
  // A template whose container settings apply as if given here (the body's
  // own win; env merges per key, the body's winning).
  std::optional<std::string> template_id;
  bool has_gpu = false, has_cpu = false;
  std::optional<std::vector<std::string>> gpu_pools, excluded_types;
  std::optional<int64_t> gpu_count;
  std::optional<std::vector<std::string>> allowed_cuda_versions;
  std::optional<std::string> min_cuda_version;  // "" clears (PATCH)
  std::optional<int64_t> workers_min, workers_max, idle_timeout;
  std::optional<std::string> scaler_type;
  std::optional<double> scaler_value;
  std::optional<std::vector<std::string>> data_center_ids, network_volumes;
  std::optional<int64_t> timeout_ms;
  std::optional<std::string> flashboot;
};

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_SERVERLESS_H_
