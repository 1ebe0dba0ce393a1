// The renewals driver (SPEC §4 step 1, §4.2): a subscription renews at the end of its term with
// the scenario's probability, at its amount times (1 + uplift). The existing subscriptions that
// expire in a month renew as a cohort: the renewed share of many lines, each renewing or not, is
// drawn from its normal approximation.
#ifndef FORECASTLE_ENGINE_FORECAST_RENEWALS_H_
#define FORECASTLE_ENGINE_FORECAST_RENEWALS_H_

#include <algorithm>
#include <cmath>

#include "engine/forecast/path_context.h"
#include "engine/forecast/random.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/starting_state.h"
#include "engine/forecast/streams.h"

namespace forecastle::forecast {

class Booking;

class SubscriptionRenewals {
 public:
  // `state` and `scenario` must outlive the driver; `scenario` must validate.
  SubscriptionRenewals(const StartingState& state, const Scenario& scenario);

  // The product renewals take (the scenario's first ratable product), -1 if none.
  int product() const { return product_; }

  // The next term's amount of a subscription of `amount` reaching the end of its term: 0 when it
  // does not renew. A single subscription renews all or nothing (one word of `stream`); a cohort
  // (`cohort_squared` = Σ amount² of its lines, > 0) renews a share, by its normal approximation
  // (one normal), and `cohort_squared` becomes the renewed cohort's.
  double Renew(RandomStream& stream, double amount, double& cohort_squared) const {
    double renewed;
    if (cohort_squared > 0) {
      renewed = CohortRenewed(amount, cohort_squared, stream.Normal());
      cohort_squared *= (renewed / amount) * (1 + uplift_) * (1 + uplift_);
    } else {
      renewed = renews_.Below(stream.Word()) ? amount : 0;
    }
    return renewed > 0 ? renewed * (1 + uplift_) : 0;
  }

  // The existing subscriptions expiring in each forecast month renew as a cohort, booked as new
  // subscriptions of the renewal product.
  void Simulate(PathContext& path, const Booking& booking) const;

 private:
  // The renewed part of a cohort of `amount` (Σ amount² = `amount_squared`) for the standard
  // normal z: p amount + sqrt(p (1 - p) Σ amount²) z, within [0, amount].
  double CohortRenewed(double amount, double amount_squared, double z) const {
    return std::clamp(probability_ * amount + std::sqrt(probability_ * (1 - probability_) * amount_squared) * z, 0.0,
                      amount);
  }

  const StartingState& state_;
  double probability_;
  double uplift_;
  double price_multiplier_;
  WordThreshold renews_;
  int product_ = -1;
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_RENEWALS_H_
