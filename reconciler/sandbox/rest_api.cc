#include "reconciler/sandbox/rest_api.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "reconciler/core/catalog.h"
#include "reconciler/sandbox/messages.h"
#include "reconciler/sandbox/rest_body.h"
#include "reconciler/sandbox/views.h"
#include "reconciler/util/json_text.h"
#include "reconciler/util/percent.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr int kMaxPageSize = 1000;
constexpr char kValidationFailed[] = "Request validation failed.";
constexpr char kPodCursorPrefix[] = "pods:";

std::string Title(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    default: return "Internal Server Error";
  }
}

SandboxResponse JsonAnswer(int status, const ordered_json& body) {
  SandboxResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  return response;
}

SandboxResponse NoContent() {
  SandboxResponse response;
  response.status = 204;
  response.content_type = "";
  return response;
}

// An Account refusal as RunPod answers it (rest_api.h).
SandboxResponse FromStatus(const absl::Status& status) {
  if (IsInsufficientBalance(status)) {
    return Problem(402, std::string(status.message()));
  }
  int code = 500;
  switch (status.code()) {
    case absl::StatusCode::kNotFound: code = 404; break;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted: code = 400; break;
    case absl::StatusCode::kAborted: code = 409; break;
    default: break;
  }
  return Problem(code, std::string(status.message()));
}

SandboxResponse Invalid(const std::vector<std::string>& errors) {
  return Problem(422, kValidationFailed, errors);
}

std::string TimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// ------------------------------------------------------------ the request

struct Target {
  std::vector<std::string> segments;  // "/v2/pods/x" -> {"v2","pods","x"}
  std::map<std::string, std::string> query;  // last value of each name
};

Target ParseTarget(const std::string& target) {
  Target out;
  size_t question = target.find('?');
  absl::string_view path = absl::string_view(target).substr(0, question);
  for (absl::string_view segment :
       absl::StrSplit(path, '/', absl::SkipEmpty())) {
    out.segments.push_back(PercentDecode(segment));
  }
  if (question != std::string::npos) {
    for (absl::string_view pair : absl::StrSplit(
             absl::string_view(target).substr(question + 1), '&',
             absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(pair, absl::MaxSplits('=', 1));
      out.query[PercentDecode(kv.first, Plus::kSpace)] =
          PercentDecode(kv.second, Plus::kSpace);
    }
  }
  return out;
}

// The body as JSON, or the answer refusing it: 400 when it is not JSON,
// 422 when it is not an object.
std::optional<SandboxResponse> ParseBody(const std::string& body, json* out) {
  absl::StatusOr<json> parsed = ParseJson(body);
  if (!parsed.ok()) {
    return Problem(400, absl::StrCat("The request body is not valid JSON: ",
                                     parsed.status().message()));
  }
  if (!parsed->is_object()) {
    return Invalid({absl::StrCat("$: expected object, got ",
                                 JsonTypeName(*parsed))});
  }
  *out = *std::move(parsed);
  return std::nullopt;
}

// --------------------------------------------------------------- the views

ordered_json VolumeJson(const NetworkVolume& volume) {
  return {{"id", volume.id},
          {"name", volume.name.value_or("")},
          {"size", volume.size_gb},
          {"dataCenter", volume.data_center_id},
          {"type", volume.type}};
}

std::vector<std::string> PortList(const Pod& pod) {
  std::vector<std::string> ports;
  if (!pod.ports.has_value()) return ports;
  for (absl::string_view entry : absl::StrSplit(*pod.ports, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (!entry.empty()) ports.emplace_back(entry);
  }
  return ports;
}

bool PublishesSsh(const Pod& pod) {
  std::vector<std::string> ports = PortList(pod);
  return std::find(ports.begin(), ports.end(), "22/tcp") != ports.end();
}

// The public port of "22/tcp" (tcp ports are published in order from the
// pod's base port, as views.cc's runtime ports).
int SshPublicPort(const Pod& pod) {
  int published = 0;
  for (const std::string& port : PortList(pod)) {
    if (port == "22/tcp") return pod.public_port_base + published;
    if (!absl::EndsWith(port, "/http")) ++published;
  }
  return 0;
}

ordered_json PodJson(const Pod& pod, absl::Time now) {
  const std::string status = PodStatus(pod, now);
  const bool running = status == "RUNNING";
  ordered_json env = ordered_json::object();
  for (const EnvVar& var : pod.env) env[var.key] = var.value;
  ordered_json mounts = ordered_json::object();
  if (pod.network_volume_id.has_value()) {
    mounts["network"] = ordered_json::array(
        {{{"volumeId", *pod.network_volume_id},
          {"path", pod.volume_mount_path}}});
  } else if (pod.volume_in_gb > 0) {
    mounts["persistent"] = {{"size", pod.volume_in_gb},
                            {"path", pod.volume_mount_path}};
  }
  const std::string ssh_user = pod.pod_host_id;
  ordered_json ssh = {
      {"proxy",
       {{"host", "ssh.runpod.io"},
        {"port", 22},
        {"username", ssh_user},
        {"command", absl::StrCat("ssh ", ssh_user, "@ssh.runpod.io")}}},
      {"direct", nullptr}};
  if (running && PublishesSsh(pod)) {
    int port = SshPublicPort(pod);
    ssh["direct"] = {{"host", pod.public_ip},
                     {"port", port},
                     {"username", "root"},
                     {"command", absl::StrCat("ssh root@", pod.public_ip,
                                              " -p ", port)}};
  }
  ordered_json runtime = nullptr;
  if (running) {
    ordered_json gpus = ordered_json::array();
    for (int i = 0; i < pod.gpu_count; ++i) {
      gpus.push_back({{"util", 0}, {"memoryUtil", 0}});
    }
    // The same ports GraphQL's runtime reports.
    json graphql_runtime = RuntimeView(pod, now);
    ordered_json ports = ordered_json::array();
    if (graphql_runtime.is_object()) {
      for (const json& port : graphql_runtime.at("ports")) {
        ports.push_back({{"private", port.at("privatePort")},
                         {"public", port.at("publicPort")},
                         {"type", port.at("type")},
                         {"ip", port.at("ip")}});
      }
    }
    runtime = {{"uptime", std::max<int64_t>(
                              0, absl::ToInt64Seconds(now - std::max(
                                                          pod.started_at,
                                                          pod.ready_at)))},
               {"gpus", std::move(gpus)},
               {"cpu", {{"util", 0}}},
               {"memory", {{"util", 0}}},
               {"ports", std::move(ports)}};
  }
  ordered_json out = {
      {"id", pod.id},
      {"name", pod.name.value_or("")},
      {"image", pod.image_name},
      {"args", pod.docker_args}};
  if (pod.cmd.has_value()) out["cmd"] = *pod.cmd;
  if (pod.entrypoint.has_value()) out["entrypoint"] = *pod.entrypoint;
  out["disk"] = pod.container_disk_in_gb;
  out["env"] = std::move(env);
  out["ports"] = PortList(pod);
  out["registry"] = pod.container_registry_auth_id.has_value()
                        ? ordered_json(*pod.container_registry_auth_id)
                        : ordered_json(nullptr);
  out["status"] = status;
  out["actions"] = PodActions(status);
  out["mounts"] = std::move(mounts);
  out["gpu"] = {{"id", pod.gpu_type_id},
                {"count", pod.gpu_count},
                {"vcpuCount", pod.vcpu_count},
                {"memory", pod.memory_in_gb}};
  out["cloud"] = pod.cloud_type;
  out["dataCenterId"] = pod.data_center_id;
  out["cudaVersion"] = "12.4";
  out["ssh"] = std::move(ssh);
  out["template"] = pod.template_id.has_value()
                        ? ordered_json(*pod.template_id)
                        : ordered_json(nullptr);
  out["cost"] = status == "EXITED" ? 0.0 : PodCostPerHr(pod);
  out["locked"] = pod.locked;
  out["globalNetworking"] = {{"enabled", pod.global_networking}};
  if (pod.global_networking) {
    out["globalNetworking"]["internalDns"] =
        absl::StrCat(pod.id, ".runpod.internal");
  }
  out["runtime"] = std::move(runtime);
  out["createdAt"] = TimeText(pod.created_at);
  out["startedAt"] = running ? ordered_json(TimeText(std::max(
                                   pod.started_at, pod.ready_at)))
                             : ordered_json(nullptr);
  return out;
}

// --------------------------------------------------------------- handlers

class RestApi {
 public:
  RestApi(SandboxStore& store, bool* committed)
      : store_(store), committed_(committed) {}

  SandboxResponse Handle(const std::string& method, const Target& target,
                         const std::string& body);

 private:
  Account& account() { return store_.account(); }

  // Stores a mutation; 500 if the data file cannot be written.
  std::optional<SandboxResponse> Commit() {
    absl::Status status = store_.Commit();
    if (!status.ok()) return FromStatus(status);
    *committed_ = true;
    return std::nullopt;
  }

  SandboxResponse ListVolumes();
  SandboxResponse CreateVolume(const std::string& body);
  SandboxResponse GetVolume(const std::string& id);
  SandboxResponse UpdateVolume(const std::string& id, const std::string& body);
  SandboxResponse DeleteVolume(const std::string& id);

  SandboxResponse ListPods(const Target& target);
  SandboxResponse CreatePod(const std::string& body);
  SandboxResponse GetPod(const std::string& id);
  SandboxResponse UpdatePod(const std::string& id, const std::string& body);
  SandboxResponse DeletePod(const std::string& id);
  SandboxResponse PodActionRequest(const std::string& id,
                                   const std::string& body);

  SandboxResponse ListEndpoints(const Target& target);
  SandboxResponse CreateEndpoint(const std::string& body);
  SandboxResponse GetEndpoint(const std::string& id);
  SandboxResponse UpdateEndpoint(const std::string& id,
                                 const std::string& body);
  SandboxResponse DeleteEndpoint(const std::string& id);

  SandboxResponse ListTemplates(const Target& target);
  SandboxResponse CreateTemplate(const std::string& body);
  SandboxResponse GetTemplate(const std::string& id);
  SandboxResponse UpdateTemplate(const std::string& id,
                                 const std::string& body);
  SandboxResponse DeleteTemplate(const std::string& id);

  SandboxResponse ListGpus(const Target& target);
  SandboxResponse GetGpu(const std::string& id, const Target& target);
  SandboxResponse ListDataCenters(const Target& target);
  SandboxResponse GetDataCenter(const std::string& id);

  SandboxStore& store_;
  bool* committed_;
};

SandboxResponse MethodNotAllowed(const std::vector<std::string>& allowed) {
  SandboxResponse response =
      Problem(405, "The requested method is not allowed for this path.");
  response.headers.emplace_back("Allow", absl::StrJoin(allowed, ", "));
  return response;
}

SandboxResponse RestApi::Handle(const std::string& method,
                                const Target& target, const std::string& body) {
  const std::vector<std::string>& s = target.segments;
  auto route = [&](const std::vector<std::string>& allowed)
      -> std::optional<SandboxResponse> {
    if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) {
      return MethodNotAllowed(allowed);
    }
    return std::nullopt;
  };
  if (s.size() >= 2 && s[0] == "v2") {
    const std::string& resource = s[1];
    if (resource == "network-volumes") {
      if (s.size() == 2) {
        if (auto refused = route({"GET", "POST"})) return *refused;
        return method == "GET" ? ListVolumes() : CreateVolume(body);
      }
      if (s.size() == 3) {
        if (auto refused = route({"GET", "PATCH", "DELETE"})) return *refused;
        if (method == "GET") return GetVolume(s[2]);
        if (method == "PATCH") return UpdateVolume(s[2], body);
        return DeleteVolume(s[2]);
      }
    } else if (resource == "pods") {
      if (s.size() == 2) {
        if (auto refused = route({"GET", "POST"})) return *refused;
        return method == "GET" ? ListPods(target) : CreatePod(body);
      }
      if (s.size() == 3) {
        if (auto refused = route({"GET", "PATCH", "DELETE"})) return *refused;
        if (method == "GET") return GetPod(s[2]);
        if (method == "PATCH") return UpdatePod(s[2], body);
        return DeletePod(s[2]);
      }
      if (s.size() == 4 && s[3] == "action") {
        if (auto refused = route({"POST"})) return *refused;
        return PodActionRequest(s[2], body);
      }
    } else if (resource == "serverless" || resource == "templates") {
      const bool endpoints = resource == "serverless";
      if (s.size() == 2) {
        if (auto refused = route({"GET", "POST"})) return *refused;
        if (method == "GET") {
          return endpoints ? ListEndpoints(target) : ListTemplates(target);
        }
        return endpoints ? CreateEndpoint(body) : CreateTemplate(body);
      }
      if (s.size() == 3) {
        if (auto refused = route({"GET", "PATCH", "DELETE"})) return *refused;
        if (method == "GET") {
          return endpoints ? GetEndpoint(s[2]) : GetTemplate(s[2]);
        }
        if (method == "PATCH") {
          return endpoints ? UpdateEndpoint(s[2], body)
                           : UpdateTemplate(s[2], body);
        }
        return endpoints ? DeleteEndpoint(s[2]) : DeleteTemplate(s[2]);
      }
    } else if (resource == "catalog" && s.size() >= 3) {
      if (s[2] == "gpus" && s.size() <= 4) {
        if (auto refused = route({"GET"})) return *refused;
        return s.size() == 3 ? ListGpus(target) : GetGpu(s[3], target);
      }
      if (s[2] == "datacenters" && s.size() <= 4) {
        if (auto refused = route({"GET"})) return *refused;
        return s.size() == 3 ? ListDataCenters(target) : GetDataCenter(s[3]);
      }
    }
  }
  return Problem(404, "resource not found");
}

// ------------------------------------------------------- network volumes

SandboxResponse RestApi::ListVolumes() {
  ordered_json list = ordered_json::array();
  for (const NetworkVolume& volume : account().volumes()) {
    list.push_back(VolumeJson(volume));
  }
  return JsonAnswer(200, {{"networkVolumes", std::move(list)}});
}

const std::vector<std::string>& VolumeTypes() {
  static const auto* types =
      new std::vector<std::string>{kVolumeStandard, kVolumeHighPerformance};
  return *types;
}

SandboxResponse RestApi::CreateVolume(const std::string& body) {
  json j;
  if (auto refused = ParseBody(body, &j)) return *refused;
  std::vector<std::string> errors;
  BodyReader r(j, "$", &errors);
  r.IsObject();
  CreateVolumeRequest req;
  VolumeApiOptions api;
  req.data_center_id = r.String("dataCenter", true, true).value_or("");
  req.name = r.String("name", true, true);
  req.size = r.Integer("size", true, kMinVolumeSizeGb, kMaxRestVolumeSizeGb);
  api.type = r.Enum("type", VolumeTypes());
  r.Finish();
  if (!errors.empty()) return Invalid(errors);
  api.max_size_gb = kMaxRestVolumeSizeGb;
  absl::StatusOr<NetworkVolume> volume = account().CreateVolume(req, api);
  if (!volume.ok()) return FromStatus(volume.status());
  if (auto failed = Commit()) return *failed;
  return JsonAnswer(201, VolumeJson(*volume));
}

SandboxResponse RestApi::GetVolume(const std::string& id) {
  const NetworkVolume* volume = account().FindVolume(id);
  if (volume == nullptr) return FromStatus(VolumeNotFoundError(id));
  return JsonAnswer(200, VolumeJson(*volume));
}

SandboxResponse RestApi::UpdateVolume(const std::string& id,
                                      const std::string& body) {
  json j;
  if (auto refused = ParseBody(body, &j)) return *refused;
  std::vector<std::string> errors;
  BodyReader r(j, "$", &errors);
  r.IsObject();
  UpdateVolumeRequest req;
  req.id = id;
  req.name = r.String("name", false, true);
  req.size = r.Integer("size", false, kMinVolumeSizeGb, kMaxRestVolumeSizeGb);
  r.Finish();
  if (j.empty()) errors.push_back("$: must have at least 1 properties");
  if (!errors.empty()) return Invalid(errors);
  VolumeApiOptions api;
  api.max_size_gb = kMaxRestVolumeSizeGb;
  absl::StatusOr<NetworkVolume> volume = account().UpdateVolume(req, api);
  if (!volume.ok()) return FromStatus(volume.status());
  if (auto failed = Commit()) return *failed;
  return JsonAnswer(200, VolumeJson(*volume));
}

SandboxResponse RestApi::DeleteVolume(const std::string& id) {
  absl::Status deleted = account().DeleteVolume(id);
  if (!deleted.ok()) return FromStatus(deleted);
  if (auto failed = Commit()) return *failed;
  return NoContent();
}

// ------------------------------------------------------------------- pods

// The cursor of a page that ended at the pod with `serial`.
std::string PodCursor(uint64_t serial) {
  return absl::WebSafeBase64Escape(absl::StrCat(kPodCursorPrefix, serial));
}

SandboxResponse RestApi::ListPods(const Target& target) {
  std::vector<std::string> errors;
  int64_t limit = kMaxPageSize;
  if (auto it = target.query.find("limit"); it != target.query.end()) {
    if (!absl::SimpleAtoi(it->second, &limit)) {
      errors.push_back("limit: expected integer");
    } else if (limit < 1 || limit > kMaxPageSize) {
      errors.push_back(absl::StrCat("limit: must be between 1 and ",
                                    kMaxPageSize));
    }
  }
  uint64_t after = 0;
  if (auto it = target.query.find("cursor"); it != target.query.end()) {
    std::string decoded;
    absl::string_view rest;
    if (it->second.empty() ||
        !absl::WebSafeBase64Unescape(it->second, &decoded) ||
        !absl::ConsumePrefix(&(rest = decoded), kPodCursorPrefix) ||
        !absl::SimpleAtoi(rest, &after)) {
      errors.push_back("cursor: malformed or foreign cursor");
    }
  }
  if (auto it = target.query.find("includeClusterPods");
      it != target.query.end() && it->second != "true" &&
      it->second != "false") {
    errors.push_back("includeClusterPods: expected boolean");
  }
  if (!errors.empty()) return Invalid(errors);
  const absl::Time now = account().Now();
  ordered_json pods = ordered_json::array();
  uint64_t last = 0;
  bool more = false;
  for (const Pod& pod : account().pods()) {
    if (pod.serial <= after) continue;
    if (static_cast<int64_t>(pods.size()) == limit) {
      more = true;
      break;
    }
    pods.push_back(PodJson(pod, now));
    last = pod.serial;
  }
  ordered_json pagination = {
      {"nextCursor", more ? ordered_json(PodCursor(last)) : ordered_json()},
      {"hasNextPage", more}};
  return JsonAnswer(200, {{"pods", std::move(pods)},
                          {"pagination", std::move(pagination)}});
}

std::vector<EnvVar> EnvList(const std::map<std::string, std::string>& env) {
  std::vector<EnvVar> out;
  for (const auto& [key, value] : env) out.push_back({key, value});
  return out;
}

bool IsCudaVersion(const std::string& v) {
  std::vector<absl::string_view> parts = absl::StrSplit(v, '.');
  if (parts.size() != 2) return false;
  for (absl::string_view p : parts) {
    if (p.empty() || p.find_first_not_of("0123456789") != p.npos) return false;
  }
  return true;
}

// The mounts of a pod body (create or PATCH). A refusal is recorded in
// `errors` (schema) or returned (rules, 400).
struct MountsBody {
  bool present = false;
  bool network_empty = false;  // "network": []
  std::optional<std::string> volume_id, network_path;
  std::optional<int64_t> persistent_size;
  std::optional<std::string> persistent_path;
};

MountsBody ReadMounts(BodyReader& r, std::vector<std::string>* errors) {
  MountsBody out;
  const json* mounts = r.Object("mounts");
  if (mounts == nullptr) return out;
  out.present = true;
  BodyReader m(*mounts, "$.mounts", errors);
  m.IsObject();
  if (const json* persistent = m.Object("persistent")) {
    BodyReader p(*persistent, "$.mounts.persistent", errors);
    p.IsObject();
    out.persistent_size = p.Integer("size", true, kMinVolumeSizeGb);
    out.persistent_path = p.String("path", true);
    p.Finish();
  }
  if (const json* network = m.Array("network")) {
    if (network->empty()) out.network_empty = true;
    if (network->size() > 1) {
      errors->push_back("$.mounts.network: must have at most 1 items");
    } else if (network->size() == 1) {
      BodyReader n((*network)[0], "$.mounts.network[0]", errors);
      n.IsObject();
      out.volume_id = n.String("volumeId", true);
      out.network_path = n.String("path", true);
      n.Finish();
    }
  }
  m.Finish();
  return out;
}

// The rules of RunPod's Mounts (400).
std::optional<SandboxResponse> CheckMounts(const MountsBody& mounts) {
  if (mounts.network_empty) {
    return Problem(400,
                   "mounts.network must not be empty: clearing mounts is not "
                   "supported.");
  }
  if (mounts.volume_id.has_value() && mounts.persistent_size.has_value()) {
    return Problem(400,
                   "mounts.persistent and mounts.network are mutually "
                   "exclusive.");
  }
  return std::nullopt;
}

// The container members every pod body shares.
struct ContainerBody {
  std::optional<std::string> image, args, registry;
  std::optional<std::vector<std::string>> cmd, entrypoint, ports;
  std::optional<int64_t> disk;
  std::optional<std::map<std::string, std::string>> env;
  bool registry_null = false;

  // The container's fields, as a create or an update of a pod takes them
  // (DeployPodRequest, UpdatePodRequest).
  template <typename Request>
  void CopyTo(Request* req) const {
    req->image_name = image;
    req->docker_args = args;
    req->cmd = cmd;
    req->entrypoint = entrypoint;
    req->container_disk_in_gb = disk;
    if (env.has_value()) req->env = EnvList(*env);
    if (ports.has_value()) req->ports = absl::StrJoin(*ports, ",");
  }
};

// A pod's `templateId` (RunPod's one-time source of settings): the
// template's image, args, disk, ports, env and registry fill in what the
// body does not set, and on create (`mounts` not null) its persistent mount
// when the body has none. The pod keeps no link to it (`template` stays
// null). nullopt when applied or absent; 404 for an unknown template, 422
// for a serverless one.
std::optional<SandboxResponse> ApplyPodTemplate(
    const Account& account, const std::optional<std::string>& template_id,
    ContainerBody* container, MountsBody* mounts) {
  if (!template_id.has_value()) return std::nullopt;
  const Template* t = account.FindTemplate(*template_id);
  if (t == nullptr) return FromStatus(TemplateNotFoundError(*template_id));
  if (t->serverless) {
    return Invalid({absl::StrCat("$.templateId: template ", *template_id,
                                 " is a serverless template")});
  }
  const ContainerSettings& c = t->container;
  if (!container->image.has_value()) container->image = c.image;
  if (!container->args.has_value()) container->args = c.args;
  if (!container->disk.has_value()) container->disk = c.disk_gb;
  if (!container->ports.has_value()) container->ports = c.ports;
  if (!container->env.has_value()) container->env = c.env;
  if (!container->registry.has_value() && !container->registry_null) {
    container->registry = c.registry;
  }
  if (mounts != nullptr && !mounts->present &&
      t->persistent_size_gb.has_value()) {
    mounts->persistent_size = t->persistent_size_gb;
    mounts->persistent_path = t->persistent_path;
  }
  return std::nullopt;
}

ContainerBody ReadContainer(BodyReader& r, const json& j) {
  ContainerBody out;
  out.image = r.String("image");
  out.args = r.String("args");
  out.cmd = r.Strings("cmd");
  out.entrypoint = r.Strings("entrypoint");
  out.disk = r.Integer("disk", false, 1);
  out.env = r.StringMap("env");
  out.ports = r.Strings("ports");
  if (j.contains("registry") && j.at("registry").is_null()) {
    r.Known("registry");
    out.registry_null = true;
  } else {
    out.registry = r.String("registry");
  }
  return out;
}

SandboxResponse RestApi::CreatePod(const std::string& body) {
  json j;
  if (auto refused = ParseBody(body, &j)) return *refused;
  std::vector<std::string> errors;
  BodyReader r(j, "$", &errors);
  r.IsObject();
  ContainerBody container = ReadContainer(r, j);
  DeployPodRequest req;
  req.name = r.String("name", true, true);
  req.cloud_type =
      r.Enum("cloud", {"SECURE", "COMMUNITY"}).value_or("SECURE");
  const bool has_cpu = r.Has("cpu");
  if (const json* cpu = r.Object("cpu")) {
    BodyReader c(*cpu, "$.cpu", &errors);
    c.IsObject();
    c.String("id", true, true);
    c.Integer("vcpuCount", true, 2);
    c.Finish();
  }
  req.data_center_ids = r.Strings("dataCenterIds").value_or(
      std::vector<std::string>{});
  req.global_networking = r.Bool("globalNetworking").value_or(false);
  const bool has_gpu = r.Has("gpu");
  bool cuda_both = false;
  std::optional<int64_t> min_ram, min_vcpus;
  if (const json* gpu = r.Object("gpu")) {
    BodyReader g(*gpu, "$.gpu", &errors);
    g.IsObject();
    req.gpu_type_id = g.String("id", true);
    std::optional<int64_t> count = g.Integer("count", false, 1, INT32_MAX);
    if (count.has_value()) req.gpu_count = static_cast<int>(*count);
    std::optional<std::vector<std::string>> allowed =
        g.Strings("allowedCudaVersions");
    for (const std::string& v : allowed.value_or(std::vector<std::string>{})) {
      if (!IsCudaVersion(v)) {
        errors.push_back(absl::StrCat("$.gpu.allowedCudaVersions: \"", v,
                                      "\" does not match ^\\d+\\.\\d+$"));
      }
    }
    std::optional<std::string> min_cuda = g.String("minCudaVersion");
    if (min_cuda.has_value() && !IsCudaVersion(*min_cuda)) {
      errors.push_back(absl::StrCat("$.gpu.minCudaVersion: \"", *min_cuda,
                                    "\" does not match ^\\d+\\.\\d+$"));
    }
    cuda_both = allowed.has_value() && !allowed->empty() && min_cuda.has_value();
    min_ram = g.Integer("minRamPerGpu", false, 1, INT32_MAX);
    min_vcpus = g.Integer("minVcpuCountPerGpu", false, 1, INT32_MAX);
    g.Finish();
  }
  MountsBody mounts = ReadMounts(r, &errors);
  r.Bool("startJupyter");
  r.Bool("startSsh");
  std::optional<std::string> template_id = r.String("templateId", false, true);
  r.Finish();
  if (!template_id.has_value() && !container.image.has_value() &&
      !r.Has("image")) {
    errors.push_back("$: missing property 'image'");
  }
  if (!errors.empty()) return Invalid(errors);

  // Rules (400), then the template (404), then the account's rules.
  if (has_gpu == has_cpu) {
    return Problem(400, "Exactly one of gpu or cpu must be set.");
  }
  if (has_cpu) {
    return Problem(400, "CPU pods are not offered by the sandbox; set gpu.");
  }
  if (cuda_both) {
    return Problem(400,
                   "gpu.allowedCudaVersions and gpu.minCudaVersion are "
                   "mutually exclusive.");
  }
  if (auto refused = CheckMounts(mounts)) return *refused;
  if (auto refused =
          ApplyPodTemplate(account(), template_id, &container, &mounts)) {
    return *refused;
  }
  container.CopyTo(&req);
  req.container_registry_auth_id = container.registry;
  if (mounts.volume_id.has_value()) {
    req.network_volume_id = mounts.volume_id;
    req.volume_mount_path = mounts.network_path;
  } else if (mounts.persistent_size.has_value()) {
    req.volume_in_gb = mounts.persistent_size;
    req.volume_mount_path = mounts.persistent_path;
  }
  int count = req.gpu_count.value_or(1);
  if (min_ram.has_value()) {
    req.min_memory_in_gb = static_cast<int>(
        std::min<int64_t>(*min_ram * count, INT32_MAX));
  }
  if (min_vcpus.has_value()) {
    req.min_vcpu_count = static_cast<int>(
        std::min<int64_t>(*min_vcpus * count, INT32_MAX));
  }
  absl::StatusOr<Pod> pod = account().DeployPod(req);
  if (!pod.ok()) return FromStatus(pod.status());
  if (auto failed = Commit()) return *failed;
  return JsonAnswer(201, PodJson(*pod, account().Now()));
}

SandboxResponse RestApi::GetPod(const std::string& id) {
  const Pod* pod = account().FindPod(id);
  if (pod == nullptr) return FromStatus(PodNotFoundError());
  return JsonAnswer(200, PodJson(*pod, account().Now()));
}

SandboxResponse RestApi::UpdatePod(const std::string& id,
                                   const std::string& body) {
  json j;
  if (auto refused = ParseBody(body, &j)) return *refused;
  std::vector<std::string> errors;
  BodyReader r(j, "$", &errors);
  r.IsObject();
  ContainerBody container = ReadContainer(r, j);
  UpdatePodRequest req;
  req.pod_id = id;
  req.name = r.String("name", false, true);
  req.global_networking = r.Bool("globalNetworking");
  req.locked = r.Bool("locked");
  MountsBody mounts = ReadMounts(r, &errors);
  std::optional<std::string> template_id = r.String("templateId");
  r.Finish();
  if (!errors.empty()) return Invalid(errors);
  if (account().FindPod(id) == nullptr) return FromStatus(PodNotFoundError());
  if (auto refused = CheckMounts(mounts)) return *refused;
  if (auto refused =
          ApplyPodTemplate(account(), template_id, &container, nullptr)) {
    return *refused;
  }
  container.CopyTo(&req);
  req.network_volume_id = mounts.volume_id;
  req.network_mount_path = mounts.network_path;
  req.persistent_size_gb = mounts.persistent_size;
  req.persistent_mount_path = mounts.persistent_path;
  absl::StatusOr<Pod> pod = account().UpdatePod(req);
  if (!pod.ok()) return FromStatus(pod.status());
  if (auto failed = Commit()) return *failed;
  return JsonAnswer(200, PodJson(*pod, account().Now()));
}

SandboxResponse RestApi::DeletePod(const std::string& id) {
  if (account().FindPod(id) == nullptr) return FromStatus(PodNotFoundError());
  absl::Status deleted = account().TerminatePod(id);
  if (!deleted.ok()) return FromStatus(deleted);
  if (auto failed = Commit()) return *failed;
  return NoContent();
}

SandboxResponse RestApi::PodActionRequest(const std::string& id,
                                          const std::string& body) {
  json j;
  if (auto refused = ParseBody(body, &j)) return *refused;
  std::vector<std::string> errors;
  BodyReader r(j, "$", &errors);
  r.IsObject();
  std::optional<std::string> name =
      r.Enum("action", {"start", "stop", "restart", "terminate"}, true);
  r.Finish();
  if (!errors.empty()) return Invalid(errors);
  PodAction action = *name == "start"  ? PodAction::kStart
                     : *name == "stop" ? PodAction::kStop
                     : *name == "restart" ? PodAction::kRestart
                                          : PodAction::kTerminate;
  absl::StatusOr<std::optional<Pod>> pod = account().ApplyPodAction(id, action);
  if (!pod.ok()) return FromStatus(pod.status());
  if (auto failed = Commit()) return *failed;
  if (!pod->has_value()) return NoContent();
  return JsonAnswer(200, PodJson(**pod, account().Now()));
}

// ------------------------------------------------- templates, serverless

// ?limit and ?cursor of a paginated list (limit 1..1000, default 1000; a
// cursor that `prefix` did not issue is malformed); errors are recorded.
void ReadPage(const Target& target, absl::string_view prefix, int64_t* limit,
              std::optional<uint64_t>* after,
              std::vector<std::string>* errors) {
  *limit = kMaxPageSize;
  if (auto it = target.query.find("limit"); it != target.query.end()) {
    if (!absl::SimpleAtoi(it->second, limit)) {
      errors->push_back("limit: expected integer");
    } else if (*limit < 1 || *limit > kMaxPageSize) {
      errors->push_back(
          absl::StrCat("limit: must be between 1 and ", kMaxPageSize));
    }
  }
  if (auto it = target.query.find("cursor"); it != target.query.end()) {
    std::string decoded;
    absl::string_view rest;
    uint64_t serial = 0;
    if (it->second.empty() ||
        !absl::WebSafeBase64Unescape(it->second, &decoded) ||
        !absl::ConsumePrefix(&(rest = decoded), prefix) ||
        !absl::SimpleAtoi(rest, &serial)) {
      errors->push_back("cursor: malformed or foreign cursor");
    } else {
      *after = serial;
    }
  }
}

// {"<key>": [page], "pagination": {...}} of `items` (in creation order, or
// the reverse when `newest_first`), resuming after the item with serial
// `after` (which may have been deleted since).
template <typename Items, typename View>
ordered_json Page(const char* key, const char* prefix, const Items& items,
                  bool newest_first, int64_t limit,
                  std::optional<uint64_t> after, View view) {
  ordered_json list = ordered_json::array();
  bool more = false;
  uint64_t last = 0;
  for (const auto* item : items) {
    if (after.has_value() &&
        (newest_first ? item->serial >= *after : item->serial <= *after)) {
      continue;
    }
    if (static_cast<int64_t>(list.size()) == limit) {
      more = true;
      break;
    }
    list.push_back(view(*item));
    last = item->serial;
  }
  ordered_json pagination = {
      {"nextCursor",
       more ? ordered_json(absl::WebSafeBase64Escape(
                  absl::StrCat(prefix, last)))
            : ordered_json()},
      {"hasNextPage", more}};
  return {{key, std::move(list)}, {"pagination", std::move(pagination)}};
}

ordered_json ContainerJson(const ContainerSettings& c, ordered_json out) {
  out["image"] = c.image;
  out["args"] = c.args;
  if (c.cmd.has_value()) out["cmd"] = *c.cmd;
  if (c.entrypoint.has_value()) out["entrypoint"] = *c.entrypoint;
  out["disk"] = c.disk_gb;
  out["env"] = c.env;
  out["ports"] = c.ports;
  out["registry"] = c.registry.has_value() ? ordered_json(*c.registry)
                                           : ordered_json(nullptr);
  return out;
}

ordered_json TemplateJson(const Template& t) {
  ordered_json out =
      ContainerJson(t.container, {{"id", t.id}, {"name", t.name}});
  out["mounts"] = ordered_json::object();
  if (t.persistent_size_gb.has_value()) {
    out["mounts"]["persistent"] = {{"size", *t.persistent_size_gb},
                                   {"path", t.persistent_path}};
  }
  out["serverless"] = t.serverless;
  out["public"] = t.is_public;
  out["category"] = t.category;
  out["startSsh"] = t.start_ssh;
  out["startJupyter"] = t.start_jupyter;
  out["allowedCudaVersions"] = t.allowed_cuda_versions;
  return out;
}

constexpr char kRequestHost[] = "https://api.runpod.ai/v2/";

ordered_json EndpointJson(const Account& account, const Endpoint& e) {
  const Template* bound = account.FindTemplate(e.template_id);
  ordered_json out = ContainerJson(
      bound != nullptr ? bound->container : ContainerSettings(),
      {{"id", e.id}, {"name", e.name}, {"type", e.type}});
  if (e.type == kEndpointLoadBalancer) {
    const std::string base = absl::StrCat("https://", e.id, ".api.runpod.ai");
    out["requestUrls"] = {{"base", base}, {"health", base + "/ping"}};
  } else {
    const std::string base = absl::StrCat(kRequestHost, e.id);
    out["requestUrls"] = {{"run", base + "/run"},
                          {"runSync", base + "/runsync"},
                          {"status", base + "/status/{job_id}"},
                          {"stream", base + "/stream/{job_id}"},
                          {"cancel", base + "/cancel/{job_id}"},
                          {"retry", base + "/retry/{job_id}"},
                          {"purgeQueue", base + "/purge-queue"},
                          {"health", base + "/health"}};
  }
  out["gpu"] = {{"pools", e.gpu_pools},
                {"excludedTypes", e.excluded_types},
                {"count", e.gpu_count},
                {"allowedCudaVersions", e.allowed_cuda_versions},
                {"minCudaVersion", e.min_cuda_version.has_value()
                                       ? ordered_json(*e.min_cuda_version)
                                       : ordered_json(nullptr)}};
  out["workers"] = {{"min", e.workers_min}, {"max", e.workers_max}};
  // Omitted where it does not apply (a queue scaling on request count).
  if (e.type != kEndpointQueue || e.scaler_type != kScalerRequestCount) {
    out["workers"]["idleTimeout"] = e.idle_timeout;
  }
  if (e.scaler_type == kScalerRequestCount) {
    out["scaling"] = {{"type", e.scaler_type},
                      {"requestCount", static_cast<int64_t>(e.scaler_value)}};
  } else {
    out["scaling"] = {{"type", e.scaler_type}, {"queueDelay", e.scaler_value}};
  }
  out["dataCenterIds"] = e.data_center_ids;
  out["networkVolumes"] = e.network_volumes;
  out["timeout"] = e.timeout_ms;
  out["flashboot"] = e.flashboot;
  out["createdAt"] = TimeText(e.created_at);
  return out;
}

void CheckCudaVersions(const std::optional<std::vector<std::string>>& values,
                       const std::string& path,
                       std::vector<std::string>* errors) {
  for (const std::string& v : values.value_or(std::vector<std::string>{})) {
    if (!IsCudaVersion(v)) {
      errors->push_back(
          absl::StrCat(path, ": \"", v, "\" does not match ^\\d+\\.\\d+$"));
    }
  }
}

// The container members of a template or endpoint body.
void ReadContainerInto(BodyReader& r, const json& j, TemplateRequest* req) {
  ContainerBody c = ReadContainer(r, j);
  req->image = c.image;
  req->args = c.args;
  req->registry = c.registry;
  req->registry_null = c.registry_null;
  req->cmd = c.cmd;
  req->entrypoint = c.entrypoint;
  req->ports = c.ports;
  req->disk_gb = c.disk;
  req->env = c.env;
}

// POST (`create`) or PATCH /v2/templates: CreateTemplateRequest or
// UpdateTemplateRequest.
TemplateRequest ReadTemplateBody(const json& j, bool create,
                                 std::vector<std::string>* errors) {
  BodyReader r(j, "$", errors);
  r.IsObject();
  TemplateRequest req;
  ReadContainerInto(r, j, &req);
  if (create && !r.Has("image")) {
    errors->push_back("$: missing property 'image'");
  }
  req.name = r.String("name", create, true);
  req.allowed_cuda_versions = r.Strings("allowedCudaVersions");
  CheckCudaVersions(req.allowed_cuda_versions, "$.allowedCudaVersions",
                    errors);
  req.category = r.Enum("category", {"CPU", "NVIDIA", "AMD"});
  if (const json* mounts = r.Object("mounts")) {
    // Templates take a persistent mount only: `network` is refused here.
    BodyReader m(*mounts, "$.mounts", errors);
    m.IsObject();
    if (const json* persistent = m.Object("persistent")) {
      BodyReader p(*persistent, "$.mounts.persistent", errors);
      p.IsObject();
      req.persistent_size_gb = p.Integer("size", true, kMinVolumeSizeGb);
      req.persistent_path = p.String("path", true);
      p.Finish();
    }
    m.Finish();
  }
  req.is_public = r.Bool("public");
  req.serverless = r.Bool("serverless");
  req.start_jupyter = r.Bool("startJupyter");
  req.start_ssh = r.Bool("startSsh");
  r.Finish();
  return req;
}

// POST (`create`) or PATCH /v2/serverless: CreateEndpointRequest or
// UpdateEndpointRequest.
EndpointRequest ReadEndpointBody(const json& j, bool create,
                                 std::vector<std::string>* errors) {
  BodyReader r(j, "$", errors);
  r.IsObject();
  EndpointRequest req;
  ReadContainerInto(r, j, &req.container);
  req.name = r.String("name", create, true);
  if (create) {
    req.type = r.Enum("type", {kEndpointQueue, kEndpointLoadBalancer}, true);
  }
  if (const json* scaling = r.Object("scaling", create)) {
    BodyReader s(*scaling, "$.scaling", errors);
    s.IsObject();
    // A LOAD_BALANCER endpoint's scaling must be RequestCountScaling.
    std::vector<std::string> types = {kScalerQueueDelay, kScalerRequestCount};
    if (req.type == kEndpointLoadBalancer) types = {kScalerRequestCount};
    req.scaler_type = s.Enum("type", types, true);
    if (req.scaler_type == kScalerQueueDelay) {
      req.scaler_value = s.Number("queueDelay", true, 0.5);
    } else if (req.scaler_type == kScalerRequestCount) {
      // Bounded so that it is exact as a double (Endpoint::scaler_value).
      std::optional<int64_t> count =
          s.Integer("requestCount", true, 1, INT32_MAX);
      if (count.has_value()) req.scaler_value = static_cast<double>(*count);
    }
    s.Finish();
    if (!req.scaler_value.has_value()) req.scaler_type.reset();
  }
  req.has_gpu = r.Has("gpu");
  if (const json* gpu = r.Object("gpu")) {
    BodyReader g(*gpu, "$.gpu", errors);
    g.IsObject();
    req.gpu_pools = g.Strings("pools");
    if (create && !g.Has("pools")) {
      errors->push_back("$.gpu: missing property 'pools'");
    }
    if (req.gpu_pools.has_value() && req.gpu_pools->empty()) {
      errors->push_back("$.gpu.pools: must have at least 1 items");
    }
    req.excluded_types = g.Strings("excludedTypes");
    if (req.excluded_types.has_value()) {
      std::set<std::string> seen;
      for (std::string& type : *req.excluded_types) {
        // Surrounding whitespace is trimmed; a leading '-' is refused.
        std::string trimmed(absl::StripAsciiWhitespace(type));
        if (trimmed.empty() || trimmed[0] == '-') {
          errors->push_back(absl::StrCat("$.gpu.excludedTypes: \"", type,
                                         "\" does not match ^\\s*[^-\\s]"));
        }
        if (!seen.insert(type).second) {
          errors->push_back("$.gpu.excludedTypes: must have unique items");
        }
        type = std::move(trimmed);
      }
      if (!create && !g.Has("pools")) {
        errors->push_back("$.gpu: property 'excludedTypes' requires 'pools'");
      }
    }
    req.gpu_count = g.Integer("count", false, 1);
    req.allowed_cuda_versions = g.Strings("allowedCudaVersions");
    CheckCudaVersions(req.allowed_cuda_versions, "$.gpu.allowedCudaVersions",
                      errors);
    req.min_cuda_version = g.String("minCudaVersion");
    if (req.min_cuda_version.has_value() &&
        !IsCudaVersion(*req.min_cuda_version) &&
        (create || !req.min_cuda_version->empty())) {
      errors->push_back(absl::StrCat(
          "$.gpu.minCudaVersion: \"", *req.min_cuda_version,
          create ? "\" does not match ^\\d+\\.\\d+$"
                 : "\" does not match ^$|^\\d+\\.\\d+$"));
    }
    g.Finish();
  }
  req.has_cpu = r.Has("cpu");
  if (const json* cpu = r.Array("cpu")) {
    if (cpu->empty()) errors->push_back("$.cpu: must have at least 1 items");
    for (size_t i = 0; i < cpu->size(); ++i) {
      BodyReader c((*cpu)[i], absl::StrCat("$.cpu[", i, "]"), errors);
      c.IsObject();
      c.String("id", true, true);
      c.Integer("vcpuCount", true, 2);
      c.Finish();
    }
  }
  req.data_center_ids = r.Strings("dataCenterIds");
  req.flashboot = r.Enum("flashboot", {"OFF", "FLASHBOOT", "PRIORITY_FLASHBOOT"});
  req.network_volumes = r.Strings("networkVolumes");
  req.template_id = r.String("templateId", false, create);
  req.timeout_ms = r.Integer("timeout", false, INT64_MIN);
  if (const json* workers = r.Object("workers")) {
    BodyReader w(*workers, "$.workers", errors);
    w.IsObject();
    req.workers_min = w.Integer("min", false, 0);
    req.workers_max = w.Integer("max", false, 0);
    req.idle_timeout = w.Integer("idleTimeout", false, 1, 3600);
    w.Finish();
  }
  r.Finish();
  if (create && !req.template_id.has_value() && !r.Has("templateId") &&
      !r.Has("image")) {
    errors->push_back("$: missing property 'image'");
  }
  return req;
}

// A `templateId` that names a template which is not serverless: 422, as
// RunPod's schema answers (an unknown one is Account's 404).
std::optional<SandboxResponse> RefuseNonServerlessTemplate(
    const Account& account, const std::optional<std::string>& template_id) {
  if (!template_id.has_value()) return std::nullopt;
  const Template* t = account.FindTemplate(*template_id);
  if (t == nullptr || t->serverless) return std::nullopt;
  return Invalid({absl::StrCat("$.templateId: template ", *template_id,
                               " is not a serverless template")});
}

constexpr char kEndpointCursorPrefix[] = "endpoints:";
constexpr char kTemplateCursorPrefix[] = "templates:";

SandboxResponse RestApi::ListEndpoints(const Target& target) {
  std::vector<std::string> errors;
  int64_t limit = 0;
  std::optional<uint64_t> after;
  ReadPage(target, kEndpointCursorPrefix, &limit, &after, &errors);
  if (!errors.empty()) return Invalid(errors);
  // Newest first.
  std::vector<const Endpoint*> items;
  for (const Endpoint& e : account().endpoints()) items.push_back(&e);
  std::reverse(items.begin(), items.end());
  return JsonAnswer(200, Page("endpoints", kEndpointCursorPrefix, items,
                              /*newest_first=*/true, limit, after, [&](const Endpoint& e) {
                                return EndpointJson(account(), e);
                              }));
}

SandboxResponse RestApi::CreateEndpoint(const std::string& body) {
  json j;
  if (auto refused = ParseBody(body, &j)) return *refused;
  std::vector<std::string> errors;
  EndpointRequest req = ReadEndpointBody(j, /*create=*/true, &errors);
  if (!errors.empty()) return Invalid(errors);
  if (auto refused = RefuseNonServerlessTemplate(account(), req.template_id)) {
    return *refused;
  }
  absl::StatusOr<Endpoint> endpoint = account().CreateEndpoint(req);
  if (!endpoint.ok()) return FromStatus(endpoint.status());
  if (auto failed = Commit()) return *failed;
  return JsonAnswer(201, EndpointJson(account(), *endpoint));
}

SandboxResponse RestApi::GetEndpoint(const std::string& id) {
  const Endpoint* endpoint = account().FindEndpoint(id);
  if (endpoint == nullptr) return FromStatus(EndpointNotFoundError(id));
  return JsonAnswer(200, EndpointJson(account(), *endpoint));
}

SandboxResponse RestApi::UpdateEndpoint(const std::string& id,
                                        const std::string& body) {
  json j;
  if (auto refused = ParseBody(body, &j)) return *refused;
  std::vector<std::string> errors;
  EndpointRequest req = ReadEndpointBody(j, /*create=*/false, &errors);
  if (!errors.empty()) return Invalid(errors);
  if (account().FindEndpoint(id) == nullptr) {
    return FromStatus(EndpointNotFoundError(id));
  }
  if (auto refused = RefuseNonServerlessTemplate(account(), req.template_id)) {
    return *refused;
  }
  absl::StatusOr<Endpoint> endpoint = account().UpdateEndpoint(id, req);
  if (!endpoint.ok()) return FromStatus(endpoint.status());
  if (auto failed = Commit()) return *failed;
  return JsonAnswer(200, EndpointJson(account(), *endpoint));
}

SandboxResponse RestApi::DeleteEndpoint(const std::string& id) {
  absl::Status deleted = account().DeleteEndpoint(id);
  if (!deleted.ok()) return FromStatus(deleted);
  if (auto failed = Commit()) return *failed;
  return NoContent();
}

SandboxResponse RestApi::ListTemplates(const Target& target) {
  std::vector<std::string> errors;
  int64_t limit = 0;
  std::optional<uint64_t> after;
  ReadPage(target, kTemplateCursorPrefix, &limit, &after, &errors);
  if (!errors.empty()) return Invalid(errors);
  std::vector<const Template*> items;
  for (const Template& t : account().templates()) items.push_back(&t);
  return JsonAnswer(200, Page("templates", kTemplateCursorPrefix, items,
                              /*newest_first=*/false, limit, after,
                              TemplateJson));
}

SandboxResponse RestApi::CreateTemplate(const std::string& body) {
  json j;
  if (auto refused = ParseBody(body, &j)) return *refused;
  std::vector<std::string> errors;
  TemplateRequest req = ReadTemplateBody(j, /*create=*/true, &errors);
  if (!errors.empty()) return Invalid(errors);
  absl::StatusOr<Template> created = account().CreateTemplate(req);
  if (!created.ok()) return FromStatus(created.status());
  if (auto failed = Commit()) return *failed;
  return JsonAnswer(201, TemplateJson(*created));
}

SandboxResponse RestApi::GetTemplate(const std::string& id) {
  const Template* t = account().FindTemplate(id);
  if (t == nullptr) return FromStatus(TemplateNotFoundError(id));
  return JsonAnswer(200, TemplateJson(*t));
}

SandboxResponse RestApi::UpdateTemplate(const std::string& id,
                                        const std::string& body) {
  json j;
  if (auto refused = ParseBody(body, &j)) return *refused;
  std::vector<std::string> errors;
  TemplateRequest req = ReadTemplateBody(j, /*create=*/false, &errors);
  if (!errors.empty()) return Invalid(errors);
  absl::StatusOr<Template> updated = account().UpdateTemplate(id, req);
  if (!updated.ok()) return FromStatus(updated.status());
  if (auto failed = Commit()) return *failed;
  return JsonAnswer(200, TemplateJson(*updated));
}

SandboxResponse RestApi::DeleteTemplate(const std::string& id) {
  absl::Status deleted = account().DeleteTemplate(id);
  if (!deleted.ok()) return FromStatus(deleted);
  if (auto failed = Commit()) return *failed;
  return NoContent();
}

// ---------------------------------------------------------------- catalog

std::string Manufacturer(const GpuTypeInfo& gpu) {
  if (gpu.manufacturer == "Nvidia") return "NVIDIA";
  if (gpu.manufacturer == "AMD") return "AMD";
  return "UNKNOWN";
}

ordered_json OptionalPrice(const std::optional<double>& price) {
  return price.has_value() ? ordered_json(*price) : ordered_json();
}

// `cloud` (SECURE | COMMUNITY): availability counts only a cloud that
// offers the type.
ordered_json GpuJson(const Account& account, const GpuTypeInfo& gpu,
                     bool availability, const std::string& cloud) {
  ordered_json out = {
      {"id", gpu.id},
      {"name", gpu.display_name},
      {"pool", gpu.pool.empty() ? ordered_json() : ordered_json(gpu.pool)},
      {"manufacturer", Manufacturer(gpu)},
      {"memory", gpu.memory_gb},
      {"secure", gpu.secure_cloud},
      {"community", gpu.community_cloud},
      // A price RunPod publishes none for (catalog.h): null, not 0.
      {"price",
       {{"secure", OptionalPrice(gpu.secure_price)},
        {"community", OptionalPrice(gpu.community_price)}}},
      {"maxCount",
       {{"secure", gpu.secure_cloud ? gpu.max_gpu_count : 0},
        {"community", gpu.community_cloud ? gpu.max_gpu_count : 0}}}};
  // Optional in RunPod's schema: only for a type in a priced pool.
  if (std::optional<double> serverless = ServerlessGpuHourlyPrice(gpu.pool);
      serverless.has_value()) {
    out["price"]["serverless"] = *serverless;
  }
  if (availability) {
    ordered_json dcs = ordered_json::array();
    int total = 0;
    const bool offered =
        cloud == "COMMUNITY" ? gpu.community_cloud : gpu.secure_cloud;
    for (const DataCenterInfo& dc : KnownDataCenters()) {
      if (!offered) break;
      std::string dc_id(dc.id), gpu_id(gpu.id);
      int free = account.Capacity(dc_id, gpu_id) -
                 account.GpusInUse(dc_id, gpu_id);
      if (free <= 0) continue;
      total += free;
      dcs.push_back({{"id", dc.id},
                     {"name", dc.name},
                     {"availability", AvailabilityLevel(free)}});
    }
    out["availability"] = AvailabilityLevel(total);
    out["dataCenters"] = std::move(dcs);
  }
  return out;
}

// include=AVAILABILITY with product=POD|CLUSTER|SERVERLESS (both or
// neither: 400).
std::optional<SandboxResponse> GpuQuery(const Target& target,
                                        bool* availability,
                                        std::string* cloud) {
  auto include = target.query.find("include");
  auto product = target.query.find("product");
  *availability = include != target.query.end();
  if (*availability && include->second != "AVAILABILITY") {
    return Invalid({"include: must be one of AVAILABILITY"});
  }
  if (product != target.query.end()) {
    for (absl::string_view p : absl::StrSplit(product->second, ',')) {
      if (p != "POD" && p != "CLUSTER" && p != "SERVERLESS") {
        return Invalid({"product: must be one of POD, CLUSTER, SERVERLESS"});
      }
    }
  }
  auto cloud_param = target.query.find("cloud");
  *cloud = "SECURE";  // RunPod's default
  if (cloud_param != target.query.end()) {
    if (cloud_param->second != "SECURE" && cloud_param->second != "COMMUNITY") {
      return Invalid({"cloud: must be one of SECURE, COMMUNITY"});
    }
    *cloud = cloud_param->second;
  }
  if (*availability != (product != target.query.end())) {
    return Problem(400, "product is required with include=AVAILABILITY and "
                        "valid only with it.");
  }
  return std::nullopt;
}

SandboxResponse RestApi::ListGpus(const Target& target) {
  bool availability = false;
  std::string cloud;
  if (auto refused = GpuQuery(target, &availability, &cloud)) return *refused;
  ordered_json gpus = ordered_json::array();
  for (const GpuTypeInfo& gpu : KnownGpuTypes()) {
    gpus.push_back(GpuJson(account(), gpu, availability, cloud));
  }
  return JsonAnswer(200, {{"gpus", std::move(gpus)}});
}

SandboxResponse RestApi::GetGpu(const std::string& id, const Target& target) {
  bool availability = false;
  std::string cloud;
  if (auto refused = GpuQuery(target, &availability, &cloud)) return *refused;
  const GpuTypeInfo* gpu = FindGpuType(id);
  if (gpu == nullptr) {
    return Problem(404, absl::StrCat("GPU type ", id, " not found."));
  }
  return JsonAnswer(200, GpuJson(account(), *gpu, availability, cloud));
}

std::string Region(const DataCenterInfo& dc) {
  std::string_view where = dc.location;
  if (where == "United States" || where == "Canada") return "NORTH_AMERICA";
  if (where == "Australia") return "OCEANIA";
  if (where == "Japan") return "ASIA";
  return "EUROPE";
}

// Plausible: RunPod's global network spans some of its Secure Cloud data
// centers.
bool GlobalNetwork(const DataCenterInfo& dc) {
  static constexpr std::string_view kGlobal[] = {
      "CA-MTL-1", "EU-RO-1", "EU-SE-1", "US-GA-1", "US-KS-2", "US-TX-3"};
  return std::find(std::begin(kGlobal), std::end(kGlobal), dc.id) !=
         std::end(kGlobal);
}

std::vector<std::string> Compliance(const DataCenterInfo& dc) {
  if (Region(dc) == "EUROPE") return {"GDPR", "ISO_IEC_27001"};
  return {"SOC_2_TYPE_2"};
}

ordered_json DataCenterJson(const DataCenterInfo& dc) {
  return {{"id", dc.id},
          {"name", dc.name},
          {"region", Region(dc)},
          {"globalNetwork", GlobalNetwork(dc)},
          {"networkVolumeTypes", VolumeTypesIn(std::string(dc.id))},
          {"compliance", Compliance(dc)}};
}

// Every value of the comma-separated query parameter `name` must be one of
// `allowed`; all of them are returned.
std::vector<std::string> ListParam(const Target& target,
                                   const std::string& name,
                                   const std::vector<std::string>& allowed,
                                   std::vector<std::string>* errors) {
  std::vector<std::string> out;
  auto it = target.query.find(name);
  if (it == target.query.end()) return out;
  for (absl::string_view v : absl::StrSplit(it->second, ',')) {
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      errors->push_back(absl::StrCat(name, ": \"", v, "\" must be one of ",
                                     absl::StrJoin(allowed, ", ")));
    }
    out.emplace_back(v);
  }
  return out;
}

bool ContainsAll(const std::vector<std::string>& have,
                 const std::vector<std::string>& want) {
  for (const std::string& w : want) {
    if (std::find(have.begin(), have.end(), w) == have.end()) return false;
  }
  return true;
}

SandboxResponse RestApi::ListDataCenters(const Target& target) {
  std::vector<std::string> errors;
  std::vector<std::string> regions = ListParam(
      target, "regions",
      {"NORTH_AMERICA", "SOUTH_AMERICA", "EUROPE", "ASIA", "MIDDLE_EAST",
       "AFRICA", "OCEANIA", "ANTARCTICA", "UNKNOWN"},
      &errors);
  std::vector<std::string> types =
      ListParam(target, "networkVolumeTypes", VolumeTypes(), &errors);
  std::vector<std::string> compliance = ListParam(
      target, "compliance",
      {"GDPR", "ISO_IEC_27001", "ISO_14001", "PCI_DSS", "HITRUST",
       "SOC_1_TYPE_2", "SOC_2_TYPE_2", "SOC_3_TYPE_2", "ITAR", "FISMA_HIGH",
       "HIPAA", "RENEWABLE"},
      &errors);
  std::optional<bool> global;
  if (auto it = target.query.find("globalNetwork");
      it != target.query.end()) {
    if (it->second == "true" || it->second == "false") {
      global = it->second == "true";
    } else {
      errors.push_back("globalNetwork: expected boolean");
    }
  }
  if (!errors.empty()) return Invalid(errors);
  ordered_json list = ordered_json::array();
  for (const DataCenterInfo& dc : KnownDataCenters()) {
    if (!regions.empty() && std::find(regions.begin(), regions.end(),
                                      Region(dc)) == regions.end()) {
      continue;
    }
    if (!ContainsAll(VolumeTypesIn(std::string(dc.id)), types)) continue;
    if (!ContainsAll(Compliance(dc), compliance)) continue;
    if (global.has_value() && GlobalNetwork(dc) != *global) continue;
    list.push_back(DataCenterJson(dc));
  }
  return JsonAnswer(200, {{"dataCenters", std::move(list)}});
}

SandboxResponse RestApi::GetDataCenter(const std::string& id) {
  const DataCenterInfo* dc = FindDataCenter(id);
  if (dc == nullptr) {
    return Problem(404, absl::StrCat("Data center ", id, " not found."));
  }
  return JsonAnswer(200, DataCenterJson(*dc));
}

}  // namespace

SandboxResponse Problem(int status, const std::string& detail,
                        const std::vector<std::string>& errors) {
  ordered_json body = {
      {"title", Title(status)}, {"status", status}, {"detail", detail}};
  if (!errors.empty()) body["errors"] = errors;
  SandboxResponse response = JsonAnswer(status, body);
  response.content_type = "application/problem+json";
  return response;
}

SandboxResponse HandleRestRequest(SandboxStore& store,
                                  const std::string& method,
                                  const std::string& target,
                                  const std::string& body, bool* committed) {
  bool stored = false;
  Target parsed = ParseTarget(target);
  SandboxResponse response;
  {
    std::unique_lock<std::mutex> lock = store.Lock();
    RestApi api(store, &stored);
    response = api.Handle(method, parsed, body);
  }
  if (committed != nullptr) *committed = stored;
  return response;
}

}  // namespace podform::sandbox
