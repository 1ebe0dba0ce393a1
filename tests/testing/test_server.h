// An in-process forecastle server on loopback with a fresh database, and real gRPC stubs to it.
#ifndef FORECASTLE_TESTS_TESTING_TEST_SERVER_H_
#define FORECASTLE_TESTS_TESTING_TEST_SERVER_H_

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "forecastle/v1/actuals.grpc.pb.h"
#include "forecastle/v1/forecast.grpc.pb.h"
#include "forecastle/v1/ledger.grpc.pb.h"
#include "server/server.h"

namespace forecastle::testing {

// A fresh path (nothing there yet, nor a -wal, -shm or -journal of an earlier database) in a
// folder of the current test's own in this process: two builds' suites running the same test at
// once (a sanitizer run beside a plain one) must not share a database.
inline std::string FreshDatabasePath(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string dir = ::testing::TempDir() + "/forecastle_" + std::to_string(getpid()) + "_" +
                    info->test_suite_name() + "_" + info->name();
  for (char& c : dir) {
    if (c == '/' && &c != dir.data()) continue;
    if (!isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '_' && c != '.') c = '_';
  }
  // The folders this process made, removed when it exits normally (a crash leaves them to see).
  static struct Folders {
    std::vector<std::string> made;
    ~Folders() {
      std::error_code ignored;
      for (const std::string& d : made) std::filesystem::remove_all(d, ignored);
    }
  } folders;
  if (std::filesystem::create_directories(dir)) folders.made.push_back(dir);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove_all(dir + "/" + name + suffix);
  return dir + "/" + name;
}

class TestServer {
 public:
  explicit TestServer(std::string database, ForecastServiceImpl::Options forecasts = {})
      : database_(std::move(database)) {
    options_.forecasts = forecasts;
    Start();
  }
  // With every server option as given (the listen address and database are the test's).
  TestServer(std::string database, ForecastleServer::Options options)
      : database_(std::move(database)), options_(std::move(options)) {
    Start();
  }

  void Start() {
    ForecastleServer::Options options = options_;
    options.listen = "127.0.0.1:0";
    options.database = database_;
    // The request log is the binary's to test (integration_test.cc); in-process servers would
    // only fill the test's output with it.
    options.request_log = ForecastleServer::Options::RequestLogTo::kOff;
    auto server = ForecastleServer::Create(options);
    // Thrown, not asserted: an ASSERT here would return with no server, and the test would go on
    // to dereference it. gtest reports the exception as the test's failure.
    if (!server.ok()) throw std::runtime_error("the test server did not start: " + server.status().ToString());
    server_ = std::move(*server);
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(256 << 20);
    channel_ = grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args);
    ledger_ = v1::LedgerService::NewStub(channel_);
    actuals_ = v1::ActualsService::NewStub(channel_);
    forecasts_stub_ = v1::ForecastService::NewStub(channel_);
  }
  // Stops the server and starts a new one on the same database (a restart).
  void Restart() {
    ledger_.reset();
    actuals_.reset();
    forecasts_stub_.reset();
    channel_.reset();
    server_.reset();
    Start();
  }

  v1::LedgerService::Stub& ledger() { return *ledger_; }
  v1::ActualsService::Stub& actuals() { return *actuals_; }
  v1::ForecastService::Stub& forecasts() { return *forecasts_stub_; }
  ForecastleServer& server() { return *server_; }

 private:
  std::string database_;
  ForecastleServer::Options options_;
  std::unique_ptr<ForecastleServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::ActualsService::Stub> actuals_;
  std::unique_ptr<v1::ForecastService::Stub> forecasts_stub_;
};

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_TEST_SERVER_H_
