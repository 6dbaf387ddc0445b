#ifndef PODFORM_RECONCILER_SANDBOX_RESOLVERS_H_
#define PODFORM_RECONCILER_SANDBOX_RESOLVERS_H_

// Wires schema/runpod.graphql onto a SandboxStore: the root query and
// mutation fields, plus the fields computed on demand (User.pods, Pod.runtime,
// User.networkVolumes, User.currentSpendPerHr, GpuType.lowestPrice). Every
// other field is read from the views (views.h).
//
// Mutations change the account and Commit() the store before answering; a
// refused mutation changes nothing and answers RunPod's message and code
// (messages.h) as a GraphQL error on that field.
//
// REQUIRES: the caller holds store->Lock() for the whole execution of a
// document (Commit lets go of it while the data file is written); the
// resolvers do not lock. The execution's context, when not null, is a
// RequestContext.

#include "reconciler/graphql/executor.h"
#include "reconciler/sandbox/store.h"

namespace podform::sandbox {

// What the resolvers tell the caller about one execution.
struct RequestContext {
  bool committed = false;  // a mutation changed the account and was stored
};

// Registers every resolver on `executor`. `store` must outlive it.
void RegisterResolvers(graphql::Executor& executor, SandboxStore* store);

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_RESOLVERS_H_
