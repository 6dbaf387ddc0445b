// libFuzzer target for the lock file reader: ParseState must never crash or
// throw on any bytes, and whatever it accepts must survive a round trip:
// SerializeState then ParseState gives the same State, and serializing that
// again gives the same bytes.
//
// Seeds: fuzz/corpus/state/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "reconciler/state/serialize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<podform::State> state =
      podform::ParseState(text, "podform.lock");
  if (!state.ok()) {
    // Every refusal names the file.
    if (std::string(state.status().message()).rfind("podform.lock", 0) != 0) {
      std::fprintf(stderr, "error does not name the file: %s\n",
                   std::string(state.status().message()).c_str());
      std::abort();
    }
    return 0;
  }
  const std::string bytes = podform::SerializeState(*state);
  absl::StatusOr<podform::State> again =
      podform::ParseState(bytes, "podform.lock");
  if (!again.ok()) {
    std::fprintf(stderr, "serialized state does not parse: %s\n%s",
                 std::string(again.status().message()).c_str(), bytes.c_str());
    std::abort();
  }
  if (!(*again == *state)) {
    std::fprintf(stderr, "round trip changed the state:\n%s", bytes.c_str());
    std::abort();
  }
  if (podform::SerializeState(*again) != bytes) {
    std::fprintf(stderr, "serialization is not byte-stable:\n%s",
                 bytes.c_str());
    std::abort();
  }
  return 0;
}
