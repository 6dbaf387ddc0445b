#include "reconciler/client/graphql_provider.h"

#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "nlohmann/json.hpp"
#include "reconciler/client/wire.h"
#include "reconciler/core/catalog.h"
#include "reconciler/util/embedded.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

using nlohmann::json;

// One document of schema/operations/.
struct Operation {
  const char* name;     // operationName and file stem
  const char* label;    // how messages name it: the root field
  bool read;            // idempotent: retried on unknown outcomes
  bool on_existing_id;  // "not found" means the id does not exist
};

constexpr Operation kRefresh{"Refresh", "refresh", true, false};
constexpr Operation kGpuTypes{"GpuTypes", "gpuTypes", true, false};
constexpr Operation kCreateVolume{"CreateNetworkVolume", "createNetworkVolume",
                                  false, false};
constexpr Operation kUpdateVolume{"UpdateNetworkVolume", "updateNetworkVolume",
                                  false, true};
constexpr Operation kDeleteVolume{"DeleteNetworkVolume", "deleteNetworkVolume",
                                  false, true};
constexpr Operation kCreatePod{"PodFindAndDeployOnDemand",
                               "podFindAndDeployOnDemand", false, false};
constexpr Operation kEditPod{"PodEditJob", "podEditJob", false, true};
constexpr Operation kStopPod{"PodStop", "podStop", false, true};
constexpr Operation kResumePod{"PodResume", "podResume", false, true};
constexpr Operation kTerminatePod{"PodTerminate", "podTerminate", false, true};

constexpr const Operation* kOperations[] = {
    &kRefresh,   &kGpuTypes, &kCreateVolume, &kUpdateVolume, &kDeleteVolume,
    &kCreatePod, &kEditPod,  &kStopPod,      &kResumePod,    &kTerminatePod};

absl::Status Malformed(const std::string& what) {
  return absl::InternalError(
      absl::StrCat("malformed response from RunPod: ", what));
}

// The first bytes of a body that is not a GraphQL envelope, for messages.
std::string Excerpt(const std::string& body) {
  constexpr size_t kMax = 200;
  std::string text = body;
  if (text.size() > kMax) {
    size_t cut = kMax;  // not inside a UTF-8 sequence
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    text = text.substr(0, cut) + "...";
  }
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

// The messages of an "errors" list (the code when a message is empty).
struct GraphQLError {
  std::string message;
  std::string code;
};

absl::StatusOr<std::vector<GraphQLError>> ReadErrors(const json& errors) {
  if (!errors.is_array()) {
    return Malformed(
        absl::StrCat("errors is ", errors.type_name(), ", expected a list"));
  }
  std::vector<GraphQLError> out;
  for (size_t i = 0; i < errors.size(); ++i) {
    const json& error = errors[i];
    if (!error.is_object()) {
      return Malformed(absl::StrCat("errors[", i, "] is ", error.type_name(),
                                    ", expected an object"));
    }
    GraphQLError item;
    auto message = error.find("message");
    if (message != error.end() && message->is_string()) {
      item.message = message->get<std::string>();
    }
    auto extensions = error.find("extensions");
    if (extensions != error.end() && extensions->is_object()) {
      auto code = extensions->find("code");
      if (code != extensions->end() && code->is_string()) {
        item.code = code->get<std::string>();
      }
    }
    out.push_back(std::move(item));
  }
  return out;
}

std::string JoinMessages(const std::vector<GraphQLError>& errors) {
  std::vector<std::string> texts;
  for (const GraphQLError& e : errors) {
    if (!e.message.empty()) {
      texts.push_back(e.message);
    } else if (!e.code.empty()) {
      texts.push_back(e.code);
    } else {
      texts.push_back("(no message)");
    }
  }
  return absl::StrJoin(texts, "; ");
}

absl::StatusCode ErrorCode(const Operation& op,
                           const std::vector<GraphQLError>& errors) {
  auto any = [&](auto predicate) {
    for (const GraphQLError& e : errors) {
      if (predicate(e)) return true;
    }
    return false;
  };
  if (any([](const GraphQLError& e) {
        return e.code == "SUPPLY_CONSTRAINT" ||
               absl::StrContains(absl::AsciiStrToLower(e.message),
                                 "no longer any instances available");
      })) {
    return absl::StatusCode::kResourceExhausted;
  }
  if (op.on_existing_id && any([](const GraphQLError& e) {
        return e.code == "NOT_FOUND" ||
               absl::StrContains(absl::AsciiStrToLower(e.message), "not found");
      })) {
    return absl::StatusCode::kNotFound;
  }
  if (any([](const GraphQLError& e) { return e.code == "UNAUTHENTICATED"; })) {
    return absl::StatusCode::kUnauthenticated;
  }
  if (any([](const GraphQLError& e) {
        return e.code == "GRAPHQL_PARSE_FAILED" ||
               e.code == "GRAPHQL_VALIDATION_FAILED";
      })) {
    return absl::StatusCode::kInternal;
  }
  if (any([](const GraphQLError& e) { return e.code == "BAD_USER_INPUT"; })) {
    return absl::StatusCode::kInvalidArgument;
  }
  return absl::StatusCode::kFailedPrecondition;
}

class GraphQLProvider : public Provider {
 public:
  GraphQLProvider(std::unique_ptr<Transport> transport,
                  GraphQLProviderOptions options,
                  std::map<std::string, std::string> documents)
      : transport_(std::move(transport)),
        retrier_(std::move(options.retry)),
        documents_(std::move(documents)) {
    for (std::string& secret : options.secrets) {
      if (!secret.empty()) secrets_.push_back(std::move(secret));
    }
  }

  absl::StatusOr<LiveState> Refresh() override {
    ASSIGN_OR_RETURN(json data, Execute(kRefresh, json::object()));
    return Fail(kRefresh, ParseRefresh(data));
  }

  absl::StatusOr<LiveVolume> CreateVolume(const VolumeSpec& spec) override {
    if (!spec.type.empty()) {
      // Nothing is sent: GraphQL's input has no type, and a volume in
      // another tier than the one declared would be created for good.
      return absl::FailedPreconditionError(absl::StrCat(
          "volume type ", spec.type,
          " cannot be chosen over RunPod's GraphQL API; use REST v2"));
    }
    ASSIGN_OR_RETURN(json data, Execute(kCreateVolume,
                                        {{"input", CreateVolumeInput(spec)}}));
    return Fail(kCreateVolume, ReturnedVolume(kCreateVolume, data));
  }

  absl::StatusOr<LiveVolume> UpdateVolume(const std::string& id,
                                          const VolumeSpec& spec) override {
    ASSIGN_OR_RETURN(
        json data,
        Execute(kUpdateVolume, {{"input", UpdateVolumeInput(id, spec)}}));
    return Fail(kUpdateVolume, ReturnedVolume(kUpdateVolume, data));
  }

  absl::Status DeleteVolume(const std::string& id) override {
    ASSIGN_OR_RETURN(json data,
                     Execute(kDeleteVolume, {{"input", {{"id", id}}}}));
    return Fail(kDeleteVolume, ReturnedVoid(kDeleteVolume, data));
  }

  absl::StatusOr<LivePod> CreatePod(const PodSpec& spec) override {
    absl::StatusOr<json> input = CreatePodInput(spec);
    if (!input.ok()) return Fail(kCreatePod, input.status());
    ASSIGN_OR_RETURN(json data, Execute(kCreatePod, {{"input", *input}}));
    return Fail(kCreatePod, ReturnedPod(kCreatePod, data));
  }

  absl::StatusOr<LivePod> EditPod(const std::string& id,
                                  const PodSpec& spec) override {
    ASSIGN_OR_RETURN(json data,
                     Execute(kEditPod, {{"input", EditPodInput(id, spec)}}));
    return Fail(kEditPod, ReturnedPod(kEditPod, data));
  }

  absl::Status TerminatePod(const std::string& id) override {
    ASSIGN_OR_RETURN(json data,
                     Execute(kTerminatePod, {{"input", {{"podId", id}}}}));
    return Fail(kTerminatePod, ReturnedVoid(kTerminatePod, data));
  }

  absl::StatusOr<LivePod> StopPod(const std::string& id) override {
    ASSIGN_OR_RETURN(json data,
                     Execute(kStopPod, {{"input", {{"podId", id}}}}));
    return Fail(kStopPod, ReturnedPod(kStopPod, data));
  }

  absl::StatusOr<LivePod> ResumePod(const std::string& id,
                                    int gpu_count) override {
    ASSIGN_OR_RETURN(
        json data,
        Execute(kResumePod,
                {{"input", {{"podId", id}, {"gpuCount", gpu_count}}}}));
    return Fail(kResumePod, ReturnedPod(kResumePod, data));
  }

 private:
  // `status` prefixed with the operation and with every secret redacted;
  // OK values pass through.
  absl::Status Fail(const Operation& op, const absl::Status& status) const {
    if (status.ok()) return status;
    std::string message = absl::StrCat(op.label, ": ", status.message());
    for (const std::string& secret : secrets_) {
      absl::StrReplaceAll({{secret, "[REDACTED]"}}, &message);
    }
    return absl::Status(status.code(), message);
  }
  template <typename T>
  absl::StatusOr<T> Fail(const Operation& op, absl::StatusOr<T> value) const {
    if (value.ok()) return value;
    return Fail(op, value.status());
  }

  // Sends `op` and returns its "data" object, or the mapped error.
  absl::StatusOr<json> Execute(const Operation& op, json variables) {
    json request = {{"operationName", op.name},
                    {"query", documents_.at(op.name)},
                    {"variables", std::move(variables)}};
    std::string body;
    try {
      body = request.dump();
    } catch (const json::exception&) {
      return Fail(op, absl::InvalidArgumentError(
                          "the request contains text that is not valid UTF-8"));
    }
    HttpRequest http;
    http.method = "POST";
    http.body = std::move(body);
    http.replay = op.read ? Replay::kHarmless : Replay::kForbidden;
    RetryResult sent = retrier_.Send(*transport_, http);
    if (!sent.response.ok()) return Fail(op, sent.response.status());
    return Fail(op, ReadResponse(op, *sent.response));
  }

  absl::StatusOr<json> ReadResponse(const Operation& op,
                                    const HttpResponse& http) {
    int status = http.status;
    if (status == 401) {
      return absl::UnauthenticatedError(
          "RunPod rejected the API key (HTTP 401): check RUNPOD_API_KEY");
    }
    if (status == 403) {
      return absl::PermissionDeniedError(
          "RunPod refused the request (HTTP 403): check that RUNPOD_API_KEY "
          "has read and write access");
    }
    json body = json::parse(http.body, nullptr, /*allow_exceptions=*/false);
    if (status == 400) {
      std::string detail = Excerpt(http.body);
      if (body.is_object() && body.contains("errors")) {
        absl::StatusOr<std::vector<GraphQLError>> errors =
            ReadErrors(body["errors"]);
        if (errors.ok()) detail = JoinMessages(*errors);
      }
      return absl::InternalError(
          absl::StrCat("RunPod rejected the request (HTTP 400): ", detail));
    }
    if (status >= 500 && status <= 599) {
      // Reads are retried on 5xx and end as Unavailable in the retrier; a
      // mutation's 5xx other than 502/503/504 may have been processed.
      return absl::DeadlineExceededError(absl::StrCat(
          "HTTP ", status, " from RunPod: the outcome is unknown"));
    }
    if (status < 200 || status > 299) {
      return absl::InternalError(
          absl::StrCat("unexpected HTTP ", status, " from RunPod"));
    }
    if (body.is_discarded()) return Malformed("the body is not JSON");
    if (!body.is_object()) return Malformed("the body is not a JSON object");
    auto errors_it = body.find("errors");
    if (errors_it != body.end() && !errors_it->is_null()) {
      ASSIGN_OR_RETURN(std::vector<GraphQLError> errors,
                       ReadErrors(*errors_it));
      if (!errors.empty()) {
        return absl::Status(ErrorCode(op, errors), JoinMessages(errors));
      }
    }
    auto data = body.find("data");
    if (data == body.end() || data->is_null()) {
      return Malformed("data is null and no errors were reported");
    }
    if (!data->is_object()) {
      return Malformed(
          absl::StrCat("data is ", data->type_name(), ", expected an object"));
    }
    return std::move(*data);
  }

  // data.FIELD, present and an object.
  static absl::StatusOr<const json*> Root(const Operation& op,
                                          const json& data) {
    std::string field = ReturnedField(op);
    auto it = data.find(field);
    if (it == data.end()) return Malformed("data." + field + " is missing");
    if (it->is_null()) return Malformed("data." + field + " is null");
    if (!it->is_object()) {
      return Malformed(absl::StrCat("data.", field, " is ", it->type_name(),
                                    ", expected an object"));
    }
    return &*it;
  }

  static std::string ReturnedField(const Operation& op) { return op.label; }

  static absl::Status ReturnedVoid(const Operation& op, const json& data) {
    if (!data.contains(ReturnedField(op))) {
      return Malformed("data." + ReturnedField(op) + " is missing");
    }
    return absl::OkStatus();
  }

  static absl::StatusOr<LiveVolume> ReturnedVolume(const Operation& op,
                                                   const json& data) {
    ASSIGN_OR_RETURN(const json* volume, Root(op, data));
    return ParseVolume(*volume, "data." + ReturnedField(op));
  }

  absl::StatusOr<LivePod> ReturnedPod(const Operation& op, const json& data) {
    ASSIGN_OR_RETURN(const json* value, Root(op, data));
    ASSIGN_OR_RETURN(ParsedPod parsed,
                     ParsePod(*value, "data." + ReturnedField(op)));
    parsed.pod.spec.gpu_type = GpuTypeId(parsed.gpu_display_name);
    return std::move(parsed.pod);
  }

  absl::StatusOr<LiveState> ParseRefresh(const json& data) {
    auto myself = data.find("myself");
    if (myself == data.end()) return Malformed("data.myself is missing");
    if (myself->is_null()) return Malformed("data.myself is null");
    if (!myself->is_object()) {
      return Malformed(absl::StrCat("data.myself is ", myself->type_name(),
                                    ", expected an object"));
    }
    auto gpu_types = data.find("gpuTypes");
    if (gpu_types == data.end()) return Malformed("data.gpuTypes is missing");
    ASSIGN_OR_RETURN(GpuTypeNames names,
                     ParseGpuTypes(*gpu_types, "data.gpuTypes"));

    LiveState live;
    // The account's id, when RunPod tells it (a lock file records it).
    if (auto id = myself->find("id"); id != myself->end() && id->is_string()) {
      live.account_id = id->get<std::string>();
    }
    ASSIGN_OR_RETURN(const json* volumes,
                     List(*myself, "networkVolumes", "data.myself"));
    for (size_t i = 0; i < volumes->size(); ++i) {
      if ((*volumes)[i].is_null()) continue;
      ASSIGN_OR_RETURN(
          LiveVolume volume,
          ParseVolume((*volumes)[i],
                      absl::StrCat("data.myself.networkVolumes[", i, "]")));
      live.volumes.push_back(std::move(volume));
    }
    ASSIGN_OR_RETURN(const json* pods, List(*myself, "pods", "data.myself"));
    for (size_t i = 0; i < pods->size(); ++i) {
      if ((*pods)[i].is_null()) continue;
      ASSIGN_OR_RETURN(
          ParsedPod parsed,
          ParsePod((*pods)[i], absl::StrCat("data.myself.pods[", i, "]")));
      auto it = names.find(parsed.gpu_display_name);
      parsed.pod.spec.gpu_type = it != names.end()
                                     ? it->second
                                     : CatalogIdOr(parsed.gpu_display_name);
      live.pods.push_back(std::move(parsed.pod));
    }
    std::lock_guard<std::mutex> lock(gpu_mutex_);
    gpu_names_ = std::move(names);
    unknown_gpu_names_.clear();
    return live;
  }

  // object[key] as a list; null is an empty list.
  static absl::StatusOr<const json*> List(const json& object, const char* key,
                                          const std::string& path) {
    static const json kEmpty = json::array();
    auto it = object.find(key);
    if (it == object.end()) {
      return Malformed(absl::StrCat(path, ".", key, " is missing"));
    }
    if (it->is_null()) return &kEmpty;
    if (!it->is_array()) {
      return Malformed(absl::StrCat(path, ".", key, " is ", it->type_name(),
                                    ", expected a list"));
    }
    return &*it;
  }

  // The GPU type id whose display name is `display` (see the header).
  std::string GpuTypeId(const std::string& display) {
    if (display.empty()) return "";
    {
      std::lock_guard<std::mutex> lock(gpu_mutex_);
      auto it = gpu_names_.find(display);
      if (it != gpu_names_.end()) return it->second;
      if (unknown_gpu_names_.count(display) > 0) return CatalogIdOr(display);
    }
    absl::StatusOr<json> data = Execute(kGpuTypes, json::object());
    std::lock_guard<std::mutex> lock(gpu_mutex_);
    if (data.ok() && data->contains("gpuTypes")) {
      absl::StatusOr<GpuTypeNames> names =
          ParseGpuTypes((*data)["gpuTypes"], "data.gpuTypes");
      if (names.ok()) {
        gpu_names_ = std::move(*names);
        auto it = gpu_names_.find(display);
        if (it != gpu_names_.end()) return it->second;
        unknown_gpu_names_.insert(display);
      }
    }
    return CatalogIdOr(display);
  }

  // The catalog's id of the GPU type displayed as `display` (display names
  // are unique there), or `display` when the catalog has none.
  static std::string CatalogIdOr(const std::string& display) {
    const GpuTypeInfo* known = FindGpuTypeByDisplayName(display);
    return known != nullptr ? std::string(known->id) : display;
  }

  std::unique_ptr<Transport> transport_;
  Retrier retrier_;
  const std::map<std::string, std::string> documents_;
  std::vector<std::string> secrets_;

  std::mutex gpu_mutex_;
  GpuTypeNames gpu_names_;                   // guarded by gpu_mutex_
  std::set<std::string> unknown_gpu_names_;  // guarded by gpu_mutex_
};

}  // namespace

absl::StatusOr<std::unique_ptr<Provider>> MakeGraphQLProvider(
    std::unique_ptr<Transport> transport, GraphQLProviderOptions options) {
  if (transport == nullptr) {
    return absl::InvalidArgumentError("MakeGraphQLProvider: no transport");
  }
  std::map<std::string, std::string> documents;
  for (const Operation* op : kOperations) {
    std::string path = absl::StrCat("schema/operations/", op->name, ".graphql");
    std::string_view text = EmbeddedFile(path);
    if (text.empty()) {
      return absl::InternalError(absl::StrCat(path, " is not embedded"));
    }
    documents.emplace(op->name, std::string(text));
  }
  return std::unique_ptr<Provider>(new GraphQLProvider(
      std::move(transport), std::move(options), std::move(documents)));
}

}  // namespace podform
