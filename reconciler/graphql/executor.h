#ifndef PODFORM_RECONCILER_GRAPHQL_EXECUTOR_H_
#define PODFORM_RECONCILER_GRAPHQL_EXECUTOR_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "reconciler/graphql/schema.h"

namespace podform::graphql {

// What a resolver sees. References are valid only during the call.
struct ResolveInfo {
  const nlohmann::json& parent;  // the parent object's value (null at the root)
  const nlohmann::json& args;    // arguments, coerced to the schema types,
                                 // defaults applied, variables substituted;
                                 // an object (empty when the field has none)
  std::string field_name;        // schema field name (not the alias)
  std::string parent_type;       // e.g. "Mutation", "User"
  void* context;                 // as passed to Execute
};

// Returns the field's value as JSON: objects for object types (their fields
// are then projected from it), arrays for list types, enum values as their
// names (strings), null for null. A non-OK status makes the field null and
// adds an entry to `errors` (see ResolverError for the code).
using Resolver =
    std::function<absl::StatusOr<nlohmann::json>(const ResolveInfo&)>;

// An error a resolver returns to be reported with extensions.code = code
// (e.g. "RUNPOD", "SUPPLY_CONSTRAINT"). Any other non-OK status is reported
// with its message and code "INTERNAL_SERVER_ERROR".
absl::Status ResolverError(std::string message, std::string code);

// The HTTP answer to one GraphQL request. `body` keeps its keys in insertion
// order, so body.dump() lists result fields in selection order:
//   200  {"data": {...}} or {"data": {...}, "errors": [...]}  (executed;
//        execution errors carry message, locations, path, extensions.code)
//   400  {"errors": [...]}  nothing executed: malformed JSON body or missing
//        "query" (code BAD_REQUEST), syntax error (GRAPHQL_PARSE_FAILED),
//        validation error (GRAPHQL_VALIDATION_FAILED), unknown or ambiguous
//        operation, variable values that do not coerce (BAD_USER_INPUT).
struct ExecutionResult {
  int http_status = 200;
  nlohmann::ordered_json body;
};

// Executes GraphQL request documents against a schema with registered
// resolvers: queries and mutations (no subscriptions), variables, literals,
// aliases, fragments, __typename, @skip/@include. Every document is parsed
// and fully validated before any resolver runs. Introspection (__schema,
// __type) is not supported: such fields fail validation.
//
// Mutation root fields run serially in document order; query fields run in
// order too (there is no parallelism). A resolver that throws is reported as
// INTERNAL_SERVER_ERROR; nothing escapes. Execute/ExecuteBody are const and
// safe to call from several threads at once if the resolvers are.
//
// The schema must outlive the executor.
class Executor {
 public:
  explicit Executor(const Schema& schema);

  // Registers the resolver of "Type.field" (e.g. "Query.myself",
  // "Mutation.podStop", "GpuType.lowestPrice"), replacing any previous one.
  // Fields without a resolver take parent[field_name] (null when absent or
  // when the parent is not an object). Register before executing.
  void SetResolver(const std::string& type_and_field, Resolver resolver);

  // Bounds the work of one execution: values placed in the response plus
  // fields collected to plan it. Beyond it, execution stops with an error
  // ("The response would hold more than N values; execution stopped.")
  // instead of exhausting memory on a document built to explode.
  static constexpr long kDefaultMaxResultValues = 2000000;
  void SetMaxResultValues(long n) { max_result_values_ = n; }

  // Executes an HTTP request body {"query", "variables", "operationName"}
  // (JSON text; "variables" and "operationName" may be absent or null).
  ExecutionResult ExecuteBody(std::string_view http_body, void* context) const;

  // Executes `query` with `variables` (an object, or null for none) and the
  // operation named `operation_name` ("" = the only operation).
  ExecutionResult Execute(const std::string& query,
                          const nlohmann::json& variables,
                          const std::string& operation_name,
                          void* context) const;

 private:
  const Schema& schema_;
  std::map<std::string, Resolver, std::less<>> resolvers_;
  long max_result_values_ = kDefaultMaxResultValues;
};

// Parses and validates `document` against `schema` without executing it.
// OK, or InvalidArgument whose message lists every error, one per line, as
// "LINE:COL: message" (a syntax error is the only error when there is one).
absl::Status ValidateDocument(const Schema& schema, std::string_view document);

}  // namespace podform::graphql

#endif  // PODFORM_RECONCILER_GRAPHQL_EXECUTOR_H_
