// One Monte Carlo path of the forecast model (SPEC §4): pipeline and arrivals become bookings and
// lines; teams whose headcount moves by attrition and hiring burn the work backlog down; invoices
// turn into cash after a random delay. Everything a path draws comes from streams keyed by
// (seed, entity, path), so a path is the same whichever thread runs it and whichever scenario
// (for the entities they share).
#ifndef FORECASTLE_ENGINE_FORECAST_MODEL_H_
#define FORECASTLE_ENGINE_FORECAST_MODEL_H_

#include <array>
#include <memory>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/forecast/random.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/starting_state.h"

namespace forecastle::forecast {

// The metrics a forecast reports per month, in this order (names as in SPEC §4, snake_case).
enum Metric : int {
  kBookings, kRevenue, kBillings, kCollections, kBacklog, kUnbilledBacklog, kDeferredRevenue,
  kAccountsReceivable, kWorkBacklogHours, kCapacityHours, kUtilization, kHeadcount, kDeliveryCost,
  kMetricCount
};
std::string_view MetricName(Metric metric);

// Where one path writes: metric m of month t goes to values[(m * horizon + t) * stride].
struct PathOutput {
  float* values;
  size_t stride;
  int months_to_clear;  // first month (1-based) by whose end the work backlog at as-of is delivered
                        // (1 when there is none); horizon + 1 if not within the horizon
};

class PathModel {
 public:
  // `state` and `scenario` must outlive the model; `scenario` must validate.
  PathModel(const StartingState& state, const Scenario& scenario, uint64_t seed);
  void Run(uint64_t path, PathOutput& out) const;

 private:
  const StartingState& state_;
  const Scenario& scenario_;
  uint64_t seed_;
  // F with F Fᵀ = the segment correlation (its Cholesky factor, or from its eigendecomposition
  // when it is only semi-definite), row-major: the demand shocks of a month are F z for
  // independent standard normals z.
  std::vector<double> correlation_factor_;
  // Per segment, the cumulative product shares as word bounds: a deal's product word w picks the
  // product after every share with w >= WordsBelow(share), that is u >= share for its uniform u.
  std::vector<std::vector<uint64_t>> product_mix_words_;
  std::vector<int> team_of_product_;
  std::vector<int> upfront_months_;  // per product, UpfrontInvoiceMonths of its billing terms
  std::vector<std::pair<int, double>> delay_months_;  // payment delay mix in whole months
  // An invoice's uniform u picks the k-th delay when it is the first threshold above u: bad
  // debts (u < bad_debt_rate) by the thresholds rate x (cumulative share), the others by
  // rate + (1 - rate) x (cumulative share). All compared as words (u < t exactly when its word is
  // below RandomStream::WordsBelow(t)).
  uint64_t bad_debt_words_ = 0;
  std::vector<uint64_t> delay_bad_words_, delay_good_words_;
  uint64_t renewal_words_ = 0;  // a renewal happens when its word is below (probability)
  // Existing subscriptions' billing and the open receivables, collected by the delay mix as an
  // expected split (there are too many existing invoices to draw one by one on every path).
  std::vector<double> existing_collections_;
  std::vector<double> existing_write_offs_;
  int renewal_product_ = -1;  // the first ratable product: how renewals bill
  // Per-scenario constants of the draws, computed once rather than on every path: lognormal
  // factors tabulated by sigma (exp(sigma Z)), with the scales that give them their means.
  struct SegmentDraws {
    const LogNormalTable* open_size;  // an open deal's size noise (mean 1 after open_size_scale)
    double open_size_scale;
    const LogNormalTable* cycle;      // a new deal's sales cycle in months
    double cycle_scale;
    const LogNormalTable* size;       // a new deal's size
    double size_scale;
    std::vector<double> slip_powers;  // q^k, q = 1 - 1 / slip_months: geometric slip by inversion
    uint64_t slip_words;              // an open deal slips when its slip word is below
  };
  std::vector<SegmentDraws> segment_draws_;
  // One table per distinct sigma (scenarios repeat them), so fewer tables compete for the cache.
  std::vector<std::unique_ptr<LogNormalTable>> tables_;
  const LogNormalTable& TableFor(double sigma);
  const LogNormalTable* overrun_ = nullptr;
  double overrun_scale_ = 1;
  std::vector<double> team_log_stay_;  // log(1 - monthly_attrition) per team
  std::vector<std::vector<double>> team_stay_all_;  // per team, (1 - monthly_attrition)^n by headcount n
  std::vector<int> hire_team_;         // the team of each hire, by index
  // Each open deal's win probability (with the scenario's multiplier) as a bound on its win word:
  // it wins when its word is below (RandomStream::WordsBelow).
  std::vector<uint64_t> win_words_below_;
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_MODEL_H_
