#ifndef PODFORM_TESTS_STATE_TEST_UTIL_H_
#define PODFORM_TESTS_STATE_TEST_UTIL_H_

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace podform {

// A new empty directory under the test's temporary directory.
inline std::string MakeTempDir() {
  std::string dir = ::testing::TempDir() + "/state_test_XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) std::abort();
  return dir;
}

// 2026-11-26T22:00:00Z, the time every test lock is taken.
inline absl::Time LockTime() { return absl::FromUnixSeconds(1795730400); }

inline std::string HostName() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace podform

#endif  // PODFORM_TESTS_STATE_TEST_UTIL_H_
