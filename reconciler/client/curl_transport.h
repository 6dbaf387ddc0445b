#ifndef PODFORM_RECONCILER_CLIENT_CURL_TRANSPORT_H_
#define PODFORM_RECONCILER_CLIENT_CURL_TRANSPORT_H_

// The Transport that talks HTTP(S) to RunPod (or `podform sandbox serve`)
// with libcurl.

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "reconciler/core/transport.h"

namespace podform {

// "podform/VERSION", the User-Agent sent on every request by default.
std::string DefaultUserAgent();

struct CurlTransportOptions {
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(60);  // whole exchange, per request
  // A larger response body fails the request (Internal).
  size_t max_response_bytes = size_t{64} << 20;
  std::string user_agent = DefaultUserAgent();
  // When set and true: nothing more is sent, and a transfer in progress is
  // cut off (libcurl looks about once a second); Send returns Cancelled.
  // For reads whose answer nobody will use (a config that did not load).
  std::shared_ptr<const std::atomic<bool>> abandon;
};

// A Transport that sends each request to `base_url` + request.path with
//   User-Agent: options.user_agent
//   Accept: application/json, application/problem+json
//   Content-Type: application/json  (only when the request has a body)
//   Authorization: Bearer API_KEY   (omitted when api_key is empty)
// TLS peer and host verification are always on for https://; redirects are
// not followed; only http and https are spoken. Safe to call from several
// threads at once (a pool of libcurl handles keeps connections alive).
// A request whose replay is Replay::kForbidden goes on a fresh connection
// that is closed afterwards, so libcurl can never send it twice.
//
// Send returns the HTTP status, body, Content-Type, Retry-After, RateLimit
// and RateLimit-Policy of any HTTP answer. Errors (messages start with
// "METHOD URL", the URL without credentials or query, and never contain the
// API key):
//   Unavailable        nothing was sent: connection refused, DNS failure,
//                      connect timeout, TLS handshake failure.
//   DeadlineExceeded   the request was (or may have been) sent, but no
//                      complete answer arrived: timeout, connection reset.
//   FailedPrecondition the server's TLS certificate did not verify.
//   Internal           the answer was larger than max_response_bytes, or
//                      libcurl failed in a way not listed above.
//   Cancelled          options.abandon was set: the request was not sent,
//                      or its transfer was cut off.
//
// MakeCurlTransport errors:
//   InvalidArgument     `base_url` fails CheckEndpoint (endpoint.h), or the
//                       key contains whitespace or control characters.
//   FailedPrecondition  "RUNPOD_API_KEY is not set": api_key is empty and the
//                       endpoint is not a loopback host (a local sandbox may
//                       run without a key).
// Leading and trailing whitespace of api_key is ignored.
absl::StatusOr<std::unique_ptr<Transport>> MakeCurlTransport(
    const std::string& base_url, const std::string& api_key,
    const CurlTransportOptions& options = {});

// How a failed libcurl transfer maps onto the Transport contract, given the
// CURLcode and whether any part of the request had been sent. Exposed for
// tests; the message is "REQUEST: ..." with `display_request` ("POST URL").
absl::Status CurlErrorToStatus(int curl_code, bool request_sent,
                               const std::string& display_request,
                               const std::string& detail);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_CURL_TRANSPORT_H_
