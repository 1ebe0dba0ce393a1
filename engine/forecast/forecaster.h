// The forecast service's application logic, below the wire (STYLE 13): named scenarios resolved
// over their chains of bases (with the cycle and depth checks, the merge of each variant over its
// base, validation), the writes that keep those chains whole, request defaults and limits, the
// payment-history default, the 12 months of actuals and delivery history a forecast carries, a
// comparison on one pinned as-of, calibration and its save rules, the backtest. A server converts
// a request, makes one call here and converts the answer; the transport's part (a queue of turns,
// deadlines, cancellation) comes in through Work.
#ifndef FORECASTLE_ENGINE_FORECAST_FORECASTER_H_
#define FORECASTLE_ENGINE_FORECAST_FORECASTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/ledger.h"
#include "engine/actuals/metrics.h"
#include "engine/forecast/backtest.h"
#include "engine/forecast/calibration.h"
#include "engine/forecast/delivered.h"
#include "engine/forecast/forecast.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/scenario_fields.h"
#include "engine/forecast/scenario_store.h"

namespace forecastle::forecast {

// The ledger a Forecaster reads, however its keeper guards it.
class LedgerAccess {
 public:
  virtual ~LedgerAccess() = default;
  // Runs `read` with the ledger (the server: under its shared lock) and returns what it returns.
  virtual absl::Status Read(const std::function<absl::Status(const Ledger&)>& read) const = 0;
};

// A ledger read as it is (tests, tools).
class LedgerAsIs final : public LedgerAccess {
 public:
  explicit LedgerAsIs(const Ledger& ledger) : ledger_(ledger) {}
  absl::Status Read(const std::function<absl::Status(const Ledger&)>& read) const override { return read(ledger_); }

 private:
  const Ledger& ledger_;
};

// Bounds on the work one request may ask for. A refusal names its bound as `origin` followed by
// the bound's name ("the server's --max_paths").
struct ForecastLimits {
  int64_t max_paths = 1'000'000;      // per forecast (and per scenario of a comparison), and per backtest forecast
  int max_horizon_months = 120;       // [1, 120] (SPEC §4)
  int64_t max_path_values = 50'000'000;  // paths x horizon x 13 metrics per forecast
  int max_variants = 8;               // per comparison
  std::string origin;                 // e.g. "the server's --"
};

inline constexpr int kDefaultHorizonMonths = 36;

// A forecast as a request asks for it. What it leaves out takes these defaults.
struct ForecastQuery {
  std::string scenario;                            // a stored scenario; "" = the default scenario
  std::optional<PartialScenario> inline_scenario;  // or one given here in full (not stored)
  std::optional<Date> as_of;                       // unset: the Forecaster's today
  int horizon_months = kDefaultHorizonMonths;
  int64_t paths = ForecastOptions{}.paths;
  uint64_t seed = 0;                               // any value, 0 included: the same seed replays
  std::vector<double> quantiles = ForecastOptions{}.quantiles;
  double strain_months = ForecastOptions{}.strain_months;
  struct Target {
    std::string metric;                            // a metric's name (metric.h)
    double value = 0;
  };
  std::vector<Target> targets;                     // at most kMaxTargets
  // When waves are watched (a stream): stop once every metric's standard error is at most this
  // share of its mean's magnitude; 0 runs every path. [0, 1].
  double target_relative_error = 0;
};

// What a forecast's reply will hold, known once its request is valid and before any work: what a
// server weighs against its message limit.
struct ForecastShape {
  int horizon_months = 0;
  int quantiles = 0;
  int targets = 0;
  int variants = 0;  // a comparison's (0 for a forecast)
};

// How a caller takes part in the work of a forecast, comparison or backtest.
struct Work {
  // Asked once the request is known to be valid and before any work; not OK refuses it (a server
  // waits here for a turn, or refuses a reply too large to send). Unset: go on.
  std::function<absl::Status(const ForecastShape&)> admit;
  // When set (by another thread), the workers stop and the call answers CANCELLED.
  const std::atomic<bool>* stop = nullptr;
};

// A forecast as it was set up: what its reply shows beside the result.
struct ForecastSetup {
  Scenario scenario;  // resolved, the payment history applied where nothing set the delays: what ran
  Date as_of;
  ForecastOptions options;
  MonthIndex first_month = 0;
  int64_t open_opportunities = 0;
  int64_t opportunities_without_segment = 0;  // open at as_of but in no segment: left out
  std::vector<std::string> warnings;
  std::vector<MetricsTable> actuals;              // the exact actuals of the 12 months through as_of
  std::vector<DeliveryMonth> delivery_history;    // the teams' delivery in the same months
};

struct ForecastRun {
  ForecastSetup setup;
  ForecastResult result;
};

// Sees a forecast after each wave of paths: its setup, the paths done, and `partial`, which
// summarises them when called (a pass over the paths: call it only when the summary is wanted).
// Return false to stop early.
using WaveFn = std::function<bool(const ForecastSetup& setup, int64_t paths_done,
                                  const std::function<const ForecastResult&()>& partial)>;

// Scenarios compared on common random numbers, every one from the same as-of.
struct CompareQuery {
  ForecastQuery base;                 // the reference scenario and the common settings
  std::vector<std::string> variants;  // stored scenarios; 1 to ForecastLimits::max_variants
};
struct VariantRun {
  ForecastRun run;
  Comparison comparison;  // variant - base, path by path
};
struct ComparisonRun {
  ForecastRun base;
  std::vector<VariantRun> variants;
};

struct CalibrateQuery {
  std::optional<Date> as_of;  // unset: the Forecaster's today
  std::string base;           // the stored scenario to start from; "" = the defaults
  std::string save_as;        // when set, the calibrated scenario is stored under this name (replacing one)
};

// A stored scenario as a list shows it.
struct ScenarioHeader {
  std::string name;
  std::string base;
  std::string description;
};

class Forecaster {
 public:
  struct Options {
    ForecastLimits limits;
    Date today;  // the as-of of a request that gives none
  };
  // Reads `ledger` and keeps scenarios in `scenarios`; both outlive the Forecaster.
  Forecaster(const LedgerAccess& ledger, ScenarioStore& scenarios, Options options)
      : ledger_(ledger), scenarios_(scenarios), options_(std::move(options)) {}

  // A scenario merged over its chain of bases (every field then set) and validated, with whether
  // it or a base sets payment.delay_days_mix. FAILED_PRECONDITION for a chain that comes back to a
  // scenario already in it or is longer than 16; NOT_FOUND for a missing base; INVALID_ARGUMENT
  // for a scenario or base that does not validate.
  struct Resolution {
    Scenario scenario;
    bool sets_payment_delays = false;  // where none does, a forecast takes the ledger's history
  };
  absl::StatusOr<Resolution> Resolve(const PartialScenario& scenario);

  // Stores `scenario` once it resolves and validates over its bases; an update also keeps every
  // stored variant built on it resolving and valid (else the variant's error, naming it).
  absl::Status PutScenario(const PartialScenario& scenario, ScenarioStore::Write mode);
  absl::StatusOr<PartialScenario> GetScenario(const std::string& name);
  // Every field, bases and defaults applied, the payment delays as a forecast as of today takes them.
  absl::StatusOr<Scenario> ResolvedScenario(const std::string& name);
  absl::StatusOr<std::vector<ScenarioHeader>> ListScenarios();
  // FAILED_PRECONDITION while a stored variant names it as its base.
  absl::Status DeleteScenario(const std::string& name);

  // A forecast: request limits checked, the scenario resolved, the starting state, actuals and
  // delivery history read from the ledger, the paths run (after `work.admit`). `wave`, when set,
  // watches the waves (and lets target_relative_error stop early).
  absl::StatusOr<ForecastRun> Forecast(const ForecastQuery& query, const Work& work = {}, const WaveFn& wave = {});
  // The base and each variant forecast from one as-of (the query's, or today pinned once) with the
  // same seed, and each variant's paths compared with the base's. A variant's error names it.
  absl::StatusOr<ComparisonRun> Compare(const CompareQuery& query, const Work& work = {});
  // Fits the scenario `base` resolves to (SPEC §4.3); with save_as, stores it under that name
  // without a base. Too few payments to fit their delays, where nothing in the chain set a mix,
  // saves no mix, so the stored scenario takes the ledger's history once there is enough of it.
  absl::StatusOr<Calibration> Calibrate(const CalibrateQuery& query);
  // The backtest of the stored scenario `scenario` ("" = the defaults), bounded by max_paths.
  absl::StatusOr<BacktestReport> Backtest(const std::string& scenario, BacktestOptions options, const Work& work = {});

 private:
  struct Chain;
  struct Prepared;
  absl::StatusOr<Chain> ResolveChain(const PartialScenario& scenario, const PartialScenario* replacing);
  absl::StatusOr<Resolution> ResolveName(const std::string& name, absl::string_view field);
  absl::StatusOr<PartialScenario> Stored(const std::string& name, absl::string_view field);
  absl::Status CheckVariantsSurvive(const PartialScenario& update);
  absl::Status CheckLimit(int64_t value, int64_t low, int64_t high, absl::string_view field, absl::string_view limit) const;
  absl::StatusOr<ForecastOptions> OptionsFor(const ForecastQuery& query, const std::atomic<bool>* stop) const;
  absl::StatusOr<Prepared> Prepare(const ForecastQuery& query, Date as_of, const ForecastOptions& options);
  absl::StatusOr<ForecastRun> Run(Prepared& prepared, const WaveFn& wave, double target_relative_error,
                                  PathValues* values);
  absl::Status Save(const Calibration& calibration, bool chain_sets_payment_delays);

  const LedgerAccess& ledger_;
  ScenarioStore& scenarios_;
  const Options options_;
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_FORECASTER_H_
