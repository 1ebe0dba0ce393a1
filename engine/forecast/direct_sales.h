// The bookings-without-an-opportunity driver (SPEC §4.1 source 3): per segment, new customers'
// contracts and existing customers' expansions arrive per month (Poisson with seasonality and a
// trend), at lognormal sizes, as products of the segment's mix. Each path draws its own growth
// from the trend's uncertainty, so the fan widens with the horizon as the history justifies.
#ifndef FORECASTLE_ENGINE_FORECAST_DIRECT_SALES_H_
#define FORECASTLE_ENGINE_FORECAST_DIRECT_SALES_H_

#include <cstdint>
#include <vector>

#include "engine/forecast/path_context.h"
#include "engine/forecast/random.h"
#include "engine/forecast/scenario.h"

namespace forecastle::forecast {

class Booking;

class DirectSales {
 public:
  // `scenario` must outlive the driver and validate.
  DirectSales(const Scenario& scenario, LogNormalTables& tables);
  void Simulate(PathContext& path, const Booking& booking) const;

  // At most this many bookings of one source in one month (bounds a path's work).
  static constexpr int64_t kMaxPerMonth = 100000;

 private:
  struct Source {
    int segment;                    // index into Scenario::segments
    const DirectBookings* bookings;
    uint64_t entity;                // Identity::Of(segment, 1 new customers / 2 expansions)
    const LogNormalTable* size;
    double size_scale;              // exp(mu) of the sizes' lognormal
    double log_growth;              // log(1 + growth_per_year)
  };
  std::vector<Source> sources_;     // those with bookings a month
  double price_multiplier_;
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_DIRECT_SALES_H_
