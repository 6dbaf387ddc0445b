#ifndef PODFORM_RECONCILER_CLIENT_REST_PROVIDER_H_
#define PODFORM_RECONCILER_CLIENT_REST_PROVIDER_H_

// podform::Provider over RunPod's REST API v2. Paths are relative to the
// transport's base URL (https://api.runpod.io/v2); bodies as in rest_wire.h;
// every request is retried per reconciler/client/retry.h (GETs also on
// timeouts and 5xx; mutations never when their outcome is unknown).
//
//   Refresh       GET /network-volumes and, at the same time, GET
//                 /pods?limit=1000 then /pods?limit=1000&cursor=C for each
//                 pagination.nextCursor until hasNextPage is false, and the
//                 same for /serverless?limit=1000 (three requests for an
//                 account of at most 1,000 pods and 1,000 endpoints)
//   CreateVolume  POST /network-volumes            (201 NetworkVolume)
//   UpdateVolume  PATCH /network-volumes/{id}      (200 NetworkVolume)
//   DeleteVolume  DELETE /network-volumes/{id}     (204)
//   CreatePod     POST /pods                       (201 Pod)
//   EditPod       PATCH /pods/{id}                 (200 Pod)
//   TerminatePod  DELETE /pods/{id}                (204)
//   StopPod       POST /pods/{id}/action {"action": "stop"}   (200 Pod)
//   ResumePod     POST /pods/{id}/action {"action": "start"}  (200 Pod); the
//                 GPU count cannot change on start and is not sent.
//   GetPod        GET /pods/{id}                   (200 Pod)
//   CreateEndpoint  POST /serverless               (201 Endpoint)
//   UpdateEndpoint  PATCH /serverless/{id}         (200 Endpoint)
//   DeleteEndpoint  DELETE /serverless/{id}        (204; RunPod deletes the
//                 endpoint's bound template with it)
//   PodGpuAvailability  GET /catalog/gpus?include=AVAILABILITY&product=POD
//                 &cloud=SECURE|COMMUNITY           (200 {gpus: [GpuType]})
// A 409 on stop or start (the pod's status does not allow the action) is
// settled by reading the pod back: already stopped (EXITED), or already
// RUNNING / PROVISIONING / STARTING, is success with that pod; otherwise
// FailedPrecondition with RunPod's detail and the pod's status.
//
// Error mapping (messages start with the operation's id, e.g. "createPod: ";
// RunPod's problem+json `detail` and each `errors[]` line are quoted):
//   transport errors       their code, after retries
//   HTTP 429/502/503/504   Unavailable once retrying gives up (honouring
//                          Retry-After)
//   HTTP 400               FailedPrecondition "RunPod refused the request
//                          (HTTP 400): DETAIL; ERROR; ..." (ResourceExhausted
//                          when the detail says there is no capacity)
//   HTTP 401               Unauthenticated (check RUNPOD_API_KEY)
//   HTTP 402               FailedPrecondition "insufficient balance ..."
//   HTTP 403               PermissionDenied
//   HTTP 404               NotFound
//   HTTP 409               FailedPrecondition (see above for stop/start)
//   HTTP 413               InvalidArgument "the request is too large ..."
//   HTTP 422               InvalidArgument "RunPod found the request invalid
//                          (HTTP 422): DETAIL; ERROR; ..." (podform sent
//                          something RunPod's schema refuses)
//   other 5xx              reads: Unavailable after retries; mutations:
//                          DeadlineExceeded (the outcome is unknown, so a
//                          create is adopted by name, never resent blindly)
//   other statuses         Internal "unexpected HTTP N from RunPod"
//   unreadable 2xx body    Internal "malformed response from RunPod: ..."
// Every value in `secrets` is replaced by "[REDACTED]" in every message.
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

struct RestProviderOptions {
  RetryOptions retry;
  // Strings never to appear in an error message (empty strings ignored).
  std::vector<std::string> secrets;
};

// Provider plus the single-pod read the REST API offers.
class RestProvider : public Provider {
 public:
  // GET /pods/{id}. NotFound when RunPod does not know the id.
  virtual absl::StatusOr<LivePod> GetPod(const std::string& id) = 0;
};

// Errors: InvalidArgument if `transport` is null.
absl::StatusOr<std::unique_ptr<RestProvider>> MakeRestProvider(
    std::unique_ptr<Transport> transport, RestProviderOptions options = {});

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_REST_PROVIDER_H_
