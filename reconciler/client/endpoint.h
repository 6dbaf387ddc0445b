#ifndef PODFORM_RECONCILER_CLIENT_ENDPOINT_H_
#define PODFORM_RECONCILER_CLIENT_ENDPOINT_H_

// Where podform sends its requests and in which of RunPod's APIs (REST v2
// by default, GraphQL while RunPod keeps it), and the rule that keeps the
// API key off the network in clear text: plain http:// only to loopback
// hosts.

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podform {

// Which of RunPod's APIs podform speaks.
enum class Api { kRest, kGraphQL };

// "rest" / "graphql".
const char* ApiName(Api api);
// "REST v2" / "GraphQL", for people.
const char* ApiTitle(Api api);

// RunPod's REST API v2 base URL (request paths such as /pods are appended)
// and its legacy GraphQL endpoint.
inline constexpr char kDefaultRestBaseUrl[] = "https://api.runpod.io/v2";
inline constexpr char kDefaultGraphQLUrl[] = "https://api.runpod.io/graphql";
// The API podform speaks when nothing selects one.
inline constexpr Api kDefaultApi = Api::kRest;

// Reads an environment variable; nullopt when unset. (The same shape as the
// config loader's EnvLookup, so the process environment can be shared.)
using EnvGetter = std::function<std::optional<std::string>(const std::string&)>;

// Parses --api: "rest" or "graphql"; "" gives nullopt (not chosen).
// InvalidArgument otherwise.
absl::StatusOr<std::optional<Api>> ParseApi(const std::string& flag_value);

struct ApiTarget {
  Api api = kDefaultApi;
  std::string url;  // REST: the base URL; GraphQL: the endpoint
};

// Where to send requests and in which protocol, from --api (`api_flag`, ""
// when not given), --endpoint (`endpoint_flag`) and the environment:
//   URL: --endpoint if non-empty; else, without --api, RUNPOD_API_URL, then
//        RUNPOD_GRAPHQL_URL; with --api rest RUNPOD_API_URL, with --api
//        graphql RUNPOD_GRAPHQL_URL; else the chosen API's default URL.
//        A variable that is set but empty is an error (most likely a
//        script's unset variable: never production by accident).
//   API: --api if given; else GraphQL when the URL's path ends in
//        "/graphql" or the URL came from RUNPOD_GRAPHQL_URL; else REST.
// The URL must pass CheckEndpoint. Errors: InvalidArgument naming the
// source ("--endpoint", "RUNPOD_API_URL", "RUNPOD_GRAPHQL_URL", "--api")
// and the reason, also for --api rest with a URL ending in /graphql.
absl::StatusOr<ApiTarget> ResolveApi(const std::string& api_flag,
                                     const std::string& endpoint_flag,
                                     const EnvGetter& getenv);

// True when the path of `url` ends in "/graphql" (or "/graphql/").
bool IsGraphQLUrl(const std::string& url);

// OK if `url` is an https:// URL, or an http:// URL whose host is a loopback
// address (127.0.0.0/8, localhost, [::1]). InvalidArgument otherwise:
// `source` "URL": not a valid URL / unsupported scheme / credentials in the
// URL / plain http:// to a non-loopback host. Messages show the URL without
// credentials, query or fragment (see DisplayUrl).
absl::Status CheckEndpoint(const std::string& url, const std::string& source);

// True for "localhost", any dotted-quad IPv4 address in 127.0.0.0/8 and the
// IPv6 loopback address (with or without brackets: "[::1]", "::1").
bool IsLoopbackHost(const std::string& host);

// `url` without user info, query and fragment, for messages: a URL may carry
// a key as "?api_key=..." and must never be printed whole. A string that is
// not a URL gives "(unparseable URL)".
std::string DisplayUrl(const std::string& url);

// The host of `url` (IPv6 hosts keep their brackets), or InvalidArgument.
absl::StatusOr<std::string> UrlHost(const std::string& url);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_ENDPOINT_H_
