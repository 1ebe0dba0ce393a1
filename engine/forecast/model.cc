#include "engine/forecast/model.h"

#include <algorithm>

namespace forecastle::forecast {

PathModel::PathModel(const StartingState& state, const Scenario& scenario, uint64_t seed)
    : state_(state),
      key_(RandomStream::KeyOf(seed)),
      cash_(state, scenario),
      delivery_(state, scenario, tables_, cash_),
      renewals_(state, scenario),
      booking_(scenario, cash_, renewals_, delivery_),
      pipeline_(state, scenario, tables_),
      arrivals_(state, scenario, tables_),
      direct_sales_(scenario, tables_) {}

void PathModel::Run(uint64_t path, PathContext& context, PathOutput& out) const {
  const int horizon = state_.horizon;
  context.path = path;
  context.horizon = horizon;
  context.first_month = state_.first_month;
  context.key = key_;
  context.flows.Reset(horizon);
  context.work.clear();
  // The existing contracts: their scheduled revenue and billing, and the cash they bring.
  for (size_t m = 0; m < static_cast<size_t>(horizon); ++m) {
    context.flows.revenue[m] = state_.scheduled_revenue[m];
    context.flows.billings[m] = state_.scheduled_billing[m];
  }
  cash_.Open(context);
  delivery_.QueueBacklog(context);
  // Every source of bookings, then the teams deliver what was sold.
  pipeline_.Simulate(context, booking_);
  arrivals_.Simulate(context, booking_);
  direct_sales_.Simulate(context, booking_);
  renewals_.Simulate(context, booking_);
  delivery_.Simulate(context);
  WriteMetrics(context, out);
}

void PathModel::WriteMetrics(const PathContext& path, PathOutput& out) const {
  const int horizon = path.horizon;
  const Flows& flows = path.flows;
  double backlog = state_.backlog, unbilled = state_.unbilled_backlog, net_liability = state_.net_contract_liability,
         receivable = state_.accounts_receivable;
  double ratable = 0;  // ratable revenue of the month, from flows.ratable_step
  for (int m = 0; m < horizon; ++m) {
    const TeamMonth& month = path.team_months[static_cast<size_t>(m)];
    const size_t i = static_cast<size_t>(m);
    ratable += flows.ratable_step[i];
    const double revenue = flows.revenue[i] + ratable;
    backlog += flows.bookings[i] - revenue;
    unbilled += flows.bookings[i] - flows.billings[i];
    net_liability += flows.billings[i] - revenue;
    receivable += flows.billings[i] - flows.collections[i];  // bad debts stay receivable, as in the ledger
    const double values[kMetricCount] = {
        flows.bookings[i], revenue, flows.billings[i], flows.collections[i], backlog, unbilled,
        std::max(0.0, net_liability + month.arrears_unbilled + std::max(0.0, month.delivery_unbilled)), receivable,
        month.work_left_hours, month.capacity_hours,
        month.capacity_hours > 0 ? month.worked_hours / month.capacity_hours : 0.0, month.headcount, month.cost};
    for (int k = 0; k < kMetricCount; ++k) {
      out.values[(static_cast<size_t>(k) * static_cast<size_t>(horizon) + i) * out.stride] = static_cast<float>(values[k]);
    }
  }
  out.months_to_clear = path.months_to_clear;
}

}  // namespace forecastle::forecast
