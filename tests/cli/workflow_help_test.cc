// `--help` of the commands issue 19 adds to or extends lists what each
// accepts.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/cli_test_util.h"

namespace podform {
namespace {

using testing::CliRun;
using ::testing::HasSubstr;
using testing::RunPodform;

TEST(WorkflowHelpTest, StateMvShowAndApplySayWhatTheyAccept) {
  CliRun top = RunPodform({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_THAT(top.out, HasSubstr("show"));
  EXPECT_THAT(top.out, HasSubstr("Print a saved plan again"));

  EXPECT_THAT(top.out, HasSubstr("--var"));
  EXPECT_THAT(top.out, HasSubstr("--var-file"));
  EXPECT_THAT(top.out, HasSubstr("Set ${var:NAME} in podform.yaml"));

  CliRun state = RunPodform({"state", "--help"});
  EXPECT_EQ(state.code, 0);
  EXPECT_THAT(state.out, HasSubstr("mv"));
  EXPECT_THAT(state.out, HasSubstr("Rename a resource's address in the state"));

  CliRun mv = RunPodform({"state", "mv", "--help"});
  EXPECT_EQ(mv.code, 0);
  EXPECT_THAT(mv.out, HasSubstr("from"));
  EXPECT_THAT(mv.out, HasSubstr("e.g. volume.weights"));

  CliRun show = RunPodform({"show", "--help"});
  EXPECT_EQ(show.code, 0);
  EXPECT_THAT(show.out, HasSubstr("PLANFILE"));
  EXPECT_THAT(show.out, HasSubstr("--json"));
  EXPECT_THAT(show.out, HasSubstr("--markdown"));

  CliRun apply = RunPodform({"apply", "--help"});
  EXPECT_EQ(apply.code, 0);
  EXPECT_THAT(apply.out, HasSubstr("--detailed-exitcode"));
  EXPECT_THAT(apply.out, HasSubstr("2 when changes were applied"));
}

TEST(WorkflowHelpTest, ShowNeedsAPlanFileAndOneFormat) {
  CliRun none = RunPodform({"show"});
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("PLANFILE"));
  CliRun missing = RunPodform({"show", "/nonexistent/tonight.plan"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("podform: cannot read "
                                     "/nonexistent/tonight.plan"));
  CliRun both = RunPodform({"show", "x.plan", "--json", "--markdown"});
  EXPECT_EQ(both.code, 1);
  EXPECT_EQ(both.out, "");
}

}  // namespace
}  // namespace podform
