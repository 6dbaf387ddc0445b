#ifndef PODFORM_RECONCILER_CLIENT_GRAPHQL_PROVIDER_H_
#define PODFORM_RECONCILER_CLIENT_GRAPHQL_PROVIDER_H_

// podform::Provider over RunPod's GraphQL API. Each method sends one
// operation from schema/operations/*.graphql (embedded at build time) as
// {"operationName", "query", "variables"} through a Transport, retried per
// reconciler/client/retry.h (reads also on timeouts; mutations never when
// their outcome is unknown).
//
// Error mapping (every message starts with the operation's root field, e.g.
// "createNetworkVolume: ...", or "refresh: ..." for the Refresh query):
//   transport errors        their code, after retries (Unavailable,
//                           DeadlineExceeded, ...)
//   HTTP 429/502/503/504    Unavailable once retrying gives up
//   HTTP 401                Unauthenticated "OP: RunPod rejected the API key
//                           (HTTP 401): check RUNPOD_API_KEY"
//   HTTP 403                PermissionDenied
//   HTTP 400                Internal "OP: RunPod rejected the request (HTTP
//                           400): MESSAGES" (a document podform should not
//                           have sent)
//   other HTTP 5xx          reads: Unavailable after retries; mutations:
//                           DeadlineExceeded (the outcome is unknown)
//   other HTTP statuses     Internal "OP: unexpected HTTP N from RunPod"
//   200 with "errors"       "OP: MESSAGE[; MESSAGE...]" with the code:
//       extensions.code SUPPLY_CONSTRAINT, or a message containing "no
//       longer any instances available"                  ResourceExhausted
//       NOT_FOUND, or a message containing "not found", for an operation on
//       an existing id (update/delete volume, edit/stop/resume/terminate
//       pod)                                             NotFound
//       UNAUTHENTICATED                                  Unauthenticated
//       BAD_USER_INPUT                                   InvalidArgument
//       GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED Internal
//       RUNPOD, INTERNAL_SERVER_ERROR and anything else  FailedPrecondition
//   body not JSON, fields missing or mistyped, "data" null without errors
//                           Internal "OP: malformed response from RunPod: ..."
// Every value in `secrets` (the API key, for one) is replaced by "[REDACTED]"
// in every error message, whatever the server echoed.
//
// Live pods report their GPU only as machine.gpuDisplayName; Refresh maps it
// back to a GPU type id with the gpuTypes list it reads in the same request.
// Mutations that return a pod use the names of the last Refresh; on a name
// not seen yet they read GpuTypes once. When RunPod lists no such type (or
// that read fails: a mutation that succeeded never reports an error because
// of it), the id is podform's catalog's for that display name, or else the
// display name itself. Live state is in podform's vocabulary: the planner
// compares GPU type ids only.
//
// Serverless endpoints are managed over REST v2 only: Refresh reads none
// (LiveState::endpoints stays empty), and CreateEndpoint, UpdateEndpoint
// and DeleteEndpoint answer Provider's Unimplemented without a request.
//
// Thread-safe if the transport is.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/client/retry.h"
#include "reconciler/core/provider.h"
#include "reconciler/core/transport.h"

namespace podform {

struct GraphQLProviderOptions {
  RetryOptions retry;
  // Strings never to appear in an error message (empty strings ignored).
  std::vector<std::string> secrets;
};

// Errors: InvalidArgument if `transport` is null; Internal if an operation
// document is missing from the embedded files.
absl::StatusOr<std::unique_ptr<Provider>> MakeGraphQLProvider(
    std::unique_ptr<Transport> transport, GraphQLProviderOptions options = {});

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_GRAPHQL_PROVIDER_H_
