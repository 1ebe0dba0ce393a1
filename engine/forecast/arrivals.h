// The arrivals driver (SPEC §4 step 1, §4.1 source 2): new opportunities arrive per segment and
// month (Poisson, with seasonality and a demand factor correlated across segments), win at the
// segment's rate, close after a lognormal sales cycle at a lognormal size, and become a product
// of the segment's mix.
#ifndef FORECASTLE_ENGINE_FORECAST_ARRIVALS_H_
#define FORECASTLE_ENGINE_FORECAST_ARRIVALS_H_

#include <vector>

#include "engine/forecast/path_context.h"
#include "engine/forecast/random.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/starting_state.h"

namespace forecastle::forecast {

class Booking;

class Arrivals {
 public:
  // `state` and `scenario` must outlive the driver; `scenario` must validate.
  Arrivals(const StartingState& state, const Scenario& scenario, LogNormalTables& tables);
  void Simulate(PathContext& path, const Booking& booking) const;

  // At most this many won arrivals in one segment-month (so a path's work stays bounded and
  // their stream ids fit 20 bits).
  static constexpr int64_t kMaxPerCell = (int64_t{1} << 20) - 2;

 private:
  // Each segment-month's expected won arrivals (path.cell_means, month-major) from the month's
  // correlated demand shocks.
  void ExpectedWins(PathContext& path) const;
  // Each cell's count of won arrivals (path.arrival_counts).
  void CountWins(PathContext& path) const;

  struct SegmentDraws {
    const LogNormalTable* cycle;  // a new deal's sales cycle in months
    double cycle_scale;
    const LogNormalTable* size;   // a new deal's size
    double size_scale;
  };

  const StartingState& state_;
  const Scenario& scenario_;
  // F with F Fᵀ = the segment correlation (its Cholesky factor, or from its eigendecomposition
  // when it is only semi-definite), row-major: a month's demand shocks are F z for independent
  // standard normals z.
  std::vector<double> correlation_factor_;
  std::vector<SegmentDraws> segments_;
  std::vector<uint64_t> segment_entity_;  // per segment, Identity::Of("segment", name)
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_ARRIVALS_H_
