#include "reconciler/core/kind_text.h"

#include "absl/strings/str_cat.h"

namespace podform {

const char* KindArticle(Kind kind) {
  return kind == Kind::kEndpoint ? "an" : "a";
}

std::string DestroyedDataNote(const Resource& resource) {
  if (resource.address.kind != Kind::kVolume) return "";
  return absl::StrCat(" (", resource.volume.size_gb, " GB)");
}

bool UndeclaredAcceptsLive(Kind kind, std::string_view attribute) {
  return kind == Kind::kVolume && attribute == "type";
}

}  // namespace podform
