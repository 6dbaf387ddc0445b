#ifndef PODFORM_TESTS_PLAN_GOLDEN_H_
#define PODFORM_TESTS_PLAN_GOLDEN_H_

#include <string>

namespace podform::testing {

// Compares `actual` with tests/plan/golden/NAME byte for byte. With
// PODFORM_UPDATE_GOLDEN=1 in the environment, rewrites the file instead
// (and the comparison passes). Reports a failure when the file is missing.
void ExpectGolden(const std::string& name, const std::string& actual);

}  // namespace podform::testing

#endif  // PODFORM_TESTS_PLAN_GOLDEN_H_
