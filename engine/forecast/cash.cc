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
  existing_write_offs_.assign(static_cast<size_t>(horizon), 0);
  auto collect = [&](int billed_month, double amount) {
    for (const auto& [delay, share] : delay_months_) {
      const int month = std::max(0, billed_month + delay);
      if (month >= horizon) continue;
      existing_collections_[static_cast<size_t>(month)] += amount * share * (1 - rate);
      existing_write_offs_[static_cast<size_t>(month)] += amount * share * rate;
    }
  };
  collect(-1, state.accounts_receivable);  // open at as_of: as if billed in the as-of month
  for (int m = 0; m < horizon; ++m) collect(m, state.scheduled_billing[static_cast<size_t>(m)]);
}

void Cash::Open(PathContext& path) const {
  for (size_t m = 0; m < existing_collections_.size(); ++m) {
    path.flows.collections[m] = existing_collections_[m];
    path.flows.write_offs[m] = existing_write_offs_[m];
  }
}

}  // namespace forecastle::forecast
