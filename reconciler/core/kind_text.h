#ifndef PODFORM_RECONCILER_CORE_KIND_TEXT_H_
#define PODFORM_RECONCILER_CORE_KIND_TEXT_H_

// What podform says about a resource that depends on its kind, for the
// planner's messages and the plan's renderers, so that neither names a
// kind. (KindName, core/model.h, is the kind's own name.)

#include <string>
#include <string_view>

#include "reconciler/core/model.h"
#include "reconciler/core/resource.h"

namespace podform {

// The indefinite article before KindName(kind): "a" or "an".
const char* KindArticle(Kind kind);

// What to add after "ADDRESS will be DESTROYED with all its data" to say how
// much data that is: " (500 GB)" for a volume; "" when its kind says no
// more.
std::string DestroyedDataNote(const Resource& resource);

// Whether a desired resource of `kind` that leaves `attribute` (as
// ToAttributes names it) out accepts whatever RunPod holds, so that a
// recorded value without a desired one is no change: a volume's "type"
// (RunPod's default tier; plan/diff.cc).
bool UndeclaredAcceptsLive(Kind kind, std::string_view attribute);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_KIND_TEXT_H_
