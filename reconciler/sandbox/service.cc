#include "reconciler/sandbox/service.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "reconciler/graphql/schema.h"
#include "reconciler/sandbox/limits.h"
#include "reconciler/sandbox/resolvers.h"
#include "reconciler/sandbox/rest_api.h"
#include "reconciler/util/status_macros.h"

namespace podform::sandbox {
namespace {

// What a failing gateway in front of RunPod answers (--fail-rate), in plain
// text, whichever API was asked: `status` is 502 or 503.
SandboxResponse GatewayFailure(int status) {
  SandboxResponse response;
  response.status = status;
  response.content_type = "text/plain";
  response.body = status == 502 ? "502 Bad Gateway\n"
                                : "503 Service Temporarily Unavailable\n";
  return response;
}

std::string ErrorBody(const std::string& message, const std::string& code) {
  nlohmann::ordered_json body = {
      {"errors",
       {{{"message", message}, {"extensions", {{"code", code}}}}}}};
  return body.dump();
}

SandboxResponse JsonError(int status, const std::string& message,
                          const std::string& code) {
  SandboxResponse response;
  response.status = status;
  response.body = ErrorBody(message, code);
  return response;
}

}  // namespace

std::string SandboxResponse::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

absl::StatusOr<std::unique_ptr<SandboxService>> SandboxService::Create(
    ServiceOptions options) {
  // One seed feeds two independent streams: the data file's generator (ids,
  // placements) and the fault injector.
  Random seeds(options.faults.seed.has_value() ? *options.faults.seed
                                               : RandomSeed());
  uint64_t store_seed = seeds.Next();
  uint64_t fault_seed = seeds.Next();
  StoreOptions store_options;
  store_options.path = options.data_path;
  store_options.seed = store_seed;
  store_options.clock = options.clock;
  store_options.owner = options.owner;
  store_options.client_balance = options.client_balance;
  ASSIGN_OR_RETURN(std::unique_ptr<SandboxStore> store,
                   SandboxStore::Open(std::move(store_options)));
  {
    std::unique_lock<std::mutex> lock = store->Lock();
    store->account().set_provisioning(
        absl::Milliseconds(std::max(0, options.provision_ms)),
        options.provision_fail_rate);
  }
  return std::unique_ptr<SandboxService>(
      new SandboxService(std::move(options), std::move(store), fault_seed));
}

SandboxService::SandboxService(ServiceOptions options,
                               std::unique_ptr<SandboxStore> store,
                               uint64_t fault_seed)
    : options_(std::move(options)),
      store_(std::move(store)),
      executor_(graphql::Schema::RunPod()),
      faults_(options_.faults, fault_seed) {
  RegisterResolvers(executor_, store_.get());
}

std::string SandboxService::BearerKey(const std::string& authorization) {
  // "Authorization: Bearer KEY" (scheme case-insensitive); any other
  // Authorization value carries no key.
  absl::string_view auth = absl::StripAsciiWhitespace(authorization);
  if (auth.size() > 7 && absl::StartsWithIgnoreCase(auth, "bearer ")) {
    return std::string(absl::StripAsciiWhitespace(auth.substr(7)));
  }
  return "";
}

std::string SandboxService::RequestKey(const SandboxRequest& request) {
  std::string key = BearerKey(request.authorization);
  return key.empty() ? request.api_key_param : key;
}

SandboxResponse SandboxService::Handle(const SandboxRequest& request) {
  if (request.path == "/v2" || absl::StartsWith(request.path, "/v2/")) {
    std::string target = request.path;
    if (!request.query.empty()) absl::StrAppend(&target, "?", request.query);
    return HandleRest(request.method, target,
                      BearerKey(request.authorization), request.body);
  }
  return HandleGraphql(request);
}

SandboxResponse SandboxService::HandleRest(const std::string& method,
                                           const std::string& target,
                                           const std::string& api_key,
                                           const std::string& body) {
  if (int failure = faults_.DrawFailure(); failure != 0) {
    return GatewayFailure(failure);
  }
  const auto answer_at = faults_.StartLatency();
  absl::Cleanup answer_later = [answer_at] {
    std::this_thread::sleep_until(answer_at);
  };
  if (body.size() > kMaxRestBodyBytes) {
    return Problem(413, absl::StrCat("The request body exceeds the ",
                                     kMaxRestBodyBytes, " byte limit."));
  }
  if (api_key.empty()) return Problem(401, "missing bearer token");
  if (!options_.api_key.empty() && api_key != options_.api_key) {
    return Problem(401, "invalid bearer token");
  }
  std::optional<RateLimitState> limit = faults_.TakeWindowRequest(api_key);
  auto with_limits = [&](SandboxResponse response) {
    if (limit.has_value()) {
      response.headers.emplace_back("RateLimit", faults_.StateHeader(*limit));
      response.headers.emplace_back("RateLimit-Policy",
                                    faults_.PolicyHeader());
    }
    return response;
  };
  if (limit.has_value() && !limit->allowed) {
    SandboxResponse response = Problem(
        429, absl::StrCat("rate limit exceeded for the ",
                          faults_.WindowSeconds() == 60 ? "minute" : "second",
                          " window"));
    response.headers.emplace_back("Retry-After",
                                  absl::StrCat(limit->reset_seconds));
    return with_limits(std::move(response));
  }
  if (JsonNestedDeeperThan(body, kMaxJsonDepth)) {
    return with_limits(Problem(
        400, absl::StrCat("The request body nests arrays and objects deeper "
                          "than ",
                          kMaxJsonDepth, " levels.")));
  }
  bool committed = false;
  SandboxResponse response =
      HandleRestRequest(*store_, method, target, body, &committed);
  if (committed && faults_.DrawDrop()) response.dropped = true;
  return with_limits(std::move(response));
}

SandboxResponse SandboxService::HandleGraphql(const SandboxRequest& request) {
  // Like RunPod's gateway, failures and rate-limit refusals are answered at
  // once; only requests that get handled take the latency.
  if (int failure = faults_.DrawFailure(); failure != 0) {
    return GatewayFailure(failure);
  }

  if (std::optional<int> retry_after = faults_.TakeToken()) {
    SandboxResponse response =
        JsonError(429, "Too many requests, please slow down.", "RATE_LIMITED");
    std::string limit = absl::StrCat(faults_.options().rate_limit);
    response.headers = {
        {"Retry-After", absl::StrCat(*retry_after)},
        {"RateLimit-Policy",
         absl::StrCat(limit, ";w=", faults_.options().rate_window_seconds)},
        {"RateLimit",
         absl::StrCat("limit=", limit, ", remaining=0, reset=", *retry_after)},
    };
    return response;
  }

  // The answer leaves no sooner than the latency after the request came.
  const auto answer_at = faults_.StartLatency();
  absl::Cleanup answer_later = [answer_at] {
    std::this_thread::sleep_until(answer_at);
  };

  if (request.path != "/graphql") {
    return JsonError(404, absl::StrCat("Cannot ", request.method, " ",
                                       request.path),
                     "NOT_FOUND");
  }
  if (request.method != "POST") {
    SandboxResponse response =
        JsonError(405, "GraphQL requests must be sent with POST.",
                  "METHOD_NOT_ALLOWED");
    response.headers = {{"Allow", "POST"}};
    return response;
  }

  if (request.body.size() > kMaxGraphqlBodyBytes) {
    return JsonError(413,
                     absl::StrCat("The request body exceeds the ",
                                  kMaxGraphqlBodyBytes, " byte limit."),
                     "PAYLOAD_TOO_LARGE");
  }
  std::string key = RequestKey(request);
  if (key.empty()) {
    return JsonError(401,
                     "Unauthorized: send the API key as \"Authorization: "
                     "Bearer KEY\" or ?api_key=KEY.",
                     "UNAUTHENTICATED");
  }
  if (!options_.api_key.empty() && key != options_.api_key) {
    return JsonError(401, "Unauthorized: invalid API key.", "UNAUTHENTICATED");
  }

  if (JsonNestedDeeperThan(request.body, kMaxJsonDepth)) {
    return JsonError(400,
                     absl::StrCat("The request body nests arrays and objects "
                                  "deeper than ",
                                  kMaxJsonDepth, " levels."),
                     "BAD_REQUEST");
  }
  graphql::ExecutionResult result;
  RequestContext context;
  {
    std::unique_lock<std::mutex> lock = store_->Lock();
    result = executor_.ExecuteBody(request.body, &context);
  }
  SandboxResponse response;
  response.status = result.http_status;
  response.body = result.body.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (context.committed && faults_.DrawDrop()) response.dropped = true;
  return response;
}

}  // namespace podform::sandbox
