// libFuzzer target for the saved-plan reader and the renderers:
// ParsePlanFile must never crash or throw on any bytes, every refusal must
// say it is about the plan file, and whatever it accepts must survive a
// round trip: SerializePlanFile then ParsePlanFile gives the same Plan, and
// serializing that again gives the same bytes. Every renderer (text in both
// colours, JSON, markdown, the plan file) must then take the plan, and the
// same plan with bytes that are not UTF-8 in its free text, without
// throwing (a third-party exception escaping aborts the target).
//
// Seeds: fuzz/corpus/plan_file_fuzz/.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "reconciler/plan/plan_file.h"
#include "reconciler/plan/render.h"

namespace {

// Every rendering of `plan`; their sizes, so that none is optimized away.
size_t RenderAll(const podform::Plan& plan) {
  size_t size = podform::RenderText(plan, false).size() +
                podform::RenderText(plan, true).size() +
                podform::RenderJsonText(plan).size() +
                podform::RenderMarkdown(plan).size() +
                podform::SummaryLine(plan).size() +
                podform::SerializePlanFile(plan).size();
  for (const std::string& line : podform::DataLossWarnings(plan)) {
    size += line.size();
  }
  return size;
}

// `plan` with `bytes` (anything, UTF-8 or not) added to its free text:
// warnings, reasons, ids and unmanaged names.
podform::Plan WithBytes(podform::Plan plan, const std::string& bytes) {
  plan.warnings.push_back(bytes);
  for (podform::Change& change : plan.changes) {
    change.reasons.push_back(bytes);
    change.id += bytes;
  }
  plan.unmanaged.push_back({podform::Kind::kPod, bytes, bytes});
  return plan;
}

}  // namespace

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
  if (RenderAll(*plan) == 0) std::abort();
  const std::string raw = std::string("\xff\xc3(\xed\xa0\x80") +
                          text.substr(0, std::min<size_t>(text.size(), 16));
  if (RenderAll(WithBytes(*plan, raw)) == 0) std::abort();
  return 0;
}
