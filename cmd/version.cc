#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "cmd/command.h"
#include "reconciler/client/endpoint.h"

namespace podform {

// Written at build time by cmake/git_commit.cmake.
extern const char kGitCommit[];

std::string VersionText() {
  return absl::StrCat("podform ", PODFORM_VERSION, "\ncommit ", kGitCommit,
                      "\ndefault API: RunPod ",
                      ApiTitle(kDefaultApi), " (",
                      kDefaultApi == Api::kRest ? kDefaultRestBaseUrl
                                                : kDefaultGraphQLUrl,
                      "); --api graphql for the legacy GraphQL API\n");
}

CommandRun SetupVersion(CLI::App* command, const CommandContext& context) {
  return [context]() {
    *context.out << VersionText();
    return 0;
  };
}

}  // namespace podform
