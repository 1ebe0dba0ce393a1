#include "engine/forecast/cash.h"

#include <algorithm>
#include <cmath>

namespace forecastle::forecast {

Cash::Cash(const StartingState& state, const Scenario& scenario) {
  for (const auto& [days, share] : scenario.payment.delay_days_mix) {
    delay_months_.emplace_back(static_cast<int>(std::lround(days / 30.4375)), share);
  }
  const double rate = scenario.payment.bad_debt_rate;
  bad_debt_ = WordThreshold(rate);
  double cumulative = 0;
  for (const auto& [months, share] : delay_months_) {
    cumulative += share;
    delay_if_bad_.emplace_back(rate * cumulative);
    delay_if_good_.emplace_back(rate + (1 - rate) * cumulative);
  }
  const int horizon = state.horizon;
  existing_collections_.assign(static_cast<size_t>(horizon), 0);
  auto collect = [&](int billed_month, double amount) {
    for (const auto& [delay, share] : delay_months_) {
      const int month = std::max(0, billed_month + delay);
      if (month >= horizon) continue;
      existing_collections_[static_cast<size_t>(month)] += amount * share * (1 - rate);
    }
  };
  for (int m = 0; m < horizon; ++m) collect(m, state.scheduled_billing[static_cast<size_t>(m)]);
  // Receivables open at as_of: what is still open is collected at its age bucket's monthly share,
  // the bucket it is in during each month (from its bucket's typical age at as_of). What is never
  // collected stays receivable.
  constexpr double kTypicalAgeDays[kAgeBuckets] = {15, 45, 75, 135, 270};
  for (int b = 0; b < kAgeBuckets; ++b) {
    double open = state.receivables_by_age[static_cast<size_t>(b)];
    for (int m = 0; m < horizon && open > 0; ++m) {
      const int age = static_cast<int>(kTypicalAgeDays[b] + 30.4375 * (m + 0.5));
      const double collected = open * scenario.payment.collection_by_age[static_cast<size_t>(AgeBucket(age))];
      existing_collections_[static_cast<size_t>(m)] += collected;
      open -= collected;
    }
  }
}

void Cash::Open(PathContext& path) const {
  for (size_t m = 0; m < existing_collections_.size(); ++m) {
    path.flows.collections[m] = existing_collections_[m];
  }
}

}  // namespace forecastle::forecast
