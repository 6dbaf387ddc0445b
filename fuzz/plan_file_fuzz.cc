// libFuzzer target for the saved-plan reader: ParsePlanFile must never crash
// or throw on any bytes, every refusal must say it is about the plan file,
// and whatever it accepts must survive a round trip: SerializePlanFile then
// ParsePlanFile gives the same Plan, and serializing that again gives the
// same bytes.
//
// Seeds: fuzz/corpus/plan_file_fuzz/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "reconciler/plan/plan_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<podform::Plan> plan = podform::ParsePlanFile(text);
  if (!plan.ok()) {
    const std::string message(plan.status().message());
    if (plan.status().code() != absl::StatusCode::kInvalidArgument ||
        (message.rfind("plan file", 0) != 0 &&
         message.rfind("not a podform plan file", 0) != 0)) {
      std::fprintf(stderr, "unexpected refusal: %s\n", message.c_str());
      std::abort();
    }
    return 0;
  }
  const std::string bytes = podform::SerializePlanFile(*plan);
  absl::StatusOr<podform::Plan> again = podform::ParsePlanFile(bytes);
  if (!again.ok()) {
    std::fprintf(stderr, "serialized plan does not parse: %s\n%s",
                 std::string(again.status().message()).c_str(), bytes.c_str());
    std::abort();
  }
  if (!(*again == *plan)) {
    std::fprintf(stderr, "round trip changed the plan:\n%s", bytes.c_str());
    std::abort();
  }
  if (podform::SerializePlanFile(*again) != bytes) {
    std::fprintf(stderr, "serialization is not byte-stable:\n%s",
                 bytes.c_str());
    std::abort();
  }
  return 0;
}
