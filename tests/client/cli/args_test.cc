// The CLI's argument handling: common flags before the command, a host without a port, TLS flags.
#include "client/cli/args.h"

#include <cstdlib>
#include <fstream>
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
  for (char* arg : MoveLeadingFlags(static_cast<int>(argv.size()), argv.data(), kCommonFlags, kTlsSwitches)) {
    out.push_back(arg);
  }
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
  // The TLS flags and the --tls switch move too; a switch given a value does not.
  EXPECT_THAT(Moved({"forecastle", "--tls", "--ca", "ca.crt", "--cert=c.crt", "--key", "c.key", "summary"}),
              ElementsAre("forecastle", "summary", "--tls", "--ca", "ca.crt", "--cert=c.crt", "--key", "c.key"));
  EXPECT_THAT(Moved({"forecastle", "--tls=yes", "summary"}), ElementsAre("forecastle", "--tls=yes", "summary"));
}

// ChannelCredentials on flags given as a map; the FORECASTLE_ variables unset unless a test sets them.
class TlsFlags : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"FORECASTLE_CA", "FORECASTLE_CERT", "FORECASTLE_KEY"}) unsetenv(name);
  }
  void TearDown() override { SetUp(); }
  static Args With(std::map<std::string, std::string> flags) {
    Args args;
    args.flags = std::move(flags);
    return args;
  }
  static std::string Message(const Args& args) {
    return std::string(ChannelCredentials(args).status().message());
  }
  static std::string File(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "/tls_flags_" + name;
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(TlsFlags, PlaintextUnlessAskedForTls) {
  EXPECT_FALSE(UsesTls(With({})));
  EXPECT_TRUE(ChannelCredentials(With({})).ok());
  EXPECT_TRUE(UsesTls(With({{"tls", "true"}})));
  EXPECT_TRUE(ChannelCredentials(With({{"tls", "true"}})).ok());
  setenv("FORECASTLE_CA", "/some/ca.crt", 1);
  EXPECT_TRUE(UsesTls(With({})));
}

TEST_F(TlsFlags, FilesAreReadAndNamedWithTheirFlagOrVariable) {
  const std::string ca = File("ca.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  const std::string key = File("c.key", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
  EXPECT_TRUE(ChannelCredentials(With({{"ca", ca}})).ok());
  EXPECT_TRUE(ChannelCredentials(With({{"ca", ca}, {"cert", ca}, {"key", key}})).ok());
  EXPECT_EQ(Message(With({{"ca", "/nonexistent/ca.crt"}})),
            "--ca /nonexistent/ca.crt: cannot read it: No such file or directory");
  EXPECT_EQ(Message(With({{"ca", key}})), "--ca " + key + ": holds no PEM certificate");
  EXPECT_EQ(Message(With({{"cert", ca}, {"key", ca}})), "--key " + ca + ": holds no PEM private key");
  EXPECT_EQ(Message(With({{"cert", ca}})), "--cert needs --key (or FORECASTLE_KEY), its private key");
  EXPECT_EQ(Message(With({{"key", key}})), "--key needs --cert (or FORECASTLE_CERT), the certificate it belongs to");
  setenv("FORECASTLE_CA", "/nonexistent/env-ca.crt", 1);
  EXPECT_EQ(Message(With({})), "FORECASTLE_CA /nonexistent/env-ca.crt: cannot read it: No such file or directory");
  EXPECT_TRUE(ChannelCredentials(With({{"ca", ca}})).ok());  // the flag wins over the variable
  setenv("FORECASTLE_CERT", ca.c_str(), 1);
  EXPECT_EQ(Message(With({{"ca", ca}})), "FORECASTLE_CERT needs --key (or FORECASTLE_KEY), its private key");
  setenv("FORECASTLE_KEY", key.c_str(), 1);
  EXPECT_TRUE(ChannelCredentials(With({{"ca", ca}})).ok());
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
