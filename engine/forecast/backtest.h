// The backtest (SPEC §4.5): forecasts replayed from a series of past as-of month ends, each from
// only what was known then (and calibrated then when asked), scored month by month against the
// exact actuals that followed: coverage of the central 80% and 50% bands, the PIT histogram,
// bias, CRPS, and the CRPS of naive peers, with the skill score against the best of them.
#ifndef FORECASTLE_ENGINE_FORECAST_BACKTEST_H_
#define FORECASTLE_ENGINE_FORECAST_BACKTEST_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/ledger.h"
#include "engine/forecast/forecast.h"
#include "engine/forecast/scenario.h"

namespace forecastle::forecast {

// The naive peers a forecast is measured against (a point forecast's CRPS is its absolute error).
enum Peer : int {
  kLastThreeMonths,   // flows: the average of the last 3 months
  kSeasonalGrowth,    // flows: the same month last year x the trailing 12 months' growth
  kPersistence,       // balances: the value at as-of
  kWeightedPipeline,  // bookings: Σ stage probability x amount of open deals by expected close month
  kPeerCount
};
std::string_view PeerName(Peer peer);

struct BacktestOptions {
  std::vector<Date> as_of;      // month ends, each followed by `horizon` months of actuals
  int horizon = 12;             // [1, 36]
  int64_t paths = 1000;         // per forecast, [2, 100000]
  uint64_t seed = 1;
  bool calibrate = true;        // calibrate `scenario` at each as-of first
  // The last day the ledger's actuals are complete: a forecast month is scored only if it ends by
  // then. Default (unset): the day of the latest event in the ledger.
  std::optional<Date> actuals_through;
  const std::atomic<bool>* stop = nullptr;  // set: the backtest answers CANCELLED
};

// The scores of one metric at one horizon month over the as-of dates that reached it.
struct BacktestCell {
  Metric metric = kRevenue;
  int horizon = 0;                  // 1-based: the first forecast month is 1
  int64_t forecasts = 0;            // as-of dates scored
  double coverage_80 = 0;           // share of actuals in [P10, P90]
  double coverage_50 = 0;           // share in [P25, P75]
  std::array<int64_t, 10> pit{};    // actuals by the share of paths below them, in tenths
  double bias = 0;                  // mean (P50 - actual) / |actual|
  double crps = 0;                  // mean CRPS / |actual|
  std::array<double, kPeerCount> peer_crps{};  // mean |peer - actual| / |actual|; NaN: peer not defined here
  Peer best_peer = kLastThreeMonths;
  double skill = 0;                 // 1 - crps / peer_crps[best_peer]
};

// One scored forecast month: the forecast's quantiles beside the actual (in currency units).
struct BacktestPoint {
  Date as_of;
  Metric metric = kRevenue;
  int horizon = 0;  // 1-based
  double p10 = 0, p25 = 0, p50 = 0, p75 = 0, p90 = 0;
  double actual = 0;
};

struct BacktestReport {
  std::vector<BacktestCell> cells;    // by metric (kBookings .. kAccountsReceivable), then horizon
  std::vector<BacktestPoint> points;  // every scored month, by as-of, metric, horizon
  std::vector<BacktestCell> overall;  // per metric, over every horizon month (horizon 0)
  std::vector<Date> as_of;            // the dates forecast
};

// Called after each as-of date's forecast with the number done; return false to stop early
// (CANCELLED).
using BacktestProgressFn = std::function<bool(size_t done, size_t total)>;

// Runs the backtest of `scenario` on `ledger`. INVALID_ARGUMENT names a bad option (an as-of that
// is not a month end, horizon or paths out of range, no as-of); FAILED_PRECONDITION when no
// forecast month can be scored.
absl::StatusOr<BacktestReport> RunBacktest(const Ledger& ledger, const Scenario& scenario,
                                           const BacktestOptions& options, const BacktestProgressFn& progress = {});

// CRPS of an ensemble `x` (any order) for the outcome y: mean |X - y| - 1/2 mean |X - X'|
// over all pairs (sorts a copy).
double EnsembleCrps(std::vector<double> x, double y);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_BACKTEST_H_
