// Calibration of a scenario from the actuals (SPEC §4.3), from only what was known at as-of: win
// rates by stage and segment, deal sizes, arrival rates and seasonality, sales cycle and slip
// (opportunities); bookings without an opportunity with their trend, seasonality and volatility,
// and product mixes (contracts); renewal rate and uplift (linked subscriptions); team capacity
// and services' hours per unit (progress); payment delays, bad debt and the collection of
// receivables by age (invoices and payments). Each fitted value comes with its sample size; a
// value with too few observations keeps the starting scenario's.
#ifndef FORECASTLE_ENGINE_FORECAST_CALIBRATION_H_
#define FORECASTLE_ENGINE_FORECAST_CALIBRATION_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/ledger.h"
#include "engine/forecast/scenario.h"

namespace forecastle::forecast {

struct FittedValue {
  std::string field;     // as in the scenario, e.g. "segments[smb].win_rate"
  double value = 0;      // the value now in the scenario
  int64_t sample_size = 0;
  bool fitted = false;   // false: too few observations (fewer than kMinSample), value kept
};

struct Calibration {
  Scenario scenario;
  std::vector<FittedValue> values;
  // Whether scenario.payment.delay_days_mix came from the ledger (kMinSample payments or more)
  // rather than from the starting scenario.
  bool payment_delays_fitted = false;
};

inline constexpr int64_t kMinSample = 10;

// The payment-delay mix of the ledger's history (SPEC §4: a forecast's default): the amounts paid
// on or before `as_of`, by the delay from the invoice's issue to the payment, to the nearest of
// 0, 30, 60, 90 and 120 days, as shares summing to 1. `mix` is empty with fewer than kMinSample
// payments.
struct PaymentDelays {
  std::vector<std::pair<int, double>> mix;  // (days, share of the amount paid)
  int64_t payments = 0;                     // the sample: payments received by as_of
};
PaymentDelays FitPaymentDelays(const Ledger& ledger, Date as_of);

// Each team's hours delivered a month (Scenario::teams order), the mean over the last
// kCapacityMonths whole months by as_of: effort lines' hours from their progress, goods' units at
// the goods product's hours per unit; with the progress records behind each.
// `by_month` holds each team's hours in each of the last kTrendMonths whole months, oldest first.
inline constexpr int kCapacityMonths = 6;
inline constexpr int kTrendMonths = 24;
struct DeliveredHours {
  std::vector<double> per_month;
  std::vector<int64_t> records;
  std::vector<std::vector<double>> by_month;
};
DeliveredHours DeliveredHoursPerMonth(const Ledger& ledger, Date as_of, const Scenario& scenario);

// The most hours of a month among the last kPeakMonths of `hours` (oldest first, the last one
// the last whole month by as_of), each carried forward by `monthly_growth` (1 + the monthly rate)
// once for every month it lies back (the last one once, the one 11 months before it 12 times): a
// team's capacity at as_of.
inline constexpr int kPeakMonths = 12;
double BusiestMonthNow(const std::vector<double>& hours, double monthly_growth);

// The most hours one FTE delivered in a month among the last kPeakMonths whole months: `hours`
// and `fte` per month, aligned at their ends (the last whole month by as_of); months without
// headcount are skipped. 0 when none has both.
double MostHoursPerFte(const std::vector<double>& hours, const std::vector<double>& fte);

// What a forecast warns of (SPEC §4.3): a team whose capacity at as_of (fte x hours_per_fte_month
// x utilization) is below half or above twice what the ledger shows it delivered (teams with at
// least kMinSample progress records). Each names the team, both figures and the fix.
std::vector<std::string> CapacityWarnings(const Ledger& ledger, Date as_of, const Scenario& scenario);

// Fits `start`'s assumptions to the ledger's events dated on or before `as_of`. Segments seen in
// the opportunities but missing from `start` are added (with default fields, then fitted).
absl::StatusOr<Calibration> Calibrate(const Ledger& ledger, Date as_of, const Scenario& start);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_CALIBRATION_H_
