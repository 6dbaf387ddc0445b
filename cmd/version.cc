#include <ostream>

#include "CLI/CLI.hpp"
#include "cmd/command.h"
#include "reconciler/client/endpoint.h"

namespace podform {

CommandRun SetupVersion(CLI::App* command, const CommandContext& context) {
  return [context]() {
    *context.out << "podform " << PODFORM_VERSION << "\n"
                 << "default API: RunPod " << ApiTitle(kDefaultApi) << " ("
                 << (kDefaultApi == Api::kRest ? kDefaultRestBaseUrl
                                               : kDefaultGraphQLUrl)
                 << "); --api graphql for the legacy GraphQL API\n";
    return 0;
  };
}

}  // namespace podform
