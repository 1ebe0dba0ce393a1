// End-to-end measurements of the actuals service through a real gRPC client on loopback:
// streaming import throughput into SQLite, and metrics query latency (median, p99).
// Run by bench/e2e_actuals.sh, which also measures server start time and peak memory.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "client/cli/import_stream.h"
#include "engine/actuals/csv.h"
#include "forecastle/v1/actuals.grpc.pb.h"
#include "forecastle/v1/ledger.grpc.pb.h"
#include "proto/wire/convert.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "forecastle-server address");
ABSL_FLAG(std::string, import, "", "Folder of CSV files to stream into the server first");
ABSL_FLAG(int, batch, 500, "Records per import batch (one transaction each, acknowledged once durable)");
ABSL_FLAG(int, queries, 200, "Metrics queries to time");
ABSL_FLAG(std::string, from, "2023-11", "First month of the metrics table");
ABSL_FLAG(std::string, to, "2026-10", "Last month of the metrics table");

namespace forecastle {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int ImportFolder(v1::LedgerService::Stub& stub, const std::string& dir) {
  auto folder = ReadCsvFolder(dir);
  if (!folder.ok() || !folder->errors.empty()) {
    std::fprintf(stderr, "cannot read %s\n", dir.c_str());
    return 1;
  }
  // Convert first so that only the RPC and the store are timed.
  const size_t per_batch = static_cast<size_t>(std::clamp(absl::GetFlag(FLAGS_batch), 1, 10000));
  std::vector<v1::ImportBatch> batches;
  for (size_t i = 0; i < folder->records.size(); i += per_batch) {
    v1::ImportBatch& batch = batches.emplace_back();
    for (size_t j = i; j < std::min(folder->records.size(), i + per_batch); ++j) {
      *batch.add_records() = RecordToProto(folder->records[j].record);
    }
  }
  const auto start = Clock::now();
  grpc::ClientContext context;
  cli::ImportStream stream(stub, context, {cli::NewRunId(), nullptr});
  for (v1::ImportBatch& batch : batches) {
    if (!stream.Send(std::move(batch))) break;
  }
  const cli::ImportAccount account = stream.Finish();
  if (!account.status.ok() || !account.refused.empty()) {
    std::fprintf(stderr, "import failed: %s\n", account.status.error_message().c_str());
    return 1;
  }
  const double seconds = Seconds(Clock::now() - start);
  std::printf("import: %zu records (%lld created) in %.2f s = %.0f records/s\n", folder->records.size(),
              static_cast<long long>(account.created), seconds, folder->records.size() / seconds);
  return 0;
}

void TimeQueries(v1::ActualsService::Stub& stub, bool distinct) {
  std::vector<double> ms;
  const int n = absl::GetFlag(FLAGS_queries);
  for (int i = 0; i < n; ++i) {
    v1::MetricsRequest request;
    request.set_from(absl::GetFlag(FLAGS_from));
    request.set_to(absl::GetFlag(FLAGS_to));
    // Distinct as-of dates defeat the reply cache: every query recomputes the table.
    const Date as_of = *ParseDate("2026-10-31", "as_of") - (distinct ? i % 365 : 0);
    request.set_as_of(FormatDate(as_of));
    grpc::ClientContext context;
    v1::MetricsReply reply;
    const auto start = Clock::now();
    grpc::Status status = stub.GetMetrics(&context, request, &reply);
    ms.push_back(1e3 * Seconds(Clock::now() - start));
    if (!status.ok()) {
      std::fprintf(stderr, "query failed: %s\n", status.error_message().c_str());
      return;
    }
  }
  std::sort(ms.begin(), ms.end());
  std::printf("metrics %s-%s (%s): %d queries, median %.1f ms, p99 %.1f ms, max %.1f ms\n",
              absl::GetFlag(FLAGS_from).c_str(), absl::GetFlag(FLAGS_to).c_str(),
              distinct ? "uncached, distinct as-of" : "cached, same request", n, ms[ms.size() / 2],
              ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back());
}

}  // namespace
}  // namespace forecastle

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("e2e_actuals --server=HOST:PORT [--import=DIR] [--queries=200]");
  absl::ParseCommandLine(argc, argv);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(1 << 30);
  auto channel = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_server), grpc::InsecureChannelCredentials(), args);
  if (!absl::GetFlag(FLAGS_import).empty()) {
    auto stub = forecastle::v1::LedgerService::NewStub(channel);
    if (int rc = forecastle::ImportFolder(*stub, absl::GetFlag(FLAGS_import)); rc != 0) return rc;
  }
  if (absl::GetFlag(FLAGS_queries) > 0) {
    auto stub = forecastle::v1::ActualsService::NewStub(channel);
    forecastle::TimeQueries(*stub, /*distinct=*/true);
    forecastle::TimeQueries(*stub, /*distinct=*/false);
  }
  return 0;
}
