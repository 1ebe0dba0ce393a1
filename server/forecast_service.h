// gRPC adapter for forecastle.v1.ForecastService: stored scenarios (resolved against their base),
// forecasts (unary and streamed with progress) and comparisons on common random numbers.
// Requests are bounded by Options; forecasts beyond max_concurrent_forecasts wait their turn in a
// bounded line; a cancelled call or a passed deadline (the call's, or the server's default) stops
// the workers.
#ifndef FORECASTLE_SERVER_FORECAST_SERVICE_H_
#define FORECASTLE_SERVER_FORECAST_SERVICE_H_

#include <atomic>
#include <memory>

#include "engine/forecast/delivered.h"
#include "engine/forecast/forecast.h"
#include "forecastle/v1/forecast.grpc.pb.h"
#include "server/call_limits.h"
#include "server/forecast_queue.h"
#include "server/ledger_book.h"

namespace forecastle {

class ForecastServiceImpl final : public v1::ForecastService::Service {
 public:
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

  // Everything a forecast needs, prepared from a request.
  struct Prepared {
    forecast::Scenario scenario;
    v1::Scenario resolved;
    forecast::StartingState state;
    forecast::ForecastOptions options;
    v1::MetricsReply actuals;
    std::vector<forecast::DeliveryMonth> delivery_history;
    std::vector<std::string> warnings;
  };

 private:
  grpc::Status PutScenario(const v1::Scenario& request, Store::Write mode, v1::Scenario* reply);
  // A scenario merged over its chain of bases (every field then set), with what the walk found.
  struct Resolution {
    v1::Scenario scenario;
    // Whether the scenario or one of its bases sets payment.delay_days_mix; where none does, a
    // forecast takes the mix from the ledger's payment history (SPEC §4).
    bool sets_payment_delays = false;
    bool replaced = false;  // a base in the chain was `replacing` (below)
  };
  // Bases come from the store, except that one named replacing->name() is *replacing (to check a
  // write before it is made). FAILED_PRECONDITION for a missing base, a chain longer than 16,
  // or one that comes back to a scenario already in it; INVALID_ARGUMENT for a base that does
  // not validate.
  absl::StatusOr<Resolution> Resolve(const v1::Scenario& message, const v1::Scenario* replacing = nullptr);
  // The stored scenario `name` resolved; "" is the default scenario.
  absl::StatusOr<Resolution> ResolveName(const std::string& name);
  absl::StatusOr<Prepared> Prepare(const v1::ForecastRequest& request, const std::string& scenario_name,
                                   const std::atomic<bool>* stop);
  void FillReply(const Prepared& prepared, const forecast::ForecastResult& result, v1::ForecastReply* reply);
  // RESOURCE_EXHAUSTED when the reply to `request` (with `variants` compared against it) would
  // pass the server's message limit.
  absl::Status CheckReplySize(const v1::ForecastRequest& request, int variants) const;
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
