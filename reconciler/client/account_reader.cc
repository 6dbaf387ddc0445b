#include "reconciler/client/account_reader.h"

#include <curl/curl.h>

#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "nlohmann/json.hpp"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

using nlohmann::json;

absl::Status Malformed(const std::string& what) {
  return absl::InternalError(absl::StrCat("malformed answer to myself: ", what));
}

absl::StatusOr<AccountFigures> ReadAnswer(const HttpResponse& http) {
  if (http.status == 401 || http.status == 403) {
    return absl::PermissionDeniedError(absl::StrCat(
        "RunPod refused to show the balance (HTTP ", http.status,
        "); the API key may lack permission to read the account"));
  }
  if (http.status < 200 || http.status > 299) {
    return absl::UnavailableError(
        absl::StrCat("HTTP ", http.status, " from RunPod's GraphQL API"));
  }
  json body = json::parse(http.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return Malformed("the body is not a JSON object");
  }
  if (auto errors = body.find("errors");
      errors != body.end() && errors->is_array() && !errors->empty()) {
    std::vector<std::string> messages;
    for (const json& e : *errors) {
      auto m = e.is_object() ? e.find("message") : e.end();
      messages.push_back(e.is_object() && m != e.end() && m->is_string()
                             ? m->get<std::string>()
                             : e.dump());
    }
    return absl::FailedPreconditionError(
        absl::StrCat("GraphQL: ", absl::StrJoin(messages, "; ")));
  }
  auto data = body.find("data");
  if (data == body.end() || !data->is_object()) {
    return Malformed("data is missing");
  }
  auto myself = data->find("myself");
  if (myself == data->end() || !myself->is_object()) {
    return Malformed("myself is missing or null");
  }
  auto number = [&](const char* key,
                    bool required) -> absl::StatusOr<double> {
    auto it = myself->find(key);
    if (it == myself->end() || it->is_null()) {
      if (required) return Malformed(absl::StrCat(key, " is missing"));
      return 0.0;
    }
    if (!it->is_number()) {
      return Malformed(absl::StrCat(key, " is not a number"));
    }
    return it->get<double>();
  };
  AccountFigures figures;
  ASSIGN_OR_RETURN(figures.balance, number("clientBalance", true));
  ASSIGN_OR_RETURN(figures.spend_per_hour, number("currentSpendPerHr", true));
  ASSIGN_OR_RETURN(figures.spend_limit, number("spendLimit", false));
  return figures;
}

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

}  // namespace

absl::StatusOr<AccountFigures> ReadAccountFigures(
    Transport& transport, const std::vector<std::string>& secrets) {
  HttpRequest request;
  request.method = "POST";
  request.body = json{{"operationName", "Account"},
                      {"query", kAccountQuery},
                      {"variables", json::object()}}
                     .dump();
  request.replay = Replay::kHarmless;
  absl::StatusOr<HttpResponse> http = transport.Send(request);
  absl::StatusOr<AccountFigures> figures =
      http.ok() ? ReadAnswer(*http) : absl::StatusOr<AccountFigures>(
                                          http.status());
  if (figures.ok()) return figures;
  std::string message(figures.status().message());
  for (const std::string& secret : secrets) {
    if (!secret.empty()) absl::StrReplaceAll({{secret, "[REDACTED]"}}, &message);
  }
  absl::StrReplaceAll({{"\r", " "}, {"\n", " "}}, &message);
  return absl::Status(figures.status().code(), message);
}

absl::StatusOr<std::string> AccountGraphQLUrl(const ApiTarget& target,
                                              const EnvGetter& getenv) {
  if (target.api == Api::kGraphQL) return target.url;
  std::optional<std::string> env =
      getenv ? getenv("RUNPOD_GRAPHQL_URL") : std::nullopt;
  if (env.has_value()) {
    if (env->empty()) {
      return absl::InvalidArgumentError(
          "RUNPOD_GRAPHQL_URL is set but empty; set it to a URL, or unset it");
    }
    RETURN_IF_ERROR(CheckEndpoint(*env, "RUNPOD_GRAPHQL_URL"));
    return *env;
  }
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (url == nullptr ||
      curl_url_set(url.get(), CURLUPART_URL, target.url.c_str(), 0) !=
          CURLUE_OK ||
      curl_url_set(url.get(), CURLUPART_PATH, "/graphql", 0) != CURLUE_OK ||
      curl_url_set(url.get(), CURLUPART_QUERY, nullptr, 0) != CURLUE_OK ||
      curl_url_set(url.get(), CURLUPART_FRAGMENT, nullptr, 0) != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot derive the GraphQL URL from ", DisplayUrl(target.url)));
  }
  char* text = nullptr;
  if (curl_url_get(url.get(), CURLUPART_URL, &text, 0) != CURLUE_OK ||
      text == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot derive the GraphQL URL from ", DisplayUrl(target.url)));
  }
  std::string out(text);
  curl_free(text);
  return out;
}

}  // namespace podform
