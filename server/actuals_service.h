// gRPC adapter for forecastle.v1.ActualsService: validate → convert → engine → convert → status.
// Metrics replies are cached per (request, ledger version): a repeated query costs a lookup.
// A query whose reply would pass the server's message limit is refused before it is computed.
#ifndef FORECASTLE_SERVER_ACTUALS_SERVICE_H_
#define FORECASTLE_SERVER_ACTUALS_SERVICE_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "forecastle/v1/actuals.grpc.pb.h"
#include "server/call_limits.h"
#include "server/ledger_book.h"

namespace forecastle {

class ActualsServiceImpl final : public v1::ActualsService::Service {
 public:
  explicit ActualsServiceImpl(LedgerBook* book, CallLimits limits = {}) : book_(book), limits_(limits) {}

  grpc::Status GetMetrics(grpc::ServerContext* context, const v1::MetricsRequest* request,
                          v1::MetricsReply* reply) override;
  grpc::Status GetBacklog(grpc::ServerContext* context, const v1::BacklogRequest* request,
                          v1::BacklogReply* reply) override;
  grpc::Status GetSchedule(grpc::ServerContext* context, const v1::ScheduleRequest* request,
                           v1::ScheduleReply* reply) override;

 private:
  static constexpr size_t kCacheEntries = 64;
  // The ledger a request's known_at names (nullptr: the current one).
  absl::StatusOr<std::shared_ptr<const Ledger>> KnownAt(const std::string& known_at);

  LedgerBook* book_;
  CallLimits limits_;
  std::mutex cache_mu_;
  uint64_t cache_version_ = 0;
  absl::flat_hash_map<std::string, std::shared_ptr<const v1::MetricsReply>> cache_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_ACTUALS_SERVICE_H_
