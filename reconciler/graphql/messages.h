#ifndef PODFORM_RECONCILER_GRAPHQL_MESSAGES_H_
#define PODFORM_RECONCILER_GRAPHQL_MESSAGES_H_

#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json_fwd.hpp"
#include "reconciler/graphql/ast.h"

// Text helpers that make error messages read exactly like graphql-js's.
namespace podform::graphql {

// graphql-js print() of a value literal: `"x"`, `[1, 2]`, `{a: 1}`, `$v`.
std::string PrintValue(const ast::Value& value);

// graphql-js inspect() of a JSON value: `"x"`, `[1, 2]`, `{ a: 1 }`;
// nesting deeper than two levels prints as [Object] / [Array].
std::string Inspect(const nlohmann::json& value);

// graphql-js suggestionList(): the options within a lexical distance of
// `input`, closest first.
std::vector<std::string> SuggestionList(
    std::string_view input, const std::vector<std::string>& options);

// graphql-js didYouMean(): "" for no suggestions, otherwise
// ` Did you mean "a", "b", or "c"?` (at most five), with `sub_message`
// inserted after "mean" when given (e.g. "the enum value").
std::string DidYouMean(const std::vector<std::string>& suggestions,
                       std::string_view sub_message = "");

}  // namespace podform::graphql

#endif  // PODFORM_RECONCILER_GRAPHQL_MESSAGES_H_
