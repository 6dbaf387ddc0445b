#ifndef PODFORM_RECONCILER_GRAPHQL_VALIDATION_H_
#define PODFORM_RECONCILER_GRAPHQL_VALIDATION_H_

#include <cstddef>
#include <string>
#include <vector>

#include "reconciler/graphql/ast.h"
#include "reconciler/graphql/schema.h"

namespace podform::graphql {

// At most this many errors are reported; one more then says validation was
// aborted (as graphql-js's maxErrors).
inline constexpr size_t kMaxValidationErrors = 100;
// Selection sets nested through fields and fragments, counted together.
inline constexpr int kMaxSelectionDepth = 128;

// An error with the byte offsets of the nodes it concerns.
struct ValidationError {
  std::string message;
  std::vector<size_t> locations;
};

// The meta field every object type has: __typename: String!.
const Field& TypenameField();

// Validates an executable document against `schema` with graphql-js's rules
// and messages: executable definitions only; unique operation names; lone
// anonymous operation; known types; fragments on composite types; variables
// of input types; leaf fields without and object fields with selections;
// fields on correct type; unique, known, used fragments; possible fragment
// spreads; no fragment cycles; unique, defined and used variables; known
// directives in valid locations, once each; known and unique arguments;
// values of correct type; provided required arguments; variables in allowed
// positions; overlapping fields that can be merged; unique input field
// names. Also rejects selections nested deeper than kMaxSelectionDepth.
// Returns the errors in document order (empty when valid).
//
// Differences from graphql-js: no introspection fields; field conflicts are
// found by merging all same-named fields and are reported once per distinct
// pair of field shapes.
std::vector<ValidationError> Validate(const Schema& schema,
                                      const ast::Document& doc);

}  // namespace podform::graphql

#endif  // PODFORM_RECONCILER_GRAPHQL_VALIDATION_H_
