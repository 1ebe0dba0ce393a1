// The CLI's --plot charts, built from the API's replies (rendering is plot.h's):
//   actuals   one panel per money metric, one line per group;
//   forecast  one panel per metric: the exact history as a line, then the outer quantile band
//             (P10-P90 by default) and the median;
//   compare   per metric, the scenarios' fans overlaid, and beside it the variants' differences
//             from the base (band and median) around a zero line.
#ifndef FORECASTLE_CLIENT_CLI_CHARTS_H_
#define FORECASTLE_CLIENT_CLI_CHARTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/cli/args.h"
#include "client/cli/plot.h"
#include "forecastle/v1/actuals.pb.h"
#include "forecastle/v1/forecast.pb.h"

namespace forecastle::cli {

Chart ActualsChart(const v1::MetricsReply& reply);
// `metrics` chooses and orders the panels; empty = all of the reply's metrics.
Chart ForecastChart(const v1::ForecastReply& reply, const std::vector<std::string>& metrics);
// `metrics` empty = revenue, backlog, collections, work_backlog_hours, utilization, delivery_cost.
Chart CompareChart(const v1::CompareReply& reply, const std::vector<std::string>& metrics);

// The --plot FILE.svg and --plot-metrics flags, checked before any call: a missing folder or an
// unknown metric is an error naming the flag.
struct PlotFlags {
  std::string path;                  // "" = no chart
  std::vector<std::string> metrics;  // the panels; empty = the chart's default
};
absl::StatusOr<PlotFlags> ParsePlotFlags(const Args& args);

// Renders `chart` to `flags.path` and says so on stderr. 0, or 1 after printing an error naming
// the path.
int Plot(const PlotFlags& flags, const Chart& chart);

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_CHARTS_H_
