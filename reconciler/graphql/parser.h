#ifndef PODFORM_RECONCILER_GRAPHQL_PARSER_H_
#define PODFORM_RECONCILER_GRAPHQL_PARSER_H_

#include <cstddef>
#include <string_view>

#include "reconciler/graphql/ast.h"
#include "reconciler/graphql/lexer.h"

namespace podform::graphql {

// Limits that keep hostile documents from exhausting time, memory or stack.
inline constexpr size_t kMaxDocumentBytes = 1 << 20;
inline constexpr size_t kMaxTokens = 100000;
// Nesting of selection sets, list/object values and list types, counted
// together within one definition.
inline constexpr int kMaxNestingDepth = 64;

// Parses a GraphQL document (executable definitions, type system
// definitions, or both) into *doc, following graphql-js's grammar and error
// messages. Type extensions ("extend ...") are not supported. Returns false
// with *error set ("Syntax Error: ...") on the first syntax error, including
// invalid UTF-8 and exceeding the limits above.
bool ParseDocument(std::string_view source, ast::Document* doc,
                   SyntaxError* error);

}  // namespace podform::graphql

#endif  // PODFORM_RECONCILER_GRAPHQL_PARSER_H_
