// podform completion bash|zsh|fish and the hidden `podform manpage`: what
// they print is generated from the commands' definitions, and the scripts
// work in the shells: bash completes commands, flags and the addresses of
// the lock file; zsh and fish read them without a syntax error.

#include <stdio.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cmd/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/util/file.h"
#include "tests/cli/cli_test_util.h"

namespace podform {
namespace {

using testing::CliRun;
using ::testing::HasSubstr;
using testing::MakeTempDir;
using ::testing::Not;
using testing::RunPodform;

// Every command `podform --help` lists, in the command table's order.
std::string VisibleCommands() {
  std::vector<std::string> names;
  for (const CommandSpec& spec : Commands()) {
    if (spec.name != "manpage") names.emplace_back(spec.name);
  }
  return absl::StrJoin(names, " ");
}

struct ShellRun {
  int status = -1;
  std::string out;  // stdout and stderr
};

// Runs `script` with `shell` (e.g. "bash"), the podform binary's directory
// first on PATH.
ShellRun RunShell(const std::string& shell, const std::string& script) {
  const std::string dir = MakeTempDir();
  const std::string file = dir + "/script";
  EXPECT_TRUE(WriteFileAtomically(file, script).ok());
  const std::string bin =
      std::filesystem::path(PODFORM_BINARY).parent_path().string();
  const std::string command =
      absl::StrCat("PATH='", bin, "':\"$PATH\" ", shell, " '", file, "' 2>&1");
  ShellRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = ::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    run.out.append(buffer, n);
  }
  run.status = ::pclose(pipe);
  return run;
}

bool Installed(const std::string& shell) {
  return std::system(("command -v " + shell + " >/dev/null").c_str()) == 0;
}

TEST(CompletionTest, BashScriptListsCommandsAndFlagsFromTheirDefinitions) {
  CliRun run = RunPodform({"completion", "bash"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  // The root: every visible command, the global flags, which of them take
  // a value.
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat(
                           "    \"\")\n      subs=\"", VisibleCommands(),
                           "\"\n      flags=\"--help -h --version --file "
                           "--state --endpoint --api --sandbox --no-color "
                           "--var --var-file\"\n"
                           "      valued=\"--file --state --endpoint --api "
                           "--var --var-file\"\n"
                           "      addressed=\"\"\n      args=\"\" ;;\n")));
  EXPECT_THAT(run.out,
              HasSubstr("    \"plan\")\n      subs=\"\"\n"
                        "      flags=\"--help -h --allow-destroy --target "
                        "--min-runway --strict --out --json --markdown "
                        "--detailed-exitcode\"\n"
                        "      valued=\"--allow-destroy --target --min-runway "
                        "--out\"\n"
                        "      addressed=\"--allow-destroy --target\"\n"
                        "      args=\"\" ;;\n"));
  EXPECT_THAT(run.out, HasSubstr("    \"state show\")\n      subs=\"\"\n"
                                 "      flags=\"--help -h --serial\"\n"
                                 "      valued=\"--serial\"\n"
                                 "      addressed=\"\"\n"
                                 "      args=\"address\" ;;\n"));
  EXPECT_THAT(run.out, HasSubstr("    \"completion\")\n"
                                 "      subs=\"bash zsh fish\"\n"));
  EXPECT_THAT(run.out, HasSubstr("\"${COMP_WORDS[0]}\" \"${args[@]}\" state "
                                 "list 2>/dev/null"));
  EXPECT_THAT(run.out,
              HasSubstr("\ncomplete -o default -F _podform podform\n"));
  // The hidden command is not offered.
  EXPECT_THAT(run.out, Not(HasSubstr("manpage")));
}

TEST(CompletionTest, ZshAndFishScriptsComeFromTheSameDefinitions) {
  CliRun zsh = RunPodform({"completion", "zsh"});
  ASSERT_EQ(zsh.code, 0) << zsh.err;
  EXPECT_EQ(zsh.out.rfind("#compdef podform\n", 0), 0u);
  EXPECT_THAT(zsh.out, HasSubstr("autoload -U +X bashcompinit && "
                                 "bashcompinit\n"));
  EXPECT_THAT(zsh.out, HasSubstr("__podform_bash() {\n  emulate -L ksh\n"));
  EXPECT_THAT(zsh.out, HasSubstr(absl::StrCat("      subs=\"",
                                              VisibleCommands(), "\"\n")));
  EXPECT_THAT(zsh.out,
              HasSubstr("\ncomplete -o default -F __podform_bash podform\n"));

  CliRun fish = RunPodform({"completion", "fish"});
  ASSERT_EQ(fish.code, 0) << fish.err;
  EXPECT_THAT(fish.out, HasSubstr(absl::StrCat("        case ''\n"
                                               "            printf '%s\\n' ",
                                               VisibleCommands(), "\n")));
  EXPECT_THAT(fish.out,
              HasSubstr("complete -c podform -n '__podform_is \\'plan\\'' "
                        "-l target -x -a '(__podform_addresses)' -d 'Limit "
                        "the plan to ADDR and what it depends on; "
                        "repeatable'\n"));
  EXPECT_THAT(fish.out,
              HasSubstr("complete -c podform -n '__podform_is \\'state "
                        "rm\\'' -a '(__podform_addresses)'\n"));
  EXPECT_THAT(fish.out, HasSubstr("complete -c podform -l file -r -F -d "
                                  "'Config file'\n"));
}

TEST(CompletionTest, AShellIsRequired) {
  CliRun run = RunPodform({"completion"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "A subcommand is required\nRun with --help for more "
            "information.\n");
  run = RunPodform({"completion", "tcsh"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "podform: unknown command \"completion tcsh\" (did "
            "you mean \"completion bash\"?)\n");
}

TEST(CompletionTest, ManPageDescribesEveryCommandAndFlag) {
  CliRun run = RunPodform({"manpage"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out.find(".TH PODFORM 1 \"\" \"podform " PODFORM_VERSION
                         "\" \"User Commands\"\n"),
            run.out.find('\n') + 1);
  for (const CommandSpec& spec : Commands()) {
    if (spec.name == "manpage") continue;
    EXPECT_THAT(run.out, HasSubstr(".SS \"podform " + std::string(spec.name)))
        << spec.name;
  }
  EXPECT_THAT(run.out,
              HasSubstr(".SS \"podform state rm addresses\"\nForget "
                        "resources without deleting them on RunPod (they "
                        "become unmanaged)\n"));
  EXPECT_THAT(run.out,
              HasSubstr(".TP\n\\fB\\-\\-detailed\\-exitcode\\fR\nExit 2 "
                        "when there are changes, 3 when they destroy a "
                        "volume's data\n"));
  EXPECT_THAT(run.out, HasSubstr(".TP\n\\fB\\-\\-file\\fR \\fITEXT\\fR\n"
                                 "Config file (default: podform.yaml)\n"));
  EXPECT_THAT(run.out, HasSubstr("(env: PODFORM_STATE)\n"));
  EXPECT_THAT(run.out,
              HasSubstr(".TP\n\\fB\\-\\-sandbox\\fR[=\\fITEXT\\fR]\n"));
  // --help once, among the global options.
  EXPECT_EQ(run.out.find("\\fB\\-\\-help\\fR"),
            run.out.rfind("\\fB\\-\\-help\\fR"));
  EXPECT_THAT(run.out, HasSubstr(".SH EXIT STATUS\n"));
  // Hidden from the help.
  CliRun help = RunPodform({"--help"});
  EXPECT_THAT(help.out, Not(HasSubstr("manpage")));
  EXPECT_THAT(help.out, HasSubstr("completion"));
}

TEST(CompletionTest, BashLoadsTheScript) {
  ShellRun run = RunShell(
      "bash", "source <(podform completion bash)\ncomplete -p podform\n");
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.out, "complete -o default -F _podform podform\n");
}

// Calls _podform as bash's completion does, after `setup` (shell lines).
std::string CompleteInBash(const std::string& words, int cword,
                           const std::string& setup = "") {
  ShellRun run = RunShell(
      "bash", absl::StrCat("set -u\nsource <(podform completion bash)\n", setup,
                           "COMP_WORDS=(", words, ")\nCOMP_CWORD=", cword,
                           "\n_podform\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"));
  EXPECT_EQ(run.status, 0) << run.out;
  return run.out;
}

TEST(CompletionTest, BashCompletesCommandsAndFlags) {
  EXPECT_EQ(CompleteInBash("podform st", 1), "state\n");
  EXPECT_EQ(CompleteInBash("podform state ''", 2),
            "list\nshow\nrm\nmv\npull\nhistory\nmigrate\nprune\n");
  EXPECT_EQ(CompleteInBash("podform --file x.yaml pl", 3), "plan\n");
  EXPECT_EQ(CompleteInBash("podform plan --det", 2), "--detailed-exitcode\n");
  // Global flags follow the command too.
  EXPECT_EQ(CompleteInBash("podform plan --no", 2), "--no-color\n");
  EXPECT_EQ(CompleteInBash("podform completion ''", 2), "bash\nzsh\nfish\n");
  // A value that is not an address: nothing, so that bash completes files.
  EXPECT_EQ(CompleteInBash("podform plan --out ''", 3), "\n");
}

TEST(CompletionTest, BashCompletesAddressesFromTheLockFile) {
  const std::string dir = MakeTempDir();
  const std::string config = dir + "/podform.yaml";
  ASSERT_TRUE(WriteFileAtomically(config,
                                  "version: 1\n"
                                  "volumes:\n"
                                  "  models:\n"
                                  "    size: 10\n"
                                  "    dataCenter: EU-RO-1\n"
                                  "  scratch:\n"
                                  "    size: 10\n"
                                  "    dataCenter: EU-RO-1\n")
                  .ok());
  CliRun apply =
      RunPodform({"--file", config, "--sandbox", "apply", "--auto-approve"});
  ASSERT_EQ(apply.code, 0) << apply.err;
  const std::string lock = dir + "/.podform/sandbox.lock";
  ASSERT_TRUE(std::filesystem::exists(lock));
  const std::string flags = "--state '" + lock + "'";

  EXPECT_EQ(CompleteInBash("podform " + flags + " state show ''", 5),
            "volume.models\nvolume.scratch\n");
  EXPECT_EQ(CompleteInBash("podform " + flags + " state rm volume.s", 5),
            "volume.scratch\n");
  EXPECT_EQ(CompleteInBash("podform " + flags + " plan --target ''", 5),
            "volume.models\nvolume.scratch\n");
  // bash splits --target=volume.m at "=".
  EXPECT_EQ(CompleteInBash("podform " + flags + " plan --target = volume.m", 6),
            "volume.models\n");
  // The sandbox's lock file, chosen by --file and --sandbox as podform
  // itself would.
  EXPECT_EQ(CompleteInBash("podform --file '" + config +
                               "' --sandbox destroy --allow-destroy ''",
                           6),
            "volume.models\nvolume.scratch\n");
  // The default lock file beside podform.yaml in the working directory:
  // there is none, so no address.
  EXPECT_EQ(CompleteInBash("podform state show ''", 3, "cd '" + dir + "'\n"),
            "\n");
}

TEST(CompletionTest, ZshAndFishAcceptTheirScripts) {
  for (const std::string shell : {"zsh", "fish"}) {
    if (!Installed(shell)) {
      if (std::getenv("CI") != nullptr) {
        ADD_FAILURE() << shell << " is not installed";
      }
      continue;
    }
    // `-n`: read and check the script without running it.
    const std::string file = MakeTempDir() + "/completion";
    CliRun script = RunPodform({"completion", shell});
    ASSERT_TRUE(WriteFileAtomically(file, script.out).ok());
    ShellRun check = RunShell("sh", absl::StrCat(shell, " -n '", file, "'\n"));
    EXPECT_EQ(check.status, 0) << shell << ": " << check.out;
    EXPECT_EQ(check.out, "") << shell;
  }
}

// zsh filters the candidates itself; the bash functions, run emulating
// ksh, must find the command path with zsh's arrays.
TEST(CompletionTest, ZshGetsTheCandidatesOfTheCommandPath) {
  if (!Installed("zsh")) GTEST_SKIP() << "zsh is not installed";
  ShellRun run = RunShell("zsh -f",
                          "autoload -U +X compinit && compinit -u\n"
                          "source <(podform completion zsh)\n"
                          "COMP_WORDS=(podform --no-color completion '')\n"
                          "COMP_CWORD=3\n"
                          "__podform_bash\n"
                          "print -l -- $COMPREPLY\n");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_EQ(run.out, "bash\nzsh\nfish\n");
}

TEST(CompletionTest, FishCompletesCommands) {
  if (!Installed("fish")) GTEST_SKIP() << "fish is not installed";
  ShellRun run =
      RunShell("fish",
               "podform completion fish | source\ncomplete -C 'podform st'\n"
               "complete -C 'podform state s'\n");
  EXPECT_EQ(run.status, 0) << run.out;
  // The names, without the descriptions after the tab.
  std::vector<std::string> names;
  for (absl::string_view line :
       absl::StrSplit(run.out, '\n', absl::SkipEmpty())) {
    names.emplace_back(line.substr(0, line.find('\t')));
  }
  EXPECT_THAT(names, ::testing::ElementsAre("state", "show")) << run.out;
}

}  // namespace
}  // namespace podform
