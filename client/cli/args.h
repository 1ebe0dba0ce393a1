// A small command-line parser for the forecastle CLI: one subcommand, positional arguments and
// --flag=value / --flag value options, each subcommand declaring the flags it knows.
#ifndef FORECASTLE_CLIENT_CLI_ARGS_H_
#define FORECASTLE_CLIENT_CLI_ARGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace forecastle::cli {

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
  bool help = false;

  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : it->second;
  }
};

// Parses argv[first..argc). `value_flags` take a value; `switch_flags` take none ("true").
// Unknown flags and missing values are INVALID_ARGUMENT naming the flag.
absl::StatusOr<Args> ParseArgs(int argc, char** argv, int first, const std::set<std::string>& value_flags,
                               const std::set<std::string>& switch_flags = {});

// argv with the flags of `value_flags` given before the command ("--server X" or "--server=X")
// and the `switch_flags` ("--tls") moved to just after it, so `forecastle --server db1 summary`
// reads as `forecastle summary --server db1`. Anything else before the command (--help,
// --version) stays where it is, and so does everything when no command follows.
std::vector<char*> MoveLeadingFlags(int argc, char** argv, const std::set<std::string>& value_flags,
                                    const std::set<std::string>& switch_flags = {});

// Parses an integer flag value in [min, max], naming the flag in errors.
absl::StatusOr<int64_t> ParseIntFlag(const std::string& name, const std::string& text, int64_t min,
                                     int64_t max);

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_ARGS_H_
