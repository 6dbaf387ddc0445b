#ifndef PODFORM_RECONCILER_CLIENT_REST_SCHEMA_H_
#define PODFORM_RECONCILER_CLIENT_REST_SCHEMA_H_

// The REST v2 requests podform declares it sends: schema/rest-requests.json
// (embedded at build time) lists each operation's method, path template,
// query parameters and body schema. CheckRestRequest holds a request to it
// as strictly as RunPod does: an undeclared path, method, query parameter
// or body member is refused, as RunPod answers 422 for unknown members.
//
// The schema language is a small subset of JSON Schema: type (object,
// string, integer, number (any JSON number), boolean, array), enum,
// properties, required, additionalProperties (a schema: a map of such
// values; absent: no other members), minProperties, items, minItems,
// maxItems, minimum, maximum (of an integer or a number), minLength and
// {"$ref": "NAME"} to a schema under "schemas".

#include "absl/status/status.h"
#include "reconciler/core/transport.h"

namespace podform {

// OK if `request` (its path relative to the REST base URL) is a declared
// operation whose query and body match the declaration. InvalidArgument
// listing every violation otherwise, e.g.
//   "POST /pods: $.gpu: unknown member \"memory\"; $.disk: expected an
//    integer".
// Internal if the embedded declaration is missing or unreadable.
absl::Status CheckRestRequest(const HttpRequest& request);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_REST_SCHEMA_H_
