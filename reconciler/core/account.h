#ifndef PODFORM_RECONCILER_CORE_ACCOUNT_H_
#define PODFORM_RECONCILER_CORE_ACCOUNT_H_

// What RunPod reports of the account's money. Only RunPod's GraphQL API
// serves it (`myself { clientBalance currentSpendPerHr spendLimit }`);
// REST v2 has no account route (runpod-api.md).

namespace podform {

struct AccountFigures {
  double balance = 0;         // clientBalance, USD
  double spend_per_hour = 0;  // currentSpendPerHr, USD per hour
  double spend_limit = 0;     // spendLimit, USD per hour

  bool operator==(const AccountFigures&) const = default;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_ACCOUNT_H_
