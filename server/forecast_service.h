// gRPC adapter for forecastle.v1.ForecastService. Each call converts its request
// (proto/wire/forecast_convert.h), makes one call of the engine's forecast::Forecaster (which
// resolves scenarios, applies request defaults and limits, and runs forecasts, comparisons,
// calibration and backtests) and converts the answer; its status maps onto gRPC's in one place.
// What is left here is transport: forecasts beyond max_concurrent_forecasts wait their turn in a
// bounded line, a reply must fit the message limit, and a cancelled call or a passed deadline (the
// call's, or the server's default) stops the workers.
#ifndef FORECASTLE_SERVER_FORECAST_SERVICE_H_
#define FORECASTLE_SERVER_FORECAST_SERVICE_H_

#include <atomic>
#include <memory>

#include "engine/forecast/forecaster.h"
#include "forecastle/v1/forecast.grpc.pb.h"
#include "server/call_limits.h"
#include "server/forecast_queue.h"
#include "server/ledger_book.h"

namespace forecastle {

class ForecastServiceImpl final : public v1::ForecastService::Service {
 public:
  // The engine's request limits (forecast::ForecastLimits), named by these flags, and the queue.
  struct Options {
    int64_t max_paths = 1'000'000;     // per forecast (and per scenario of a comparison)
    int max_concurrent_forecasts = 2;  // more at once wait in a line of at most forecast_queue
    int forecast_queue = 64;           // forecasts waiting for a turn; more answer RESOURCE_EXHAUSTED
    int max_variants = 8;              // per comparison, [1, 64]
    int max_horizon_months = 120;      // per forecast, [1, 120] (SPEC §4)
    // Every path's values are kept, 4 bytes each: paths x horizon x 13 metrics per forecast may not
    // exceed this (50 M values, 200 MB). A comparison holds two scenarios' values at once.
    int64_t max_path_values = 50'000'000;
  };
  ForecastServiceImpl(LedgerBook* book, Options options, CallLimits limits = {})
      : book_(book), options_(options), limits_(limits),
        queue_(options.max_concurrent_forecasts, options.forecast_queue) {}

  grpc::Status CreateScenario(grpc::ServerContext*, const v1::Scenario* request, v1::Scenario* reply) override;
  grpc::Status GetScenario(grpc::ServerContext*, const v1::GetScenarioRequest* request, v1::Scenario* reply) override;
  grpc::Status ListScenarios(grpc::ServerContext*, const v1::ListScenariosRequest*,
                             v1::ListScenariosReply* reply) override;
  grpc::Status UpdateScenario(grpc::ServerContext*, const v1::Scenario* request, v1::Scenario* reply) override;
  grpc::Status DeleteScenario(grpc::ServerContext*, const v1::DeleteScenarioRequest* request,
                              v1::DeleteScenarioReply* reply) override;
  grpc::Status Forecast(grpc::ServerContext* context, const v1::ForecastRequest* request,
                        v1::ForecastReply* reply) override;
  grpc::Status StreamForecast(grpc::ServerContext* context, const v1::ForecastRequest* request,
                              grpc::ServerWriter<v1::ForecastProgress>* writer) override;
  grpc::Status Compare(grpc::ServerContext* context, const v1::CompareRequest* request,
                       v1::CompareReply* reply) override;
  grpc::Status Calibrate(grpc::ServerContext*, const v1::CalibrateRequest* request,
                         v1::CalibrateReply* reply) override;
  grpc::Status Backtest(grpc::ServerContext* context, const v1::BacktestRequest* request,
                        v1::BacktestReply* reply) override;

  // The line forecasts wait in (the metrics read it).
  const ForecastQueue& queue() const { return queue_; }

 private:
  class CallWork;
  // The engine's options for one call: the request limits above, today's date.
  forecast::Forecaster::Options EngineOptions() const;
  // The ledger as a request's `known_at` names it (LedgerBook::KnownAt): nullptr for now.
  absl::StatusOr<std::shared_ptr<const Ledger>> KnownAt(const std::string& known_at);
  absl::Status PutScenario(const grpc::ServerContext& context, const v1::Scenario& request,
                           forecast::ScenarioStore::Write mode, v1::Scenario* reply);
  // RESOURCE_EXHAUSTED when a reply of that shape would pass the server's message limit.
  absl::Status CheckReplySize(const forecast::ForecastShape& shape) const;
  // A turn to run, waiting in line until `deadline` while the call is wanted; `position` is told
  // the caller's place in line as it changes.
  absl::StatusOr<ForecastQueue::Turn> WaitForTurn(grpc::ServerContext* context,
                                                  std::chrono::system_clock::time_point deadline,
                                                  const std::function<bool(int)>& position = {});

  LedgerBook* book_;
  Options options_;
  CallLimits limits_;
  ForecastQueue queue_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_FORECAST_SERVICE_H_
