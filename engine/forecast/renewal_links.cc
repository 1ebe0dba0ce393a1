#include "engine/forecast/renewal_links.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <tuple>

#include "absl/container/flat_hash_map.h"

namespace forecastle::forecast {

std::vector<Subscription> LinkRenewals(const Ledger& ledger, Date as_of) {
  std::vector<Subscription> out;
  absl::flat_hash_map<uint32_t, std::vector<size_t>> by_customer;
  for (uint32_t index : ledger.ContractsInIdOrder()) {
    const ContractState& c = ledger.contracts()[index];
    if (c.contract.signed_on > as_of) continue;
    for (const LineState& line : c.lines) {
      if (line.line.kind != LineKind::kRatable || line.amount <= 0) continue;
      Subscription s;
      s.contract = &c;
      s.line = &line;
      s.start = *line.line.start_on;
      s.end = *line.line.end_on;
      s.term_months = std::max(1, static_cast<int>(std::lround((s.end - s.start + 1) / 30.4375)));
      s.cancelled = line.cancelled_on && *line.cancelled_on <= as_of && *line.cancelled_on <= s.end;
      by_customer[c.customer].push_back(out.size());
      out.push_back(s);
    }
  }
  // Every candidate pair (S, R) of one customer, the nearest first (ties in id order), taken
  // while both are free.
  std::vector<std::tuple<int, size_t, size_t>> pairs;  // (distance in days, S, R)
  for (const auto& [customer, subscriptions] : by_customer) {
    for (size_t s : subscriptions) {
      const Subscription& earlier = out[s];
      if (earlier.cancelled) continue;
      for (size_t r : subscriptions) {
        const Subscription& later = out[r];
        if (later.contract == earlier.contract || later.term_months != earlier.term_months ||
            later.start <= earlier.start || later.start < earlier.end - kRenewalEarlyDays ||
            later.start > earlier.end + kRenewalLateDays) {
          continue;
        }
        pairs.emplace_back(std::abs(later.start - (earlier.end + 1)), s, r);
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [distance, s, r] : pairs) {
    if (out[s].renewed_by >= 0 || out[r].renews >= 0) continue;
    out[s].renewed_by = static_cast<int64_t>(r);
    out[r].renews = static_cast<int64_t>(s);
  }
  return out;
}

}  // namespace forecastle::forecast
