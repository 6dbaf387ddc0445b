#ifndef PODFORM_RECONCILER_CLIENT_ACCOUNT_READER_H_
#define PODFORM_RECONCILER_CLIENT_ACCOUNT_READER_H_

// Reading the account's balance, spend per hour and spend limit. RunPod
// serves them only over GraphQL (`myself { clientBalance currentSpendPerHr
// spendLimit }`), whichever API podform otherwise speaks, so the reader
// takes a Transport based at a GraphQL endpoint (AccountGraphQLUrl).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/client/endpoint.h"
#include "reconciler/core/account.h"
#include "reconciler/core/transport.h"

namespace podform {

// The GraphQL query it sends, with operationName "Account".
inline constexpr char kAccountQuery[] =
    "query Account { myself { clientBalance currentSpendPerHr spendLimit } }";

// Sends kAccountQuery once through `transport` (no retry: the balance is
// extra, and a plan never waits for it) and reads the answer. Errors, each
// message one line with every value in `secrets` replaced by "[REDACTED]":
//   the transport's error as is (connection refused, timeout)
//   HTTP 401/403: PermissionDenied "RunPod refused to show the balance
//     (HTTP 403); the API key may lack permission to read the account"
//   another non-2xx: Unavailable "HTTP N from RunPod's GraphQL API"
//   GraphQL errors: FailedPrecondition "GraphQL: MESSAGE[; MESSAGE...]"
//   a body that is not the expected shape: Internal "malformed answer to
//     myself: WHAT"
// spendLimit null or absent reads as 0 (no limit known).
absl::StatusOr<AccountFigures> ReadAccountFigures(
    Transport& transport, const std::vector<std::string>& secrets = {});

// Where the account is read: over GraphQL, `target.url` itself; over REST
// v2, RUNPOD_GRAPHQL_URL when set, else the REST base URL's origin plus
// "/graphql" ("https://api.runpod.io/v2" -> "https://api.runpod.io/graphql",
// right for RunPod and for the sandbox). InvalidArgument when
// RUNPOD_GRAPHQL_URL is set but empty or fails CheckEndpoint, or the URL
// cannot be parsed.
absl::StatusOr<std::string> AccountGraphQLUrl(const ApiTarget& target,
                                              const EnvGetter& getenv);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_ACCOUNT_READER_H_
