// Conversions for forecasts: scenario messages to the engine's partial and full scenarios and
// back (one loop over the field table of engine/forecast/scenario_fields.h), requests to the
// engine's queries, and forecast results to replies.
#ifndef FORECASTLE_PROTO_WIRE_FORECAST_CONVERT_H_
#define FORECASTLE_PROTO_WIRE_FORECAST_CONVERT_H_

#include "absl/status/statusor.h"
#include "engine/forecast/backtest.h"
#include "engine/forecast/delivered.h"
#include "engine/forecast/forecast.h"
#include "engine/forecast/forecaster.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/scenario_fields.h"
#include "forecastle/v1/forecast.pb.h"

namespace forecastle {

// A scenario message as the fields it sets (engine/forecast/scenario_fields.h), one loop over the
// scenario's field table; and back. INVALID_ARGUMENT naming the field for what the engine cannot
// hold: an unknown enum value, a month that does not parse, seasonality without 12 values.
absl::StatusOr<forecast::PartialScenario> PartialScenarioFromProto(const v1::Scenario& message);
v1::Scenario PartialScenarioToProto(const forecast::PartialScenario& scenario);

// A scenario message without a base as the engine's full scenario: its fields over the defaults
// (forecast::OverDefaults), validated; errors name the field, e.g. "segments[1].win_rate must be
// in [0, 1], got 1.5". (A variant is resolved against its base by forecast::Forecaster.)
absl::StatusOr<forecast::Scenario> ScenarioFromProto(const v1::Scenario& message);
// Every field set.
v1::Scenario ScenarioToProto(const forecast::Scenario& scenario);

// About how many bytes a forecast's reply takes (a Compare's, with `variants` > 0): 13 metrics x
// `horizon` months of summaries with `quantiles` quantiles, `targets` probabilities a month, and
// per variant its forecast and its differences from the base. Known from the request alone, so a
// reply too large for the server's message limit is refused before anything runs.
int64_t ForecastReplyBytes(int horizon, int quantiles, int targets, int variants = 0);

// Requests as the engine's queries. proto3's 0 (or empty) means "not given": the engine's
// default stays (forecast::ForecastQuery). INVALID_ARGUMENT naming the field for a date or an
// inline scenario that does not parse; the engine checks the rest.
absl::StatusOr<forecast::ForecastQuery> ForecastQueryFromProto(const v1::ForecastRequest& request);
absl::StatusOr<forecast::CompareQuery> CompareQueryFromProto(const v1::CompareRequest& request);
absl::StatusOr<forecast::CalibrateQuery> CalibrateQueryFromProto(const v1::CalibrateRequest& request);

// A forecast's reply: its setup (scenario, as-of, actuals, delivery history, warnings) and a
// result over all of its paths or, in a stream, over the paths done so far.
void ForecastToProto(const forecast::ForecastSetup& setup, const forecast::ForecastResult& result,
                     v1::ForecastReply* reply);
// A variant against the base: the paired differences summarised, and P(variant > base), by month
// from `first_month`.
void ComparisonToProto(const forecast::Comparison& comparison, MonthIndex first_month, v1::VariantComparison* out);
void ComparisonRunToProto(const forecast::ComparisonRun& run, v1::CompareReply* reply);
void CalibrationToProto(const forecast::Calibration& calibration, v1::CalibrateReply* reply);

// A backtest request as the engine's options (the as-of month ends from..to by step);
// INVALID_ARGUMENT naming the field.
absl::StatusOr<forecast::BacktestOptions> BacktestOptionsFromProto(const v1::BacktestRequest& request);
void BacktestToProto(const forecast::BacktestReport& report, v1::BacktestReply* reply);


}  // namespace forecastle

#endif  // FORECASTLE_PROTO_WIRE_FORECAST_CONVERT_H_
