// The CLI's argument handling: common flags before the command, a host without a port.
#include "client/cli/args.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/cli/common.h"

namespace forecastle::cli {
namespace {

using ::testing::ElementsAre;

// MoveLeadingFlags on a command line given as words.
std::vector<std::string> Moved(std::vector<std::string> words) {
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  std::vector<std::string> out;
  for (char* arg : MoveLeadingFlags(static_cast<int>(argv.size()), argv.data(), {"server", "timeout"})) out.push_back(arg);
  return out;
}

TEST(MoveLeadingFlags, CommonFlagsBeforeTheCommandGoAfterIt) {
  EXPECT_THAT(Moved({"forecastle", "--server", "db1", "summary"}), ElementsAre("forecastle", "summary", "--server", "db1"));
  EXPECT_THAT(Moved({"forecastle", "--server=db1", "--timeout", "5", "actuals", "--from", "2026-01"}),
              ElementsAre("forecastle", "actuals", "--server=db1", "--timeout", "5", "--from", "2026-01"));
  // Already after the command, or nothing to move: unchanged.
  EXPECT_THAT(Moved({"forecastle", "summary", "--server", "db1"}), ElementsAre("forecastle", "summary", "--server", "db1"));
  EXPECT_THAT(Moved({"forecastle", "--help"}), ElementsAre("forecastle", "--help"));
  EXPECT_THAT(Moved({"forecastle", "--version"}), ElementsAre("forecastle", "--version"));
  // A flag the command line does not share stops the scan: the parser reports it.
  EXPECT_THAT(Moved({"forecastle", "--colour", "red", "summary"}), ElementsAre("forecastle", "--colour", "red", "summary"));
  // Flags and no command: left for the usage error.
  EXPECT_THAT(Moved({"forecastle", "--server", "db1"}), ElementsAre("forecastle", "--server", "db1"));
}

TEST(WithDefaultPort, AHostAloneMeansPort50051) {
  EXPECT_EQ(WithDefaultPort("db1"), "db1:50051");
  EXPECT_EQ(WithDefaultPort("10.0.0.7"), "10.0.0.7:50051");
  EXPECT_EQ(WithDefaultPort("[::1]"), "[::1]:50051");
  EXPECT_EQ(WithDefaultPort("db1:7000"), "db1:7000");
  EXPECT_EQ(WithDefaultPort("[::1]:7000"), "[::1]:7000");
  EXPECT_EQ(WithDefaultPort("::1"), "::1");  // a bare IPv6 address is passed on as it is
  EXPECT_EQ(WithDefaultPort(""), "");
}

}  // namespace
}  // namespace forecastle::cli
