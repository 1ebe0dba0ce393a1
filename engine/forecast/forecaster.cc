#include "engine/forecast/forecaster.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/common/field_error.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"
#include "engine/forecast/metric.h"
#include "engine/forecast/starting_state.h"

namespace forecastle::forecast {

// A scenario merged over its chain of bases, not yet validated itself (each base is).
struct Forecaster::Chain {
  Scenario merged;
  bool sets_payment_delays = false;
  bool replaced = false;  // a base in the chain was the `replacing` scenario
};

// Everything a forecast needs before its paths run.
struct Forecaster::Prepared {
  ForecastSetup setup;
  StartingState state;
};

namespace {

constexpr size_t kMostBases = 16;
constexpr int kHistoryMonths = 12;  // the actuals and delivery history a forecast carries
constexpr absl::string_view kPaymentDelays = "payment.delay_days_mix";

// A scenario's name as a request gives it: at most what a name may hold, so that no error or
// lookup carries more (Validate checks the characters of the names it stores).
absl::Status CheckScenarioName(const std::string& name, absl::string_view field) {
  return NamingField(CheckLength(name, kMaxScenarioNameBytes, field), field);
}

absl::Status CheckNameGiven(const std::string& name, absl::string_view field) {
  if (name.empty()) return InvalidField(field, ": required");
  return CheckScenarioName(name, field);
}

// The name, base and description a scenario is stored under, checked before its bases are read.
absl::Status CheckIdentity(const PartialScenario& scenario) {
  Scenario probe = DefaultScenario();
  probe.name = scenario.values.name;
  probe.base = scenario.values.base;
  probe.description = scenario.values.description;
  return Validate(probe);
}

// Where the chain sets no payment delays, the mix of the ledger's history as of `as_of` (the
// built-in mix stays while the ledger has fewer than kMinSample payments).
void ApplyPaymentHistory(bool sets_payment_delays, const Ledger& ledger, Date as_of, Scenario& scenario) {
  if (sets_payment_delays) return;
  PaymentDelays history = FitPaymentDelays(ledger, as_of);
  if (!history.mix.empty()) scenario.payment.delay_days_mix = std::move(history.mix);
}

// What `read` returns, read from the ledger.
template <typename T>
absl::StatusOr<T> ReadLedger(const LedgerAccess& ledger, const std::function<absl::StatusOr<T>(const Ledger&)>& read) {
  absl::StatusOr<T> out = absl::InternalError("the ledger was not read");
  RETURN_IF_ERROR(ledger.Read([&](const Ledger& l) {
    out = read(l);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace

absl::StatusOr<PartialScenario> Forecaster::Stored(const std::string& name, absl::string_view field) {
  absl::StatusOr<PartialScenario> stored = scenarios_.Get(name);
  if (absl::IsNotFound(stored.status())) {
    return FieldError(absl::StatusCode::kNotFound, field, absl::StrCat(": no scenario ", Quoted(name)));
  }
  return stored;
}

absl::StatusOr<Forecaster::Chain> Forecaster::ResolveChain(const PartialScenario& scenario,
                                                           const PartialScenario* replacing) {
  Chain out;
  std::vector<PartialScenario> chain = {scenario};  // the scenario, its base, its base's base, ...
  absl::flat_hash_set<std::string> names = {scenario.values.name};
  while (!chain.back().values.base.empty()) {
    const std::string base = chain.back().values.base;
    if (!names.insert(base).second) {
      return FieldError(absl::StatusCode::kFailedPrecondition, "base",
                        absl::StrCat(": ", Quoted(scenario.values.name), " would have ", Quoted(base),
                                     " as a base twice: a chain of bases may not come back"));
    }
    if (chain.size() > kMostBases) {
      return FieldError(absl::StatusCode::kFailedPrecondition, "base",
                        absl::StrCat(": the chain of base scenarios from ", Quoted(scenario.values.name),
                                     " is longer than ", kMostBases));
    }
    if (replacing != nullptr && base == replacing->values.name) {
      chain.push_back(*replacing);
      out.replaced = true;
      continue;
    }
    ASSIGN_OR_RETURN(PartialScenario stored, Stored(base, "base"));
    chain.push_back(std::move(stored));
  }
  for (const PartialScenario& s : chain) out.sets_payment_delays |= IsSet(s, kPaymentDelays);
  // From the root down: each base validated with the defaults applied, then the next merged over it.
  ASSIGN_OR_RETURN(out.merged, OverDefaults(chain.back()));
  for (size_t i = chain.size() - 1; i-- > 0;) {
    RETURN_IF_ERROR(Validate(out.merged));
    ASSIGN_OR_RETURN(out.merged, OverBase(out.merged, chain[i]));
  }
  return out;
}

absl::StatusOr<Forecaster::Resolution> Forecaster::Resolve(const PartialScenario& scenario) {
  ASSIGN_OR_RETURN(Chain chain, ResolveChain(scenario, nullptr));
  RETURN_IF_ERROR(Validate(chain.merged));
  return Resolution{std::move(chain.merged), chain.sets_payment_delays};
}

absl::StatusOr<Forecaster::Resolution> Forecaster::ResolveName(const std::string& name, absl::string_view field) {
  if (name.empty()) return Resolution{DefaultScenario(), false};
  ASSIGN_OR_RETURN(PartialScenario stored, Stored(name, field));
  return Resolve(stored);
}

absl::Status Forecaster::CheckVariantsSurvive(const PartialScenario& update) {
  ASSIGN_OR_RETURN(std::vector<PartialScenario> all, scenarios_.List());
  for (const PartialScenario& other : all) {
    if (other.values.name == update.values.name || other.values.base.empty()) continue;
    const absl::Status broken = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(Chain with_update, ResolveChain(other, &update));
      return with_update.replaced ? Validate(with_update.merged) : absl::OkStatus();
    }();
    if (!broken.ok() && ResolveChain(other, nullptr).ok()) {  // broken by this update, not before it
      return Within(broken, "", absl::StrCat("scenario ", Quoted(other.values.name), " is built on ",
                                             Quoted(update.values.name), " and would break: "));
    }
  }
  return absl::OkStatus();
}

absl::Status Forecaster::PutScenario(const PartialScenario& scenario, ScenarioStore::Write mode) {
  return scenarios_.Atomically([&]() -> absl::Status {
    RETURN_IF_ERROR(CheckIdentity(scenario));
    RETURN_IF_ERROR(Resolve(scenario).status());  // a variant's fields are checked as they will be used
    if (mode == ScenarioStore::Write::kUpdate) RETURN_IF_ERROR(CheckVariantsSurvive(scenario));
    const absl::Status stored = scenarios_.Put(scenario, mode);
    const std::string& name = scenario.values.name;
    if (absl::IsAlreadyExists(stored)) {
      return FieldError(stored.code(), "name", absl::StrCat(": a scenario ", Quoted(name), " already exists"));
    }
    if (absl::IsNotFound(stored)) return FieldError(stored.code(), "name", absl::StrCat(": no scenario ", Quoted(name)));
    return stored;
  });
}

absl::StatusOr<PartialScenario> Forecaster::GetScenario(const std::string& name) {
  RETURN_IF_ERROR(CheckNameGiven(name, "name"));
  return Stored(name, "name");
}

absl::StatusOr<Scenario> Forecaster::ResolvedScenario(const std::string& name) {
  RETURN_IF_ERROR(CheckNameGiven(name, "name"));
  ASSIGN_OR_RETURN(Resolution resolution, ResolveName(name, "name"));
  RETURN_IF_ERROR(ledger_.Read([&](const Ledger& ledger) {
    ApplyPaymentHistory(resolution.sets_payment_delays, ledger, options_.today, resolution.scenario);
    return absl::OkStatus();
  }));
  return std::move(resolution.scenario);
}

absl::StatusOr<std::vector<ScenarioHeader>> Forecaster::ListScenarios() {
  ASSIGN_OR_RETURN(std::vector<PartialScenario> all, scenarios_.List());
  std::vector<ScenarioHeader> headers;
  for (const PartialScenario& s : all) headers.push_back({s.values.name, s.values.base, s.values.description});
  return headers;
}

absl::Status Forecaster::DeleteScenario(const std::string& name) {
  RETURN_IF_ERROR(CheckNameGiven(name, "name"));
  return scenarios_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<PartialScenario> all, scenarios_.List());
    for (const PartialScenario& other : all) {
      if (other.values.base == name) {
        return FieldError(absl::StatusCode::kFailedPrecondition, "name",
                          absl::StrCat(": scenario ", Quoted(other.values.name), " has ", Quoted(name),
                                       " as its base; delete or rebase it first"));
      }
    }
    const absl::Status deleted = scenarios_.Delete(name);
    if (absl::IsNotFound(deleted)) return FieldError(deleted.code(), "name", absl::StrCat(": no scenario ", Quoted(name)));
    return deleted;
  });
}

absl::Status Forecaster::CheckLimit(int64_t value, int64_t low, int64_t high, absl::string_view field,
                                    absl::string_view limit) const {
  if (value >= low && value <= high) return absl::OkStatus();
  return InvalidField(field, absl::StrCat(" must be in [", low, ", ", high, "] (", options_.limits.origin, limit,
                                          "), got ", value));
}

absl::StatusOr<ForecastOptions> Forecaster::OptionsFor(const ForecastQuery& query, const std::atomic<bool>* stop) const {
  const ForecastLimits& limits = options_.limits;
  const int horizon = query.horizon_months;
  RETURN_IF_ERROR(CheckLimit(horizon, 1, limits.max_horizon_months, "horizon_months", "max_horizon_months"));
  ForecastOptions o;
  o.paths = query.paths;
  o.max_paths = limits.max_paths;
  RETURN_IF_ERROR(CheckLimit(o.paths, 1, limits.max_paths, "paths", "max_paths"));
  o.max_path_values = limits.max_path_values;
  RETURN_IF_ERROR(CheckPathValues(o.paths, horizon, o.max_path_values, absl::StrCat(limits.origin, "max_path_values")));
  RETURN_IF_ERROR(CheckScenarioName(query.scenario, "scenario"));
  o.seed = query.seed;
  // Waves only decide when progress is reported and where an early stop may fall.
  o.wave_paths = std::clamp<int64_t>(o.paths / 40, 256, 8192);
  o.quantiles = query.quantiles;
  o.strain_months = query.strain_months;
  if (query.targets.size() > kMaxTargets) {
    return InvalidField("targets", absl::StrCat(": at most ", kMaxTargets, ", got ", query.targets.size()));
  }
  for (size_t t = 0; t < query.targets.size(); ++t) {
    const std::string field = absl::StrCat("targets[", t, "].metric");
    absl::StatusOr<Metric> metric = ParseMetric(query.targets[t].metric, field);
    if (!metric.ok()) return NamingField(metric.status(), field);
    o.targets.push_back(Target{*metric, query.targets[t].value});
  }
  RETURN_IF_ERROR(ValidateOptions(o, horizon));
  const double relative_error = query.target_relative_error;
  if (!(relative_error >= 0 && relative_error <= 1)) {  // also refuses NaN
    return InvalidField("target_relative_error", absl::StrCat(" must be in [0, 1], got ", relative_error));
  }
  o.stop = stop;
  return o;
}

absl::StatusOr<Forecaster::Prepared> Forecaster::Prepare(const ForecastQuery& query, Date as_of,
                                                         const ForecastOptions& options) {
  Resolution resolution;
  if (query.inline_scenario) {
    RETURN_IF_ERROR(CheckIdentity(*query.inline_scenario));
    ASSIGN_OR_RETURN(resolution, Resolve(*query.inline_scenario));
  } else {
    ASSIGN_OR_RETURN(resolution, ResolveName(query.scenario, "scenario"));
  }
  Prepared p;
  ForecastSetup& setup = p.setup;
  setup.scenario = std::move(resolution.scenario);
  setup.as_of = as_of;
  setup.options = options;
  RETURN_IF_ERROR(ledger_.Read([&](const Ledger& ledger) -> absl::Status {
    ApplyPaymentHistory(resolution.sets_payment_delays, ledger, as_of, setup.scenario);
    ASSIGN_OR_RETURN(p.state, BuildStartingState(ledger, setup.scenario, as_of, query.horizon_months));
    setup.warnings = CapacityWarnings(ledger, as_of, setup.scenario);
    MetricsQuery history;
    history.to = MonthOf(as_of);
    history.from = history.to - (kHistoryMonths - 1);
    history.as_of = as_of;
    ASSIGN_OR_RETURN(setup.actuals, ComputeMetrics(ledger, history));
    setup.delivery_history = DeliveryHistory(ledger, as_of, setup.scenario, kHistoryMonths);
    return absl::OkStatus();
  }));
  setup.first_month = p.state.first_month;
  setup.open_opportunities = static_cast<int64_t>(p.state.open_deals.size());
  setup.opportunities_without_segment = p.state.deals_without_segment;
  return p;
}

absl::StatusOr<ForecastRun> Forecaster::Run(Prepared& prepared, const WaveFn& wave, double target_relative_error,
                                            PathValues* values) {
  const ForecastSetup& setup = prepared.setup;
  ProgressFn progress;
  if (wave) {
    progress = [&](int64_t done, const PathValues& so_far) {
      std::optional<ForecastResult> summary;
      const std::function<const ForecastResult&()> partial = [&]() -> const ForecastResult& {
        if (!summary) summary = Summarize(so_far, done, setup.options, setup.first_month);
        return *summary;
      };
      const bool go_on = wave(setup, done, partial);
      return go_on && !(target_relative_error > 0 && MeetsRelativeError(partial(), target_relative_error));
    };
  }
  ASSIGN_OR_RETURN(ForecastResult result, RunForecast(prepared.state, setup.scenario, setup.options, progress, values));
  return ForecastRun{std::move(prepared.setup), std::move(result)};
}

absl::StatusOr<ForecastRun> Forecaster::Forecast(const ForecastQuery& query, const Work& work, const WaveFn& wave) {
  ASSIGN_OR_RETURN(const ForecastOptions options, OptionsFor(query, work.stop));
  if (work.admit) {
    RETURN_IF_ERROR(work.admit(ForecastShape{query.horizon_months, static_cast<int>(options.quantiles.size()),
                                             static_cast<int>(options.targets.size()), 0}));
  }
  ASSIGN_OR_RETURN(Prepared prepared, Prepare(query, query.as_of.value_or(options_.today), options));
  return Run(prepared, wave, query.target_relative_error, nullptr);
}

absl::StatusOr<ComparisonRun> Forecaster::Compare(const CompareQuery& query, const Work& work) {
  const int variants = static_cast<int>(query.variants.size());
  if (variants == 0) return InvalidField("variants", ": at least one is required");
  if (variants > options_.limits.max_variants) {
    return InvalidField("variants", absl::StrCat(": at most ", options_.limits.max_variants, " (", options_.limits.origin,
                                                 "max_variants), got ", variants));
  }
  for (int v = 0; v < variants; ++v) {
    RETURN_IF_ERROR(CheckScenarioName(query.variants[static_cast<size_t>(v)], absl::StrCat("variants[", v, "]")));
  }
  ASSIGN_OR_RETURN(const ForecastOptions options, OptionsFor(query.base, work.stop));
  if (work.admit) {
    RETURN_IF_ERROR(work.admit(ForecastShape{query.base.horizon_months, static_cast<int>(options.quantiles.size()),
                                             static_cast<int>(options.targets.size()), variants}));
  }
  // One as-of for all: "today" must not change between the base and a variant.
  const Date as_of = query.base.as_of.value_or(options_.today);
  ASSIGN_OR_RETURN(Prepared base, Prepare(query.base, as_of, options));
  PathValues base_values;
  ComparisonRun out;
  ASSIGN_OR_RETURN(out.base, Run(base, {}, 0, &base_values));
  for (size_t v = 0; v < query.variants.size(); ++v) {
    ForecastQuery variant = query.base;
    variant.scenario = query.variants[v];
    variant.inline_scenario.reset();
    absl::StatusOr<Prepared> prepared = Prepare(variant, as_of, options);
    if (!prepared.ok()) {
      return Within(prepared.status(), absl::StrCat("variants[", v, "]"), absl::StrCat("variants: ", Quoted(variant.scenario), ": "));
    }
    PathValues values;
    ASSIGN_OR_RETURN(ForecastRun run, Run(*prepared, {}, 0, &values));
    out.variants.push_back(VariantRun{std::move(run), ComparePaths(base_values, values, options.quantiles)});
  }
  return out;
}

absl::Status Forecaster::Save(const Calibration& calibration, bool chain_sets_payment_delays) {
  PartialScenario saved = Whole(calibration.scenario);
  // Too few payments to fit, and no mix set where it started: saved without one, so its forecasts
  // take the ledger's history once there is enough of it.
  if (!calibration.payment_delays_fitted && !chain_sets_payment_delays) Unset(saved, kPaymentDelays);
  return scenarios_.Atomically([&] {
    const absl::Status created = scenarios_.Put(saved, ScenarioStore::Write::kCreate);
    return absl::IsAlreadyExists(created) ? scenarios_.Put(saved, ScenarioStore::Write::kUpdate) : created;
  });
}

absl::StatusOr<Calibration> Forecaster::Calibrate(const CalibrateQuery& query) {
  RETURN_IF_ERROR(CheckScenarioName(query.base, "base"));
  RETURN_IF_ERROR(CheckScenarioName(query.save_as, "save_as"));
  const Date as_of = query.as_of.value_or(options_.today);
  ASSIGN_OR_RETURN(Resolution start, ResolveName(query.base, "base"));
  if (!query.save_as.empty()) {
    start.scenario.name = query.save_as;
    start.scenario.base.clear();
    start.scenario.description = absl::StrCat("calibrated from the actuals as of ", FormatDate(as_of));
    RETURN_IF_ERROR(Within(Validate(start.scenario), "save_as", "save_as: "));
  }
  ASSIGN_OR_RETURN(Calibration calibration,
                   ReadLedger<Calibration>(ledger_, [&](const Ledger& ledger) {
                     return forecast::Calibrate(ledger, as_of, start.scenario);
                   }));
  if (!query.save_as.empty()) RETURN_IF_ERROR(Save(calibration, start.sets_payment_delays));
  return calibration;
}

absl::StatusOr<BacktestReport> Forecaster::Backtest(const std::string& scenario, BacktestOptions options,
                                                    const Work& work) {
  // Fewer than 2 paths RunBacktest refuses itself; more than the limit is refused here, naming it.
  if (options.paths > options_.limits.max_paths) {
    RETURN_IF_ERROR(CheckLimit(options.paths, 2, options_.limits.max_paths, "paths", "max_paths"));
  }
  RETURN_IF_ERROR(CheckScenarioName(scenario, "scenario"));
  if (work.admit) RETURN_IF_ERROR(work.admit(ForecastShape{options.horizon, 0, 0, 0}));
  options.stop = work.stop;
  ASSIGN_OR_RETURN(Resolution resolution, ResolveName(scenario, "scenario"));
  return ReadLedger<BacktestReport>(ledger_, [&](const Ledger& ledger) {
    return RunBacktest(ledger, resolution.scenario, options);
  });
}

}  // namespace forecastle::forecast
