// The pipeline driver (SPEC §4 step 1, §4.1 source 1): each open opportunity at as-of wins with
// its stage's probability (times the scenario's multiplier), closes in its expected month plus a
// random slip, at its amount times a size noise, and becomes its product (or one drawn from its
// segment's mix).
#ifndef FORECASTLE_ENGINE_FORECAST_PIPELINE_H_
#define FORECASTLE_ENGINE_FORECAST_PIPELINE_H_

#include <vector>

#include "engine/forecast/path_context.h"
#include "engine/forecast/random.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/starting_state.h"
#include "engine/forecast/streams.h"

namespace forecastle::forecast {

class Booking;

class Pipeline {
 public:
  // `state` and `scenario` must outlive the driver; `scenario` must validate.
  Pipeline(const StartingState& state, const Scenario& scenario, LogNormalTables& tables);
  void Simulate(PathContext& path, const Booking& booking) const;

  // A deal slips at most this many months.
  static constexpr int kMaxSlipMonths = 120;
  // Months a deal slips, from its uniform u when it slips (`slips`): geometric with mean
  // 1 / (1 - q), the least k >= 1 with q^k <= u (ceil(log u / log q)), at most kMaxSlipMonths,
  // from powers[k] = q^k; 0 when it does not slip.
  static int SlipMonths(const std::vector<double>& powers, bool slips, double u);

 private:
  struct SegmentDraws {
    const LogNormalTable* size_noise;  // an open deal's final size around its amount
    double size_noise_scale;           // that makes the noise's mean 1
    std::vector<double> slip_powers;   // q^k, q = 1 - 1 / slip_months
    WordThreshold slips;               // slip_probability
  };

  const StartingState& state_;
  double price_multiplier_;
  std::vector<SegmentDraws> segments_;
  std::vector<WordThreshold> wins_;  // per open deal: its win probability with the multiplier
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_PIPELINE_H_
