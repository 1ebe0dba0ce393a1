// TLS and mutual TLS on the listener, and plaintext only on loopback (SPEC §5, Trust), with a CA
// and certificates made for this run (tests/testing/make_certs.sh).
#include <chrono>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "forecastle/v1/ledger.grpc.pb.h"
#include "server/server.h"
#include "server/tls.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_certificates.h"
#include "tests/testing/test_server.h"

namespace forecastle {
namespace {

using ::forecastle::testing::FreshDatabasePath;
using ::forecastle::testing::StatusIs;
using ::forecastle::testing::TestCertificates;
using ::testing::AllOf;
using ::testing::HasSubstr;

const TestCertificates& Certs() { return TestCertificates::Get(); }

ForecastleServer::Options TlsOptions(const std::string& client_ca = "") {
  ForecastleServer::Options options;
  options.listen = "127.0.0.1:0";
  options.database = FreshDatabasePath("tls.db");
  options.tls.cert_file = Certs().Path("server.crt");
  options.tls.key_file = Certs().Path("server.key");
  options.tls.client_ca_file = client_ca;
  return options;
}

std::shared_ptr<grpc::ChannelCredentials> Trusting(const std::string& ca, const std::string& client = "") {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = Certs().Pem(ca + ".crt");
  if (!client.empty()) {
    options.pem_cert_chain = Certs().Pem(client + ".crt");
    options.pem_private_key = Certs().Pem(client + ".key");
  }
  return grpc::SslCredentials(options);
}

// One Summary call on a fresh channel.
grpc::Status Summary(const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  auto stub = v1::LedgerService::NewStub(grpc::CreateChannel(target, credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::SummaryReply reply;
  return stub->Summary(&context, v1::SummaryRequest(), &reply);
}

std::string Localhost(const ForecastleServer& server) { return "localhost:" + std::to_string(server.port()); }

TEST(Tls, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.9.8.7", "::1", "localhost", "LocalHost", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"", "0.0.0.0", "::", "10.0.0.7", "128.0.0.1", "::2", "db1", "localhost.example.com"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
  EXPECT_EQ(ListenHost("[::1]:50051"), "::1");
  EXPECT_EQ(ListenHost("127.0.0.1:0"), "127.0.0.1");
  EXPECT_EQ(ListenHost(":50051"), "");
}

TEST(Tls, ServerAnswersAClientThatTrustsItsCa) {
  auto server = ForecastleServer::Create(TlsOptions());
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_STREQ((*server)->transport(), "TLS");
  EXPECT_TRUE(Summary(Localhost(**server), Trusting("ca")).ok());
  // The certificate names 127.0.0.1 too (an IP subjectAltName).
  EXPECT_TRUE(Summary((*server)->address(), Trusting("ca")).ok());
}

TEST(Tls, PlaintextClientAndClientNotTrustingTheCaAreRefused) {
  auto server = ForecastleServer::Create(TlsOptions());
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(Summary(Localhost(**server), grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Summary(Localhost(**server), Trusting("other-ca")).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST(Tls, MutualTlsServesOnlyClientsWithACertificateSignedByTheClientCa) {
  auto server = ForecastleServer::Create(TlsOptions(Certs().Path("ca.crt")));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_STREQ((*server)->transport(), "mutual TLS");
  EXPECT_EQ(Summary(Localhost(**server), Trusting("ca")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Summary(Localhost(**server), Trusting("ca", "other-client")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(Summary(Localhost(**server), Trusting("ca", "client")).ok());
}

TEST(Tls, PlaintextOffLoopbackOnlyWithInsecure) {
  ForecastleServer::Options options;
  options.database = FreshDatabasePath("plain.db");
  options.listen = "0.0.0.0:0";
  EXPECT_THAT(ForecastleServer::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("refusing plaintext gRPC on 0.0.0.0:0"), HasSubstr("--insecure"))));
  options.insecure = true;
  auto insecure = ForecastleServer::Create(options);
  ASSERT_TRUE(insecure.ok()) << insecure.status();
  EXPECT_STREQ((*insecure)->transport(), "plaintext");
  insecure->reset();
  // TLS listens anywhere when callers need tokens (or with --insecure, as plaintext does).
  ForecastleServer::Options tls = TlsOptions();
  tls.listen = "0.0.0.0:0";
  EXPECT_THAT(ForecastleServer::Create(tls),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("refusing to serve 0.0.0.0:0"), HasSubstr("without tokens"),
                             HasSubstr("--auth"), HasSubstr("--insecure"))));
  tls.require_tokens = true;
  auto server = ForecastleServer::Create(tls);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(Summary(Localhost(**server), Trusting("ca")).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  server->reset();
  tls.require_tokens = false;
  tls.insecure = true;
  server = ForecastleServer::Create(tls);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(Summary(Localhost(**server), Trusting("ca")).ok());
}

TEST(Tls, BadFilesAndFlagCombinationsAreNamed) {
  struct Case {
    std::string cert, key, client_ca;
    std::string message;
  };
  const std::string crt = Certs().Path("server.crt"), key = Certs().Path("server.key");
  const Case cases[] = {
      {"/nonexistent/s.crt", key, "", "--tls_cert /nonexistent/s.crt: cannot read it: No such file or directory"},
      {crt, "/nonexistent/s.key", "", "--tls_key /nonexistent/s.key: cannot read it: No such file or directory"},
      {crt, key, "/nonexistent/ca.crt", "--client_ca /nonexistent/ca.crt: cannot read it: No such file or directory"},
      {crt, "", "", "--tls_cert needs --tls_key"},
      {"", key, "", "--tls_key needs --tls_cert"},
      {"", "", Certs().Path("ca.crt"), "--client_ca needs --tls_cert and --tls_key"},
      {key, key, "", "--tls_cert " + key + ": holds no PEM certificate"},
      {crt, crt, "", "--tls_key " + crt + ": holds no unencrypted PEM private key"},
      {crt, Certs().Path("client.key"), "",
       "--tls_key " + Certs().Path("client.key") + " is not the private key of the certificate in --tls_cert " + crt},
      {crt, key, key, "--client_ca " + key + ": holds no PEM certificate"},
      {::testing::TempDir(), key, "", "--tls_cert " + ::testing::TempDir() + ": cannot read it: Is a directory"},
  };
  for (const Case& c : cases) {
    ForecastleServer::Options options = TlsOptions();
    options.tls = {c.cert, c.key, c.client_ca};
    EXPECT_THAT(ForecastleServer::Create(options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.message;
  }
}

}  // namespace
}  // namespace forecastle
