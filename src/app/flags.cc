// The only user of cxxopts (its adapter): FlagSet declarations become a
// cxxopts::Options, cxxopts' exceptions become Status values and its parse
// result becomes plain Args.
#include "app/flags.h"

#include <cxxopts.hpp>
#include <stdexcept>

namespace capigitops {
namespace {

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
  }
  if (v.default_text()) out->default_value(*v.default_text());
  return out;
}

cxxopts::Options BuildOptions(const FlagSet& flags, const std::string& program,
                              const std::string& summary) {
  cxxopts::Options options(program, summary);
  for (const FlagDecl& d : flags.decls()) {
    if (d.value) {
      options.add_options(d.group)(d.names, d.help, ToCxxopts(*d.value));
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
  if (r.count(name) == 0 && !d.value->default_text()) return std::monostate();
  switch (d.value->type()) {
    case flags::Value::Type::kString:
      return r[name].as<std::string>();
    case flags::Value::Type::kInt:
      return r[name].as<int>();
    case flags::Value::Type::kDouble:
      return r[name].as<double>();
  }
  return std::monostate();
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
