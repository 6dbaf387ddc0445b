#ifndef PODFORM_TESTS_CONFIG_SUBPROCESS_H_
#define PODFORM_TESTS_CONFIG_SUBPROCESS_H_

#include <string>
#include <vector>

namespace podform::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 if it did not exit normally
  std::string out;
  std::string err;
};

// Runs argv[0] (an absolute path) with exactly `env` ("NAME=value"
// entries) as its environment and no stdin; collects stdout and stderr.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env);

}  // namespace podform::testing

#endif  // PODFORM_TESTS_CONFIG_SUBPROCESS_H_
