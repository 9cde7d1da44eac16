// capi-gitops completion bash|zsh|fish: shell completion scripts generated
// from the command table and each command's FlagSet, so a new command or
// flag is completed without anyone editing a script.
#include <ostream>
#include <string>
#include <vector>

#include "app/cli.h"

namespace capigitops {
namespace {

struct FlagNames {
  std::string short_name;  // without '-', may be empty
  std::string long_name;   // without '--'
  std::string help;
  bool takes_value = false;
};

struct CommandFlags {
  std::string name;
  std::string summary;
  std::vector<FlagNames> flags;
};

std::vector<CommandFlags> CollectFlags(const CommandIo& io) {
  std::vector<CommandFlags> out;
  for (const Command& c : io.commands) {
    FlagSet set;
    if (io.add_common_options) io.add_common_options(&set);
    c.add_options(&set);
    CommandFlags cf{c.name, c.summary, {}};
    for (const FlagDecl& d : set.decls()) {
      // Positional arguments are declared as flags too; they are not typed
      // as --name on a command line.
      bool positional = false;
      for (const std::string& p : set.positional()) {
        positional = positional || p == d.LongName();
      }
      if (positional) continue;
      size_t comma = d.names.find(',');
      FlagNames f;
      f.short_name = comma == std::string::npos ? "" : d.names.substr(0, comma);
      f.long_name = d.LongName();
      f.help = d.help;
      f.takes_value = d.value != nullptr;
      cf.flags.push_back(f);
    }
    out.push_back(std::move(cf));
  }
  return out;
}

// Inside '...' for a shell: ' becomes '\''.
std::string SingleQuoted(const std::string& text) {
  std::string out;
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out;
}

void WriteBash(const std::vector<CommandFlags>& cmds, std::ostream& out) {
  out << "# bash completion for capi-gitops (capi-gitops completion bash)\n"
         "_capi_gitops() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" "
         "prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
         "  local flags=\"\" valued=\"\"\n"
         "  if [[ $COMP_CWORD -eq 1 ]]; then\n    COMPREPLY=($(compgen -W \"";
  for (size_t i = 0; i < cmds.size(); ++i) {
    out << (i ? " " : "") << cmds[i].name;
  }
  out << " help\" -- \"$cur\"))\n    return\n  fi\n"
         "  case \"${COMP_WORDS[1]}\" in\n";
  for (const CommandFlags& c : cmds) {
    std::string flags, valued;
    for (const FlagNames& f : c.flags) {
      if (!f.short_name.empty()) {
        flags += "-" + f.short_name + " ";
        if (f.takes_value) valued += "-" + f.short_name + " ";
      }
      flags += "--" + f.long_name + " ";
      if (f.takes_value) valued += "--" + f.long_name + " ";
    }
    out << "    " << c.name << ") flags=\"" << flags << "\" valued=\" "
        << valued << "\" ;;\n";
  }
  out << "  esac\n"
         "  if [[ \"${COMP_WORDS[1]}\" == completion && $COMP_CWORD -eq 2 ]]; "
         "then\n    COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\"))\n"
         "    return\n  fi\n"
         "  if [[ \"$valued\" == *\" $prev \"* ]]; then\n"
         "    COMPREPLY=($(compgen -f -- \"$cur\"))\n    return\n  fi\n"
         "  if [[ \"$cur\" == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n    return\n"
         "  fi\n"
         "  COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "}\n"
         "complete -o filenames -F _capi_gitops capi-gitops\n";
}

// Inside a zsh _arguments spec's [help]: brackets and colons escaped.
std::string ZshHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return SingleQuoted(out);
}

void WriteZsh(const std::vector<CommandFlags>& cmds, std::ostream& out) {
  out << "#compdef capi-gitops\n"
         "# zsh completion for capi-gitops (capi-gitops completion zsh)\n"
         "_capi_gitops() {\n  local -a commands\n  commands=(\n";
  for (const CommandFlags& c : cmds) {
    std::string summary;
    for (char ch : c.summary)
      summary += ch == ':' ? std::string("\\:") : std::string(1, ch);
    out << "    '" << c.name << ":" << SingleQuoted(summary) << "'\n";
  }
  out << "  )\n"
         "  if (( CURRENT == 2 )); then\n"
         "    _describe -t commands 'capi-gitops command' commands\n"
         "    return\n  fi\n"
         "  shift words\n  (( CURRENT-- ))\n"
         "  case $words[1] in\n";
  for (const CommandFlags& c : cmds) {
    out << "    " << c.name << ")\n      _arguments";
    for (const FlagNames& f : c.flags) {
      std::string tail = f.takes_value ? ":value:_files'" : "'";
      if (!f.short_name.empty()) {
        out << " \\\n        '-" << f.short_name << "[" << ZshHelp(f.help)
            << "]" << tail;
      }
      out << " \\\n        '--" << f.long_name << "[" << ZshHelp(f.help) << "]"
          << tail;
    }
    if (std::string(c.name) == "completion") {
      out << " \\\n        '1:shell:(bash zsh fish)'";
    } else {
      out << " \\\n        '*:argument:_files'";
    }
    out << " ;;\n";
  }
  out << "  esac\n}\n"
         "if [[ \"$funcstack[1]\" == _capi_gitops ]]; then\n"
         "  _capi_gitops \"$@\"\nelse\n  compdef _capi_gitops "
         "capi-gitops\nfi\n";
}

void WriteFish(const std::vector<CommandFlags>& cmds, std::ostream& out) {
  out << "# fish completion for capi-gitops (capi-gitops completion fish)\n"
         "complete -c capi-gitops -e\n";
  std::string all;
  for (const CommandFlags& c : cmds) all += (all.empty() ? "" : " ") + c.name;
  for (const CommandFlags& c : cmds) {
    out << "complete -c capi-gitops -f -n 'not __fish_seen_subcommand_from "
        << all << "' -a " << c.name << " -d '" << SingleQuoted(c.summary)
        << "'\n";
  }
  for (const CommandFlags& c : cmds) {
    for (const FlagNames& f : c.flags) {
      out << "complete -c capi-gitops -n '__fish_seen_subcommand_from "
          << c.name << "'";
      if (!f.short_name.empty()) out << " -s " << f.short_name;
      out << " -l " << f.long_name << (f.takes_value ? " -r" : "") << " -d '"
          << SingleQuoted(f.help) << "'\n";
    }
  }
  out << "complete -c capi-gitops -f -n '__fish_seen_subcommand_from "
         "completion' -a 'bash zsh fish'\n";
}

}  // namespace

void AddCompletionOptions(FlagSet* options) {
  options->add_options()("shell", "bash, zsh or fish",
                         flags::value<std::string>());
  options->parse_positional({"shell"});
  options->positional_help("bash|zsh|fish");
  options->examples(
      "source <(capi-gitops completion bash)\n"
      "capi-gitops completion zsh > \"${fpath[1]}/_capi-gitops\"\n"
      "capi-gitops completion fish > ~/.config/fish/completions/"
      "capi-gitops.fish");
}

int RunCompletion(const Args& args, const CommandIo& io) {
  std::string shell =
      args.count("shell") ? args["shell"].as<std::string>() : "";
  std::vector<CommandFlags> cmds = CollectFlags(io);
  if (shell == "bash") {
    WriteBash(cmds, *io.out);
  } else if (shell == "zsh") {
    WriteZsh(cmds, *io.out);
  } else if (shell == "fish") {
    WriteFish(cmds, *io.out);
  } else {
    *io.err << "capi-gitops completion: say which shell: bash, zsh or fish"
            << (shell.empty() ? "" : " (not '" + shell + "')") << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace capigitops
