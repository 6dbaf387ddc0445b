#ifndef PODFORM_RECONCILER_SANDBOX_REST_API_H_
#define PODFORM_RECONCILER_SANDBOX_REST_API_H_

// RunPod's REST API v2 (runpod-rest-v2.md) over the sandbox's account: a
// front-end beside the GraphQL resolvers, translating REST shapes onto the
// same Account, whose rules answer for both.
//
// Routes (everything else: 404; a known path with another method: 405 with
// Allow):
//   GET  POST          /v2/network-volumes
//   GET  PATCH DELETE  /v2/network-volumes/{id}
//   GET  POST          /v2/pods              (?cursor, ?limit 1..1000)
//   GET  PATCH DELETE  /v2/pods/{id}
//   POST               /v2/pods/{id}/action  {"action": start|stop|...}
//   GET  POST          /v2/serverless        (?cursor, ?limit; newest first)
//   GET  PATCH DELETE  /v2/serverless/{id}   (DELETE: its bound template too)
//   GET  POST          /v2/templates         (?cursor, ?limit)
//   GET  PATCH DELETE  /v2/templates/{id}    (DELETE of a bound one: 400)
//   GET                /v2/catalog/gpus[/{id}], /v2/catalog/datacenters[/{id}]
//
// Answers: 200 (201 on create) with RunPod's JSON; 204 without a body on
// delete and terminate; errors as application/problem+json {"title",
// "status", "detail", "errors"?}:
//   400 a body that is not JSON, or a broken rule (Account's refusal:
//       InvalidArgument, FailedPrecondition, ResourceExhausted)
//   402 POST /v2/pods when the balance is less than one hour of the pod's
//       cost (Payment Required, InsufficientBalanceError)
//   404 an unknown id (NotFound) or route
//   405 a method the path does not take
//   409 an action the pod's status does not allow (Aborted)
//   422 a body or query that breaks the schema: unknown members, wrong
//       types, ranges, enums, missing members; `errors` lists each one;
//       an endpoint's `templateId` that is not a serverless template
//   500 the data file cannot be written (the change is undone)
// Authentication, body limits, rate limits and faults are the service's
// (service.h); this layer sees only authenticated requests.

#include <string>
#include <vector>

#include "reconciler/sandbox/service.h"
#include "reconciler/sandbox/store.h"

namespace podform::sandbox {

// Answers one REST v2 request. `target` is the path with its query string
// ("/v2/pods?limit=10"). Takes store.Lock() itself. Sets *committed when a
// mutation changed the account and was stored.
SandboxResponse HandleRestRequest(SandboxStore& store,
                                  const std::string& method,
                                  const std::string& target,
                                  const std::string& body, bool* committed);

// A problem+json answer: {"title": reason phrase of `status`, "status",
// "detail", "errors" (when not empty)}.
SandboxResponse Problem(int status, const std::string& detail,
                        const std::vector<std::string>& errors = {});

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_REST_API_H_
