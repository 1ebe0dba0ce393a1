// The CLI's forecasting commands: scenario create|list|show|edit|delete, forecast, compare.
#ifndef FORECASTLE_CLIENT_CLI_FORECAST_COMMANDS_H_
#define FORECASTLE_CLIENT_CLI_FORECAST_COMMANDS_H_

#include <set>
#include <string>

#include "client/cli/args.h"

namespace forecastle::cli {

int ScenarioCommand(const Args& args);
int ForecastCommand(const Args& args);
int CompareCommand(const Args& args);
int CalibrateCommand(const Args& args);
int BacktestCommand(const Args& args);

// The flags each command takes (besides --server and --timeout).
inline const std::set<std::string> kScenarioFlags = {"base", "description", "file"};  // and --resolved
inline const std::set<std::string> kForecastFlags = {"scenario", "as-of", "horizon", "paths", "seed",
                                                     "quantiles", "strain-months", "format", "target-error", "known-at",
                                                     "target", "plot", "plot-metrics"};
inline const std::set<std::string> kCalibrateFlags = {"as-of", "known-at", "base", "save-as", "format"};
inline const std::set<std::string> kBacktestFlags = {"scenario", "from", "to", "step", "horizon", "paths", "seed",
                                                     "format", "plot", "plot-metrics", "known-at"};
inline const std::set<std::string> kCompareFlags = {"as-of", "known-at", "horizon", "paths", "seed", "quantiles", "format",
                                                    "plot", "plot-metrics"};

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_FORECAST_COMMANDS_H_
