// The CLI's --plot charts, built from the API's replies (rendering is plot.h's). Panel titles say
// in words what is shown and in what unit ("Revenue per month (currency units)").
//   actuals   one panel per money metric, one line per group;
//   forecast  one panel per metric on one month axis with the as-of marked: the exact history as
//             a line, then the outer quantile band (P10-P90 by default) and the median, both
//             starting at the last actual; metrics the reply has no actuals of get the fan only,
//             and a note saying so;
//   compare   per metric, the scenarios' fans overlaid as the forecast draws them, and beside it
//             the variants' differences from the base (band and median) around a zero line;
//   backtest  per metric, the P10-P90 and P25-P75 coverage by horizon month against their target
//             ranges, and the PIT histogram against the flat 10% of a calibrated forecast.
#ifndef FORECASTLE_CLIENT_CLI_CHARTS_H_
#define FORECASTLE_CLIENT_CLI_CHARTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/args.h"
#include "client/cli/plot.h"
#include "forecastle/v1/actuals.pb.h"
#include "forecastle/v1/forecast.pb.h"

namespace forecastle::cli {

Chart ActualsChart(const v1::MetricsReply& reply);
// `metrics` chooses and orders the panels; empty = all of the reply's metrics. FAILED_PRECONDITION
// naming what is missing when the reply cannot be charted (no metrics, a metric asked for that it
// lacks, months or quantiles that do not line up, actuals that do not end at the as-of).
absl::StatusOr<Chart> ForecastChart(const v1::ForecastReply& reply, const std::vector<std::string>& metrics);
// `metrics` empty = revenue, backlog, collections, work_backlog_hours, utilization, delivery_cost.
// Errors as ForecastChart's, for the base and every variant.
absl::StatusOr<Chart> CompareChart(const v1::CompareReply& reply, const std::vector<std::string>& metrics);
// `metrics` empty = every metric the backtest scored. FAILED_PRECONDITION when the reply has no
// scores, lacks a metric asked for, or a PIT histogram is not of 10 bins with counts.
absl::StatusOr<Chart> BacktestChart(const v1::BacktestReply& reply, const std::vector<std::string>& metrics);

// A metric in words with its unit, e.g. "Backlog at month end (currency units)", "Headcount (FTE)";
// an unknown name stays as it is.
std::string MetricTitle(absl::string_view metric);

// The --plot FILE.svg and --plot-metrics flags, checked before any call: a missing folder or an
// unknown metric is an error naming the flag, and so is a metric outside `allowed` (the metrics a
// command's chart can show; empty = every forecast metric).
struct PlotFlags {
  std::string path;                  // "" = no chart
  std::vector<std::string> metrics;  // the panels; empty = the chart's default
};
absl::StatusOr<PlotFlags> ParsePlotFlags(const Args& args, const std::vector<std::string>& allowed = {});

// Renders `chart` to `flags.path` and says so on stderr. 0, or 1 after printing an error naming
// the path.
int Plot(const PlotFlags& flags, const Chart& chart);
// The same for a chart that could not be built: 1 after printing its error.
int Plot(const PlotFlags& flags, const absl::StatusOr<Chart>& chart);

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_CHARTS_H_
