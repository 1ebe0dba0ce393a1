// The cash driver (SPEC §4 step 3, §4.4): an invoice is paid after a delay drawn from the payment
// mix, or goes bad (never collected: it stays receivable, as the ledger has no write-offs). The
// existing contracts' scheduled billing is collected by the mix's expected split, and the
// receivables open at as-of by their age buckets' monthly shares (expected values: too many
// invoices to draw one by one on every path), each month's collection of them moved by a normal
// draw with the variance their invoices' sizes give it.
#ifndef FORECASTLE_ENGINE_FORECAST_CASH_H_
#define FORECASTLE_ENGINE_FORECAST_CASH_H_

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/forecast/path_context.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/starting_state.h"
#include "engine/forecast/streams.h"

namespace forecastle::forecast {

// Where a month's invoice under terms in arrears falls, `lag` (payment.arrears_lag_months) after
// the month's end: the share 1 - fraction `whole` months after the month, `fraction` a month
// later still. The one split for new sales, work and existing subscriptions.
struct ArrearsSplit {
  explicit ArrearsSplit(double lag) : whole(static_cast<int>(std::floor(lag))), fraction(lag - std::floor(lag)) {}
  int whole;
  double fraction;
};

class Cash {
 public:
  // `scenario` must validate.
  Cash(const StartingState& state, const Scenario& scenario);

  // The existing contracts' collections (scheduled billing and receivables open at as-of) into
  // the path's flows.
  void Open(PathContext& path) const;
  // An invoice billed in `month` for `amount`: into billings, and after its delay into
  // collections unless it goes bad; both decided by `word`, the invoice's draw.
  // Months past the horizon land in the flows' spare slot. Callers draw the word whether or not
  // the invoice falls within the horizon, so the draws after it stay the same in every scenario.
  void Bill(PathContext& path, int month, double amount, uint32_t word) const {
    // One word decides both: below the bad-debt rate the invoice goes bad, and where it falls
    // within the bad (or the good) share picks the delay. No branches: the pick is random.
    const bool bad = bad_debt_.Below(word);
    const WordThreshold* thresholds = bad ? delay_if_bad_.data() : delay_if_good_.data();
    size_t k = 0;  // thresholds at or below the invoice's draw
    for (size_t j = 0; j + 1 < delay_months_.size(); ++j) k += !thresholds[j].Below(word);
    const int paid = month + delay_months_[k].first;
    Flows& flows = path.flows;
    flows.billings[static_cast<size_t>(std::min(month, path.horizon))] += amount;
    // A bad debt is never collected: it goes to the spare slot past the horizon, which no month
    // reads, and stays receivable.
    flows.collections[static_cast<size_t>(bad ? path.horizon : std::min(paid, path.horizon))] += amount;
  }

  // The invoice of `amount` of work or service done in `month` under terms in arrears, billed
  // payment.arrears_lag_months after the month's end: the whole months' share (1 - f) in month +
  // floor(lag) and f in the month after, f = lag - floor(lag); one invoice's draw for both parts.
  void BillInArrears(PathContext& path, int month, double amount, uint32_t word) const {
    Bill(path, month + arrears_.whole, amount * (1 - arrears_.fraction), word);
    if (arrears_.fraction > 0) Bill(path, month + arrears_.whole + 1, amount * arrears_.fraction, word);
  }
  // The share of a month's work in arrears still unbilled at the month's end.
  double ArrearsUnbilledShare() const { return arrears_.whole > 0 ? 1.0 : arrears_.fraction; }

 private:
  ArrearsSplit arrears_{1.0};
  std::vector<std::pair<int, double>> delay_months_;  // the payment delay mix in whole months
  // The k-th delay is picked by the first threshold above the invoice's draw: for bad debts
  // (below bad_debt_rate) at rate x (cumulative share), for the others at
  // rate + (1 - rate) x (cumulative share).
  WordThreshold bad_debt_;
  std::vector<WordThreshold> delay_if_bad_, delay_if_good_;
  std::vector<double> existing_collections_;  // per forecast month
  std::vector<double> receivables_expected_;  // per month: what it collects of the open receivables
  std::vector<double> receivables_sigma_;     // and that amount's sd
  double receivables_total_ = 0;              // Σ receivables_expected_
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_CASH_H_
