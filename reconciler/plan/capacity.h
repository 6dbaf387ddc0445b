#ifndef PODFORM_RECONCILER_PLAN_CAPACITY_H_
#define PODFORM_RECONCILER_PLAN_CAPACITY_H_

// Warnings, before apply, that RunPod has no GPUs for a pod the plan
// creates: without them the first sign is a failed create, and for a
// destroy-first replacement the old pod is already gone by then (a
// create-first one keeps it running). Each warning says which.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "reconciler/core/model.h"
#include "reconciler/plan/plan.h"

namespace podform {

// The cloud types (SECURE, COMMUNITY) of the pods `plan` creates, by a
// create or a replace; empty when it creates none, so a plan that creates
// no pod asks RunPod nothing more.
std::set<std::string> CloudTypesToCheck(const Plan& plan);

// One warning for each pod `plan` creates whose GPU type RunPod lists with
// no availability in the pod's data center (or, for a pod without one, in
// any data center), given the availability for each cloud type. A GPU type
// RunPod does not list, or a cloud type missing from `availability`, is
// not judged (the config already warns about unknown GPU types). In plan
// order.
std::vector<std::string> CapacityWarnings(
    const Plan& plan,
    const std::map<std::string, GpuAvailability>& availability);

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_CAPACITY_H_
