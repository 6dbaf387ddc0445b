#ifndef PODFORM_TESTS_CLI_CLI_TEST_UTIL_H_
#define PODFORM_TESTS_CLI_CLI_TEST_UTIL_H_

// Runs podform's whole command line in-process (RunCli), against the
// in-process sandbox, in a temporary directory.

#include <stdlib.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cmd/command.h"
#include "gtest/gtest.h"
#include "reconciler/util/file.h"

namespace podform::testing {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

inline CliRun RunPodform(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"podform"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out, err;
  CliRun run;
  run.code = RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

inline std::string MakeTempDir() {
  std::string dir = ::testing::TempDir() + "/cli_test_XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) std::abort();
  return dir;
}

// One volume: enough for a plan with a change, and valid in the sandbox.
inline constexpr char kOneVolume[] = R"(version: 1
volumes:
  data:
    size: 10
    dataCenter: EU-RO-1
    protect: false
)";

// A directory with podform.yaml (kOneVolume), and the global flags that use
// it with the sandbox kept in DIR/sandbox.json.
struct Project {
  Project() : dir(MakeTempDir()) {
    EXPECT_TRUE(WriteFileAtomically(config(), kOneVolume).ok());
  }
  std::string config() const { return dir + "/podform.yaml"; }
  // The sandbox's own lock file, beside its data file.
  std::string lock() const { return dir + "/sandbox.lock"; }
  std::string sandbox() const { return dir + "/sandbox.json"; }
  std::vector<std::string> Args(std::vector<std::string> command) const {
    std::vector<std::string> args = {"--file", config(),
                                     "--sandbox=" + sandbox()};
    args.insert(args.end(), command.begin(), command.end());
    return args;
  }
  std::string dir;
};

}  // namespace podform::testing

#endif  // PODFORM_TESTS_CLI_CLI_TEST_UTIL_H_
