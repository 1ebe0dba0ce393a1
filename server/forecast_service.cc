#include "server/forecast_service.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include <google/protobuf/util/json_util.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/actuals/metrics.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"
#include "engine/forecast/calibration.h"
#include "proto/wire/convert.h"
#include "proto/wire/forecast_convert.h"

namespace forecastle {
namespace {

std::string ToJson(const v1::Scenario& scenario) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(scenario, &json, options);
  return json;
}

absl::StatusOr<v1::Scenario> FromJson(const std::string& json) {
  v1::Scenario scenario;
  auto status = google::protobuf::util::JsonStringToMessage(json, &scenario);
  if (!status.ok()) return absl::DataLossError(absl::StrCat("a stored scenario is unreadable: ", status.message().ToString()));
  return scenario;
}

// Sets `stop` when the call is cancelled or `deadline` passes, polling every 5 ms.
class StopWatch {
 public:
  StopWatch(grpc::ServerContext* context, std::chrono::system_clock::time_point deadline)
      : thread_([this, context, deadline](std::stop_token token) {
          while (!token.stop_requested()) {
            if (context->IsCancelled() || deadline < std::chrono::system_clock::now()) {
              stop_ = true;
              return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }) {}
  const std::atomic<bool>* flag() const { return &stop_; }
  bool stopped() const { return stop_; }

 private:
  std::atomic<bool> stop_{false};
  std::jthread thread_;
};

grpc::Status StoppedStatus(grpc::ServerContext* context, std::chrono::system_clock::time_point deadline,
                           const CallLimits& limits) {
  if (deadline < std::chrono::system_clock::now()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        absl::StrCat("the forecast passed ", limits.DeadlineText(*context), " and was stopped"));
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "the forecast was cancelled");
}

// A stored scenario's name as a request gives it: at most what a name may hold, so that no error
// or lookup carries more (forecast::Validate checks the characters of the names it stores).
absl::Status CheckScenarioName(const std::string& name, absl::string_view field) {
  return CheckLength(name, forecast::kMaxScenarioNameBytes, field);
}

// Where the scenario and its bases set no payment delays, the mix a forecast as of `as_of` takes:
// the ledger's history (the built-in mix stays only while it has fewer than forecast::kMinSample
// payments).
void ApplyPaymentHistory(bool sets_payment_delays, const Ledger& ledger, Date as_of, forecast::Scenario* scenario) {
  if (sets_payment_delays) return;
  forecast::PaymentDelays history = forecast::FitPaymentDelays(ledger, as_of);
  if (!history.mix.empty()) scenario->payment.delay_days_mix = std::move(history.mix);
}

}  // namespace

absl::StatusOr<ForecastServiceImpl::Resolution> ForecastServiceImpl::Resolve(const v1::Scenario& message,
                                                                             const v1::Scenario* replacing) {
  constexpr size_t kMostBases = 16;
  Resolution out;
  std::vector<v1::Scenario> chain = {message};  // the scenario, then its base, its base's base, ...
  absl::flat_hash_set<std::string> names = {message.name()};
  while (!chain.back().base().empty()) {
    const std::string base_name = chain.back().base();
    if (!names.insert(base_name).second) {
      return absl::FailedPreconditionError(absl::StrCat("base: ", Quoted(message.name()), " would have ", Quoted(base_name),
                                                        " as a base twice: a chain of bases may not come back"));
    }
    if (chain.size() > kMostBases) {
      return absl::FailedPreconditionError(
          absl::StrCat("base: the chain of base scenarios from ", Quoted(message.name()), " is longer than ", kMostBases));
    }
    if (replacing != nullptr && base_name == replacing->name()) {
      chain.push_back(*replacing);
      out.replaced = true;
      continue;
    }
    ASSIGN_OR_RETURN(std::string json, book_->WithStore([&](Store& store) { return store.GetScenario(base_name); }));
    ASSIGN_OR_RETURN(v1::Scenario base, FromJson(json));
    chain.push_back(std::move(base));
  }
  for (const v1::Scenario& s : chain) out.sets_payment_delays |= s.payment().delay_days_mix_size() > 0;
  // From the root down: each base validated with the defaults applied, then the next merged over it.
  out.scenario = chain.back();
  for (size_t i = chain.size() - 1; i-- > 0;) {
    ASSIGN_OR_RETURN(forecast::Scenario full_base, ScenarioFromProto(out.scenario));
    out.scenario = MergeScenario(ScenarioToProto(full_base), chain[i]);
  }
  return out;
}

absl::StatusOr<ForecastServiceImpl::Resolution> ForecastServiceImpl::ResolveName(const std::string& name) {
  if (name.empty()) return Resolution{ScenarioToProto(forecast::DefaultScenario()), false, false};
  ASSIGN_OR_RETURN(std::string json, book_->WithStore([&](Store& store) { return store.GetScenario(name); }));
  ASSIGN_OR_RETURN(v1::Scenario message, FromJson(json));
  return Resolve(message);
}

grpc::Status ForecastServiceImpl::PutScenario(const v1::Scenario& request, Store::Write mode, v1::Scenario* reply) {
  if (absl::Status ok = CheckScenarioMessage(request); !ok.ok()) return ToGrpcStatus(ok);
  if (!request.base().empty()) {
    // A variant's fields are checked as they will be used: merged over its base.
    auto resolved = Resolve(request);
    if (!resolved.ok()) return ToGrpcStatus(resolved.status());
    if (auto full = ScenarioFromProto(resolved->scenario); !full.ok()) return ToGrpcStatus(full.status());
  }
  if (mode == Store::Write::kUpdate) {
    // Every stored scenario built on this one must still resolve and validate over the new version.
    auto all = book_->WithStore([](Store& store) { return store.ListScenarios(); });
    if (!all.ok()) return ToGrpcStatus(all.status());
    for (const std::string& json : *all) {
      auto other = FromJson(json);
      if (!other.ok()) return ToGrpcStatus(other.status());
      if (other->name() == request.name() || other->base().empty()) continue;
      absl::Status ok = [&]() -> absl::Status {
        ASSIGN_OR_RETURN(Resolution with_update, Resolve(*other, &request));
        if (!with_update.replaced) return absl::OkStatus();
        return ScenarioFromProto(with_update.scenario).status();
      }();
      if (!ok.ok() && Resolve(*other).ok()) {  // broken by this update, not before it
        return ToGrpcStatus(absl::Status(ok.code(), absl::StrCat("scenario ", Quoted(other->name()), " is built on ",
                                                                 Quoted(request.name()), " and would break: ", ok.message())));
      }
    }
  }
  absl::Status stored = book_->WithStore([&](Store& store) {
    return store.PutScenario(request.name(), ToJson(request), mode);
  });
  if (!stored.ok()) return ToGrpcStatus(stored);
  *reply = request;
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::CreateScenario(grpc::ServerContext*, const v1::Scenario* request, v1::Scenario* reply) {
  return PutScenario(*request, Store::Write::kCreate, reply);
}

grpc::Status ForecastServiceImpl::UpdateScenario(grpc::ServerContext*, const v1::Scenario* request, v1::Scenario* reply) {
  return PutScenario(*request, Store::Write::kUpdate, reply);
}

grpc::Status ForecastServiceImpl::GetScenario(grpc::ServerContext*, const v1::GetScenarioRequest* request, v1::Scenario* reply) {
  if (request->name().empty()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "name: required");
  if (absl::Status name = CheckScenarioName(request->name(), "name"); !name.ok()) return ToGrpcStatus(name);
  if (request->resolved()) {
    auto resolution = ResolveName(request->name());
    if (!resolution.ok()) return ToGrpcStatus(resolution.status());
    auto full = ScenarioFromProto(resolution->scenario);
    if (!full.ok()) return ToGrpcStatus(full.status());
    // As a forecast as of today would run it: the payment delays from the history by default.
    book_->Read([&](const Ledger& ledger) { ApplyPaymentHistory(resolution->sets_payment_delays, ledger, TodayUtc(), &*full); });
    *reply = ScenarioToProto(*full);
    return grpc::Status::OK;
  }
  auto json = book_->WithStore([&](Store& store) { return store.GetScenario(request->name()); });
  if (!json.ok()) return ToGrpcStatus(json.status());
  auto scenario = FromJson(*json);
  if (!scenario.ok()) return ToGrpcStatus(scenario.status());
  *reply = *scenario;
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::ListScenarios(grpc::ServerContext*, const v1::ListScenariosRequest*,
                                                v1::ListScenariosReply* reply) {
  auto all = book_->WithStore([](Store& store) { return store.ListScenarios(); });
  if (!all.ok()) return ToGrpcStatus(all.status());
  for (const std::string& json : *all) {
    auto scenario = FromJson(json);
    if (!scenario.ok()) return ToGrpcStatus(scenario.status());
    v1::Scenario* out = reply->add_scenarios();
    out->set_name(scenario->name());
    out->set_base(scenario->base());
    out->set_description(scenario->description());
  }
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::DeleteScenario(grpc::ServerContext*, const v1::DeleteScenarioRequest* request,
                                                 v1::DeleteScenarioReply*) {
  if (request->name().empty()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "name: required");
  if (absl::Status name = CheckScenarioName(request->name(), "name"); !name.ok()) return ToGrpcStatus(name);
  absl::Status deleted = book_->WithStore([&](Store& store) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<std::string> all, store.ListScenarios());
    for (const std::string& json : all) {
      ASSIGN_OR_RETURN(v1::Scenario other, FromJson(json));
      if (other.base() == request->name()) {
        return absl::FailedPreconditionError(absl::StrCat("name: scenario ", Quoted(other.name()), " has ",
                                                          Quoted(request->name()), " as its base; delete or rebase it first"));
      }
    }
    return store.DeleteScenario(request->name());
  });
  return ToGrpcStatus(deleted);
}

absl::StatusOr<ForecastServiceImpl::Prepared> ForecastServiceImpl::Prepare(const v1::ForecastRequest& request,
                                                                           const std::string& scenario_name,
                                                                           const std::atomic<bool>* stop) {
  Prepared prepared;
  const int horizon = request.horizon_months() == 0 ? 36 : request.horizon_months();
  if (horizon < 1 || horizon > options_.max_horizon_months) {
    return absl::InvalidArgumentError(absl::StrCat("horizon_months must be in [1, ", options_.max_horizon_months,
                                                   "] (the server's --max_horizon_months), got ", horizon));
  }
  forecast::ForecastOptions& o = prepared.options;
  o.paths = request.paths() == 0 ? 10000 : request.paths();
  o.max_paths = options_.max_paths;
  if (o.paths < 1 || o.paths > options_.max_paths) {
    return absl::InvalidArgumentError(absl::StrCat("paths must be in [1, ", options_.max_paths,
                                                   "] (the server's --max_paths), got ", o.paths));
  }
  o.max_path_values = options_.max_path_values;
  RETURN_IF_ERROR(forecast::CheckPathValues(o.paths, horizon, o.max_path_values, "the server's --max_path_values"));
  RETURN_IF_ERROR(CheckScenarioName(scenario_name, "scenario"));
  o.seed = request.seed();
  // Waves only decide when progress is reported and where an early stop may fall.
  o.wave_paths = std::clamp<int64_t>(o.paths / 40, 256, 8192);
  if (request.quantiles_size() > 0) o.quantiles.assign(request.quantiles().begin(), request.quantiles().end());
  if (request.strain_months() != 0) o.strain_months = request.strain_months();  // NaN too: refused below
  if (request.targets_size() > static_cast<int>(forecast::kMaxTargets)) {
    return absl::InvalidArgumentError(
        absl::StrCat("targets: at most ", forecast::kMaxTargets, ", got ", request.targets_size()));
  }
  for (int t = 0; t < request.targets_size(); ++t) {
    ASSIGN_OR_RETURN(forecast::Metric metric,
                     forecast::ParseMetric(request.targets(t).metric(), absl::StrCat("targets[", t, "].metric")));
    o.targets.push_back(forecast::Target{metric, request.targets(t).value()});
  }
  RETURN_IF_ERROR(forecast::ValidateOptions(o, horizon));
  const double relative_error = request.target_relative_error();
  if (!(relative_error >= 0 && relative_error <= 1)) {  // also refuses NaN
    return absl::InvalidArgumentError(absl::StrCat("target_relative_error must be in [0, 1], got ", relative_error));
  }
  o.stop = stop;
  Resolution resolution;
  if (request.has_inline_scenario()) {
    RETURN_IF_ERROR(CheckScenarioMessage(request.inline_scenario()));
    ASSIGN_OR_RETURN(resolution, Resolve(request.inline_scenario()));
  } else {
    ASSIGN_OR_RETURN(resolution, ResolveName(scenario_name));
  }
  ASSIGN_OR_RETURN(prepared.scenario, ScenarioFromProto(resolution.scenario));
  ASSIGN_OR_RETURN(const Date as_of, ParseAsOf(request.as_of(), TodayUtc()));
  RETURN_IF_ERROR(book_->Read([&](const Ledger& ledger) -> absl::Status {
    ApplyPaymentHistory(resolution.sets_payment_delays, ledger, as_of, &prepared.scenario);
    ASSIGN_OR_RETURN(prepared.state, forecast::BuildStartingState(ledger, prepared.scenario, as_of, horizon));
    prepared.warnings = forecast::CapacityWarnings(ledger, as_of, prepared.scenario);
    MetricsQuery history;
    history.to = MonthOf(as_of);
    history.from = history.to - 11;
    history.as_of = as_of;
    ASSIGN_OR_RETURN(std::vector<MetricsTable> tables, ComputeMetrics(ledger, history));
    MetricsToProto(tables, as_of, &prepared.actuals);
    prepared.delivery_history = forecast::DeliveryHistory(ledger, as_of, prepared.scenario, 12);
    return absl::OkStatus();
  }));
  prepared.resolved = ScenarioToProto(prepared.scenario);  // what was run: the reply shows it
  return prepared;
}

absl::Status ForecastServiceImpl::CheckReplySize(const v1::ForecastRequest& request, int variants) const {
  const int horizon = request.horizon_months() == 0 ? 36 : std::clamp(request.horizon_months(), 1, 120);
  const int quantiles = request.quantiles_size() == 0 ? 3 : request.quantiles_size();
  const int64_t bytes = ForecastReplyBytes(horizon, quantiles, request.targets_size(), variants);
  if (bytes <= limits_.max_reply_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "the reply would take about ", bytes / 1'000'000, " MB (", variants + 1, " forecasts of 13 metrics x ", horizon,
      " months x ", quantiles, " quantiles, ", request.targets_size(), " targets), more than the server's "
      "max_message_bytes (", limits_.max_reply_bytes, " bytes); ask for fewer quantiles, targets or variants, or a "
      "shorter horizon"));
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

void ForecastServiceImpl::FillReply(const Prepared& prepared, const forecast::ForecastResult& result,
                                    v1::ForecastReply* reply) {
  reply->set_scenario(prepared.scenario.name);
  reply->set_as_of(FormatDate(prepared.state.as_of));
  ForecastToProto(result, prepared.options, reply);
  *reply->mutable_actuals() = prepared.actuals;
  *reply->mutable_resolved_scenario() = prepared.resolved;
  reply->set_open_opportunities(static_cast<int64_t>(prepared.state.open_deals.size()));
  reply->set_opportunities_without_segment(prepared.state.deals_without_segment);
  for (const std::string& warning : prepared.warnings) reply->add_warnings(warning);
  for (const forecast::DeliveryMonth& d : prepared.delivery_history) DeliveryMonthToProto(d, reply->add_delivery_history());
}

grpc::Status ForecastServiceImpl::Forecast(grpc::ServerContext* context, const v1::ForecastRequest* request,
                                           v1::ForecastReply* reply) {
  const auto deadline = limits_.Deadline(*context, std::chrono::system_clock::now());
  if (absl::Status size = CheckReplySize(*request, 0); !size.ok()) return ToGrpcStatus(size);
  auto turn = WaitForTurn(context, deadline);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  StopWatch watch(context, deadline);
  auto prepared = Prepare(*request, request->scenario(), watch.flag());
  if (!prepared.ok()) return ToGrpcStatus(prepared.status());
  auto result = forecast::RunForecast(prepared->state, prepared->scenario, prepared->options);
  if (watch.stopped()) return StoppedStatus(context, deadline, limits_);
  if (!result.ok()) return ToGrpcStatus(result.status());
  FillReply(*prepared, *result, reply);
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::StreamForecast(grpc::ServerContext* context, const v1::ForecastRequest* request,
                                                 grpc::ServerWriter<v1::ForecastProgress>* writer) {
  const auto deadline = limits_.Deadline(*context, std::chrono::system_clock::now());
  if (absl::Status size = CheckReplySize(*request, 0); !size.ok()) return ToGrpcStatus(size);
  // While it waits for a turn, the stream tells its place in line.
  auto turn = WaitForTurn(context, deadline, [&](int position) {
    v1::ForecastProgress waiting;
    waiting.set_queue_position(position);
    return writer->Write(waiting);
  });
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  StopWatch watch(context, deadline);
  auto prepared = Prepare(*request, request->scenario(), watch.flag());
  if (!prepared.ok()) return ToGrpcStatus(prepared.status());
  const double target = request->target_relative_error();
  auto last_partial = std::chrono::steady_clock::now();
  auto progress = [&](int64_t done, const forecast::PathValues& values) {
    v1::ForecastProgress message;
    message.set_paths_done(done);
    message.set_paths_total(prepared->options.paths);
    bool keep_going = true;
    // Partial results (and the precision check) at most once a second: summaries cost a pass.
    if (target > 0 || (!request->progress_only() &&
                       std::chrono::steady_clock::now() - last_partial > std::chrono::milliseconds(1000))) {
      last_partial = std::chrono::steady_clock::now();
      const forecast::ForecastResult partial =
          forecast::Summarize(values, done, prepared->options, prepared->state.first_month);
      if (!request->progress_only()) FillReply(*prepared, partial, message.mutable_partial());
      if (target > 0) keep_going = !forecast::MeetsRelativeError(partial, target);
    }
    return writer->Write(message) && keep_going;
  };
  auto result = forecast::RunForecast(prepared->state, prepared->scenario, prepared->options, progress);
  if (watch.stopped()) return StoppedStatus(context, deadline, limits_);
  if (!result.ok()) return ToGrpcStatus(result.status());
  v1::ForecastProgress final_message;
  final_message.set_paths_done(result->paths);
  final_message.set_paths_total(prepared->options.paths);
  final_message.set_done(true);
  FillReply(*prepared, *result, final_message.mutable_partial());
  writer->Write(final_message);
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::Compare(grpc::ServerContext* context, const v1::CompareRequest* request,
                                          v1::CompareReply* reply) {
  if (request->variants_size() == 0) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "variants: at least one is required");
  if (request->variants_size() > options_.max_variants) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("variants: at most ", options_.max_variants, " (the server's --max_variants), got ",
                                     request->variants_size()));
  }
  for (int v = 0; v < request->variants_size(); ++v) {
    if (absl::Status name = CheckScenarioName(request->variants(v), absl::StrCat("variants[", v, "]")); !name.ok()) {
      return ToGrpcStatus(name);
    }
  }
  const auto deadline = limits_.Deadline(*context, std::chrono::system_clock::now());
  if (absl::Status size = CheckReplySize(request->base(), request->variants_size()); !size.ok()) {
    return ToGrpcStatus(size);
  }
  auto turn = WaitForTurn(context, deadline);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  StopWatch watch(context, deadline);
  // One as-of for all: "today" must not change between the base and a variant.
  v1::ForecastRequest common = request->base();
  auto as_of = ParseAsOf(common.as_of(), TodayUtc());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  common.set_as_of(FormatDate(*as_of));
  auto base = Prepare(common, common.scenario(), watch.flag());
  if (!base.ok()) return ToGrpcStatus(base.status());
  forecast::PathValues base_values;
  auto base_result = forecast::RunForecast(base->state, base->scenario, base->options, {}, &base_values);
  if (watch.stopped()) return StoppedStatus(context, deadline, limits_);
  if (!base_result.ok()) return ToGrpcStatus(base_result.status());
  FillReply(*base, *base_result, reply->mutable_base());
  for (const std::string& name : request->variants()) {
    v1::ForecastRequest variant_request = common;
    variant_request.clear_inline_scenario();
    auto variant = Prepare(variant_request, name, watch.flag());
    if (!variant.ok()) {
      absl::Status s = variant.status();
      return ToGrpcStatus(absl::Status(s.code(), absl::StrCat("variants: ", Quoted(name), ": ", s.message())));
    }
    forecast::PathValues values;
    auto result = forecast::RunForecast(variant->state, variant->scenario, variant->options, {}, &values);
    if (watch.stopped()) return StoppedStatus(context, deadline, limits_);
    if (!result.ok()) return ToGrpcStatus(result.status());
    v1::VariantComparison* out = reply->add_variants();
    FillReply(*variant, *result, out->mutable_forecast());
    ComparisonToProto(base_values, values, base->options, base->state.first_month, out);
  }
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::Calibrate(grpc::ServerContext*, const v1::CalibrateRequest* request,
                                            v1::CalibrateReply* reply) {
  for (const auto& [name, field] : {std::pair{&request->base(), "base"}, std::pair{&request->save_as(), "save_as"}}) {
    if (absl::Status ok = CheckScenarioName(*name, field); !ok.ok()) return ToGrpcStatus(ok);
  }
  auto as_of = ParseAsOf(request->as_of(), TodayUtc());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  auto resolved = ResolveName(request->base());
  if (!resolved.ok()) return ToGrpcStatus(resolved.status());
  auto start = ScenarioFromProto(resolved->scenario);
  if (!start.ok()) return ToGrpcStatus(start.status());
  if (!request->save_as().empty()) {
    start->name = request->save_as();
    start->base.clear();
    start->description = absl::StrCat("calibrated from the actuals as of ", FormatDate(*as_of));
    if (absl::Status named = forecast::Validate(*start); !named.ok()) {
      return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat("save_as: ", named.message())));
    }
  }
  auto calibration = book_->Read([&](const Ledger& ledger) { return forecast::Calibrate(ledger, *as_of, *start); });
  if (!calibration.ok()) return ToGrpcStatus(calibration.status());
  *reply->mutable_scenario() = ScenarioToProto(calibration->scenario);
  for (const forecast::FittedValue& v : calibration->values) {
    v1::FittedValue* out = reply->add_values();
    out->set_field(v.field);
    out->set_value(v.value);
    out->set_sample_size(v.sample_size);
    out->set_fitted(v.fitted);
  }
  if (!request->save_as().empty()) {
    v1::Scenario saved = reply->scenario();
    // Too few payments to fit, and no mix set where it started: saved without one, so its
    // forecasts take the ledger's history once there is enough of it.
    if (!calibration->payment_delays_fitted && !resolved->sets_payment_delays) {
      saved.mutable_payment()->clear_delay_days_mix();
    }
    const std::string json = ToJson(saved);
    absl::Status stored = book_->WithStore([&](Store& store) {
      absl::Status created = store.PutScenario(request->save_as(), json, Store::Write::kCreate);
      return absl::IsAlreadyExists(created) ? store.PutScenario(request->save_as(), json, Store::Write::kUpdate) : created;
    });
    if (!stored.ok()) return ToGrpcStatus(stored);
  }
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::Backtest(grpc::ServerContext* context, const v1::BacktestRequest* request,
                                           v1::BacktestReply* reply) {
  auto options = BacktestOptionsFromProto(*request);
  if (!options.ok()) return ToGrpcStatus(options.status());
  if (options->paths > options_.max_paths) {
    return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
        "paths must be in [2, ", options_.max_paths, "] (the server's --max_paths), got ", options->paths)));
  }
  if (absl::Status name = CheckScenarioName(request->scenario(), "scenario"); !name.ok()) return ToGrpcStatus(name);
  const auto deadline = limits_.Deadline(*context, std::chrono::system_clock::now());
  auto turn = WaitForTurn(context, deadline);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  StopWatch watch(context, deadline);
  options->stop = watch.flag();
  auto resolution = ResolveName(request->scenario());
  if (!resolution.ok()) return ToGrpcStatus(resolution.status());
  auto scenario = ScenarioFromProto(resolution->scenario);
  if (!scenario.ok()) return ToGrpcStatus(scenario.status());
  auto report = book_->Read([&](const Ledger& ledger) { return forecast::RunBacktest(ledger, *scenario, *options); });
  if (watch.stopped()) return StoppedStatus(context, deadline, limits_);
  if (!report.ok()) return ToGrpcStatus(report.status());
  BacktestToProto(*report, reply);
  return grpc::Status::OK;
}

}  // namespace forecastle
