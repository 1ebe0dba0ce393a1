// How a won deal becomes lines (SPEC §4 step 1): by its product's template, a subscription of
// `term` months (with its renewals while the horizon lasts), or effort or delivery work queued
// for the product's team; each bills by the product's terms. Every source of bookings
// (pipeline, arrivals, direct sales, renewals) books through here.
#ifndef FORECASTLE_ENGINE_FORECAST_BOOKING_H_
#define FORECASTLE_ENGINE_FORECAST_BOOKING_H_

#include <cstdint>
#include <vector>

#include "engine/forecast/cash.h"
#include "engine/forecast/delivery.h"
#include "engine/forecast/path_context.h"
#include "engine/forecast/random.h"
#include "engine/forecast/renewals.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/streams.h"

namespace forecastle::forecast {

// A won deal, as a source of bookings hands it over.
struct Sale {
  int month = 0;               // forecast month it is booked (signed)
  // The share of its first month of service before the service starts: a subscription starting
  // on the 15th of a 31-day month serves 17/31 of it (SPEC §3.2, monthly convention) and the
  // rest in the month after its term.
  double start_fraction = 0;
  double size = 0;             // currency units
  int product = 0;             // index into Scenario::products
  int term_months = 12;        // ratable: months of service
  uint64_t key = 0;            // SaleKey: what its monthly work invoices draw from
  // > 0: a cohort of existing subscriptions (Σ amount²), renewed as a share rather than all or
  // nothing.
  double cohort_squared = 0;
};

class Booking {
 public:
  // The drivers and `scenario` must outlive this; `scenario` must validate.
  Booking(const Scenario& scenario, const Cash& cash, const SubscriptionRenewals& renewals, const Delivery& delivery);

  // A sale becomes a line of its product: a subscription over its term (renewing while the
  // horizon lasts), or work for the product's team. Draws its overrun and invoices from
  // `stream`. Nothing is drawn for a sale booked past the horizon.
  void Book(PathContext& path, const Sale& sale, RandomStream& stream) const;

  // The product a deal of `segment` becomes, by its segment's product mix, from its `word`: the
  // first product whose cumulative share exceeds the word's uniform (the last if rounding leaves
  // it above all).
  int PickProduct(int segment, uint32_t word) const {
    const std::vector<WordThreshold>& bounds = product_mix_[static_cast<size_t>(segment)];
    int below = 0;  // counted without branches: the pick is random
    for (size_t p = 0; p + 1 < bounds.size(); ++p) below += !bounds[p].Below(word);
    return below;
  }
  // A sale's term: its product's term_months, or one drawn from its term_mix by a word of
  // `stream` (drawn only when the mix has more than one term, so that a product without one
  // leaves the stream as it was).
  int DrawTerm(int product, RandomStream& stream) const {
    const std::vector<WordThreshold>& bounds = term_bounds_[static_cast<size_t>(product)];
    if (bounds.empty()) return products_[static_cast<size_t>(product)].term_months;
    const uint32_t word = stream.Word();
    size_t below = 0;
    while (below + 1 < bounds.size() && !bounds[below].Below(word)) ++below;
    return products_[static_cast<size_t>(product)].term_mix[below].months;
  }

 private:
  const std::vector<Product>& products_;
  const Cash& cash_;
  const SubscriptionRenewals& renewals_;
  const Delivery& delivery_;
  std::vector<int> upfront_months_;  // per product, UpfrontInvoiceMonths of its billing terms
  std::vector<int> team_;            // per product, the index of its team (-1: none)
  // Per segment, the cumulative product shares in product order.
  std::vector<std::vector<WordThreshold>> product_mix_;
  // Per product, the cumulative shares of its term_mix; empty with fewer than two terms.
  std::vector<std::vector<WordThreshold>> term_bounds_;
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_BOOKING_H_
