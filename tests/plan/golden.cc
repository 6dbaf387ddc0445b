#include "tests/plan/golden.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace podform::testing {

void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path =
      std::string(PODFORM_SOURCE_DIR) + "/tests/plan/golden/" + name;
  const char* update = std::getenv("PODFORM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path
                         << " (run with PODFORM_UPDATE_GOLDEN=1 to create it)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str())
      << "rendering differs from " << path
      << " (run with PODFORM_UPDATE_GOLDEN=1 to accept the new output)";
}

}  // namespace podform::testing
