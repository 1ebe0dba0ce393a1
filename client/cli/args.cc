#include "client/cli/args.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace forecastle::cli {

absl::StatusOr<Args> ParseArgs(int argc, char** argv, int first, const std::set<std::string>& value_flags,
                               const std::set<std::string>& switch_flags) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      args.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      args.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (switch_flags.count(name)) {
      if (inline_value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      args.flags[name] = "true";
    } else if (value_flags.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
        value = argv[++i];
      }
      args.flags[name] = value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
  }
  return args;
}

std::vector<char*> MoveLeadingFlags(int argc, char** argv, const std::set<std::string>& value_flags,
                                    const std::set<std::string>& switch_flags) {
  std::vector<char*> out(argv, argv + argc);
  int i = 1;
  while (i < argc) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) break;
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (switch_flags.count(name) && eq == std::string::npos) {
      i += 1;
    } else if (value_flags.count(name)) {
      i += eq == std::string::npos ? 2 : 1;
    } else {
      break;
    }
  }
  if (i <= 1 || i >= argc) return out;  // nothing moved, or no command after the flags
  out.assign(argv, argv + 1);
  out.push_back(argv[i]);
  out.insert(out.end(), argv + 1, argv + i);
  out.insert(out.end(), argv + i + 1, argv + argc);
  return out;
}

absl::StatusOr<int64_t> ParseIntFlag(const std::string& name, const std::string& text, int64_t min,
                                     int64_t max) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be a whole number in [", min, ", ", max, "], got \"", text, "\""));
  }
  return value;
}

}  // namespace forecastle::cli
