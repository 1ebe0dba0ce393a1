#include "server/forecast_service.h"

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "proto/wire/convert.h"
#include "proto/wire/forecast_convert.h"
#include "server/calls.h"
#include "server/forecaster_adapters.h"

namespace forecastle {
namespace {

using Write = forecast::ScenarioStore::Write;

// Every answer of this service: the engine's status mapped onto gRPC's, in this one place.
template <typename Body>
grpc::Status Answer(Body&& body) {
  return ToGrpcStatus(body());
}

// One call's engine: the stored scenarios as this call sees them (made per call, so that the
// caller's identity can travel with them) and a Forecaster over them and the ledger.
class Engine {
 public:
  // `audit`: the caller, stored with each scenario write. `past`: the ledger as the request's
  // known_at knew it (nullptr: now).
  Engine(LedgerBook* book, forecast::Forecaster::Options options, const grpc::ServerContextBase& caller,
         std::shared_ptr<const Ledger> past = nullptr)
      : ledger_(book, std::move(past)), scenarios_(book, AuditOf(caller)), forecaster_(ledger_, scenarios_, std::move(options)) {}
  forecast::Forecaster* operator->() { return &forecaster_; }

 private:
  BookLedger ledger_;
  StoredScenarios scenarios_;
  forecast::Forecaster forecaster_;
};

// Sets `stop` when the call is cancelled or `deadline` passes, polling every 5 ms.
class StopWatch {
 public:
  StopWatch(grpc::ServerContext* context, std::chrono::system_clock::time_point deadline, std::atomic<bool>* stop)
      : thread_([context, deadline, stop](std::stop_token token) {
          while (!token.stop_requested()) {
            if (context->IsCancelled() || deadline < std::chrono::system_clock::now()) {
              *stop = true;
              return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }) {}

 private:
  std::jthread thread_;
};

}  // namespace

// The transport's part of one forecast, comparison or backtest: its deadline; when the engine
// admits the request, a check that the reply fits the message limit and a turn in the forecast
// queue; from then on a stop flag set when the call is cancelled or the deadline passes.
class ForecastServiceImpl::CallWork {
 public:
  CallWork(ForecastServiceImpl* service, grpc::ServerContext* context, bool check_reply_size,
           std::function<bool(int)> position = {})
      : service_(service), context_(context), deadline_(service->limits_.Deadline(*context, std::chrono::system_clock::now())),
        check_reply_size_(check_reply_size), position_(std::move(position)) {}

  forecast::Work work() {
    return forecast::Work{[this](const forecast::ForecastShape& shape) { return Admit(shape); }, &stop_};
  }
  // What the engine answered, unless the call was stopped: then why.
  template <typename T>
  absl::StatusOr<T> Finish(absl::StatusOr<T> answer) const {
    if (!stop_) return answer;
    if (deadline_ < std::chrono::system_clock::now()) {
      return absl::DeadlineExceededError(
          absl::StrCat("the forecast passed ", service_->limits_.DeadlineText(*context_), " and was stopped"));
    }
    return absl::CancelledError("the forecast was cancelled");
  }

 private:
  absl::Status Admit(const forecast::ForecastShape& shape) {
    if (check_reply_size_) RETURN_IF_ERROR(service_->CheckReplySize(shape));
    ASSIGN_OR_RETURN(ForecastQueue::Turn turn, service_->WaitForTurn(context_, deadline_, position_));
    turn_.emplace(std::move(turn));
    watch_.emplace(context_, deadline_, &stop_);
    return absl::OkStatus();
  }

  ForecastServiceImpl* service_;
  grpc::ServerContext* context_;
  const std::chrono::system_clock::time_point deadline_;
  const bool check_reply_size_;
  const std::function<bool(int)> position_;
  std::atomic<bool> stop_{false};
  std::optional<ForecastQueue::Turn> turn_;
  std::optional<StopWatch> watch_;  // last: stops polling before the flag it sets goes
};

absl::StatusOr<std::shared_ptr<const Ledger>> ForecastServiceImpl::KnownAt(const std::string& known_at) {
  ASSIGN_OR_RETURN(const std::optional<int64_t> moment, ParseKnownAt(known_at, NowMicros()));
  return book_->KnownAt(moment);
}

forecast::Forecaster::Options ForecastServiceImpl::EngineOptions() const {
  forecast::ForecastLimits limits{options_.max_paths, options_.max_horizon_months, options_.max_path_values,
                                  options_.max_variants, "the server's --"};
  return forecast::Forecaster::Options{std::move(limits), TodayUtc()};
}

absl::Status ForecastServiceImpl::CheckReplySize(const forecast::ForecastShape& shape) const {
  const int64_t bytes = ForecastReplyBytes(shape.horizon_months, shape.quantiles, shape.targets, shape.variants);
  if (bytes <= limits_.max_reply_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "the reply would take about ", bytes / 1'000'000, " MB (", shape.variants + 1, " forecasts of 13 metrics x ",
      shape.horizon_months, " months x ", shape.quantiles, " quantiles, ", shape.targets, " targets), more than the "
      "server's max_message_bytes (", limits_.max_reply_bytes, " bytes); ask for fewer quantiles, targets or variants, "
      "or a shorter horizon"));
}

absl::StatusOr<ForecastQueue::Turn> ForecastServiceImpl::WaitForTurn(grpc::ServerContext* context,
                                                                     std::chrono::system_clock::time_point deadline,
                                                                     const std::function<bool(int)>& position) {
  return queue_.Wait(
      [&]() -> absl::Status {
        if (context->IsCancelled()) return absl::CancelledError("cancelled while waiting in the forecast queue");
        if (deadline < std::chrono::system_clock::now()) {
          return absl::DeadlineExceededError(
              absl::StrCat("passed ", limits_.DeadlineText(*context), " while waiting in the forecast queue"));
        }
        return absl::OkStatus();
      },
      position);
}

absl::Status ForecastServiceImpl::PutScenario(const grpc::ServerContext& context, const v1::Scenario& request, Write mode,
                                              v1::Scenario* reply) {
  ASSIGN_OR_RETURN(const forecast::PartialScenario scenario, PartialScenarioFromProto(request));
  RETURN_IF_ERROR(Engine(book_, EngineOptions(), context)->PutScenario(scenario, mode));
  *reply = request;
  return absl::OkStatus();
}

grpc::Status ForecastServiceImpl::CreateScenario(grpc::ServerContext* context, const v1::Scenario* request, v1::Scenario* reply) {
  return Answer([&] { return PutScenario(*context, *request, Write::kCreate, reply); });
}

grpc::Status ForecastServiceImpl::UpdateScenario(grpc::ServerContext* context, const v1::Scenario* request, v1::Scenario* reply) {
  return Answer([&] { return PutScenario(*context, *request, Write::kUpdate, reply); });
}

grpc::Status ForecastServiceImpl::GetScenario(grpc::ServerContext* context, const v1::GetScenarioRequest* request, v1::Scenario* reply) {
  return Answer([&]() -> absl::Status {
    Engine engine(book_, EngineOptions(), *context);
    if (request->resolved()) {
      ASSIGN_OR_RETURN(const forecast::Scenario resolved, engine->ResolvedScenario(request->name()));
      *reply = ScenarioToProto(resolved);
    } else {
      ASSIGN_OR_RETURN(const forecast::PartialScenario stored, engine->GetScenario(request->name()));
      *reply = PartialScenarioToProto(stored);
    }
    return absl::OkStatus();
  });
}

grpc::Status ForecastServiceImpl::ListScenarios(grpc::ServerContext* context, const v1::ListScenariosRequest*,
                                                v1::ListScenariosReply* reply) {
  return Answer([&]() -> absl::Status {
    ASSIGN_OR_RETURN(const std::vector<forecast::ScenarioHeader> all, Engine(book_, EngineOptions(), *context)->ListScenarios());
    for (const forecast::ScenarioHeader& header : all) {
      v1::Scenario* out = reply->add_scenarios();
      out->set_name(header.name);
      out->set_base(header.base);
      out->set_description(header.description);
    }
    return absl::OkStatus();
  });
}

grpc::Status ForecastServiceImpl::DeleteScenario(grpc::ServerContext* context, const v1::DeleteScenarioRequest* request,
                                                 v1::DeleteScenarioReply*) {
  return Answer([&] { return Engine(book_, EngineOptions(), *context)->DeleteScenario(request->name()); });
}

grpc::Status ForecastServiceImpl::Forecast(grpc::ServerContext* context, const v1::ForecastRequest* request,
                                           v1::ForecastReply* reply) {
  return Answer([&]() -> absl::Status {
    ASSIGN_OR_RETURN(const forecast::ForecastQuery query, ForecastQueryFromProto(*request));
    ASSIGN_OR_RETURN(const std::shared_ptr<const Ledger> past, KnownAt(request->known_at()));
    CallWork call(this, context, /*check_reply_size=*/true);
    ASSIGN_OR_RETURN(const forecast::ForecastRun run,
                     call.Finish(Engine(book_, EngineOptions(), *context, past)->Forecast(query, call.work())));
    ForecastToProto(run.setup, run.result, reply);
    return absl::OkStatus();
  });
}

grpc::Status ForecastServiceImpl::StreamForecast(grpc::ServerContext* context, const v1::ForecastRequest* request,
                                                 grpc::ServerWriter<v1::ForecastProgress>* writer) {
  return Answer([&]() -> absl::Status {
    ASSIGN_OR_RETURN(const forecast::ForecastQuery query, ForecastQueryFromProto(*request));
    ASSIGN_OR_RETURN(const std::shared_ptr<const Ledger> past, KnownAt(request->known_at()));
    // While it waits for a turn, the stream tells its place in line.
    CallWork call(this, context, /*check_reply_size=*/true, [&](int position) {
      v1::ForecastProgress waiting;
      waiting.set_queue_position(position);
      return writer->Write(waiting);
    });
    auto last_partial = std::chrono::steady_clock::now();
    auto wave = [&](const forecast::ForecastSetup& setup, int64_t done,
                    const std::function<const forecast::ForecastResult&()>& partial) {
      v1::ForecastProgress message;
      message.set_paths_done(done);
      message.set_paths_total(setup.options.paths);
      // Partial results at most once a second (a summary costs a pass), or each wave the
      // precision target summarises anyway.
      const auto now = std::chrono::steady_clock::now();
      if (!request->progress_only() && (query.target_relative_error > 0 || now - last_partial > std::chrono::seconds(1))) {
        last_partial = now;
        ForecastToProto(setup, partial(), message.mutable_partial());
      }
      return writer->Write(message);
    };
    ASSIGN_OR_RETURN(const forecast::ForecastRun run,
                     call.Finish(Engine(book_, EngineOptions(), *context, past)->Forecast(query, call.work(), wave)));
    v1::ForecastProgress last;
    last.set_paths_done(run.result.paths);
    last.set_paths_total(run.setup.options.paths);
    last.set_done(true);
    ForecastToProto(run.setup, run.result, last.mutable_partial());
    writer->Write(last);
    return absl::OkStatus();
  });
}

grpc::Status ForecastServiceImpl::Compare(grpc::ServerContext* context, const v1::CompareRequest* request,
                                          v1::CompareReply* reply) {
  return Answer([&]() -> absl::Status {
    ASSIGN_OR_RETURN(const forecast::CompareQuery query, CompareQueryFromProto(*request));
    ASSIGN_OR_RETURN(const std::shared_ptr<const Ledger> past, KnownAt(request->base().known_at()));
    CallWork call(this, context, /*check_reply_size=*/true);
    ASSIGN_OR_RETURN(const forecast::ComparisonRun run,
                     call.Finish(Engine(book_, EngineOptions(), *context, past)->Compare(query, call.work())));
    ComparisonRunToProto(run, reply);
    return absl::OkStatus();
  });
}

grpc::Status ForecastServiceImpl::Calibrate(grpc::ServerContext* context, const v1::CalibrateRequest* request,
                                            v1::CalibrateReply* reply) {
  return Answer([&]() -> absl::Status {
    ASSIGN_OR_RETURN(const forecast::CalibrateQuery query, CalibrateQueryFromProto(*request));
    ASSIGN_OR_RETURN(const std::shared_ptr<const Ledger> past, KnownAt(request->known_at()));
    ASSIGN_OR_RETURN(const forecast::Calibration calibration, Engine(book_, EngineOptions(), *context, past)->Calibrate(query));
    CalibrationToProto(calibration, reply);
    return absl::OkStatus();
  });
}

grpc::Status ForecastServiceImpl::Backtest(grpc::ServerContext* context, const v1::BacktestRequest* request,
                                           v1::BacktestReply* reply) {
  return Answer([&]() -> absl::Status {
    ASSIGN_OR_RETURN(const forecast::BacktestOptions options, BacktestOptionsFromProto(*request));
    ASSIGN_OR_RETURN(const std::shared_ptr<const Ledger> past, KnownAt(request->known_at()));
    CallWork call(this, context, /*check_reply_size=*/false);
    ASSIGN_OR_RETURN(const forecast::BacktestReport report,
                     call.Finish(Engine(book_, EngineOptions(), *context, past)->Backtest(request->scenario(), options, call.work())));
    BacktestToProto(report, reply);
    return absl::OkStatus();
  });
}

}  // namespace forecastle
