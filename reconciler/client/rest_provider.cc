#include "reconciler/client/rest_provider.h"

#include <curl/curl.h>

#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "nlohmann/json.hpp"
#include "reconciler/client/rest_wire.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

using nlohmann::json;

constexpr int kPageLimit = 1000;  // the largest page RunPod serves

absl::Status Malformed(const std::string& what) {
  return absl::InternalError(
      absl::StrCat("malformed response from RunPod: ", what));
}

// `text` percent-encoded for a path segment or a query value.
std::string Escape(const std::string& text) {
  char* escaped =
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) return "";
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

// "DETAIL; ERROR; ERROR", or the title, or "(no detail)".
std::string ProblemText(const HttpResponse& http) {
  Problem problem = ParseProblem(http.body);
  std::vector<std::string> parts;
  if (!problem.detail.empty()) {
    parts.push_back(problem.detail);
  } else if (!problem.title.empty()) {
    parts.push_back(problem.title);
  }
  for (const std::string& error : problem.errors) parts.push_back(error);
  if (parts.empty()) return "(no detail)";
  return absl::StrJoin(parts, "; ");
}

// RunPod says "no capacity" only in words (a 400 whose detail names it).
bool SaysNoCapacity(const std::string& text) {
  std::string lower = absl::AsciiStrToLower(text);
  return absl::StrContains(lower, "no longer any instances available") ||
         absl::StrContains(lower, "capacity") ||
         absl::StrContains(lower, "could not be placed");
}

// The error for a non-2xx answer (see the header).
absl::Status HttpError(const HttpResponse& http, bool read) {
  int status = http.status;
  std::string text = ProblemText(http);
  switch (status) {
    case 400:
      return absl::Status(SaysNoCapacity(text)
                              ? absl::StatusCode::kResourceExhausted
                              : absl::StatusCode::kFailedPrecondition,
                          absl::StrCat("RunPod refused the request (HTTP "
                                       "400): ",
                                       text));
    case 401:
      return absl::UnauthenticatedError(
          "RunPod rejected the API key (HTTP 401): check RUNPOD_API_KEY");
    case 402:
      return absl::FailedPreconditionError(absl::StrCat(
          "insufficient balance (HTTP 402): ", text,
          "; add credit to the RunPod account"));
    case 403:
      return absl::PermissionDeniedError(absl::StrCat(
          "RunPod refused the request (HTTP 403): ", text,
          "; check that RUNPOD_API_KEY has read and write access"));
    case 404:
      return absl::NotFoundError(absl::StrCat("not found (HTTP 404): ", text));
    case 409:
      return absl::FailedPreconditionError(
          absl::StrCat("RunPod refused the request (HTTP 409): ", text));
    case 413:
      return absl::InvalidArgumentError(absl::StrCat(
          "the request is too large for RunPod (HTTP 413): ", text));
    case 422:
      return absl::InvalidArgumentError(absl::StrCat(
          "RunPod found the request invalid (HTTP 422): ", text));
    default:
      break;
  }
  if (status >= 500 && status <= 599) {
    if (read) {
      return absl::UnavailableError(
          absl::StrCat("HTTP ", status, " from RunPod: ", text));
    }
    // A 502/503/504 never gets here (the retrier gives up with
    // Unavailable); any other 5xx on a mutation may have been processed.
    return absl::DeadlineExceededError(absl::StrCat(
        "HTTP ", status, " from RunPod: the outcome is unknown"));
  }
  return absl::InternalError(
      absl::StrCat("unexpected HTTP ", status, " from RunPod"));
}

// body.gpus[].id and, per GPU, dataCenters[] {id, availability}.
absl::StatusOr<GpuAvailability> ParseGpuAvailability(const json& answer) {
  if (!answer.is_object() || !answer.contains("gpus") ||
      !answer["gpus"].is_array()) {
    return Malformed("body.gpus is not a list");
  }
  GpuAvailability out;
  const json& gpus = answer["gpus"];
  for (size_t i = 0; i < gpus.size(); ++i) {
    const json& gpu = gpus[i];
    std::string where = absl::StrCat("body.gpus[", i, "]");
    if (!gpu.is_object() || !gpu.contains("id") || !gpu["id"].is_string()) {
      return Malformed(where + ".id is not a string");
    }
    std::set<std::string>& available =
        out.data_centers[gpu["id"].get<std::string>()];
    auto dcs = gpu.find("dataCenters");
    if (dcs == gpu.end() || dcs->is_null()) continue;
    if (!dcs->is_array()) return Malformed(where + ".dataCenters is not a list");
    for (size_t j = 0; j < dcs->size(); ++j) {
      const json& dc = (*dcs)[j];
      std::string dc_where = absl::StrCat(where, ".dataCenters[", j, "]");
      if (!dc.is_object() || !dc.contains("id") || !dc["id"].is_string() ||
          !dc.contains("availability") || !dc["availability"].is_string()) {
        return Malformed(dc_where + " lacks id or availability");
      }
      if (dc["availability"].get<std::string>() != "NONE") {
        available.insert(dc["id"].get<std::string>());
      }
    }
  }
  return out;
}

class RestProviderImpl : public RestProvider {
 public:
  RestProviderImpl(std::unique_ptr<Transport> transport,
                   RestProviderOptions options)
      : transport_(std::move(transport)), retrier_(std::move(options.retry)) {
    for (std::string& secret : options.secrets) {
      if (!secret.empty()) secrets_.push_back(std::move(secret));
    }
  }

  absl::StatusOr<LiveState> Refresh() override {
    absl::StatusOr<std::vector<LiveVolume>> volumes;
    absl::StatusOr<std::vector<LiveEndpoint>> endpoints;
    std::thread volume_thread([&] { volumes = ListVolumes(); });
    std::thread endpoint_thread([&] {
      endpoints = List<LiveEndpoint>("listEndpoints", "/serverless",
                                     "endpoints", ParseRestEndpoint);
    });
    absl::StatusOr<std::vector<LivePod>> pods =
        List<LivePod>("listPods", "/pods", "pods", ParseRestPod);
    volume_thread.join();
    endpoint_thread.join();
    if (!volumes.ok()) return volumes.status();
    if (!pods.ok()) return pods.status();
    if (!endpoints.ok()) return endpoints.status();
    LiveState live;
    live.volumes = std::move(*volumes);
    live.pods = std::move(*pods);
    live.endpoints = std::move(*endpoints);
    return live;
  }

  absl::StatusOr<LiveVolume> CreateVolume(const VolumeSpec& spec) override {
    return Volume("createNetworkVolume", "POST", "/network-volumes",
                  RestCreateVolumeBody(spec), 201);
  }

  absl::StatusOr<LiveVolume> UpdateVolume(const std::string& id,
                                          const VolumeSpec& spec) override {
    return Volume("updateNetworkVolume", "PATCH",
                  "/network-volumes/" + Escape(id), RestUpdateVolumeBody(spec),
                  200);
  }

  absl::Status DeleteVolume(const std::string& id) override {
    return Call("deleteNetworkVolume", "DELETE",
                "/network-volumes/" + Escape(id), std::nullopt, 204)
        .status();
  }

  absl::StatusOr<LivePod> CreatePod(const PodSpec& spec) override {
    absl::StatusOr<json> body = RestCreatePodBody(spec);
    if (!body.ok()) return Fail("createPod", body.status());
    return Pod("createPod", "POST", "/pods", std::move(*body), 201);
  }

  absl::StatusOr<LivePod> EditPod(const std::string& id,
                                  const PodSpec& spec) override {
    return Pod("updatePod", "PATCH", "/pods/" + Escape(id),
               RestEditPodBody(spec), 200);
  }

  absl::Status TerminatePod(const std::string& id) override {
    return Call("deletePod", "DELETE", "/pods/" + Escape(id), std::nullopt,
                204)
        .status();
  }

  absl::StatusOr<LivePod> StopPod(const std::string& id) override {
    return Action(id, "stop");
  }

  absl::StatusOr<LivePod> ResumePod(const std::string& id,
                                    int /*gpu_count*/) override {
    return Action(id, "start");
  }

  absl::StatusOr<LiveEndpoint> CreateEndpoint(
      const EndpointSpec& spec) override {
    const std::string op = "createEndpoint";
    absl::StatusOr<json> body = RestCreateEndpointBody(spec);
    if (!body.ok()) return Fail(op, body.status());
    return EndpointCall(op, "POST", "/serverless", std::move(*body), 201);
  }

  absl::StatusOr<LiveEndpoint> UpdateEndpoint(
      const std::string& id, const EndpointSpec& spec) override {
    const std::string op = "updateEndpoint";
    absl::StatusOr<json> body = RestUpdateEndpointBody(spec);
    if (!body.ok()) return Fail(op, body.status());
    return EndpointCall(op, "PATCH", "/serverless/" + Escape(id),
                        std::move(*body), 200);
  }

  absl::Status DeleteEndpoint(const std::string& id) override {
    return Call("deleteEndpoint", "DELETE", "/serverless/" + Escape(id),
                std::nullopt, 204)
        .status();
  }

  absl::StatusOr<LivePod> GetPod(const std::string& id) override {
    return Pod("getPod", "GET", "/pods/" + Escape(id), std::nullopt, 200);
  }

  absl::StatusOr<GpuAvailability> PodGpuAvailability(
      const std::string& cloud_type) override {
    const std::string op = "listGpuTypes";
    ASSIGN_OR_RETURN(
        json answer,
        Call(op, "GET",
             "/catalog/gpus?include=AVAILABILITY&product=POD&cloud=" +
                 Escape(cloud_type),
             std::nullopt, 200));
    return Fail(op, ParseGpuAvailability(answer));
  }

 private:
  // `status` prefixed with `op` and with every secret redacted.
  absl::Status Fail(const std::string& op, const absl::Status& status) const {
    if (status.ok()) return status;
    std::string message = absl::StrCat(op, ": ", status.message());
    for (const std::string& secret : secrets_) {
      absl::StrReplaceAll({{secret, "[REDACTED]"}}, &message);
    }
    return absl::Status(status.code(), message);
  }
  template <typename T>
  absl::StatusOr<T> Fail(const std::string& op,
                         absl::StatusOr<T> value) const {
    if (value.ok()) return value;
    return Fail(op, value.status());
  }

  // Sends one request and returns its parsed JSON body (null for a 204),
  // or the mapped error, prefixed with `op`. `expected` is the success
  // status; any 2xx is accepted.
  absl::StatusOr<json> Call(const std::string& op, const std::string& method,
                            const std::string& path,
                            std::optional<json> body, int expected) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.replay = method == "GET" ? Replay::kHarmless : Replay::kForbidden;
    if (body.has_value()) {
      try {
        request.body = body->dump();
      } catch (const json::exception&) {
        return Fail(op, absl::InvalidArgumentError(
                            "the request contains text that is not valid "
                            "UTF-8"));
      }
    }
    RetryResult sent = retrier_.Send(*transport_, request);
    if (!sent.response.ok()) return Fail(op, sent.response.status());
    const HttpResponse& http = *sent.response;
    if (http.status < 200 || http.status > 299) {
      return Fail(op, HttpError(http, method == "GET"));
    }
    if (http.status == 204 || (expected == 204 && http.body.empty())) {
      return json();
    }
    json parsed = json::parse(http.body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      return Fail(op, Malformed("the body is not JSON"));
    }
    return parsed;
  }

  absl::StatusOr<LiveVolume> Volume(const std::string& op,
                                    const std::string& method,
                                    const std::string& path, json body,
                                    int expected) {
    ASSIGN_OR_RETURN(json answer,
                     Call(op, method, path, std::move(body), expected));
    return Fail(op, ParseRestVolume(answer, "body"));
  }

  absl::StatusOr<LivePod> Pod(const std::string& op, const std::string& method,
                              const std::string& path, std::optional<json> body,
                              int expected) {
    ASSIGN_OR_RETURN(json answer,
                     Call(op, method, path, std::move(body), expected));
    return Fail(op, ParseRestPod(answer, "body"));
  }

  absl::StatusOr<LiveEndpoint> EndpointCall(const std::string& op,
                                            const std::string& method,
                                            const std::string& path,
                                            json body, int expected) {
    ASSIGN_OR_RETURN(json answer,
                     Call(op, method, path, std::move(body), expected));
    return Fail(op, ParseRestEndpoint(answer, "body"));
  }

  absl::StatusOr<LivePod> Action(const std::string& id,
                                 const std::string& action) {
    const std::string op = absl::StrCat("podAction ", action);
    absl::StatusOr<LivePod> done = Pod(op, "POST", "/pods/" + Escape(id) +
                                                       "/action",
                                       json{{"action", action}}, 200);
    if (done.ok() || !absl::IsFailedPrecondition(done.status()) ||
        !absl::StrContains(done.status().message(), "(HTTP 409)")) {
      return done;
    }
    // The pod's status does not allow the action: it may already be where
    // the action would take it.
    absl::StatusOr<LivePod> pod = GetPod(id);
    if (!pod.ok()) return done;
    bool wanted =
        action == "stop" ? pod->phase == PodPhase::kExited : pod->Running();
    if (wanted) return pod;
    return absl::FailedPreconditionError(
        absl::StrCat(done.status().message(), " (the pod is ",
                     std::string(PodPhaseWord(pod->phase)), ")"));
  }

  absl::StatusOr<std::vector<LiveVolume>> ListVolumes() {
    const std::string op = "listNetworkVolumes";
    ASSIGN_OR_RETURN(json answer, Call(op, "GET", "/network-volumes",
                                       std::nullopt, 200));
    if (!answer.is_object() || !answer.contains("networkVolumes") ||
        !answer["networkVolumes"].is_array()) {
      return Fail(op, Malformed("body.networkVolumes is not a list"));
    }
    std::vector<LiveVolume> out;
    const json& list = answer["networkVolumes"];
    for (size_t i = 0; i < list.size(); ++i) {
      absl::StatusOr<LiveVolume> volume =
          ParseRestVolume(list[i], absl::StrCat("body.networkVolumes[", i, "]"));
      if (!volume.ok()) return Fail(op, volume.status());
      out.push_back(std::move(*volume));
    }
    return out;
  }

  // Every item of the cursor-paginated list at `path` (`key` in each
  // page), asking for the largest pages, each item read by `parse`.
  template <typename T>
  absl::StatusOr<std::vector<T>> List(
      const std::string& op, const std::string& path, const char* key,
      absl::StatusOr<T> (*parse)(const json&, const std::string&)) {
    std::vector<T> out;
    std::string cursor;
    for (;;) {
      std::string page_path = absl::StrCat(path, "?limit=", kPageLimit);
      if (!cursor.empty()) {
        absl::StrAppend(&page_path, "&cursor=", Escape(cursor));
      }
      ASSIGN_OR_RETURN(json answer,
                       Call(op, "GET", page_path, std::nullopt, 200));
      absl::StatusOr<RestPage> page = ParseRestPage(answer, key, cursor);
      if (!page.ok()) return Fail(op, page.status());
      const json& list = *page->items;
      for (size_t i = 0; i < list.size(); ++i) {
        absl::StatusOr<T> item =
            parse(list[i], absl::StrCat("body.", key, "[", i, "]"));
        if (!item.ok()) return Fail(op, item.status());
        out.push_back(std::move(*item));
      }
      if (page->next_cursor.empty()) return out;
      cursor = std::move(page->next_cursor);
    }
  }

  std::unique_ptr<Transport> transport_;
  Retrier retrier_;
  std::vector<std::string> secrets_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RestProvider>> MakeRestProvider(
    std::unique_ptr<Transport> transport, RestProviderOptions options) {
  if (transport == nullptr) {
    return absl::InvalidArgumentError("MakeRestProvider: no transport");
  }
  return std::unique_ptr<RestProvider>(
      new RestProviderImpl(std::move(transport), std::move(options)));
}

}  // namespace podform
