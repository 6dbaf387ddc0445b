#include "reconciler/plan/moves.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "reconciler/state/move.h"

namespace podform {
namespace {

std::string IdOf(const State& state, const Address& address) {
  const ResourceState* resource = state.Find(address);
  return resource != nullptr ? resource->id : "";
}

bool Records(const State& state, const Address& address) {
  return state.Find(address) != nullptr || state.intents.count(address) > 0;
}

}  // namespace

absl::StatusOr<std::vector<Move>> ApplyMoves(const Desired& config,
                                             State* state) {
  // Moves are all or nothing: they are made on a copy (none to make: no
  // copy of a large state).
  if (config.moved.empty()) return std::vector<Move>();
  State moved = *state;
  std::vector<Move> moves;
  for (const MovedBlock& block : config.moved) {
    if (!Records(moved, block.from)) continue;
    if (Records(moved, block.to)) {
      const std::string to_id = IdOf(moved, block.to);
      return absl::FailedPreconditionError(absl::StrCat(
          config.path, ":", block.location.line, ":", block.location.column,
          ": cannot move ", block.from.ToString(), " to ", block.to.ToString(),
          ": the state records both (", block.to.ToString(),
          to_id.empty() ? " as a pending create"
                        : absl::StrCat(" with id ", to_id),
          "); remove this item from moved:, or forget one of them with "
          "podform state rm"));
    }
    Move move{block.from, block.to, IdOf(moved, block.from)};
    absl::StatusOr<std::vector<Address>> followed =
        MoveAddress(block.from, block.to, &moved);
    if (!followed.ok()) return followed.status();
    moves.push_back(std::move(move));
  }
  *state = std::move(moved);
  return moves;
}

}  // namespace podform
