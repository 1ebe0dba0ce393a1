// One Monte Carlo path of the forecast model (SPEC §4), as a short loop over its drivers, each in
// a file of its own that owns its assumptions, its random streams and its speed tricks:
//   pipeline.h   open opportunities at as-of: win, slip, size        (§4.1 source 1)
//   arrivals.h   new opportunities per segment and month              (§4.1 source 2)
//   direct_sales.h  bookings without an opportunity: new customers, expansions (§4.1 source 3)
//   renewals.h   subscriptions renewing at the end of their terms     (§4.2)
//   booking.h    a won deal becomes lines by its product's template
//   delivery.h   teams (attrition, hiring, ramp-up) burn the work backlog down
//   cash.h       invoices become collections after a delay, or bad debt
// Every draw comes from a stream named in streams.h and keyed by (seed, entity, path), so a path
// is the same whichever thread runs it and whichever scenario (for the entities they share).
#ifndef FORECASTLE_ENGINE_FORECAST_MODEL_H_
#define FORECASTLE_ENGINE_FORECAST_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/forecast/arrivals.h"
#include "engine/forecast/booking.h"
#include "engine/forecast/cash.h"
#include "engine/forecast/delivery.h"
#include "engine/forecast/direct_sales.h"
#include "engine/forecast/path_context.h"
#include "engine/forecast/metric.h"
#include "engine/forecast/pipeline.h"
#include "engine/forecast/random.h"
#include "engine/forecast/renewals.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/starting_state.h"

namespace forecastle::forecast {

// Where one path writes: metric m of month t goes to values[(m * horizon + t) * stride].
struct PathOutput {
  float* values;
  size_t stride;
  int months_to_clear;  // first month (1-based) by whose end the work backlog at as-of is delivered
                        // (1 when there is none); horizon + 1 if not within the horizon
};

class PathModel {
 public:
  // `state` and `scenario` must outlive the model; `scenario` must validate. Prepares every
  // driver once; Run may then be called from many threads at once.
  PathModel(const StartingState& state, const Scenario& scenario, uint64_t seed);
  PathModel(const PathModel&) = delete;  // the drivers refer to one another
  PathModel& operator=(const PathModel&) = delete;

  // Path `path` into `out`, using `context` (one per thread, reused from path to path).
  void Run(uint64_t path, PathContext& context, PathOutput& out) const;

 private:
  // The balances month by month from the flows, and every metric into `out`.
  void WriteMetrics(const PathContext& path, PathOutput& out) const;

  const StartingState& state_;
  PhiloxKey key_;
  LogNormalTables tables_;
  Cash cash_;
  Delivery delivery_;
  SubscriptionRenewals renewals_;
  Booking booking_;
  Pipeline pipeline_;
  Arrivals arrivals_;
  DirectSales direct_sales_;
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_MODEL_H_
