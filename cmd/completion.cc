// podform completion bash|zsh|fish, and the hidden `podform manpage`: shell
// completion scripts and the man page, both generated from the CLI11
// definition of every command (walked at run time from the root app), so
// that neither lists a command or a flag by hand.
//
// Resource addresses are completed from the state: the scripts run
// `podform state list` with the --file, --state and --sandbox flags already
// on the command line, so they follow the lock file (or database) as it is.
// A value (of a flag or a positional argument) is an address when its
// option's type name is "ADDR", as the command declares it (`->type_name(
// "ADDR")`): only values that name resources already in the state.

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "cmd/command.h"

namespace podform {
namespace {

struct Flag {
  std::vector<std::string> names;        // "--file", "-h"
  std::vector<std::string> long_names;   // "file"
  std::vector<std::string> short_names;  // "h"
  bool takes_value = false;
  bool optional_value = false;  // --sandbox[=FILE]
  bool address = false;
  std::string value_name;  // CLI11's type name, e.g. TEXT, INT, ADDR
  std::string description;
  std::string default_value;
  std::string env;
};

struct Positional {
  std::string name;
  bool address = false;
  bool required = false;
  std::string description;
};

// One command: "" for podform itself, else e.g. "state show".
struct Node {
  std::string path;
  std::string description;
  std::vector<std::pair<std::string, std::string>> subcommands;  // name, text
  std::vector<Flag> flags;
  std::vector<Positional> positionals;
};

bool TakesAnAddress(const CLI::Option& option) {
  return option.get_type_name() == "ADDR";
}

void Walk(const CLI::App& app, const std::string& path,
          std::vector<Node>* nodes) {
  Node node;
  node.path = path;
  node.description = app.get_description();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    if (!option->nonpositional()) {
      node.positionals.push_back({option->get_name(), TakesAnAddress(*option),
                                  option->get_required(),
                                  option->get_description()});
      continue;
    }
    Flag flag;
    for (const std::string& name : option->get_lnames()) {
      flag.names.push_back("--" + name);
      flag.long_names.push_back(name);
    }
    for (const std::string& name : option->get_snames()) {
      flag.names.push_back("-" + name);
      flag.short_names.push_back(name);
    }
    flag.takes_value =
        option->get_type_size() != 0 && option->get_expected_min() > 0;
    flag.optional_value = option->get_type_size() != 0 &&
                          option->get_expected_min() == 0 &&
                          option->get_expected_max() > 0;
    flag.value_name = option->get_type_name();
    flag.address = flag.takes_value && TakesAnAddress(*option);
    flag.description = option->get_description();
    flag.default_value = option->get_default_str();
    flag.env = option->get_envname();
    node.flags.push_back(flag);
  }
  std::vector<const CLI::App*> subs =
      app.get_subcommands([](const CLI::App* sub) {
        return !sub->get_group().empty();  // not hidden
      });
  for (const CLI::App* sub : subs) {
    node.subcommands.emplace_back(sub->get_name(), sub->get_description());
  }
  nodes->push_back(std::move(node));
  for (const CLI::App* sub : subs) {
    Walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(),
         nodes);
  }
}

std::vector<Node> Tree(const CLI::App& root) {
  std::vector<Node> nodes;
  Walk(root, "", &nodes);
  return nodes;
}

std::string SubcommandNames(const Node& node) {
  std::vector<std::string> names;
  for (const auto& [name, text] : node.subcommands) names.push_back(name);
  return absl::StrJoin(names, " ");
}

std::string FlagNames(const Node& node, bool (*keep)(const Flag&)) {
  std::vector<std::string> names;
  for (const Flag& flag : node.flags) {
    if (!keep(flag)) continue;
    names.insert(names.end(), flag.names.begin(), flag.names.end());
  }
  return absl::StrJoin(names, " ");
}

bool AnyFlag(const Flag&) { return true; }
bool ValuedFlag(const Flag& flag) { return flag.takes_value; }
bool AddressFlag(const Flag& flag) { return flag.address; }

// "address" when the command's positionals take addresses, "value" when
// they take something else, "" without positionals.
std::string PositionalKind(const Node& node) {
  if (node.positionals.empty()) return "";
  for (const Positional& p : node.positionals) {
    if (p.address) return "address";
  }
  return "value";
}

// The bash functions, shared by the bash and zsh scripts. `function_name`
// is the completion function; `prelude` starts each function's body (zsh
// runs them emulating ksh: arrays from 0, words split).
std::string BashFunctions(const std::vector<Node>& nodes,
                          const std::string& function_name,
                          const std::string& prelude) {
  std::string out;
  absl::StrAppend(
      &out,
      R"sh(# The commands, their flags and what their arguments are, by command path.
__podform_command() {
)sh",
      prelude, R"sh(  local subs="" flags="" valued="" addressed="" args=""
  case $1 in
)sh");
  for (const Node& node : nodes) {
    absl::StrAppend(&out, "    \"", node.path, "\")\n", "      subs=\"",
                    SubcommandNames(node), "\"\n", "      flags=\"",
                    FlagNames(node, AnyFlag), "\"\n", "      valued=\"",
                    FlagNames(node, ValuedFlag), "\"\n", "      addressed=\"",
                    FlagNames(node, AddressFlag), "\"\n", "      args=\"",
                    PositionalKind(node), "\" ;;\n");
  }
  absl::StrAppend(&out, R"sh(    *) return 1 ;;
  esac
  __podform_subs=$subs __podform_flags=$flags __podform_valued=$valued
  __podform_addressed=$addressed __podform_args=$args
}

# The addresses in the state, from `podform state list`, with the global
# flags on the command line that choose the state (--file, --state,
# --sandbox).
__podform_addresses() {
)sh",
                  prelude, R"sh(  local i word next args=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]} next=${COMP_WORDS[i + 1]}
    case $word in
      --file | --state)
        if [[ $next == = ]]; then
          args+=("$word=${COMP_WORDS[i + 2]}"); ((i += 2))
        else
          args+=("$word" "$next"); ((i++))
        fi ;;
      --sandbox)
        if [[ $next == = ]]; then
          args+=("$word=${COMP_WORDS[i + 2]}"); ((i += 2))
        else
          args+=("$word")
        fi ;;
    esac
  done
  "${COMP_WORDS[0]}" "${args[@]}" state list 2>/dev/null |
    while read -r address _; do printf '%s\n' "$address"; done
}

)sh",
                  function_name, R"sh(() {
)sh",
                  prelude,
                  R"sh(  local cur=${COMP_WORDS[COMP_CWORD]} cmdpath="" i word
  local root_flags root_valued root_addressed
  __podform_command ""
  root_flags=$__podform_flags root_valued=$__podform_valued
  root_addressed=$__podform_addressed
  # Walk the words before the cursor: a subcommand deepens the path; a flag
  # that takes a value skips it.
  local pending=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ -n $pending ]]; then
      pending=""
      [[ $word == = ]] && pending=equals
      continue
    fi
    if [[ $word == -* ]]; then
      __podform_command "$cmdpath"
      [[ " $__podform_valued $root_valued " == *" $word "* ]] && pending=value
      continue
    fi
    __podform_command "$cmdpath"
    if [[ " $__podform_subs " == *" $word "* ]]; then
      cmdpath=${cmdpath:+$cmdpath }$word
    fi
  done
  __podform_command "$cmdpath" || return 0
  COMPREPLY=()
  # The value of a flag: addresses, or (-o default) file names.
  local flag=${COMP_WORDS[COMP_CWORD - 1]}
  if [[ $flag == = && COMP_CWORD -ge 2 ]]; then
    flag=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == = ]]; then
    flag=${COMP_WORDS[COMP_CWORD - 1]} cur=""
  fi
  if [[ -n $flag && " $__podform_valued $root_valued " == *" $flag "* ]]; then
    if [[ " $__podform_addressed $root_addressed " == *" $flag "* ]]; then
      COMPREPLY=($(compgen -W "$(__podform_addresses)" -- "$cur"))
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$__podform_flags $root_flags" -- "$cur"))
    return 0
  fi
  local candidates=$__podform_subs
  [[ $__podform_args == address ]] && candidates+=" $(__podform_addresses)"
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}
)sh");
  return out;
}

std::string BashScript(const std::vector<Node>& nodes) {
  return absl::StrCat(
      "# bash completion for podform: source <(podform completion bash)\n"
      "# Generated by `podform completion bash` from the commands' "
      "definitions.\n",
      BashFunctions(nodes, "_podform", ""),
      "complete -o default -F _podform podform\n");
}

// zsh runs the bash functions through bashcompinit: as a file on $fpath
// (_podform, with #compdef) or sourced after compinit.
std::string ZshScript(const std::vector<Node>& nodes) {
  return absl::StrCat(
      "#compdef podform\n"
      "# zsh completion for podform: install as _podform on $fpath, or\n"
      "# source <(podform completion zsh) after compinit.\n"
      "# Generated by `podform completion zsh` from the commands' "
      "definitions.\n"
      "autoload -U +X bashcompinit && bashcompinit\n",
      BashFunctions(nodes, "__podform_bash", "  emulate -L ksh\n"),
      "complete -o default -F __podform_bash podform\n"
      "# Loaded by compinit for a first completion: complete it now.\n"
      "if [[ $funcstack[1] == _podform ]]; then\n"
      "  _bash_complete -o default -F __podform_bash \"$@\"\n"
      "fi\n");
}

// A fish string literal.
std::string FishQuote(absl::string_view text) {
  return absl::StrCat(
      "'", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"'", "\\'"}}), "'");
}

std::string FishScript(const std::vector<Node>& nodes) {
  std::string out =
      "# fish completion for podform: podform completion fish | source\n"
      "# Generated by `podform completion fish` from the commands' "
      "definitions.\n"
      "function __podform_command_subs --argument-names path\n"
      "    switch $path\n";
  for (const Node& node : nodes) {
    if (node.subcommands.empty()) continue;
    absl::StrAppend(&out, "        case ", FishQuote(node.path), "\n",
                    "            printf '%s\\n' ", SubcommandNames(node), "\n");
  }
  absl::StrAppend(&out, "    end\nend\n\nfunction __podform_valued\n");
  std::vector<std::string> valued;
  for (const Node& node : nodes) {
    for (const Flag& flag : node.flags) {
      if (!flag.takes_value) continue;
      for (const std::string& name : flag.names) {
        if (std::find(valued.begin(), valued.end(), name) == valued.end()) {
          valued.push_back(name);
        }
      }
    }
  }
  absl::StrAppend(&out, "    printf '%s\\n' ", absl::StrJoin(valued, " "),
                  "\nend\n\n");
  absl::StrAppend(&out,
                  R"sh(# The command path on the line so far, e.g. "state show".
function __podform_path
    set -l path ''
    set -l skip 0
    for word in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $word
            if not string match -q -- '*=*' $word; and contains -- $word (__podform_valued)
                set skip 1
            end
            continue
        end
        if contains -- $word (__podform_command_subs $path)
            set path (string trim -- "$path $word")
        end
    end
    echo $path
end

# Whether the command path on the line is $argv[1].
function __podform_is
    set -l path (__podform_path)
    test "$path" = "$argv[1]"
end

# The addresses in the state, from `podform state list`, with the global
# flags on the command line that choose the state.
function __podform_addresses
    set -l tokens (commandline -opc)
    set -l args
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --file --state
                set args $args $tokens[$i] $tokens[(math $i + 1)]
                set i (math $i + 1)
            case '--file=*' '--state=*' '--sandbox' '--sandbox=*'
                set args $args $tokens[$i]
        end
        set i (math $i + 1)
    end
    $tokens[1] $args state list 2>/dev/null | string replace -r '\s.*' ''
end

complete -c podform -f
)sh");
  for (const Node& node : nodes) {
    const std::string condition = absl::StrCat(
        "-n ", FishQuote(absl::StrCat("__podform_is ", FishQuote(node.path))));
    // Global flags (the root's) apply everywhere.
    const std::string where = node.path.empty() ? "" : condition + " ";
    for (const auto& [name, text] : node.subcommands) {
      absl::StrAppend(&out, "complete -c podform ", condition, " -a ",
                      FishQuote(name), " -d ", FishQuote(text), "\n");
    }
    for (const Flag& flag : node.flags) {
      absl::StrAppend(&out, "complete -c podform ", where);
      for (const std::string& name : flag.long_names) {
        absl::StrAppend(&out, "-l ", name, " ");
      }
      for (const std::string& name : flag.short_names) {
        absl::StrAppend(&out, "-s ", name, " ");
      }
      if (flag.address) {
        absl::StrAppend(&out, "-x -a '(__podform_addresses)' ");
      } else if (flag.takes_value) {
        absl::StrAppend(&out, "-r -F ");
      }
      absl::StrAppend(&out, "-d ", FishQuote(flag.description), "\n");
    }
    const std::string kind = PositionalKind(node);
    if (kind == "address") {
      absl::StrAppend(&out, "complete -c podform ", condition,
                      " -a '(__podform_addresses)'\n");
    } else if (kind == "value") {
      absl::StrAppend(&out, "complete -c podform ", condition, " -F\n");
    }
  }
  return out;
}

// Text for roff: backslashes escaped, and a line that would start with a
// control character made literal.
std::string Roff(absl::string_view text) {
  std::string out = absl::StrReplaceAll(text, {{"\\", "\\e"}, {"-", "\\-"}});
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

void ManFlags(const Node& node, std::string* out) {
  for (const Flag& flag : node.flags) {
    // --help is described once, among the global options.
    if (!node.path.empty() &&
        flag.long_names == std::vector<std::string>{"help"}) {
      continue;
    }
    std::vector<std::string> names;
    for (const std::string& name : flag.names) {
      names.push_back(absl::StrCat("\\fB", Roff(name), "\\fR"));
    }
    absl::StrAppend(out, ".TP\n", absl::StrJoin(names, ", "));
    if (flag.takes_value) {
      absl::StrAppend(out, " \\fI", Roff(flag.value_name), "\\fR");
    } else if (flag.optional_value) {
      absl::StrAppend(out, "[=\\fI", Roff(flag.value_name), "\\fR]");
    }
    std::string text = flag.description;
    if (!flag.default_value.empty()) {
      absl::StrAppend(&text, " (default: ", flag.default_value, ")");
    }
    if (!flag.env.empty()) absl::StrAppend(&text, " (env: ", flag.env, ")");
    absl::StrAppend(out, "\n", Roff(text), "\n");
  }
  for (const Positional& p : node.positionals) {
    absl::StrAppend(out, ".TP\n\\fI", Roff(p.name), "\\fR\n",
                    Roff(p.description), "\n");
  }
}

std::string ManPage(const std::vector<Node>& nodes) {
  const Node& root = nodes.front();
  std::string out = absl::StrCat(
      ".\\\" Generated by `podform manpage` from the commands' definitions.\n"
      ".TH PODFORM 1 \"\" \"podform ",
      PODFORM_VERSION, "\" \"User Commands\"\n", ".SH NAME\npodform \\- ",
      Roff(absl::StripPrefix(root.description, "podform: ")), "\n",
      ".SH SYNOPSIS\n.B podform\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR "
      "[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n",
      ".SH DESCRIPTION\n"
      "podform reads the volumes and pods declared in \\fIpodform.yaml\\fR, "
      "compares them with the state (the lock file \\fIpodform.lock\\fR, "
      "or PostgreSQL) and with what RunPod reports, and plans and applies "
      "the changes. Protected volumes are never deleted or replaced unless "
      "named with \\fB\\-\\-allow\\-destroy\\fR.\n"
      "Global options may also follow the command.\n"
      ".SH GLOBAL OPTIONS\n");
  ManFlags(root, &out);
  absl::StrAppend(&out, ".SH COMMANDS\n");
  for (size_t i = 1; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    std::string usage = "podform " + node.path;
    if (!node.subcommands.empty()) absl::StrAppend(&usage, " COMMAND");
    for (const Positional& p : node.positionals) {
      absl::StrAppend(&usage, p.required ? " " : " [", p.name,
                      p.required ? "" : "]");
    }
    absl::StrAppend(&out, ".SS \"", Roff(usage), "\"\n", Roff(node.description),
                    "\n");
    ManFlags(node, &out);
  }
  absl::StrAppend(
      &out,
      ".SH EXIT STATUS\n"
      ".TP\n0\nSuccess; with \\fBplan \\-\\-detailed\\-exitcode\\fR, no "
      "changes.\n"
      ".TP\n1\nAn error.\n"
      ".TP\n2\n\\fBplan \\-\\-detailed\\-exitcode\\fR: changes are planned.\n"
      ".TP\n3\n\\fBplan \\-\\-detailed\\-exitcode\\fR: changes are planned "
      "that destroy a volume's data.\n"
      ".TP\n130\nApply interrupted (SIGINT or SIGTERM); the steps in flight "
      "finished and were recorded.\n"
      ".SH ENVIRONMENT\n"
      ".TP\nRUNPOD_API_KEY\nThe RunPod API key (sent as a Bearer header, "
      "never printed).\n"
      ".TP\nRUNPOD_API_URL\nThe REST API's base URL when \\fB\\-\\-endpoint"
      "\\fR is not given.\n"
      ".TP\nRUNPOD_GRAPHQL_URL\nA GraphQL endpoint, used when neither "
      "\\fB\\-\\-endpoint\\fR nor RUNPOD_API_URL is given.\n"
      ".TP\nPODFORM_STATE\nAs \\fB\\-\\-state\\fR: a lock file, or a "
      "postgres:// URI.\n"
      ".TP\nPODFORM_STATE_KEY\nWhich state in PostgreSQL (default: the "
      "config's directory name).\n"
      ".TP\nPGPASSWORD\nThe PostgreSQL password (or ~/.pgpass).\n"
      ".TP\nNO_COLOR\nNever colour the output.\n"
      ".SH FILES\n"
      ".TP\npodform.yaml\nThe config (\\fB\\-\\-file\\fR).\n"
      ".TP\npodform.lock\nThe state, beside the config (\\fB\\-\\-state"
      "\\fR).\n"
      ".TP\npodform.lock.flock\nThe lock an apply holds while it runs.\n"
      ".TP\n\\&.podform/sandbox.json\nThe sandbox's data "
      "(\\fB\\-\\-sandbox\\fR), with its own lock file "
      "\\&.podform/sandbox.lock.\n"
      ".SH SEE ALSO\n"
      "The README and docs/ of podform's source: STATE.md, PLAN_FORMAT.md, "
      "SANDBOX.md, RELIABILITY.md.\n");
  return out;
}

const CLI::App& Root(const CLI::App* command) {
  while (command->get_parent() != nullptr) command = command->get_parent();
  return *command;
}

}  // namespace

CommandRun SetupCompletion(CLI::App* command, const CommandContext& context) {
  command->require_subcommand(1);
  struct Shell {
    const char* name;
    const char* description;
    std::string (*script)(const std::vector<Node>&);
  };
  static constexpr Shell kShells[] = {
      {"bash",
       "Print the bash completion script: source <(podform completion "
       "bash)",
       BashScript},
      {"zsh", "Print the zsh completion script (_podform)", ZshScript},
      {"fish",
       "Print the fish completion script: podform completion fish | "
       "source",
       FishScript},
  };
  std::vector<std::pair<CLI::App*, const Shell*>> shells;
  for (const Shell& shell : kShells) {
    shells.emplace_back(command->add_subcommand(shell.name, shell.description),
                        &shell);
  }
  return [context, command, shells]() {
    for (const auto& [sub, shell] : shells) {
      if (sub->parsed()) {
        *context.out << shell->script(Tree(Root(command)));
        return 0;
      }
    }
    *context.err << "podform: completion needs a shell: bash, zsh or fish\n";
    return 1;
  };
}

CommandRun SetupManpage(CLI::App* command, const CommandContext& context) {
  command->group("");  // hidden: used by the build to write podform.1
  return [context, command]() {
    *context.out << ManPage(Tree(Root(command)));
    return 0;
  };
}

}  // namespace podform
