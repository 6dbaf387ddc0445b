#ifndef PODFORM_RECONCILER_UTIL_EMBEDDED_H_
#define PODFORM_RECONCILER_UTIL_EMBEDDED_H_

#include <span>
#include <string_view>

namespace podform {

// A file from the source tree compiled into the binary (see cmake/embed.cmake).
struct EmbeddedEntry {
  std::string_view path;  // relative to the repository root
  std::string_view contents;
};

// Every embedded file: schema/runpod.graphql, schema/podform.schema.json and
// schema/operations/*.graphql.
std::span<const EmbeddedEntry> EmbeddedFiles();

// The contents of the embedded file at `path` (e.g. "schema/runpod.graphql"),
// or an empty view if no such file was embedded.
std::string_view EmbeddedFile(std::string_view path);

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_EMBEDDED_H_
