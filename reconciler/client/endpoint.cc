#include "reconciler/client/endpoint.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

// A URL parsed by libcurl's URL API (the same parser the transport uses).
class ParsedUrl {
 public:
  // nullopt if `text` is not an absolute URL with a scheme and a host.
  static std::optional<ParsedUrl> Parse(const std::string& text) {
    std::unique_ptr<CURLU, UrlDeleter> handle(curl_url());
    if (handle == nullptr) return std::nullopt;
    if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(),
                     CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
      return std::nullopt;
    }
    ParsedUrl parsed;
    parsed.scheme = absl::AsciiStrToLower(Get(handle.get(), CURLUPART_SCHEME));
    parsed.host = Get(handle.get(), CURLUPART_HOST);
    parsed.port = Get(handle.get(), CURLUPART_PORT);
    parsed.path = Get(handle.get(), CURLUPART_PATH);
    parsed.has_credentials = !Get(handle.get(), CURLUPART_USER).empty() ||
                             !Get(handle.get(), CURLUPART_PASSWORD).empty();
    if (parsed.scheme.empty() || parsed.host.empty()) return std::nullopt;
    return parsed;
  }

  std::string scheme;
  std::string host;
  std::string port;  // "" unless explicit
  std::string path;
  bool has_credentials = false;

 private:
  static std::string Get(CURLU* handle, CURLUPart part) {
    char* value = nullptr;
    if (curl_url_get(handle, part, &value, 0) != CURLUE_OK ||
        value == nullptr) {
      return "";
    }
    std::string out(value);
    curl_free(value);
    return out;
  }
};

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  std::string h = absl::AsciiStrToLower(host);
  if (h == "localhost") return true;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  }
  in_addr v4;
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

std::string DisplayUrl(const std::string& url) {
  std::optional<ParsedUrl> parsed = ParsedUrl::Parse(url);
  if (!parsed) return "(unparseable URL)";
  std::string out = absl::StrCat(parsed->scheme, "://", parsed->host);
  if (!parsed->port.empty()) absl::StrAppend(&out, ":", parsed->port);
  absl::StrAppend(&out, parsed->path);
  return out;
}

absl::StatusOr<std::string> UrlHost(const std::string& url) {
  std::optional<ParsedUrl> parsed = ParsedUrl::Parse(url);
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", DisplayUrl(url), "\" is not a valid URL"));
  }
  return parsed->host;
}

absl::Status CheckEndpoint(const std::string& url, const std::string& source) {
  std::optional<ParsedUrl> parsed = ParsedUrl::Parse(url);
  if (!parsed) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not a valid URL; expected https://HOST/v2 (REST) or "
        "https://HOST/graphql"));
  }
  std::string shown = absl::StrCat(source, " \"", DisplayUrl(url), "\": ");
  if (parsed->scheme != "https" && parsed->scheme != "http") {
    return absl::InvalidArgumentError(
        absl::StrCat(shown, "unsupported scheme \"", parsed->scheme,
                     "\"; use https:// (or http:// to a loopback address)"));
  }
  if (parsed->has_credentials) {
    return absl::InvalidArgumentError(absl::StrCat(
        shown,
        "credentials in the URL are not allowed; the API key comes from "
        "RUNPOD_API_KEY"));
  }
  if (parsed->scheme == "http" && !IsLoopbackHost(parsed->host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        shown,
        "plain http:// is allowed only to a loopback host (127.0.0.0/8, "
        "localhost, [::1]), because the API key would cross the network "
        "unencrypted; use https://"));
  }
  return absl::OkStatus();
}

const char* ApiName(Api api) {
  return api == Api::kRest ? "rest" : "graphql";
}

const char* ApiTitle(Api api) {
  return api == Api::kRest ? "REST v2" : "GraphQL";
}

absl::StatusOr<std::optional<Api>> ParseApi(const std::string& flag_value) {
  if (flag_value.empty()) return std::optional<Api>();
  if (flag_value == "rest") return std::optional<Api>(Api::kRest);
  if (flag_value == "graphql") return std::optional<Api>(Api::kGraphQL);
  return absl::InvalidArgumentError(absl::StrCat(
      "--api \"", flag_value, "\": expected \"rest\" or \"graphql\""));
}

bool IsGraphQLUrl(const std::string& url) {
  std::optional<ParsedUrl> parsed = ParsedUrl::Parse(url);
  if (!parsed) return false;
  std::string path = parsed->path;
  if (!path.empty() && path.back() == '/') path.pop_back();
  return absl::EndsWith(path, "/graphql");
}

absl::StatusOr<ApiTarget> ResolveApi(const std::string& api_flag,
                                     const std::string& endpoint_flag,
                                     const EnvGetter& getenv) {
  ASSIGN_OR_RETURN(std::optional<Api> chosen, ParseApi(api_flag));
  for (const char* name : {"RUNPOD_API_URL", "RUNPOD_GRAPHQL_URL"}) {
    std::optional<std::string> value = getenv ? getenv(name) : std::nullopt;
    if (value.has_value() && value->empty()) {
      // Most likely a script's unset variable: never production by
      // accident.
      return absl::InvalidArgumentError(absl::StrCat(
          name, " is set but empty; set it to a URL, or unset it"));
    }
  }
  auto env = [&](const char* name) -> std::string {
    std::optional<std::string> value = getenv ? getenv(name) : std::nullopt;
    return value.value_or("");
  };
  std::string url;
  std::string source;
  auto take = [&](const std::string& value, const char* from) {
    if (!url.empty() || value.empty()) return;
    url = value;
    source = from;
  };
  take(endpoint_flag, "--endpoint");
  if (!chosen.has_value() || *chosen == Api::kRest) {
    take(env("RUNPOD_API_URL"), "RUNPOD_API_URL");
  }
  if (!chosen.has_value() || *chosen == Api::kGraphQL) {
    take(env("RUNPOD_GRAPHQL_URL"), "RUNPOD_GRAPHQL_URL");
  }
  ApiTarget target;
  if (chosen.has_value()) {
    target.api = *chosen;
  } else if (!url.empty() &&
             (source == "RUNPOD_GRAPHQL_URL" || IsGraphQLUrl(url))) {
    target.api = Api::kGraphQL;
  } else {
    target.api = kDefaultApi;
  }
  if (url.empty()) {
    target.url = target.api == Api::kRest ? kDefaultRestBaseUrl
                                          : kDefaultGraphQLUrl;
    return target;
  }
  RETURN_IF_ERROR(CheckEndpoint(url, source));
  if (target.api == Api::kRest && IsGraphQLUrl(url)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--api rest: ", source, " \"", DisplayUrl(url),
        "\" is a GraphQL endpoint; give the REST base URL (e.g. ",
        kDefaultRestBaseUrl, ") or use --api graphql"));
  }
  target.url = url;
  return target;
}

}  // namespace podform
