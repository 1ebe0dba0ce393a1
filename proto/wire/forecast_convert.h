// Conversions for forecasts: scenario messages (with the merge rules of base scenarios) to the
// engine's Scenario and back, and forecast results to replies.
#ifndef FORECASTLE_PROTO_WIRE_FORECAST_CONVERT_H_
#define FORECASTLE_PROTO_WIRE_FORECAST_CONVERT_H_

#include "absl/status/statusor.h"
#include "engine/forecast/backtest.h"
#include "engine/forecast/delivered.h"
#include "engine/forecast/forecast.h"
#include "engine/forecast/scenario.h"
#include "forecastle/v1/forecast.pb.h"

namespace forecastle {

// `overlay` applied on `base`: set scalar fields replace; lists of named things (segments,
// products, teams, stage probabilities) merge element by element on their key, new keys appended;
// other lists replace when the overlay has any. name, base and description are the overlay's.
v1::Scenario MergeScenario(const v1::Scenario& base, const v1::Scenario& overlay);

// The engine's scenario from a resolved message: fields still unset take the engine's defaults
// (forecast::DefaultScenario for the lists when the message has none). Validated: errors name
// the field, e.g. "segments[1].win_rate must be in [0, 1], got 1.5".
absl::StatusOr<forecast::Scenario> ScenarioFromProto(const v1::Scenario& message);
// Every field set.
v1::Scenario ScenarioToProto(const forecast::Scenario& scenario);

// Checks a message before it is stored: a valid name, and that it converts and validates on the
// defaults (a variant's full check happens when it is resolved against its base).
absl::Status CheckScenarioMessage(const v1::Scenario& message);

// About how many bytes a forecast's reply takes (a Compare's, with `variants` > 0): 13 metrics x
// `horizon` months of summaries with `quantiles` quantiles, `targets` probabilities a month, and
// per variant its forecast and its differences from the base. Known from the request alone, so a
// reply too large for the server's message limit is refused before anything runs.
int64_t ForecastReplyBytes(int horizon, int quantiles, int targets, int variants = 0);

void ForecastToProto(const forecast::ForecastResult& result, const forecast::ForecastOptions& options,
                     v1::ForecastReply* reply);
// variant - base per path, summarised, and P(variant > base).
void ComparisonToProto(const forecast::PathValues& base, const forecast::PathValues& variant,
                       const forecast::ForecastOptions& options, MonthIndex first_month,
                       v1::VariantComparison* out);

// A backtest request as the engine's options (the as-of month ends from..to by step);
// INVALID_ARGUMENT naming the field.
absl::StatusOr<forecast::BacktestOptions> BacktestOptionsFromProto(const v1::BacktestRequest& request);
void BacktestToProto(const forecast::BacktestReport& report, v1::BacktestReply* reply);

// One month of the teams' delivery history (engine/forecast/delivered.h).
void DeliveryMonthToProto(const forecast::DeliveryMonth& month, v1::DeliveryMonth* out);

}  // namespace forecastle

#endif  // FORECASTLE_PROTO_WIRE_FORECAST_CONVERT_H_
