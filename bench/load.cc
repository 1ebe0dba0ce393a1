// A mixed load on a running server, as many users at once would make it: each of --clients
// threads calls, in turn, GetMetrics (a year of months), a small Forecast, ListScenarios and
// PutCustomer (a new id each time), for --seconds, on one channel per client. Prints, per call
// type, the calls made, the median and p99 latency, and every status that was not OK.
// Run by bench/load.sh, which starts the server plaintext and with TLS + tokens and reads its RSS.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "forecastle/v1/actuals.grpc.pb.h"
#include "forecastle/v1/forecast.grpc.pb.h"
#include "forecastle/v1/ledger.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "forecastle-server address");
ABSL_FLAG(int, clients, 64, "Concurrent clients, each on its own channel and thread");
ABSL_FLAG(int, seconds, 60, "How long to keep calling");
ABSL_FLAG(std::string, ca, "", "PEM CA to trust: the channel is TLS when given");
ABSL_FLAG(std::string, token, "", "Bearer token sent with every call");
ABSL_FLAG(std::string, as_of, "2026-10-31", "as_of of the metrics and forecasts");
ABSL_FLAG(int, paths, 500, "Paths of each forecast");

namespace forecastle {
namespace {

using Clock = std::chrono::steady_clock;

enum Call { kMetrics, kForecast, kScenarios, kWrite, kCalls };
constexpr const char* kCallNames[kCalls] = {"GetMetrics", "Forecast", "ListScenarios", "PutCustomer"};

struct Tally {
  std::mutex mu;
  std::vector<double> ms[kCalls];
  std::map<std::string, int64_t> failures;  // "call: CODE message" -> count
};

std::string ReadFile(const std::string& path) {
  std::string out;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) out.append(buffer, n);
    std::fclose(f);
  }
  return out;
}

std::shared_ptr<grpc::Channel> Connect() {
  const std::string ca = absl::GetFlag(FLAGS_ca);
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!ca.empty()) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(ca);
    credentials = grpc::SslCredentials(options);
  }
  grpc::ChannelArguments arguments;
  arguments.SetInt("forecastle.client", rand());  // a channel of its own, not a shared subchannel
  arguments.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(absl::GetFlag(FLAGS_server), credentials, arguments);
}

void Client(int id, Clock::time_point until, Tally& tally) {
  auto channel = Connect();
  auto actuals = v1::ActualsService::NewStub(channel);
  auto forecasts = v1::ForecastService::NewStub(channel);
  auto ledger = v1::LedgerService::NewStub(channel);
  const std::string token = absl::GetFlag(FLAGS_token);
  const std::string as_of = absl::GetFlag(FLAGS_as_of);
  v1::MetricsRequest metrics;
  metrics.set_from("2025-11");
  metrics.set_to("2026-10");
  metrics.set_as_of(as_of);
  v1::ForecastRequest forecast;
  forecast.set_as_of(as_of);
  forecast.set_horizon_months(12);
  forecast.set_paths(absl::GetFlag(FLAGS_paths));
  forecast.set_seed(static_cast<uint64_t>(id) + 1);
  for (int64_t n = 0; Clock::now() < until; ++n) {
    const Call call = static_cast<Call>((n + id) % kCalls);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    const auto start = Clock::now();
    grpc::Status status;
    switch (call) {
      case kMetrics: {
        v1::MetricsReply reply;
        status = actuals->GetMetrics(&context, metrics, &reply);
        break;
      }
      case kForecast: {
        v1::ForecastReply reply;
        status = forecasts->Forecast(&context, forecast, &reply);
        break;
      }
      case kScenarios: {
        v1::ListScenariosReply reply;
        status = forecasts->ListScenarios(&context, v1::ListScenariosRequest(), &reply);
        break;
      }
      case kWrite: {
        v1::Customer customer;
        customer.set_customer_id(absl::StrCat("LOAD-", id, "-", n, "-", rand()));
        customer.set_name("load test");
        v1::WriteReply reply;
        status = ledger->PutCustomer(&context, customer, &reply);
        break;
      }
      case kCalls: break;
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::lock_guard lock(tally.mu);
    tally.ms[call].push_back(ms);
    if (!status.ok()) ++tally.failures[absl::StrCat(kCallNames[call], ": ", status.error_code(), " ", status.error_message())];
  }
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace
}  // namespace forecastle

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "bench/load --server=HOST:PORT [--clients=64] [--seconds=60] [--ca=FILE] [--token=T]: a mixed load "
      "of metrics, forecasts, scenario lists and writes; prints calls, p50 and p99 per call type");
  absl::ParseCommandLine(argc, argv);
  using namespace forecastle;
  const int clients = std::clamp(absl::GetFlag(FLAGS_clients), 1, 1024);
  const auto until = Clock::now() + std::chrono::seconds(std::clamp(absl::GetFlag(FLAGS_seconds), 1, 3600));
  Tally tally;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) threads.emplace_back(Client, i, until, std::ref(tally));
  for (std::thread& t : threads) t.join();
  std::printf("%-14s %8s %10s %10s\n", "call", "calls", "p50 ms", "p99 ms");
  int64_t failures = 0;
  for (int c = 0; c < kCalls; ++c) {
    std::printf("%-14s %8zu %10.1f %10.1f\n", kCallNames[c], tally.ms[c].size(), Quantile(tally.ms[c], 0.5),
                Quantile(tally.ms[c], 0.99));
  }
  for (const auto& [what, count] : tally.failures) {
    std::printf("not OK: %lld x %s\n", static_cast<long long>(count), what.c_str());
    failures += count;
  }
  std::printf("unexpected errors: %lld\n", static_cast<long long>(failures));
  return failures == 0 ? 0 : 1;
}
