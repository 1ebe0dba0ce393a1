#include "engine/forecast/starting_state.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/actuals/metrics.h"
#include "engine/actuals/recognition.h"
#include "engine/common/status_macros.h"
#include "engine/forecast/cash.h"
#include "engine/forecast/renewal_links.h"
#include "engine/forecast/streams.h"

namespace forecastle::forecast {
namespace {


// Months between an existing subscription's upfront invoices: those of the scenario's first
// ratable product (the one renewals take). 0 when it bills in arrears or on delivery: existing
// subscriptions then bill as they recognise.
int UpfrontBillingMonths(const Scenario& scenario) {
  const Product* subscription = ProductOfKind(scenario, LineKind::kRatable);
  return subscription ? UpfrontInvoiceMonths(subscription->billing) : 0;
}

// The share of its month before `day` begins, (day - 1) / days in the month; 0 for a day before
// `first_month` (what was due earlier starts at the forecast's start).
double MonthFraction(Date day, MonthIndex first_month) {
  const MonthIndex month = MonthOf(day);
  if (month < first_month) return 0;
  const Date first = FirstDayOfMonth(month);
  return static_cast<double>(day - first) / static_cast<double>(LastDayOfMonth(month) - first + 1);
}

// What every contract's projection needs from the scenario and the as-of date.
struct Projection {
  Date as_of;
  int horizon = 0;
  int effort_team = -1, delivery_team = -1;
  double delivery_hours_per_unit = 0;
  int billing_months = 0;          // UpfrontBillingMonths
  double arrears_lag_months = -1;  // the subscriptions bill in arrears this late (-1: they do not)
  std::vector<Date> month_ends;    // of each forecast month
};

// One contract's part of the projection, before its billing is settled.
struct ContractProjection {
  double remaining_ratable = 0;          // subscriptions' revenue still to recognise
  std::vector<double> remaining_work;    // per team, the amount of work left
  std::vector<double> revenue;           // per forecast month, its subscriptions' schedule
  // Upfront billing of the subscriptions: each billing period's revenue invoiced in the month it
  // starts (periods counted from each line's start), and what the periods running at as_of
  // should have billed already.
  std::vector<double> period_billing;
  double period_prepaid = 0;
};

// A subscription line's schedule and its upfront billing periods.
void ProjectSubscription(const Projection& p, const ContractState& c, const LineState& line, Cents recognized,
                         ContractProjection& out, StartingState& state) {
  const Line& l = line.line;
  const Date signed_on = c.contract.signed_on;
  out.remaining_ratable += Units(line.amount - recognized);
  Cents previous = recognized;
  for (size_t m = 0; m < p.month_ends.size(); ++m) {
    const Cents through = ScheduledThrough(line, signed_on, p.month_ends[m], p.as_of);
    out.revenue[m] += Units(through - previous);
    previous = through;
  }
  for (int k = 0; p.billing_months > 0 && *l.end_on > p.as_of; ++k) {
    const Date period = AddMonths(*l.start_on, k * p.billing_months);
    if (period > *l.end_on) break;
    const Date period_end = std::min(*l.end_on, AddMonths(*l.start_on, (k + 1) * p.billing_months) - 1);
    if (period_end <= p.as_of) continue;
    const Cents through_end = ScheduledThrough(line, signed_on, period_end, p.as_of);
    if (period <= p.as_of) {
      out.period_prepaid += Units(through_end - recognized);
      continue;
    }
    // A period starting in the rest of the as-of month is billed in the first forecast month,
    // which takes that rest (as scheduled revenue does).
    const int month = std::max(0, MonthOf(period) - state.first_month);
    if (month >= p.horizon) break;
    out.period_billing[static_cast<size_t>(month)] +=
        Units(through_end - ScheduledThrough(line, signed_on, period - 1, p.as_of));
  }
}

// The subscriptions that may still renew (SPEC §4.2): not renewed by as_of, not cancelled, their
// window still open (one that ended on or before as_of included), ending within the horizon.
// Those ending by the end of the as-of month renew in the first forecast month.
void AddExpiring(const Ledger& ledger, StartingState& state) {
  for (const Subscription& s : LinkRenewals(ledger, state.as_of)) {
    if (s.cancelled || s.renewed_by >= 0 || s.WindowClosedBy(state.as_of)) continue;
    const MonthIndex renew = std::max(0, MonthOf(s.end + 1) - state.first_month);
    if (renew >= state.horizon) continue;
    ExpiringSubscriptions& e = state.expiring[static_cast<size_t>(renew)];
    const double amount = Units(s.line->amount);
    const double term = std::max(1.0, std::round((s.end - s.start + 1) / 30.4375));
    e.term_months = (e.term_months * e.amount + term * amount) / std::max(1e-9, e.amount + amount);
    e.start_fraction = (e.start_fraction * e.amount + MonthFraction(s.end + 1, state.first_month) * amount) /
                       std::max(1e-9, e.amount + amount);
    e.amount += amount;
    e.amount_squared += amount * amount;
  }
}

// An effort or delivery line's work left at as_of, for the team doing that kind of work.
absl::Status ProjectWork(const Projection& p, const LineState& line, Date signed_on, Cents remaining,
                         ContractProjection& out, StartingState& state) {
  const Line& l = line.line;
  const ProgressPoint* last = line.ProgressThrough(p.as_of);  // progress known at as_of only
  if (remaining <= 0 || (last && last->complete)) return absl::OkStatus();
  const int team = l.kind == LineKind::kEffort ? p.effort_team : p.delivery_team;
  if (team < 0) {
    return absl::FailedPreconditionError(absl::StrCat("products: the backlog holds ", LineKindName(l.kind),
                                                      " work but no product of that kind names a team to do it"));
  }
  double hours;
  if (l.kind == LineKind::kEffort) {
    const double estimate = (last ? last->estimated_hours : *l.estimated_hours) / 100.0;
    const double spent = (last ? last->hours_to_date : 0) / 100.0;
    hours = std::max(estimate - spent, 0.05 * estimate);
  } else {
    hours = Units(remaining) * p.delivery_hours_per_unit;
  }
  out.remaining_work[static_cast<size_t>(team)] += Units(remaining);
  state.team_work_amount[static_cast<size_t>(team)] += Units(remaining);
  state.team_work_hours[static_cast<size_t>(team)] += hours;
  // The plan: what is left spread evenly over the months to the expected end, and never slower
  // than the line's planned pace (its estimate over its planned months from signing), so work
  // past its expected end goes on at that pace rather than all at once.
  const int months = l.expected_end_on ? MonthOf(*l.expected_end_on) - state.first_month + 1 : 0;
  double pace = 0;
  if (l.kind == LineKind::kEffort && l.expected_end_on) {
    const double planned_months = std::max(1.0, (*l.expected_end_on - signed_on) / 30.4375);
    pace = (last ? last->estimated_hours : *l.estimated_hours) / 100.0 / planned_months;
  }
  const double per_month = std::max(months >= 1 ? hours / months : (pace > 0 ? 0.0 : hours), pace);
  std::vector<double>& planned = state.team_work_planned[static_cast<size_t>(team)];
  for (size_t m = 0; m < planned.size(); ++m) {
    planned[m] += std::min(hours, per_month * static_cast<double>(m + 1));
  }
  return absl::OkStatus();
}

// What the contract billed beyond its revenue so far (`ahead`). With upfront terms its
// subscriptions' running periods take their share first (`period_prepaid`: billed at the periods'
// starts); else every remaining subscription and work shares it in proportion. What is left
// prepays the work in proportion (and, without work, the next subscription invoices); a shortfall
// (a contract asset) is invoiced in the first forecast month. Subscriptions then bill as they
// recognise (in arrears, on delivery) or at their periods' starts (upfront), once what was billed
// ahead is used up.
void SettleBilling(const Projection& p, double ahead, const ContractProjection& c, StartingState& state) {
  double remaining_work_total = 0;
  for (double w : c.remaining_work) remaining_work_total += w;
  double ratable_share = c.remaining_ratable;  // what the ratable lines' share of `ahead` is in proportion to
  if (p.billing_months > 0) {
    ahead -= c.period_prepaid;
    ratable_share = remaining_work_total > 0 ? 0 : 1;
  }
  const double shares = ratable_share + remaining_work_total;
  double prepaid_ratable = 0;
  if (ahead > 0 && shares > 0) {
    prepaid_ratable = ahead * ratable_share / shares;
    for (size_t t = 0; t < c.remaining_work.size(); ++t) state.team_prepaid[t] += ahead * c.remaining_work[t] / shares;
  } else if (ahead < 0) {
    state.scheduled_billing[0] += -ahead;
  }
  const std::vector<double>& billing = p.billing_months > 0 ? c.period_billing : c.revenue;
  // In arrears, a month's revenue is invoiced arrears_lag_months after its end (as
  // Cash::BillInArrears does for new sales); past the horizon it is not forecast.
  const ArrearsSplit split(std::max(0.0, p.arrears_lag_months));
  const auto whole = static_cast<size_t>(split.whole);
  const double fraction = split.fraction;
  for (size_t m = 0; m < billing.size(); ++m) {
    const double used = std::min(prepaid_ratable, billing[m]);
    prepaid_ratable -= used;
    const double billed = billing[m] - used;
    if (m + whole < billing.size()) state.scheduled_billing[m + whole] += billed * (1 - fraction);
    if (fraction > 0 && m + whole + 1 < billing.size()) state.scheduled_billing[m + whole + 1] += billed * fraction;
  }
  for (size_t m = 0; m < c.revenue.size(); ++m) state.scheduled_revenue[m] += c.revenue[m];
}

// One contract signed by as_of: its subscriptions' schedules and renewals, its work left, and
// the billing still to come.
absl::Status ProjectContract(const Projection& p, const ContractState& c, size_t teams, StartingState& state) {
  Cents billed = 0;
  for (const DatedAmount& b : c.billings) billed += b.on <= p.as_of ? b.amount : 0;
  Cents recognized_now = 0;
  const auto h = static_cast<size_t>(p.horizon);
  ContractProjection out{0, std::vector<double>(teams, 0), std::vector<double>(h, 0), std::vector<double>(h, 0), 0};
  for (const LineState& line : c.lines) {
    const Cents recognized = RecognizedThrough(line, c.contract.signed_on, p.as_of);
    recognized_now += recognized;
    if (line.cancelled_on && *line.cancelled_on <= p.as_of) continue;
    if (line.line.kind == LineKind::kRatable) {
      ProjectSubscription(p, c, line, recognized, out, state);
    } else {
      RETURN_IF_ERROR(ProjectWork(p, line, c.contract.signed_on, line.amount - recognized, out, state));
    }
  }
  SettleBilling(p, Units(billed - recognized_now), out, state);
  return absl::OkStatus();
}

// Each invoice's amount still open at as_of (issued by then, less what was paid by then), by its
// age, in cents: exact, and summing to the AR balance.
void AddReceivablesByAge(const Ledger& ledger, StartingState& state) {
  const std::vector<Cents> paid = ledger.PaidThrough(state.as_of);
  std::array<Cents, kAgeBuckets> open{};
  for (size_t i = 0; i < ledger.invoices().size(); ++i) {
    const Invoice& invoice = ledger.invoices()[i].invoice;
    if (invoice.issued_on > state.as_of) continue;
    const auto bucket = static_cast<size_t>(AgeBucket(state.as_of - invoice.issued_on));
    const Cents unpaid = invoice.amount - paid[i];
    open[bucket] += unpaid;
    if (unpaid > 0) state.receivables_squares_by_age[bucket] += Units(unpaid) * Units(unpaid);
  }
  for (size_t b = 0; b < open.size(); ++b) state.receivables_by_age[b] = Units(open[b]);
}

// The opportunities open at as_of: created by then and not closed by then (a later close is not
// known yet), in id order.
void AddOpenDeals(const Ledger& ledger, const Scenario& scenario, StartingState& state) {
  absl::flat_hash_map<std::string, int> segment_index, product_index, stage_probability_index;
  for (size_t s = 0; s < scenario.segments.size(); ++s) segment_index[scenario.segments[s].name] = static_cast<int>(s);
  for (size_t p = 0; p < scenario.products.size(); ++p) product_index[scenario.products[p].name] = static_cast<int>(p);
  for (size_t k = 0; k < scenario.stage_win_probability.size(); ++k) {
    stage_probability_index[scenario.stage_win_probability[k].first] = static_cast<int>(k);
  }
  for (uint32_t index : ledger.OpportunitiesInIdOrder()) {
    const Opportunity& o = ledger.opportunities()[index];
    if (o.created_on > state.as_of ||
        (o.status != OpportunityStatus::kOpen && o.closed_on && *o.closed_on <= state.as_of)) {
      continue;
    }
    auto segment = segment_index.find(o.segment);
    if (segment == segment_index.end()) {
      ++state.deals_without_segment;
      continue;
    }
    OpenDeal deal;
    deal.entity = Identity::Of("opportunity", o.opportunity_id);
    deal.segment = segment->second;
    auto product = product_index.find(o.product);
    deal.product = product == product_index.end() ? -1 : product->second;
    deal.amount = Units(o.amount);
    deal.expected_month = o.expected_close_on ? std::max(0, MonthOf(*o.expected_close_on) - state.first_month) : 0;
    if (o.expected_close_on) deal.close_fraction = MonthFraction(*o.expected_close_on, state.first_month);
    auto stage = stage_probability_index.find(o.stage);
    deal.win_probability = stage != stage_probability_index.end()
                               ? scenario.stage_win_probability[static_cast<size_t>(stage->second)].second
                               : scenario.segments[static_cast<size_t>(deal.segment)].win_rate;
    state.open_deals.push_back(deal);
  }
}

}  // namespace

absl::StatusOr<StartingState> BuildStartingState(const Ledger& ledger, const Scenario& scenario,
                                                 Date as_of, int horizon) {
  RETURN_IF_ERROR(Validate(scenario));
  StartingState state;
  state.as_of = as_of;
  state.first_month = MonthOf(as_of) + 1;
  state.horizon = horizon;
  const auto h = static_cast<size_t>(horizon);
  state.scheduled_revenue.assign(h, 0);
  state.scheduled_billing.assign(h, 0);
  state.expiring.assign(h, ExpiringSubscriptions{0, 0, 0});
  state.team_work_amount.assign(scenario.teams.size(), 0);
  state.team_work_hours.assign(scenario.teams.size(), 0);
  state.team_work_planned.assign(scenario.teams.size(), std::vector<double>(static_cast<size_t>(horizon), 0));
  state.team_prepaid.assign(scenario.teams.size(), 0);

  // Balances at as_of, from the one place that computes them.
  MetricsQuery query;
  query.from = query.to = MonthOf(as_of);
  query.as_of = as_of;
  ASSIGN_OR_RETURN(std::vector<MetricsTable> tables, ComputeMetrics(ledger, query));
  const PeriodMetrics& now = tables.front().periods.front();
  state.backlog = Units(now.backlog);
  state.unbilled_backlog = Units(now.unbilled_backlog);
  state.net_contract_liability = Units(now.deferred_revenue - now.contract_assets);
  state.accounts_receivable = Units(now.accounts_receivable);
  AddReceivablesByAge(ledger, state);

  Projection projection;
  projection.as_of = as_of;
  projection.horizon = horizon;
  projection.effort_team = TeamOfKind(scenario, LineKind::kEffort);
  projection.delivery_team = TeamOfKind(scenario, LineKind::kDelivery);
  const Product* goods = ProductOfKind(scenario, LineKind::kDelivery);
  projection.delivery_hours_per_unit = goods ? goods->hours_per_unit_value : 0;
  projection.billing_months = UpfrontBillingMonths(scenario);
  if (const Product* subscription = ProductOfKind(scenario, LineKind::kRatable);
      subscription != nullptr && subscription->billing == BillingTerms::kMonthlyInArrears) {
    projection.arrears_lag_months = scenario.payment.arrears_lag_months;
  }
  projection.month_ends.resize(h);
  for (size_t m = 0; m < h; ++m) projection.month_ends[m] = LastDayOfMonth(state.first_month + static_cast<int>(m));
  // Contracts and opportunities are visited in id order: no sum depends on the import's order.
  for (uint32_t index : ledger.ContractsInIdOrder()) {
    const ContractState& c = ledger.contracts()[index];
    if (c.contract.signed_on > as_of) continue;
    RETURN_IF_ERROR(ProjectContract(projection, c, scenario.teams.size(), state));
  }
  AddExpiring(ledger, state);
  AddOpenDeals(ledger, scenario, state);
  return state;
}

}  // namespace forecastle::forecast
