#include "reconciler/plan/capacity.h"

#include "absl/strings/str_cat.h"

namespace podform {
namespace {

// The pod `change` creates, or null.
const PodSpec* CreatedPod(const Change& change) {
  if (change.address.kind != Kind::kPod || !change.after.has_value()) {
    return nullptr;
  }
  if (change.action != Action::kCreate && change.action != Action::kReplace) {
    return nullptr;
  }
  return &change.after->pod;
}

std::string CloudName(const std::string& cloud_type) {
  return cloud_type == "COMMUNITY" ? "Community Cloud" : "Secure Cloud";
}

}  // namespace

std::set<std::string> CloudTypesToCheck(const Plan& plan) {
  std::set<std::string> clouds;
  for (const Change& change : plan.changes) {
    if (const PodSpec* pod = CreatedPod(change)) clouds.insert(pod->cloud_type);
  }
  return clouds;
}

std::vector<std::string> CapacityWarnings(
    const Plan& plan,
    const std::map<std::string, GpuAvailability>& availability) {
  std::vector<std::string> warnings;
  for (const Change& change : plan.changes) {
    const PodSpec* pod = CreatedPod(change);
    if (pod == nullptr) continue;
    auto cloud = availability.find(pod->cloud_type);
    if (cloud == availability.end()) continue;
    auto gpu = cloud->second.data_centers.find(pod->gpu_type);
    if (gpu == cloud->second.data_centers.end()) continue;
    const std::set<std::string>& places = gpu->second;
    bool placeable = pod->data_center.empty() ? !places.empty()
                                              : places.contains(pod->data_center);
    if (placeable) continue;
    std::string where = pod->data_center.empty()
                            ? "in any data center"
                            : absl::StrCat("in ", pod->data_center);
    warnings.push_back(absl::StrCat(
        change.address.ToString(), ": RunPod reports no ", pod->gpu_type,
        " available for ", CloudName(pod->cloud_type), " pods ", where,
        " right now; ",
        change.action != Action::kReplace
            ? "the create may fail for lack of capacity"
        : change.replace_order == ReplaceOrder::kCreateFirst
            ? "the replacement creates the new pod first and may fail for "
              "lack of capacity; the old pod then keeps running"
            : "the replacement terminates the old pod first and may then "
              "fail for lack of capacity"));
  }
  return warnings;
}

}  // namespace podform
