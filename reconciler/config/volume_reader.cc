#include <array>

#include "absl/strings/str_cat.h"
#include "reconciler/config/drafts.h"

namespace podform {
namespace {

constexpr int64_t kMinVolumeGb = 10;
constexpr int64_t kMaxVolumeGb = 4000;

constexpr std::array<std::string_view, 5> kVolumeKeys = {
    "name", "size", "dataCenter", "type", "protect"};

}  // namespace

bool IsAddressKey(const std::string& key) {
  // [a-z0-9][a-z0-9_-]{0,62}
  auto lower_or_digit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (key.empty() || key.size() > 63 || !lower_or_digit(key[0])) return false;
  for (char c : key.substr(1)) {
    if (!lower_or_digit(c) && c != '_' && c != '-') return false;
  }
  return true;
}

VolumeDraft ReadVolume(const Entry& entry, const Drafts& drafts,
                       Diagnostics& diagnostics) {
  VolumeDraft draft = NewDraft<VolumeDraft>(entry);
  draft.spec.data_center = drafts.default_data_center;
  // A volume with no body is reported by its missing keys.
  if (!ExpectMapping(entry, /*allow_null=*/true, diagnostics)) return draft;

  bool has_size = false;
  for (const Entry& field :
       ReadMapping(entry.value, entry.path, kVolumeKeys, diagnostics)) {
    if (field.key == "name") {
      ReadName(field, draft, diagnostics);
    } else if (field.key == "size") {
      has_size = true;
      if (auto size = ReadIntegerInRange(field, kMinVolumeGb, kMaxVolumeGb,
                                         "GB", diagnostics)) {
        draft.spec.size_gb = *size;
      }
    } else if (field.key == "dataCenter") {
      draft.has_data_center = true;
      draft.data_center_location = field.value_location;
      if (auto dc = ReadString(field, diagnostics)) {
        draft.spec.data_center = *dc;
      } else {
        draft.spec.data_center.clear();
      }
    } else if (field.key == "type") {
      if (auto type = ReadString(field, diagnostics)) {
        if (IsVolumeType(*type)) {
          draft.spec.type = *type;
        } else {
          diagnostics.Error(
              field.value_location,
              absl::StrCat(field.path,
                           ": must be STANDARD or HIGH_PERFORMANCE, got \"",
                           *type, "\""));
        }
      }
    } else if (field.key == "protect") {
      if (auto protect = ReadBoolean(field, diagnostics)) {
        draft.protect = *protect;
      }
    }
  }
  if (!has_size) {
    diagnostics.Error(
        entry.key_location,
        absl::StrCat(entry.path, ": missing required key \"size\""));
  }
  if (!draft.has_data_center && !drafts.has_default_data_center) {
    diagnostics.Error(entry.key_location,
                      absl::StrCat(entry.path,
                                   ": missing required key \"dataCenter\" (no "
                                   "defaults.dataCenter is set)"));
  }
  return draft;
}

}  // namespace podform
