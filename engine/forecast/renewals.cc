#include "engine/forecast/renewals.h"

#include "engine/forecast/booking.h"

namespace forecastle::forecast {

SubscriptionRenewals::SubscriptionRenewals(const StartingState& state, const Scenario& scenario)
    : state_(state),
      probability_(scenario.renewals.probability),
      uplift_(scenario.renewals.uplift),
      price_multiplier_(scenario.price_multiplier),
      renews_(scenario.renewals.probability) {
  for (size_t p = 0; p < scenario.products.size(); ++p) {
    if (scenario.products[p].kind == LineKind::kRatable) {
      product_ = static_cast<int>(p);
      break;
    }
  }
}

void SubscriptionRenewals::Simulate(PathContext& path, const Booking& booking) const {
  if (product_ < 0) return;
  const int horizon = path.horizon;
  OpeningDraws& draws = path.draws;
  draws.Reserve(static_cast<size_t>(horizon));
  for (int m = 0; m < horizon; ++m) draws.counter(static_cast<size_t>(m)) = Streams::ExpiringRenewal(path.first_month + m, path.path);
  draws.Compute(static_cast<size_t>(horizon), path.key);
  for (int m = 0; m < horizon; ++m) {
    const ExpiringSubscriptions& e = state_.expiring[static_cast<size_t>(m)];
    RandomStream stream(path.key, draws.counter(static_cast<size_t>(m)), draws.words(static_cast<size_t>(m)));
    const double z = stream.Normal();
    if (e.amount <= 0) continue;
    const double renewed = CohortRenewed(e.amount, e.amount_squared, z);
    const double size = renewed * (1 + uplift_) * price_multiplier_;
    const double scale = renewed > 0 ? size / renewed : 0;
    Sale sale;
    sale.month = m;
    sale.start_fraction = e.start_fraction;
    sale.size = size;
    sale.product = product_;
    sale.term_months = std::max(1, static_cast<int>(std::lround(e.term_months)));
    sale.key = SaleKey::Renewal(path.first_month + m);
    sale.cohort_squared = e.amount_squared * (renewed / e.amount) * scale * scale;
    booking.Book(path, sale, stream);
  }
}

}  // namespace forecastle::forecast
