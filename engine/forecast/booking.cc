#include "engine/forecast/booking.h"

#include <algorithm>
#include <cmath>

namespace forecastle::forecast {

Booking::Booking(const Scenario& scenario, const Cash& cash, const SubscriptionRenewals& renewals, const Delivery& delivery)
    : products_(scenario.products), cash_(cash), renewals_(renewals), delivery_(delivery) {
  for (const Product& product : scenario.products) {
    upfront_months_.push_back(UpfrontInvoiceMonths(product.billing));
    int team = -1;
    for (size_t t = 0; t < scenario.teams.size(); ++t) {
      if (scenario.teams[t].name == product.team) team = static_cast<int>(t);
    }
    team_.push_back(team);
    std::vector<WordThreshold>& terms = term_bounds_.emplace_back();
    if (product.term_mix.size() > 1) {
      double sum = 0;
      for (const TermShare& term : product.term_mix) terms.emplace_back(sum += term.share);
    }
  }
  for (const SegmentAssumptions& segment : scenario.segments) {
    std::vector<WordThreshold>& bounds = product_mix_.emplace_back();
    double sum = 0;
    for (const Product& product : scenario.products) {
      for (const auto& [name, share] : segment.product_mix) {
        if (name == product.name) sum += share;
      }
      bounds.emplace_back(sum);
    }
  }
}

void Booking::Book(PathContext& path, const Sale& sale, RandomStream& stream) const {
  const int product_index = sale.product;
  const Product& product = products_[static_cast<size_t>(product_index)];
  const int horizon = path.horizon;
  const int month = sale.month;
  const double size = sale.size;
  const int term = sale.term_months;
  double cohort_squared = sale.cohort_squared;
  if (month >= horizon) return;
  Flows& flows = path.flows;
  flows.bookings[static_cast<size_t>(month)] += size;
  // Service or work starts lead_time_months after the sale's day: in month `start`, after
  // `start_fraction` of it.
  const double begins = sale.start_fraction + product.lead_time_months;
  const int start = month + static_cast<int>(std::floor(begins));
  const double start_fraction = begins - std::floor(begins);
  if (product.kind == LineKind::kRatable) {
    int first = start;
    double amount = size;
    const double late = start_fraction, early = 1 - late;
    auto step = [&](int at, double change) { flows.ratable_step[static_cast<size_t>(std::min(horizon, at))] += change; };
    // The subscription and, while within the horizon, its renewals: `early` of a month's revenue
    // in its first month, whole months, then `late` in the month after its term.
    while (first < horizon) {
      const double per_month = amount / term;
      step(first, per_month * early);
      step(first + 1, per_month * late);
      step(first + term, -per_month * early);
      step(first + term + 1, -per_month * late);
      if (const int months = upfront_months_[static_cast<size_t>(product_index)]; months > 0) {
        for (int k = 0; k < term; k += months) {
          cash_.Bill(path, first + k, per_month * std::min(months, term - k), stream.Word());
        }
      } else if (product.billing == BillingTerms::kMonthlyInArrears) {
        for (int k = 0; k < term; ++k) cash_.BillInArrears(path, first + k, per_month, stream.Word());
      } else {
        cash_.Bill(path, first, amount, stream.Word());  // on delivery: the whole term at its start
      }
      first += term;
      if (first >= horizon) break;  // a renewal past the horizon is not drawn
      amount = renewals_.Renew(stream, amount, cohort_squared);
      if (amount <= 0) break;
      flows.bookings[static_cast<size_t>(first)] += amount;
    }
    return;
  }
  // An overrun lengthens the work, not its pace: the team works the planned hours a month.
  const double estimate = size * product.hours_per_unit_value;
  const double hours = estimate * delivery_.Overrun(stream.Word());
  const int team = team_[static_cast<size_t>(product_index)];
  if (hours <= 0 || team < 0) {  // no work to do: satisfied at the start
    if (start < horizon) flows.revenue[static_cast<size_t>(start)] += size;
    cash_.Bill(path, start, size, stream.Word());
    return;
  }
  if (upfront_months_[static_cast<size_t>(product_index)] > 0) cash_.Bill(path, start, size, stream.Word());
  const uint32_t delivery_word = product.billing == BillingTerms::kOnDelivery ? stream.Word() : 0;
  path.work.push_back(WorkItem{team, month, start, size, hours, 0.0, product.billing, delivery_word, sale.key, 0.0, 0.0,
                               estimate / std::max(1, product.term_months), start_fraction});
}

}  // namespace forecastle::forecast
