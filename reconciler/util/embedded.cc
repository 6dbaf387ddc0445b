#include "reconciler/util/embedded.h"

namespace podform {

std::string_view EmbeddedFile(std::string_view path) {
  for (const EmbeddedEntry& entry : EmbeddedFiles()) {
    if (entry.path == path) return entry.contents;
  }
  return {};
}

}  // namespace podform
