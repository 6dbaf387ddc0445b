#ifndef PODFORM_RECONCILER_GRAPHQL_VALUES_H_
#define PODFORM_RECONCILER_GRAPHQL_VALUES_H_

#include <functional>
#include <optional>
#include <string>

#include "nlohmann/json.hpp"
#include "reconciler/graphql/ast.h"
#include "reconciler/graphql/schema.h"

// Input coercion (literals and variable values to the JSON resolvers see)
// and result coercion (resolver values to leaf output), with graphql-js's
// rules and messages. Input values as JSON: Int as integers, Float as
// doubles, String/ID as strings, Boolean as booleans, enum values as their
// names, input objects as objects holding the provided fields (defaults
// applied), lists as arrays; custom scalars pass through as written.
namespace podform::graphql {

// Nesting limit for input values coming from JSON variables.
inline constexpr int kMaxValueDepth = 64;

// Checks a literal against a leaf type (scalar or enum) as graphql-js's
// parseLiteral does. Returns the error message when it does not fit, e.g.
// `Int cannot represent non-integer value: "x"`; nullopt when it fits.
// Custom scalars accept any literal.
std::optional<std::string> CheckLeafLiteral(const TypeDef& type,
                                            const ast::Value& value);

// graphql-js valueFromAST(): the JSON value of `value` at input type `type`,
// with variables taken from `variables` (an object of coerced values; a
// missing key is "not provided"; nullptr for const contexts). Returns
// nullopt when the value is invalid (validation normally excludes that; a
// variable that was not provided in a non-null position also gives nullopt).
std::optional<nlohmann::json> ValueFromLiteral(const Schema& schema,
                                               const ast::Value& value,
                                               const TypeRef& type,
                                               const nlohmann::json* variables,
                                               int depth = 0);

// graphql-js coerceInputValue(): coerces a JSON variable value to `type`.
// Each problem is reported through `on_error(path, invalid_value, message)`
// where path is like ".input.env[0]" ("" at the top); the result is then
// meaningless.
using InputErrorFn =
    std::function<void(const std::string& path, const nlohmann::json& value,
                       const std::string& message)>;
nlohmann::json CoerceInputValue(const Schema& schema,
                                const nlohmann::json& value,
                                const TypeRef& type,
                                const InputErrorFn& on_error,
                                const std::string& path = "", int depth = 0);

// graphql-js serialize() of a leaf type: stores the output value in *out, or
// returns false with *error set (e.g. `Int cannot represent non-integer
// value: "x"`). Strings must be valid UTF-8.
bool SerializeLeaf(const TypeDef& type, const nlohmann::json& value,
                   nlohmann::ordered_json* out, std::string* error);

}  // namespace podform::graphql

#endif  // PODFORM_RECONCILER_GRAPHQL_VALUES_H_
