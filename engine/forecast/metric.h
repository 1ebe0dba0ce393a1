// The metrics a forecast reports per month (SPEC §4), their names, and the ones a backtest
// scores. Apart from the path model so that clients can name metrics without linking it.
#ifndef FORECASTLE_ENGINE_FORECAST_METRIC_H_
#define FORECASTLE_ENGINE_FORECAST_METRIC_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace forecastle::forecast {

// In this order (names as in SPEC §4, snake_case).
enum Metric : int {
  kBookings, kRevenue, kBillings, kCollections, kBacklog, kUnbilledBacklog, kDeferredRevenue,
  kAccountsReceivable, kWorkBacklogHours, kCapacityHours, kUtilization, kHeadcount, kDeliveryCost,
  kMetricCount
};
std::string_view MetricName(Metric metric);

// The metric named `name` (snake_case as in MetricName); INVALID_ARGUMENT naming `field`.
absl::StatusOr<Metric> ParseMetric(absl::string_view name, absl::string_view field);

// The metrics a backtest scores: those with exact actuals.
inline constexpr Metric kBacktestMetrics[] = {kBookings, kRevenue, kBillings, kCollections, kBacklog,
                                              kUnbilledBacklog, kDeferredRevenue, kAccountsReceivable};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_METRIC_H_
