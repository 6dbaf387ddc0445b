#ifndef PODFORM_RECONCILER_CLIENT_ENDPOINT_H_
#define PODFORM_RECONCILER_CLIENT_ENDPOINT_H_

// Where podform sends its GraphQL requests, and the rule that keeps the API
// key off the network in clear text: plain http:// only to loopback hosts.

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podform {

// RunPod's GraphQL endpoint, used when neither --endpoint nor
// RUNPOD_GRAPHQL_URL is given.
inline constexpr char kDefaultRunPodEndpoint[] =
    "https://api.runpod.io/graphql";

// Reads an environment variable; nullopt when unset. (The same shape as the
// config loader's EnvLookup, so the process environment can be shared.)
using EnvGetter = std::function<std::optional<std::string>(const std::string&)>;

// The endpoint to talk to: `flag_value` (--endpoint) if non-empty, else
// RUNPOD_GRAPHQL_URL if set, else kDefaultRunPodEndpoint. (The command line
// refuses an empty --endpoint before this is called.) The chosen URL must
// pass CheckEndpoint. Errors: InvalidArgument naming the source
// ("--endpoint" or "RUNPOD_GRAPHQL_URL") and the reason; an empty
// RUNPOD_GRAPHQL_URL is an error, never the default.
absl::StatusOr<std::string> ResolveEndpoint(const std::string& flag_value,
                                            const EnvGetter& getenv);

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
