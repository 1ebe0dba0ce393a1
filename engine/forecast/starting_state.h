// The state a forecast starts from: the exact actuals at the as-of date, reduced to what the
// simulation needs (open pipeline, backlog by kind, scheduled revenue and billing of existing
// subscriptions, remaining work per team, expiring subscriptions, open receivables).
#ifndef FORECASTLE_ENGINE_FORECAST_STARTING_STATE_H_
#define FORECASTLE_ENGINE_FORECAST_STARTING_STATE_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/ledger.h"
#include "engine/forecast/scenario.h"

namespace forecastle::forecast {

// An open opportunity as the simulation sees it. Money here and below is in currency units
// (double): forecasts are statistics (SPEC §2).
struct OpenDeal {
  uint64_t entity = 0;          // Identity::Of("opportunity", its id): its random stream
  int segment = 0;              // index into Scenario::segments
  int product = -1;             // index into Scenario::products; -1: drawn from the segment's mix
  double amount = 0;
  int expected_month = 0;       // forecast month it is expected to close (0 = the first)
  double close_fraction = 0.5;  // where in that month: (day - 1) / days in the month; 0.5 when
                                // its day is not known, 0 when it was expected before month 0
  double win_probability = 0;   // before the scenario's multiplier
};

// Subscriptions of existing contracts ending in one forecast month: what renewals may book.
struct ExpiringSubscriptions {
  double amount = 0;            // Σ amounts of the expiring lines
  double amount_squared = 0;    // Σ amount², for the variance of the renewed total
  double term_months = 12;      // amount-weighted mean term, for the renewed revenue's spread
  double start_fraction = 0;    // amount-weighted share of the month before the renewals start
};

struct StartingState {
  Date as_of;
  MonthIndex first_month = 0;   // the month after as_of's month
  int horizon = 0;              // months forecast
  // Exact balances at as_of.
  double backlog = 0;
  double unbilled_backlog = 0;
  double net_contract_liability = 0;  // deferred revenue - contract assets
  double accounts_receivable = 0;
  std::array<double, kAgeBuckets> receivables_by_age{};  // what is open at as_of, by AgeBucket
  // Σ (open amount)² over the invoices open at as_of, by AgeBucket: how lumpy each bucket is (its
  // collection's variance is Σ a² p (1 - p) when each invoice pays in a month with probability p).
  std::array<double, kAgeBuckets> receivables_squares_by_age{};
  // Existing subscriptions' revenue and the billing it brings, per forecast month (deterministic:
  // ratable lines follow their schedules). They bill upfront by the billing terms of the
  // scenario's first ratable product: each year (quarter, month) of a line, counted from its
  // start, is invoiced in the month it begins, net of what its contract billed ahead; with terms
  // in arrears or on delivery, as they recognise. Month 0's billing includes the invoicing of
  // contract assets and of running periods left unbilled.
  std::vector<double> scheduled_revenue;
  std::vector<double> scheduled_billing;
  // Effort and delivery work left per team (Scenario::teams order).
  std::vector<double> team_work_amount;
  std::vector<double> team_work_hours;   // at the estimates, before overrun
  // Per team and forecast month, the hours of that work its lines plan done by the month's end
  // (at the estimates): each line's hours left spread evenly over the months to its expected end
  // (all in the first month when it has none, or it is past).
  std::vector<std::vector<double>> team_work_planned;
  std::vector<double> team_prepaid;      // already billed for that work: not invoiced again
  std::vector<ExpiringSubscriptions> expiring;  // per forecast month
  std::vector<OpenDeal> open_deals;
  // Counts of what could not be matched to the scenario (reported, not fatal).
  int64_t deals_without_segment = 0;
};

// Builds the starting state from the ledger at `as_of` for `horizon` months. INVALID_ARGUMENT
// when the scenario does not validate; FAILED_PRECONDITION when effort or delivery work exists
// but no product of that kind names a team to do it.
absl::StatusOr<StartingState> BuildStartingState(const Ledger& ledger, const Scenario& scenario,
                                                 Date as_of, int horizon);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_STARTING_STATE_H_
