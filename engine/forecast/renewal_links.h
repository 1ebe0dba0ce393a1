// Which subscription renewed which (SPEC §4.2), as known at an as-of date: one place that both
// calibration (renewal rate and uplift) and the forecast's starting state (what may still renew)
// read. A subscription S is renewed by a later subscription R of the same customer, in another
// contract, of the same kind and term (lines record no product), whose start lies within
// [end(S) - 30 days, end(S) + 60 days]; each links at most once, nearest first.
#ifndef FORECASTLE_ENGINE_FORECAST_RENEWAL_LINKS_H_
#define FORECASTLE_ENGINE_FORECAST_RENEWAL_LINKS_H_

#include <cstdint>
#include <vector>

#include "engine/actuals/ledger.h"

namespace forecastle::forecast {

// A renewal may start this many days before its predecessor ends, or this many after.
inline constexpr int kRenewalEarlyDays = 30;
inline constexpr int kRenewalLateDays = 60;

struct Subscription {
  const ContractState* contract = nullptr;
  const LineState* line = nullptr;
  Date start, end;
  int term_months = 0;          // (end - start + 1) in months, rounded, at least 1
  bool cancelled = false;       // cancelled on or before as-of: it did not run to its end
  int64_t renewed_by = -1;      // index of the subscription that renewed it, -1 if none (yet)
  int64_t renews = -1;          // index of the subscription it renewed, -1 if none

  // Whether its renewal window has closed by `as_of` (it can no longer be renewed).
  bool WindowClosedBy(Date as_of) const { return end + kRenewalLateDays <= as_of; }
};

// The ratable lines of contracts signed on or before `as_of` with a positive amount, in
// (contract id, line) order, linked. Only what was known at `as_of` counts.
std::vector<Subscription> LinkRenewals(const Ledger& ledger, Date as_of);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_RENEWAL_LINKS_H_
