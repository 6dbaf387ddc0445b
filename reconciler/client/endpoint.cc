#include "reconciler/client/endpoint.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

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
        source, ": not a valid URL; expected https://HOST/graphql"));
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

absl::StatusOr<std::string> ResolveEndpoint(const std::string& flag_value,
                                            const EnvGetter& getenv) {
  std::string url;
  std::string source;
  if (!flag_value.empty()) {
    url = flag_value;
    source = "--endpoint";
  } else if (std::optional<std::string> env =
                 getenv ? getenv("RUNPOD_GRAPHQL_URL") : std::nullopt;
             env.has_value()) {
    if (env->empty()) {
      // Most likely a script's unset variable: never production by
      // accident.
      return absl::InvalidArgumentError(
          "RUNPOD_GRAPHQL_URL is set but empty; set it to a URL, or unset it "
          "to use https://api.runpod.io/graphql");
    }
    url = *env;
    source = "RUNPOD_GRAPHQL_URL";
  } else {
    return std::string(kDefaultRunPodEndpoint);
  }
  if (absl::Status status = CheckEndpoint(url, source); !status.ok()) {
    return status;
  }
  return url;
}

}  // namespace podform
