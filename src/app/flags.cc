// The only user of cxxopts (its adapter): FlagSet declarations become a
// cxxopts::Options, cxxopts' exceptions become Status values and its parse
// result becomes plain Args.
#include "app/flags.h"

#include <cctype>
#include <cxxopts.hpp>
#include <map>
#include <stdexcept>

#include "util/edit_distance.h"

namespace capigitops {
namespace {

// What --help shows for a value, by the flag's name: a type or a shape, as
// kubectl and flux do (`--kubeconfig PATH`, `--now TIME`). A flag not listed
// shows its own name in capitals (`--max-age MAX_AGE`).
std::string PlaceholderFor(const FlagDecl& d) {
  if (!d.value->placeholder().empty()) return d.value->placeholder();
  static const std::map<std::string, std::string, std::less<>> kByName = {
      {"kubeconfig", "PATH"},
      {"git-token-file", "PATH"},
      {"ssh-key", "PATH"},
      {"known-hosts", "PATH"},
      {"repo", "URL|PATH"},
      {"repo-dir", "DIR"},
      {"cache-dir", "DIR"},
      {"out-dir", "DIR"},
      {"context", "NAME"},
      {"name", "NAME"},
      {"cluster", "NAME"},
      {"leader-elect-name", "NAME"},
      {"git-username", "USER"},
      {"n,namespace", "NS"},
      {"leader-elect-namespace", "NS"},
      {"leader-elect-identity", "ID"},
      {"now", "TIME"},
      {"interval", "DURATION"},
      {"duration", "DURATION"},
      {"request-timeout", "DURATION"},
      {"pass-timeout", "DURATION"},
      {"lease-duration", "DURATION"},
      {"renew-deadline", "DURATION"},
      {"retry-period", "DURATION"},
      {"wait", "SECONDS"},
      {"concurrency", "N"},
      {"jitter", "FRACTION"},
      {"metrics-addr", "ADDR"},
      {"webhook-addr", "ADDR"},
      {"git-token-env", "VAR"},
      {"webhook-secret-env", "VAR"},
      {"o,output", "FORMAT"},
      {"log-format", "text|json"},
      {"branch", "BRANCH"},
      {"status-branch", "BRANCH"},
      {"revision", "COMMIT"},
      {"policies-from-ref", "REF"},
      {"shard", "I/N"},
      {"l,selector", "SELECTOR"},
      {"author", "\"NAME <EMAIL>\""},
  };
  auto it = kByName.find(d.names);
  if (it != kByName.end()) return it->second;
  std::string upper = d.LongName();
  for (char& c : upper) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  }
  return upper;
}

std::shared_ptr<cxxopts::Value> ToCxxopts(const flags::Value& v) {
  std::shared_ptr<cxxopts::Value> out;
  switch (v.type()) {
    case flags::Value::Type::kString:
      out = cxxopts::value<std::string>();
      break;
    case flags::Value::Type::kInt:
      out = cxxopts::value<int>();
      break;
    case flags::Value::Type::kDouble:
      out = cxxopts::value<double>();
      break;
    case flags::Value::Type::kStringList:
      out = cxxopts::value<std::vector<std::string>>();
      break;
  }
  // An empty default is ValueOf's business: given to cxxopts, it would print
  // `(default: "")` in --help, which says nothing.
  if (v.default_text() && !v.default_text()->empty()) {
    out->default_value(*v.default_text());
  }
  return out;
}

cxxopts::Options BuildOptions(const FlagSet& flags, const std::string& program,
                              const std::string& summary) {
  cxxopts::Options options(program, summary);
  for (const FlagDecl& d : flags.decls()) {
    if (d.value) {
      options.add_options(d.group)(d.names, d.help, ToCxxopts(*d.value),
                                   PlaceholderFor(d));
    } else {
      options.add_options(d.group)(d.names, d.help);
    }
  }
  if (!flags.positional().empty()) options.parse_positional(flags.positional());
  if (!flags.positional_usage().empty()) {
    options.positional_help(flags.positional_usage());
  }
  return options;
}

ArgValue::Variant ValueOf(const FlagDecl& d, const cxxopts::ParseResult& r) {
  std::string name = d.LongName();
  if (!d.value) return r.count(name) > 0;
  bool list = d.value->type() == flags::Value::Type::kStringList;
  if (r.count(name) == 0) {
    if (list) return std::vector<std::string>();
    if (!d.value->default_text()) return std::monostate();
    if (d.value->default_text()->empty()) return std::string();
  }
  switch (d.value->type()) {
    case flags::Value::Type::kString:
      return r[name].as<std::string>();
    case flags::Value::Type::kInt:
      return r[name].as<int>();
    case flags::Value::Type::kDouble:
      return r[name].as<double>();
    case flags::Value::Type::kStringList: {
      std::vector<std::string> items;
      for (const std::string& item : r[name].as<std::vector<std::string>>()) {
        if (!item.empty()) items.push_back(item);  // "a,,b" or a trailing ","
      }
      return items;
    }
  }
  return std::monostate();
}

bool Declared(const FlagSet& flags, std::string_view token) {
  for (const FlagDecl& d : flags.decls()) {
    size_t comma = d.names.find(',');
    if (token.size() == 1 && comma == 1 && d.names[0] == token[0]) return true;
    if (token == d.LongName()) return true;
  }
  return false;
}

// "unknown flag --dryrun, did you mean --dry-run?": the first argument that
// looks like a flag and names none of `flags`, with the closest declared
// long name. "" when no argument is to blame (cxxopts' text is used then).
std::string UnknownFlagMessage(const FlagSet& flags, int argc,
                               const char* const* argv) {
  std::vector<std::string> names;
  for (const FlagDecl& d : flags.decls()) names.push_back(d.LongName());
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    std::string_view flag = arg.substr(0, arg.find('='));
    std::string_view name = flag.substr(flag[1] == '-' ? 2 : 1);
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) {
      continue;  // "--" handled above; "-1" is a value
    }
    // -ojson is -o json: a short flag's first letter decides.
    if (Declared(flags, flag[1] == '-' ? name : name.substr(0, 1))) continue;
    std::string message = "unknown flag " + std::string(flag);
    std::string guess = SuggestClosest(name, names);
    if (!guess.empty()) message += ", did you mean --" + guess + "?";
    return message;
  }
  return "";
}

}  // namespace

std::string FlagDecl::LongName() const {
  size_t comma = names.find(',');
  return comma == std::string::npos ? names : names.substr(comma + 1);
}

FlagSet::Adder& FlagSet::Adder::operator()(
    std::string names, std::string help, std::shared_ptr<flags::Value> value) {
  set_->decls_.push_back(
      {group_, std::move(names), std::move(help), std::move(value)});
  return *this;
}

void ArgValue::ThrowNoValue() const {
  throw std::logic_error("flag --" + name_ + " has no value");
}

size_t Args::count(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? 0 : it->second.count;
}

const ArgValue& Args::operator[](std::string_view name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    throw std::logic_error("flag --" + std::string(name) + " is not declared");
  }
  return it->second.value;
}

void Args::Set(std::string name, size_t count, ArgValue::Variant value) {
  ArgValue v(name, std::move(value));
  entries_[std::move(name)] = Entry{count, std::move(v)};
}

StatusOr<Args> ParseFlags(const FlagSet& flags, const std::string& program,
                          const std::string& summary, int argc,
                          const char* const* argv) {
  cxxopts::Options options = BuildOptions(flags, program, summary);
  try {
    cxxopts::ParseResult result = options.parse(argc, argv);
    Args args;
    for (const FlagDecl& d : flags.decls()) {
      args.Set(d.LongName(), result.count(d.LongName()), ValueOf(d, result));
    }
    return args;
  } catch (const cxxopts::exceptions::no_such_option& e) {
    std::string message = UnknownFlagMessage(flags, argc, argv);
    return Status::InvalidArgument(message.empty() ? e.what() : message);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(e.what());
  }
}

std::string FlagHelp(const FlagSet& flags, const std::string& program,
                     const std::string& summary) {
  std::string help = BuildOptions(flags, program, summary).help();
  if (!flags.example_lines().empty()) {
    help += "\nExamples:\n";
    size_t start = 0;
    const std::string& text = flags.example_lines();
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      help += "  " + text.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  return help;
}

}  // namespace capigitops
