#ifndef PODFORM_TESTS_STATE_STORE_SUITE_H_
#define PODFORM_TESTS_STATE_STORE_SUITE_H_

// The behaviour every StateStore must have, as one parameterized suite
// (StoreSuite, in store_suite.cc). A backend joins by providing a harness
// factory and instantiating the suite:
//
//   INSTANTIATE_TEST_SUITE_P(Mine, StoreSuite,
//                            ::testing::Values(StoreBackend{"Mine", MakeMine}),
//                            StoreBackendName);

#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "reconciler/state/store.h"

namespace podform {

// A store under test, and a side door to what it stores, standing for a
// person (or another program) who edits the lock file.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  virtual StateStore& store() = 0;
  // How the store names itself in messages.
  virtual std::string name() const = 0;
  // The stored bytes; nullopt when nothing is stored.
  virtual std::optional<std::string> contents() = 0;
  virtual void set_contents(const std::string& text) = 0;
};

struct StoreBackend {
  std::string name;
  // A fresh, empty store whose lock records `now` as the time it was taken.
  std::function<std::unique_ptr<StoreHarness>(Clock now)> make;
  // For a backend that needs a server: OK when it is there; otherwise the
  // tests fail when CI=true is set and are skipped elsewhere.
  std::function<absl::Status()> available = nullptr;
};

inline void PrintTo(const StoreBackend& backend, std::ostream* os) {
  *os << backend.name;
}

inline std::string StoreBackendName(
    const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

class StoreSuite : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    if (!GetParam().available) return;
    absl::Status status = GetParam().available();
    if (status.ok()) return;
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") FAIL() << status;
    GTEST_SKIP() << status;
  }
};

}  // namespace podform

#endif  // PODFORM_TESTS_STATE_STORE_SUITE_H_
