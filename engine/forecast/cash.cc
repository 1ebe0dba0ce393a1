#include "engine/forecast/cash.h"

#include <algorithm>
#include <cmath>

namespace forecastle::forecast {

Cash::Cash(const StartingState& state, const Scenario& scenario) {
  arrears_ = ArrearsSplit(scenario.payment.arrears_lag_months);
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
  // Each month's collection of them varies as invoices of unequal sizes pay or not: a bucket of
  // which a share p pays in the month, its invoices still open with probability f (of those open
  // at as-of), has variance p (1 - p) f Σ a² (Σ a² over those open at as-of).
  constexpr double kTypicalAgeDays[kAgeBuckets] = {15, 45, 75, 135, 270};
  std::vector<double> variance(static_cast<size_t>(horizon), 0);
  receivables_expected_.assign(static_cast<size_t>(horizon), 0);
  for (int b = 0; b < kAgeBuckets; ++b) {
    const double at_as_of = state.receivables_by_age[static_cast<size_t>(b)];
    double open = at_as_of;
    for (int m = 0; m < horizon && open > 0; ++m) {
      const int age = static_cast<int>(kTypicalAgeDays[b] + 30.4375 * (m + 0.5));
      const double p = scenario.payment.collection_by_age[static_cast<size_t>(AgeBucket(age))];
      const double collected = open * p;
      existing_collections_[static_cast<size_t>(m)] += collected;
      receivables_expected_[static_cast<size_t>(m)] += collected;
      variance[static_cast<size_t>(m)] += p * (1 - p) * (open / at_as_of) * state.receivables_squares_by_age[static_cast<size_t>(b)];
      open -= collected;
    }
  }
  for (double v : variance) receivables_sigma_.push_back(std::sqrt(v));
  for (double e : receivables_expected_) receivables_total_ += e;
}

void Cash::Open(PathContext& path) const {
  std::vector<double>& collections = path.flows.collections;
  for (size_t m = 0; m < existing_collections_.size(); ++m) collections[m] = existing_collections_[m];
  // A month collects more or less of the open receivables than expected; what it collects early
  // the later months' collections of them do not (the earliest first), and what it leaves the
  // next month collects. Never below 0, never more than is left.
  RandomStream stream(path.key, Streams::OpenReceivables(path.path));
  const size_t horizon = receivables_sigma_.size();
  std::vector<double>& left = path.receivables_left;  // each month's expected collection of them, as drawn so far
  left.assign(receivables_expected_.begin(), receivables_expected_.end());
  double later = receivables_total_;  // Σ left[k] for k > m, kept as months go (rounding: at least 0 where used)
  for (size_t m = 0; m < horizon; ++m) {
    const double z = stream.Normal();
    later -= left[m];
    if (receivables_sigma_[m] <= 0) continue;
    const bool last = m + 1 == horizon;
    const double moved = std::clamp(receivables_sigma_[m] * z, -left[m], last ? INFINITY : std::max(0.0, later));
    collections[m] += moved;
    left[m] += moved;
    if (last) break;
    if (moved < 0) {
      collections[m + 1] -= moved;
      left[m + 1] -= moved;
    }
    later -= moved;  // given to the next month (moved < 0), or taken from the later ones below
    double owed = std::max(0.0, moved);  // collected early: what later months no longer collect
    for (size_t k = m + 1; k < horizon && owed > 0; ++k) {
      const double taken = std::min(owed, left[k]);
      collections[k] -= taken;
      left[k] -= taken;
      owed -= taken;
    }
  }
}

}  // namespace forecastle::forecast
