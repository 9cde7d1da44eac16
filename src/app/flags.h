// Command-line flags as plain values. Commands declare their flags on a
// FlagSet (the same shape as cxxopts' add_options) and read what was parsed
// from Args. Only flags.cc includes cxxopts.hpp: it defines several
// namespace-scope std::regex objects whose compilation cost ~5 s in every
// unit that included it (bench/README.md "Build").
#ifndef CAPIGITOPS_APP_FLAGS_H_
#define CAPIGITOPS_APP_FLAGS_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "capigitops/status.h"

namespace capigitops {
namespace flags {

// A flag's value type and default; built like cxxopts::value<T>():
// `flags::value<int>()->default_value("32")`.
class Value : public std::enable_shared_from_this<Value> {
 public:
  // kStringList: repeatable, and each value may be a comma list
  // (`--cluster a --cluster b,c`).
  enum class Type { kString, kInt, kDouble, kStringList };
  explicit Value(Type type) : type_(type) {}
  std::shared_ptr<Value> default_value(std::string text) {
    default_ = std::move(text);
    return shared_from_this();
  }
  // The placeholder --help shows for the value (`--now TIME`); without one,
  // flags.cc picks it from the flag's name.
  std::shared_ptr<Value> arg_help(std::string placeholder) {
    arg_help_ = std::move(placeholder);
    return shared_from_this();
  }
  Type type() const { return type_; }
  const std::optional<std::string>& default_text() const { return default_; }
  const std::string& placeholder() const { return arg_help_; }

 private:
  Type type_;
  std::optional<std::string> default_;
  std::string arg_help_;
};

template <class T>
std::shared_ptr<Value> value();
template <>
inline std::shared_ptr<Value> value<std::string>() {
  return std::make_shared<Value>(Value::Type::kString);
}
template <>
inline std::shared_ptr<Value> value<int>() {
  return std::make_shared<Value>(Value::Type::kInt);
}
template <>
inline std::shared_ptr<Value> value<double>() {
  return std::make_shared<Value>(Value::Type::kDouble);
}
template <>
inline std::shared_ptr<Value> value<std::vector<std::string>>() {
  return std::make_shared<Value>(Value::Type::kStringList);
}

}  // namespace flags

// One declared flag. `names` is "s,long" or "long"; no value means a switch.
struct FlagDecl {
  std::string group;
  std::string names;
  std::string help;
  std::shared_ptr<flags::Value> value;
  std::string LongName() const;
};

// The flags of one command, in declaration order (the help lists them so).
class FlagSet {
 public:
  class Adder {
   public:
    Adder(FlagSet* set, std::string group)
        : set_(set), group_(std::move(group)) {}
    Adder& operator()(std::string names, std::string help,
                      std::shared_ptr<flags::Value> value = nullptr);

   private:
    FlagSet* set_;
    std::string group_;
  };

  Adder add_options(std::string group = "") { return Adder(this, group); }
  void parse_positional(std::vector<std::string> names) {
    positional_ = std::move(names);
  }
  void positional_help(std::string text) { positional_help_ = std::move(text); }
  // Example command lines, one per line, printed under "Examples:" in --help.
  void examples(std::string text) { examples_ = std::move(text); }

  const std::vector<FlagDecl>& decls() const { return decls_; }
  const std::vector<std::string>& positional() const { return positional_; }
  const std::string& positional_usage() const { return positional_help_; }
  const std::string& example_lines() const { return examples_; }

 private:
  std::vector<FlagDecl> decls_;
  std::vector<std::string> positional_;
  std::string positional_help_;
  std::string examples_;
};

// One parsed flag: its value (the default when not given) or none.
class ArgValue {
 public:
  using Variant = std::variant<std::monostate, bool, std::string, int, double,
                               std::vector<std::string>>;
  ArgValue() = default;
  ArgValue(std::string name, Variant v)
      : name_(std::move(name)), v_(std::move(v)) {}
  // Throws (as cxxopts did) when the flag has no value or another type; a
  // command reads only what it declared, so this is a programming error.
  template <class T>
  const T& as() const {
    if (std::holds_alternative<std::monostate>(v_)) ThrowNoValue();
    return std::get<T>(v_);
  }

 private:
  [[noreturn]] void ThrowNoValue() const;
  std::string name_;
  Variant v_;
};

// The parsed flags of one command, by long name.
class Args {
 public:
  // How many times the flag was given on the command line (0: default).
  size_t count(std::string_view name) const;
  // Whether the command declared the flag (given or not).
  bool declared(std::string_view name) const {
    return entries_.find(name) != entries_.end();
  }
  const ArgValue& operator[](std::string_view name) const;

  // For the parser and tests.
  void Set(std::string name, size_t count, ArgValue::Variant value);

 private:
  struct Entry {
    size_t count = 0;
    ArgValue value;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

// Parses argv (argv[0] is the program or command name) against `flags`.
// A usage error (unknown flag, missing or malformed value) is an
// InvalidArgument: an unknown flag says so with the closest declared one
// ("unknown flag --dryrun, did you mean --dry-run?"), anything else is
// cxxopts' text.
StatusOr<Args> ParseFlags(const FlagSet& flags, const std::string& program,
                          const std::string& summary, int argc,
                          const char* const* argv);

// The `--help` text of a command.
std::string FlagHelp(const FlagSet& flags, const std::string& program,
                     const std::string& summary);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_FLAGS_H_
