// The Monte Carlo forecast against what must hold: the same bits at any thread count, exact
// projections when nothing is random, closed forms within 4 standard errors, common random
// numbers that shrink compared differences, validation, and prompt cancellation.
#include "engine/forecast/forecast.h"

#include <chrono>
#include <cmath>
#include <tuple>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/actuals/metrics.h"
#include "engine/common/status_macros.h"
#include "engine/forecast/streams.h"
#include "tbb/global_control.h"
#include "tests/testing/ledger_builder.h"
#include "tests/testing/sample_ledger.h"
#include "tests/testing/status_matchers.h"

namespace forecastle::forecast {
namespace {

using ::forecastle::testing::ApplyAll;
using ::forecastle::testing::Con;
using ::forecastle::testing::Cust;
using ::forecastle::testing::D;
using ::forecastle::testing::Complete;
using ::forecastle::testing::Effort;
using ::forecastle::testing::Hours;
using ::forecastle::testing::Inv;
using ::forecastle::testing::Ratable;
using ::forecastle::testing::StatusIs;
using ::testing::HasSubstr;

Opportunity Open(std::string id, std::string segment, absl::string_view amount, std::string stage,
                 absl::string_view expected_close, std::string product = "") {
  Opportunity o;
  o.opportunity_id = std::move(id);
  o.segment = std::move(segment);
  o.amount = ::forecastle::testing::C(amount);
  o.created_on = D("2026-01-01");
  o.status = OpportunityStatus::kOpen;
  o.stage = std::move(stage);
  o.expected_close_on = D(expected_close);
  o.product = std::move(product);
  return o;
}

// Nothing random: certain wins, no slip, no size noise, no arrivals, no attrition, one team of
// fixed capacity, exact overrun, one payment delay, no bad debt, no renewals.
Scenario Degenerate() {
  Scenario s;
  s.name = "degenerate";
  SegmentAssumptions smb;
  smb.name = "smb";
  smb.arrivals_per_month = 0;
  smb.slip_probability = 0;
  smb.open_deal_size_sigma = 0;
  smb.product_mix = {{"subscription", 1.0}};
  s.segments = {smb};
  s.stage_win_probability = {{"negotiate", 1.0}};
  s.products = {Product{"subscription", LineKind::kRatable, 12, BillingTerms::kAnnualUpfront, 0, 0, ""},
                // Planned over one month: capacity alone sets the pace of the hand projections.
                Product{"services", LineKind::kEffort, 1, BillingTerms::kMonthlyInArrears, 0.01, 0, "delivery"}};
  s.teams = {Team{"delivery", 1, 40, 1.0, 0, 0.0, 1000}};
  s.renewals.probability = 0;
  s.effort_overrun = 1;
  s.effort_overrun_sigma = 0;
  s.payment.delay_days_mix = {{30, 1.0}};
  s.payment.bad_debt_rate = 0;
  s.demand_volatility = 0;
  return s;
}

// The hand projections' forecast: `ledger` as of 2026-10-31, six months ahead.
absl::StatusOr<ForecastResult> ProjectSixMonths(const Ledger& ledger, const Scenario& scenario,
                                                const ForecastOptions& options) {
  ASSIGN_OR_RETURN(const StartingState state, BuildStartingState(ledger, scenario, D("2026-10-31"), 6));
  return RunForecast(state, scenario, options);
}

// Each month's mean of `metric`.
std::vector<double> Means(const ForecastResult& result, Metric metric) {
  std::vector<double> out;
  for (const Summary& s : result.summaries[metric]) out.push_back(s.mean);
  return out;
}

TEST(Forecast, DegenerateScenarioEqualsTheHandProjection) {
  // Backlog: 100 estimated hours of effort worth 10,000.00, nothing done yet. Pipeline: a
  // 12,000.00 subscription certain to close on 1 December, billed annually upfront.
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Effort("C", "L", "10000.00", "100"),
                    Open("O1", "smb", "12000.00", "negotiate", "2026-12-01", "subscription")});
  ForecastOptions options;
  options.paths = 16;
  options.targets = {Target{kRevenue, 4500}, Target{kBacklog, 10000}};
  auto result = ProjectSixMonths(ledger, Degenerate(), options);
  ASSERT_TRUE(result.ok()) << result.status();
  for (int metric = 0; metric < kMetricCount; ++metric) {
    for (const Summary& s : result->summaries[metric]) EXPECT_EQ(s.std, 0) << MetricName(static_cast<Metric>(metric));
  }
  auto mean = [&](Metric metric) { return Means(*result, metric); };
  using ::testing::ElementsAre;
  // 40 hours a month: 4,000.00 of effort revenue in Nov and Dec, 2,000.00 in Jan; the
  // subscription recognises 1,000.00 a month from December.
  EXPECT_THAT(mean(kBookings), ElementsAre(0, 12000, 0, 0, 0, 0));
  EXPECT_THAT(mean(kRevenue), ElementsAre(4000, 5000, 3000, 1000, 1000, 1000));
  // Effort billed monthly in arrears; the subscription's year upfront in December.
  EXPECT_THAT(mean(kBillings), ElementsAre(0, 16000, 4000, 2000, 0, 0));
  EXPECT_THAT(mean(kCollections), ElementsAre(0, 0, 16000, 4000, 2000, 0));
  EXPECT_THAT(mean(kBacklog), ElementsAre(6000, 13000, 10000, 9000, 8000, 7000));
  EXPECT_THAT(mean(kUnbilledBacklog), ElementsAre(10000, 6000, 2000, 0, 0, 0));
  // Deferred revenue is the subscription's billed and unrecognised part (12,000.00 billed in
  // December, 1,000.00 a month recognised); the effort's earned and unbilled revenue is a
  // contract asset of its own contract, not netted against it.
  EXPECT_THAT(mean(kDeferredRevenue), ElementsAre(0, 11000, 10000, 9000, 8000, 7000));
  EXPECT_THAT(mean(kAccountsReceivable), ElementsAre(0, 16000, 4000, 2000, 0, 0));
  EXPECT_THAT(mean(kWorkBacklogHours), ElementsAre(60, 20, 0, 0, 0, 0));
  EXPECT_THAT(mean(kCapacityHours), ElementsAre(40, 40, 40, 40, 40, 40));
  EXPECT_THAT(mean(kUtilization), ElementsAre(1, 1, 0.5, 0, 0, 0));
  EXPECT_THAT(mean(kHeadcount), ElementsAre(1, 1, 1, 1, 1, 1));
  EXPECT_THAT(mean(kDeliveryCost), ElementsAre(1000, 1000, 1000, 1000, 1000, 1000));
  EXPECT_EQ(result->months_to_clear.mean, 3);
  EXPECT_EQ(result->clear_probability, 1);
  // P(revenue >= 4,500) and P(backlog >= 10,000), month by month, from the projection above.
  EXPECT_THAT(result->target_probability[0], ElementsAre(0, 1, 0, 0, 0, 0));
  EXPECT_THAT(result->target_probability[1], ElementsAre(0, 1, 1, 0, 0, 0));
  // Strain: work above 3 months of capacity (120 hours) never happens here.
  EXPECT_THAT(result->strain_probability, ::testing::Each(0.0));
}

// Work billed on delivery is a contract asset until it is invoiced: deferred revenue keeps the
// subscription's unearned part whole rather than netting the services' earned, unbilled revenue.
TEST(Forecast, DeferredRevenueKeepsWorkBilledOnDeliveryApart) {
  // Certain to close in December: a 12,000.00 subscription billed annually upfront and 6,000.00 of
  // services (60 hours) billed on delivery. Capacity: 40 hours a month.
  Ledger ledger;
  ApplyAll(ledger, {Open("O1", "smb", "12000.00", "negotiate", "2026-12-01", "subscription"),
                    Open("O2", "smb", "6000.00", "negotiate", "2026-12-10", "services")});
  Scenario scenario = Degenerate();
  scenario.products[1].billing = BillingTerms::kOnDelivery;
  ForecastOptions options;
  options.paths = 4;
  auto result = ProjectSixMonths(ledger, scenario, options);
  ASSERT_TRUE(result.ok()) << result.status();
  auto mean = [&](Metric metric) { return Means(*result, metric); };
  using ::testing::ElementsAre;
  // Services: 4,000.00 earned in December, 2,000.00 in January, invoiced whole in January.
  EXPECT_THAT(mean(kRevenue), ElementsAre(0, 5000, 3000, 1000, 1000, 1000));
  EXPECT_THAT(mean(kBillings), ElementsAre(0, 12000, 6000, 0, 0, 0));
  // December: 11,000.00 of the subscription unearned (the net liability is 7,000.00: 4,000.00
  // of services earned and not invoiced are the other contract's asset).
  EXPECT_THAT(mean(kDeferredRevenue), ElementsAre(0, 11000, 10000, 9000, 8000, 7000));
}

// Work counts in the work backlog from the month it is sold, not before; today's backlog is
// delivered first, so the month it clears does not move with later sales.
TEST(Forecast, WorkBacklogCountsWorkFromTheMonthItIsSold) {
  // Backlog: 100 hours (10,000.00). A 6,000.00 services deal (60 hours) certain to close in
  // December. Capacity: 40 hours a month.
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Effort("C", "L", "10000.00", "100"),
                    Open("O2", "smb", "6000.00", "negotiate", "2026-12-10", "services")});
  ForecastOptions options;
  options.paths = 4;
  auto result = ProjectSixMonths(ledger, Degenerate(), options);
  ASSERT_TRUE(result.ok()) << result.status();
  // Nov: 100 - 40; Dec: 60 + 60 sold - 40; Jan: 80 - 40; Feb: 40 - 40.
  EXPECT_THAT(Means(*result, kWorkBacklogHours), ::testing::ElementsAre(60, 80, 40, 0, 0, 0));
  // Today's 100 hours are delivered by the end of January (month 3), before the December sale's.
  EXPECT_EQ(result->months_to_clear.mean, 3);
}

// Work goes at its plan's pace when capacity allows: a sale's hours spread evenly over the
// product's planned duration from its start, the backlog's lines over the months to their
// expected ends; work that fell behind (capacity short) catches up, never runs ahead.
TEST(Forecast, WorkFollowsItsPlanWhereCapacityAllows) {
  // Backlog: L1 90 hours planned to end in January (3 months: 30 a month), L2 20 hours with no
  // expected end (all at once). A 6,000.00 services deal (60 hours) closing in December, planned
  // over 3 months from its start. Capacity: 40 hours a month.
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Effort("C", "L1", "9000.00", "90", "2027-01-20"),
                    Effort("C", "L2", "2000.00", "20"),
                    Open("O2", "smb", "6000.00", "negotiate", "2026-12-10", "services")});
  Scenario scenario = Degenerate();
  scenario.products[1].term_months = 3;
  ForecastOptions options;
  options.paths = 4;
  auto result = ProjectSixMonths(ledger, scenario, options);
  ASSERT_TRUE(result.ok()) << result.status();
  // Nov: the backlog plans 30 + 20 and gets 40 (10 behind). Dec: its plan reaches 80; it catches
  // up and takes all 40, the deal (20 planned) none. Jan: the backlog's last 30, and 10 of the
  // deal's 40 planned. Feb: 40 of the deal's 50 left; Mar: its last 10.
  EXPECT_THAT(Means(*result, kUtilization), ::testing::ElementsAre(1, 1, 1, 1, 0.25, 0));
  EXPECT_THAT(Means(*result, kWorkBacklogHours), ::testing::ElementsAre(70, 90, 50, 10, 0, 0));
  // Revenue at 100.00 an hour, whichever line the hours go to.
  EXPECT_THAT(Means(*result, kRevenue), ::testing::ElementsAre(4000, 4000, 4000, 4000, 1000, 0));
  EXPECT_EQ(result->months_to_clear.mean, 3);
}

// With capacity to spare, each item keeps to its plan rather than finishing at once, starting on
// its sale's day: 3,000.00 (30 hours) closing on 16 January does 10 x 16/31 hours in January.
TEST(Forecast, AmpleCapacityKeepsTheWorkToItsPlan) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Effort("C", "L1", "9000.00", "90", "2027-01-20"),
                    Open("O2", "smb", "6000.00", "negotiate", "2026-12-01", "services"),
                    Open("O3", "smb", "3000.00", "negotiate", "2027-01-16", "services")});
  Scenario scenario = Degenerate();
  scenario.products[1].term_months = 3;
  scenario.teams[0].fte = 10;  // 400 hours a month
  ForecastOptions options;
  options.paths = 4;
  auto result = ProjectSixMonths(ledger, scenario, options);
  ASSERT_TRUE(result.ok()) << result.status();
  // The backlog 30 hours a month Nov-Jan; O2 20 a month Dec-Feb; O3 10 a month from 16 January.
  const double january = 10 * 16.0 / 31;
  const std::vector<double> revenue = Means(*result, kRevenue);
  const std::vector<double> expected = {3000, 5000, 5000 + 100 * january, 2000 + 1000, 1000, 100 * (10 - january)};
  ASSERT_EQ(revenue.size(), expected.size());
  // Paths keep single-precision floats: 1e-6 of the value.
  for (size_t m = 0; m < expected.size(); ++m) EXPECT_NEAR(revenue[m], expected[m], 1e-6 * expected[m]) << m;
}

// An overrun lengthens the work at its plan's pace instead of speeding it up. With every
// estimate overrunning by half (ample capacity): the backlog's L1, 90 hours planned to end in
// January (30 a month), takes 135 hours at 30 a month, so 4.5 months; the 6,000.00 deal (60
// hours estimated over 3 months from 1 December: 20 a month) takes 90 hours at 20 a month.
TEST(Forecast, AnOverrunLengthensTheWorkAtItsPlannedPace) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Effort("C", "L1", "9000.00", "90", "2027-01-20"),
                    Open("O2", "smb", "6000.00", "negotiate", "2026-12-01", "services")});
  Scenario scenario = Degenerate();
  scenario.products[1].term_months = 3;
  scenario.teams[0].fte = 10;  // 400 hours a month
  scenario.effort_overrun = 1.5;
  ForecastOptions options;
  options.paths = 4;
  auto result = ProjectSixMonths(ledger, scenario, options);
  ASSERT_TRUE(result.ok()) << result.status();
  // L1 earns 9,000.00 over 135 hours, the deal 6,000.00 over 90.
  const double l1 = 30 * 9000.0 / 135, deal = 20 * 6000.0 / 90;
  const std::vector<double> expected = {l1, l1 + deal, l1 + deal, l1 + deal, l1 / 2 + deal, deal / 2};
  const std::vector<double> revenue = Means(*result, kRevenue);
  ASSERT_EQ(revenue.size(), expected.size());
  for (size_t m = 0; m < expected.size(); ++m) EXPECT_NEAR(revenue[m], expected[m], 1e-6 * expected[m]) << m;
}

// A backlog line past its expected end goes on at its planned pace (its estimate over its
// planned months from signing) instead of all in the first month: 60 hours from 1 January to
// 1 July 2026 (181 days, 5.95 months) is 10.09 hours a month, and its last 30 take three months.
TEST(Forecast, LateWorkGoesOnAtItsPlannedPace) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Effort("C", "L2", "6000.00", "60", "2026-07-01"),
                    Hours("C", "L2", "2026-05-31", "30")});
  Scenario scenario = Degenerate();
  scenario.teams[0].fte = 10;
  ForecastOptions options;
  options.paths = 4;
  auto result = ProjectSixMonths(ledger, scenario, options);
  ASSERT_TRUE(result.ok()) << result.status();
  const double pace = 60 / (181 / 30.4375);
  const std::vector<double> expected = {100 * pace, 100 * pace, 100 * (30 - 2 * pace), 0, 0, 0};
  const std::vector<double> revenue = Means(*result, kRevenue);
  ASSERT_EQ(revenue.size(), expected.size());
  for (size_t m = 0; m < expected.size(); ++m) EXPECT_NEAR(revenue[m], expected[m], 1e-6 * std::max(1.0, expected[m])) << m;
}

// A contract whose recognised revenue runs ahead of its invoices (a contract asset) has the
// difference invoiced in the first month, then its work billed in arrears; one billed upfront
// is never invoiced again. Either way billings total the contract and unbilled backlog ends at 0.
TEST(Forecast, ExistingContractsBillWhatIsLeftExactlyOnce) {
  const Scenario scenario = Degenerate();
  struct Case {
    bool prepaid;
    std::vector<double> billings;
  };
  for (const Case& c : {Case{false, {2000, 4000, 4000, 0, 0, 0}}, Case{true, {0, 0, 0, 0, 0, 0}}}) {
    Ledger ledger;
    ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Effort("C", "L", "10000.00", "100"),
                      Hours("C", "L", "2026-10-15", "20")});
    if (c.prepaid) ApplyAll(ledger, {Inv("I", "C", "2026-10-01", "10000.00")});
    ForecastOptions options;
    options.paths = 4;
    auto result = ProjectSixMonths(ledger, scenario, options);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(Means(*result, kBillings), c.billings) << (c.prepaid ? "prepaid" : "contract asset");
    EXPECT_EQ(Means(*result, kUnbilledBacklog).back(), 0) << (c.prepaid ? "prepaid" : "contract asset");
  }
}

// Existing subscriptions bill by the renewal product's terms, from each line's start: a
// 24-month subscription of 1,000.00 a month, billed annually upfront, bills its second year in
// January 2027, net of what its contract billed beyond the year running at as-of.
TEST(Forecast, ExistingSubscriptionsBillUpfrontByTheirPeriods) {
  struct Case {
    std::string name;
    BillingTerms terms;
    std::vector<Invoice> invoices;
    std::vector<double> billing;  // Nov 2026 .. Apr 2027
    double arrears_lag_months = 1;
  };
  const Invoice first_year = Inv("I1", "C", "2026-01-01", "12000.00");
  const std::vector<Case> cases = {
      {"billed the running year", BillingTerms::kAnnualUpfront, {first_year}, {0, 0, 12000, 0, 0, 0}},
      // Nothing billed: the 10,000.00 contract asset and the year's last 2,000.00 in November.
      {"nothing billed", BillingTerms::kAnnualUpfront, {}, {12000, 0, 12000, 0, 0, 0}},
      // 6,000.00 billed beyond the running year: the next year's invoice is that much smaller.
      {"billed ahead", BillingTerms::kAnnualUpfront, {first_year, Inv("I2", "C", "2026-10-01", "6000.00")},
       {0, 0, 6000, 0, 0, 0}},
      {"quarterly", BillingTerms::kQuarterlyUpfront, {first_year}, {0, 0, 3000, 0, 0, 3000}},
      // In arrears: each month's service once the 2,000.00 billed ahead is used up (from January),
      // invoiced the month after it (the default lag), or in the same month (lag 0).
      {"in arrears", BillingTerms::kMonthlyInArrears, {first_year}, {0, 0, 0, 1000, 1000, 1000}},
      {"in arrears, lag 0", BillingTerms::kMonthlyInArrears, {first_year}, {0, 0, 1000, 1000, 1000, 1000}, 0},
  };
  for (const Case& c : cases) {
    Scenario scenario = Degenerate();
    scenario.products[0].billing = c.terms;
    scenario.payment.arrears_lag_months = c.arrears_lag_months;
    Ledger ledger;
    ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Ratable("C", "S", "24000.00", "2026-01-01", "2027-12-31")});
    for (const Invoice& invoice : c.invoices) ApplyAll(ledger, {invoice});
    auto state = BuildStartingState(ledger, scenario, D("2026-10-31"), 6);
    ASSERT_TRUE(state.ok()) << state.status();
    EXPECT_EQ(state->scheduled_billing, c.billing) << c.name;
    EXPECT_EQ(state->scheduled_revenue, std::vector<double>(6, 1000)) << c.name;
  }
}

TEST(Forecast, StartingStateKnowsOnlyWhatWasRecordedByAsOf) {
  const Scenario scenario = Degenerate();
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Effort("C", "L", "10000.00", "100"),
                    Hours("C", "L", "2026-10-15", "20"), Complete("C", "L", "2026-11-15")});
  Opportunity later = Open("O", "smb", "500.00", "negotiate", "2026-12-01");
  later.status = OpportunityStatus::kWon;
  later.closed_on = D("2026-11-20");
  ApplyAll(ledger, {later});
  auto state = BuildStartingState(ledger, scenario, D("2026-10-31"), 3);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->team_work_hours[0], 80);  // completed only after as_of
  EXPECT_EQ(state->team_work_amount[0], 8000);
  ASSERT_EQ(state->open_deals.size(), 1u);   // won only after as_of: still open then
}

TEST(Forecast, ASubscriptionAlreadyRenewedIsNotRenewedAgain) {
  const Scenario scenario = DefaultScenario();
  Ledger ledger;
  ApplyAll(ledger, {Cust("A", "smb"), Con("C1", "A", "2026-01-01"),
                    Ratable("C1", "L", "1200.00", "2026-01-01", "2026-12-31"), Cust("B", "smb"),
                    Con("C2", "B", "2026-01-01"), Ratable("C2", "L", "600.00", "2026-01-01", "2026-12-31"),
                    Con("C1-renewal", "A", "2026-10-15"),
                    Ratable("C1-renewal", "L", "1260.00", "2027-01-01", "2027-12-31")});
  auto state = BuildStartingState(ledger, scenario, D("2026-10-31"), 24);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->expiring[2].amount, 600);    // January 2027: only B's subscription
  EXPECT_EQ(state->expiring[14].amount, 1260);  // January 2028: A's renewal in its turn
}

StartingState SampleState(const Scenario& scenario, int contracts, int horizon) {
  const Ledger ledger = ::forecastle::testing::SampleLedger(contracts);
  auto state = BuildStartingState(ledger, scenario, D("2026-10-31"), horizon);
  EXPECT_TRUE(state.ok()) << state.status();
  return *state;
}

// Path values live in blocks of 1,024 paths: every (cell, path) has a place of its own, and
// Column reads a cell's paths back in order across blocks and a partial last block.
TEST(PathValues, EveryPathAndCellHasItsOwnPlaceAcrossBlocks) {
  PathValues values;
  values.Allocate(2500, 3);
  const size_t cells = values.cells();
  ASSERT_EQ(cells, static_cast<size_t>(kMetricCount) * 3);
  for (size_t cell = 0; cell < cells; ++cell) {
    for (int64_t p = 0; p < values.paths; ++p) {
      ASSERT_LT(values.Index(cell, p), values.size()) << cell << " " << p;  // within the allocation
      values.values[values.Index(cell, p)] = static_cast<float>(cell * 10000 + p);
    }
  }
  std::vector<float> column(static_cast<size_t>(values.paths));
  for (size_t cell = 0; cell < cells; ++cell) {
    values.Column(cell, values.paths, column.data());
    for (int64_t p = 0; p < values.paths; ++p) {
      ASSERT_EQ(column[static_cast<size_t>(p)], static_cast<float>(cell * 10000 + p)) << cell << " " << p;
      ASSERT_EQ(values.at(static_cast<int>(cell / 3), static_cast<int>(cell % 3), p), column[static_cast<size_t>(p)]);
    }
  }
}

// Paired differences by hand: the variant minus the base, path by path, over the paths both ran;
// a tie is not "higher".
TEST(ComparePaths, SummarisesThePairedDifferencesAndCountsTheVariantHigher) {
  PathValues base, variant;
  base.Allocate(5, 2);
  variant.Allocate(6, 2);  // one path more: not compared
  for (size_t cell = 0; cell < base.cells(); ++cell) {
    for (int64_t p = 0; p < 6; ++p) {
      if (p < 5) base.values[base.Index(cell, p)] = static_cast<float>(10 * p);
      variant.values[variant.Index(cell, p)] = static_cast<float>(10 * p);  // equal unless set below
    }
  }
  const float revenue_march[] = {-2, 0, 1, 3, 3};  // variant - base for (revenue, month 1)
  for (int64_t p = 0; p < 5; ++p) {
    variant.values[variant.Index(kRevenue * 2 + 1, p)] = static_cast<float>(10 * p) + revenue_march[p];
  }
  const Comparison c = ComparePaths(base, variant, {0.5});
  ASSERT_EQ(c.difference.size(), static_cast<size_t>(kMetricCount));
  ASSERT_EQ(c.difference[kRevenue].size(), 2u);
  const Summary& d = c.difference[kRevenue][1];
  EXPECT_DOUBLE_EQ(d.mean, 1.0);
  EXPECT_DOUBLE_EQ(d.std, std::sqrt((9 + 1 + 0 + 4 + 4) / 4.0));  // sample std of {-2, 0, 1, 3, 3}
  EXPECT_DOUBLE_EQ(d.quantiles[0], 1.0);
  EXPECT_DOUBLE_EQ(c.probability_higher[kRevenue][1], 0.6);
  EXPECT_DOUBLE_EQ(c.difference[kRevenue][0].mean, 0.0);
  EXPECT_DOUBLE_EQ(c.probability_higher[kRevenue][0], 0.0);  // ties
  EXPECT_DOUBLE_EQ(c.probability_higher[kBookings][1], 0.0);
}

TEST(ComparePaths, PreciseMeansEveryStandardErrorWithinTheRelativeError) {
  ForecastResult result;
  result.summaries = {{Summary{100, 10, 1, {}}, Summary{-50, 5, 0.5, {}}}, {Summary{0, 0, 0, {}}}};
  EXPECT_TRUE(MeetsRelativeError(result, 0.01));
  EXPECT_FALSE(MeetsRelativeError(result, 0.0099));
  result.summaries[1][0].standard_error = 1e-12;  // a mean of 0 is never known to a relative error
  EXPECT_FALSE(MeetsRelativeError(result, 0.5));
}

// Waves of 1,000 paths on 8 threads make 16-path tiles that straddle the blocks' boundaries;
// they must store exactly what aligned tiles on one thread store.
TEST(Forecast, TilesAcrossValueBlocksStoreTheSameValues) {
  const Scenario scenario = DefaultScenario();
  const StartingState state = SampleState(scenario, 300, 6);
  auto run = [&](int threads, int64_t wave) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
    ForecastOptions options;
    options.paths = 2500;
    options.seed = 3;
    options.wave_paths = wave;
    PathValues values;
    EXPECT_TRUE(RunForecast(state, scenario, options, {}, &values).ok());
    std::vector<float> all;
    for (size_t cell = 0; cell < values.cells(); ++cell) {
      for (int64_t p = 0; p < values.paths; ++p) all.push_back(values.values[values.Index(cell, p)]);
    }
    return all;
  };
  EXPECT_EQ(run(8, 1000), run(1, 4096));
}

TEST(Forecast, BitIdenticalAtOneTwoAndEightThreadsAndSeedMatters) {
  const Scenario scenario = DefaultScenario();
  const StartingState state = SampleState(scenario, 1000, 24);
  ForecastOptions options;
  options.paths = 600;
  options.seed = 7;
  options.wave_paths = 256;
  auto run = [&](int threads, uint64_t seed) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
    ForecastOptions o = options;
    o.seed = seed;
    PathValues values;
    auto result = RunForecast(state, scenario, o, {}, &values);
    EXPECT_TRUE(result.ok());
    std::vector<float> all;  // every value of every path, metric by metric, month by month
    for (int metric = 0; metric < kMetricCount; ++metric) {
      for (int month = 0; month < values.horizon; ++month) {
        for (int64_t p = 0; p < values.paths; ++p) all.push_back(values.at(metric, month, p));
      }
    }
    return std::make_pair(all, result->summaries[kRevenue][11].quantiles);
  };
  const auto one = run(1, 7);
  EXPECT_EQ(run(2, 7), one);
  EXPECT_EQ(run(8, 7), one);
  EXPECT_NE(run(2, 8).first, one.first);
}

// Sample mean and variance of one metric-month, with the standard errors of each.
struct Sampled {
  double mean, mean_se, variance, variance_se;
};
Sampled Sample(const PathValues& v, Metric metric, int month) {
  const double n = static_cast<double>(v.paths);
  double sum = 0;
  for (int64_t p = 0; p < v.paths; ++p) sum += v.at(metric, month, p);
  const double mean = sum / n;
  double m2 = 0, m4 = 0;
  for (int64_t p = 0; p < v.paths; ++p) {
    const double d = v.at(metric, month, p) - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m4 /= n;
  return Sampled{mean, std::sqrt(m2 / n), m2 * n / (n - 1), std::sqrt((m4 - m2 * m2) / n)};
}

// Every path's values of a forecast of `scenario` on `ledger` as of 2026-10-31.
PathValues RunPaths(const Scenario& scenario, const Ledger& ledger, int horizon, int64_t paths) {
  PathValues values;
  auto state = BuildStartingState(ledger, scenario, D("2026-10-31"), horizon);
  EXPECT_TRUE(state.ok()) << state.status();
  ForecastOptions options;
  options.paths = paths;
  auto result = RunForecast(*state, scenario, options, {}, &values);
  EXPECT_TRUE(result.ok()) << result.status();
  return values;
}

TEST(Forecast, PoissonArrivalsWithLognormalSizesMatchTheCompoundPoissonMoments) {
  Scenario s = Degenerate();
  s.segments[0].arrivals_per_month = 20;
  s.segments[0].win_rate = 1;
  s.segments[0].sales_cycle_months = 0;  // closes the month it arrives
  s.segments[0].deal_size = 1000;
  s.segments[0].deal_size_sigma = 0.5;
  const PathValues values = RunPaths(s, Ledger(), 3, 20000);
  const double lambda = 20, mean_size = 1000, second_moment = mean_size * mean_size * std::exp(0.25);
  for (int month = 0; month < 3; ++month) {
    const Sampled b = Sample(values, kBookings, month);
    EXPECT_NEAR(b.mean, lambda * mean_size, 4 * b.mean_se) << month;
    EXPECT_NEAR(b.variance, lambda * second_moment, 4 * b.variance_se) << month;
  }
}

// Two segments of λ arrivals a month whose demand factors D = exp(v Z - v²/2) have correlated
// normals (ρ): the count N_A + N_B has mean 2λ and variance 2λ + 2λ²(e^{v²} - 1) + 2λ²(e^{ρv²} - 1)
// (Poisson given the factors, and Cov(D_A, D_B) = e^{ρv²} - 1). Deals of size 1 close the month
// they arrive, so bookings are the count; ρ = 0.8 and ρ = 0 differ by ~20 standard errors. ρ = 1
// is only semi-definite: it has no Cholesky factor, and the model factors it by its eigenvectors.
TEST(Forecast, CorrelatedSegmentDemandAddsTheClosedFormCovariance) {
  constexpr double kLambda = 5, kVolatility = 0.5;
  Scenario s = Degenerate();
  s.demand_volatility = kVolatility;
  s.segments[0].arrivals_per_month = kLambda;
  s.segments[0].win_rate = 1;
  s.segments[0].sales_cycle_months = 0;
  s.segments[0].deal_size = 1;
  s.segments[0].deal_size_sigma = 0;
  s.segments.push_back(s.segments[0]);
  s.segments[1].name = "mid-market";
  for (const double rho : {0.8, 0.0, 1.0}) {
    s.segment_correlation = {{1, rho}, {rho, 1}};
    ASSERT_TRUE(Validate(s).ok()) << Validate(s);
    const PathValues values = RunPaths(s, Ledger(), 3, 20000);
    const double v2 = kVolatility * kVolatility;
    const double variance = 2 * kLambda + 2 * kLambda * kLambda * (std::exp(v2) - 1) +
                            2 * kLambda * kLambda * (std::exp(rho * v2) - 1);
    for (int month = 0; month < 3; ++month) {
      const Sampled b = Sample(values, kBookings, month);
      EXPECT_NEAR(b.mean, 2 * kLambda, 4 * b.mean_se) << "rho " << rho << ", month " << month;
      EXPECT_NEAR(b.variance, variance, 4 * b.variance_se) << "rho " << rho << ", month " << month;
    }
  }
}

TEST(Forecast, PipelineOfIndependentDealsExpectsTheSumOfProbabilityTimesAmount) {
  Scenario s = Degenerate();
  s.stage_win_probability = {{"qualify", 0.1}, {"propose", 0.45}, {"negotiate", 0.7}};
  Ledger ledger;
  ApplyAll(ledger, {Open("A", "smb", "10000.00", "propose", "2026-11-10"),
                    Open("B", "smb", "20000.00", "negotiate", "2026-11-30"),
                    Open("C", "smb", "5000.00", "qualify", "2026-12-01")});
  const PathValues values = RunPaths(s, ledger, 2, 20000);
  const Sampled nov = Sample(values, kBookings, 0), dec = Sample(values, kBookings, 1);
  EXPECT_NEAR(nov.mean, 0.45 * 10000 + 0.7 * 20000, 4 * nov.mean_se);
  EXPECT_NEAR(nov.variance, 0.45 * 0.55 * 1e8 + 0.7 * 0.3 * 4e8, 4 * nov.variance_se);
  EXPECT_NEAR(dec.mean, 0.1 * 5000, 4 * dec.mean_se);
}

TEST(Forecast, AttritionThinsHeadcountGeometrically) {
  Scenario s = Degenerate();
  s.teams[0].fte = 50;
  s.teams[0].monthly_attrition = 0.02;
  const PathValues values = RunPaths(s, Ledger(), 12, 20000);
  for (int month : {0, 5, 11}) {
    const double survive = std::pow(0.98, month + 1);
    const Sampled h = Sample(values, kHeadcount, month);
    EXPECT_NEAR(h.mean, 50 * survive, 4 * h.mean_se) << month;
    EXPECT_NEAR(h.variance, 50 * survive * (1 - survive), 4 * h.variance_se) << month;
  }
}

TEST(Forecast, PaymentDelayMixSpreadsCollections) {
  Scenario s = Degenerate();
  s.products[0].billing = BillingTerms::kMonthlyUpfront;  // 1,000.00 billed every month
  s.payment.delay_days_mix = {{0, 0.5}, {30, 0.3}, {61, 0.2}};
  s.payment.bad_debt_rate = 0.1;
  Ledger ledger;
  ApplyAll(ledger, {Open("A", "smb", "12000.00", "negotiate", "2026-11-01", "subscription")});
  const PathValues values = RunPaths(s, ledger, 6, 20000);
  const double expected[] = {0.5 * 0.9 * 1000, 0.8 * 0.9 * 1000, 900, 900, 900, 900};
  for (int month = 0; month < 6; ++month) {
    const Sampled c = Sample(values, kCollections, month);
    EXPECT_NEAR(c.mean, expected[month], 4 * c.mean_se) << month;
  }
}

TEST(Forecast, CommonRandomNumbersShrinkTheStandardErrorOfAHiringComparison) {
  const Scenario base = DefaultScenario();
  Scenario hire = base;
  hire.name = "hire";
  hire.hiring_plan = {Hire{"delivery", MonthOf(D("2026-11-01")), 10}};
  const StartingState state = SampleState(base, 2000, 12);
  ForecastOptions options;
  options.paths = 2000;
  PathValues a, b, independent;
  ASSERT_TRUE(RunForecast(state, base, options, {}, &a).ok());
  ASSERT_TRUE(RunForecast(state, hire, options, {}, &b).ok());
  ForecastOptions other = options;
  other.seed = options.seed + 1;
  ASSERT_TRUE(RunForecast(state, hire, other, {}, &independent).ok());
  for (Metric metric : {kRevenue, kWorkBacklogHours}) {
    auto difference_se = [&](const PathValues& x, const PathValues& y) {
      const int month = 8;
      double sum = 0, squares = 0;
      for (int64_t p = 0; p < x.paths; ++p) {
        const double d = static_cast<double>(y.at(metric, month, p)) - x.at(metric, month, p);
        sum += d;
        squares += d * d;
      }
      const double n = static_cast<double>(x.paths), mean = sum / n;
      return std::sqrt((squares / n - mean * mean) / n);
    };
    const double paired = difference_se(a, b), unpaired = difference_se(a, independent);
    EXPECT_GT(unpaired, 3 * paired) << MetricName(metric) << ": paired " << paired << ", independent " << unpaired;
  }
}

TEST(Forecast, OptionsAreValidatedNamingTheField) {
  const Scenario s = Degenerate();
  const Ledger empty;
  auto state = BuildStartingState(empty, s, D("2026-10-31"), 3);
  ASSERT_TRUE(state.ok());
  ForecastOptions options;
  options.paths = 0;
  EXPECT_THAT(RunForecast(*state, s, options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("paths must be in [1, 10000000], got 0")));
  options.paths = 10;
  options.quantiles = {0.5, 0.2};
  EXPECT_THAT(RunForecast(*state, s, options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("quantiles")));
  options.quantiles = {0.5};
  options.strain_months = 0;
  EXPECT_THAT(RunForecast(*state, s, options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("strain_months")));
  auto long_state = BuildStartingState(empty, s, D("2026-10-31"), 121);
  ASSERT_TRUE(long_state.ok());
  options.strain_months = 3;
  EXPECT_THAT(RunForecast(*long_state, s, options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("horizon_months must be in [1, 120], got 121")));
  options.paths = 10'000'000;
  options.max_path_values = 100'000'000;
  EXPECT_THAT(RunForecast(*state, s, options),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("= 390000000 path values, more than max_path_values (100000000")));
}

TEST(Forecast, StopsPromptlyWhenCancelled) {
  const Scenario scenario = DefaultScenario();
  const StartingState state = SampleState(scenario, 1000, 36);
  std::atomic<bool> stop{false};
  ForecastOptions options;
  options.paths = 300'000;  // many seconds of work if it were not stopped
  options.stop = &stop;
  std::chrono::steady_clock::time_point stopped_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stopped_at = std::chrono::steady_clock::now();
    stop = true;
  });
  auto result = RunForecast(state, scenario, options);
  const auto returned = std::chrono::steady_clock::now();
  canceller.join();
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
  // Loose bound for a shared machine; bench/ measures the real figure.
  EXPECT_LT(std::chrono::duration<double>(returned - stopped_at).count(), 1.0);
}

TEST(Forecast, ProgressSeesGrowingPrefixesAndCanStopEarly) {
  const Scenario scenario = DefaultScenario();
  const StartingState state = SampleState(scenario, 300, 12);
  ForecastOptions options;
  options.paths = 1000;
  options.wave_paths = 256;
  std::vector<int64_t> seen;
  auto result = RunForecast(state, scenario, options, [&](int64_t done, const PathValues&) {
    seen.push_back(done);
    return done < 512;
  });
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(seen, ::testing::ElementsAre(256, 512));
  EXPECT_EQ(result->paths, 512);
  // The paths of an early stop are the same paths as a run asked for that many, and as the
  // first paths of a full run.
  ForecastOptions prefix = options;
  prefix.paths = 512;
  auto direct = RunForecast(state, scenario, prefix);
  EXPECT_EQ(direct->summaries[kBookings][3].mean, result->summaries[kBookings][3].mean);
  PathValues full, first;
  ASSERT_TRUE(RunForecast(state, scenario, options, {}, &full).ok());
  ASSERT_TRUE(RunForecast(state, scenario, prefix, {}, &first).ok());
  for (int64_t p = 0; p < 512; ++p) ASSERT_EQ(full.at(kRevenue, 5, p), first.at(kRevenue, 5, p)) << p;
}

TEST(Forecast, AttritionOfALargeTeamStaysBinomial) {
  Scenario s = Degenerate();
  s.teams[0].fte = 80000;
  s.teams[0].monthly_attrition = 0.01;
  const PathValues values = RunPaths(s, Ledger(), 1, 4000);
  const Sampled h = Sample(values, kHeadcount, 0);
  EXPECT_NEAR(h.mean, 79200, 4 * h.mean_se);
  EXPECT_NEAR(h.variance, 80000 * 0.01 * 0.99, 4 * h.variance_se);
}

// A hired cohort draws its attrition from a stream of its own, (team << 20) | (hire + 1), one word
// a month from the month it joins. Every path's headcount is replayed here from those words (by
// Binomial inversion, as the model computes it): the distribution alone would not notice a cohort
// reading the wrong words.
TEST(Forecast, AHiredCohortDrawsItsAttritionFromItsOwnStream) {
  Scenario s = Degenerate();
  s.teams[0].fte = 0;
  const double p = 0.1;
  s.teams[0].monthly_attrition = p;
  s.time_to_fill_months = 0;
  s.hiring_plan = {Hire{"delivery", MonthOf(D("2026-11-01")) + 2, 6}};  // joins in the third month
  ASSERT_TRUE(Validate(s).ok()) << Validate(s);
  auto state = BuildStartingState(Ledger(), s, D("2026-10-31"), 6);
  ASSERT_TRUE(state.ok()) << state.status();
  ForecastOptions options;
  options.paths = 300;
  options.seed = 17;
  PathValues values;
  ASSERT_TRUE(RunForecast(*state, s, options, {}, &values).ok());
  int left_somewhere = 0;
  for (int64_t path = 0; path < options.paths; ++path) {
    // The cohort is the first hire of its team and month (streams.h).
    const uint64_t cohort = Identity::Of(Identity::Of("team", "delivery"), static_cast<uint64_t>(s.hiring_plan[0].month), 1);
    RandomStream stream(RandomStream::KeyOf(options.seed), Streams::Cohort(cohort, static_cast<uint64_t>(path)));
    int64_t count = 6;
    for (int month = 0; month < 6; ++month) {
      if (month >= 2) {
        const double u = stream.Uniform();
        double probability = std::exp(static_cast<double>(count) * std::log1p(-p)), cumulative = probability;
        int64_t leave = 0;
        while (u > cumulative && leave < count) {
          probability *= p / (1 - p) * static_cast<double>(count - leave) / static_cast<double>(leave + 1);
          ++leave;
          cumulative += probability;
        }
        count -= leave;
      }
      const float headcount = month >= 2 ? static_cast<float>(count) : 0.0f;  // no one before the hire joins
      ASSERT_EQ(values.at(kHeadcount, month, path), headcount) << "path " << path << ", month " << month;
    }
    left_somewhere += count < 6;
  }
  EXPECT_GT(left_somewhere, 200);  // the draws decided something: on 1 - 0.9^24 (92%) of paths
}

// Validation allows any rate in [0, 1]; one so small that 25 / (p (1 - p)) passes every int64_t
// once sized the attrition table from an overflowing cast (and threw std::length_error).
TEST(Forecast, ATinyAttritionRateKeepsTheTeam) {
  Scenario s = Degenerate();
  s.teams[0].fte = 300;
  s.teams[0].monthly_attrition = 1e-20;
  ASSERT_TRUE(Validate(s).ok()) << Validate(s);
  const PathValues values = RunPaths(s, Ledger(), 3, 50);
  for (int month = 0; month < 3; ++month) EXPECT_EQ(Sample(values, kHeadcount, month).mean, 300) << month;
}

}  // namespace
}  // namespace forecastle::forecast

namespace forecastle::forecast {
namespace {

// Fractional FTE are honoured, not rounded: 2.5 FTE give 250 hours at 100 hours per FTE, 0.4 FTE
// give 40, and a hire of 1.5 adds 1.5 to headcount and 150 hours once ramped up.
TEST(Forecast, FractionalFteAndHiresAreHonoured) {
  for (const double fte : {2.5, 0.4, 3.0}) {
    Scenario s = Degenerate();
    s.teams[0].fte = fte;
    s.teams[0].hours_per_fte_month = 100;
    s.teams[0].utilization = 1;
    s.teams[0].ramp_up_months = 0;
    s.teams[0].monthly_attrition = 0;
    s.time_to_fill_months = 0;
    s.hiring_plan = {Hire{"delivery", MonthOf(D("2026-11-01")) + 2, 1.5}};  // joins in the third month
    auto state = BuildStartingState(Ledger(), s, D("2026-10-31"), 4);
    ASSERT_TRUE(state.ok()) << state.status();
    ForecastOptions options;
    options.paths = 4;
    PathValues values;
    ASSERT_TRUE(RunForecast(*state, s, options, {}, &values).ok());
    for (int64_t p = 0; p < options.paths; ++p) {
      EXPECT_FLOAT_EQ(values.at(kCapacityHours, 0, p), static_cast<float>(100 * fte)) << fte;
      EXPECT_FLOAT_EQ(values.at(kHeadcount, 1, p), static_cast<float>(fte)) << fte;
      EXPECT_FLOAT_EQ(values.at(kHeadcount, 2, p), static_cast<float>(fte + 1.5)) << fte;
      EXPECT_FLOAT_EQ(values.at(kCapacityHours, 3, p), static_cast<float>(100 * (fte + 1.5))) << fte;
      EXPECT_FLOAT_EQ(values.at(kDeliveryCost, 0, p), static_cast<float>(fte * s.teams[0].cost_per_fte_month)) << fte;
    }
  }
}

}  // namespace
}  // namespace forecastle::forecast

namespace forecastle::forecast {
namespace {

// A subscription starting mid-month recognises from its start day, as the actuals do (SPEC §3.2,
// §4.4): a sure 12,000.00 deal closing 2025-07-15 earns 17/31 of a month in July (the exact
// actuals give 548.38), 1,000.00 a month after, and the rest, 14/31, in July 2026. Arrivals
// and renewals start where in the month they fall too.
TEST(Forecast, ASubscriptionClosingMidMonthRecognisesFromItsStartDay) {
  Ledger ledger;
  Opportunity deal = Open("O1", "smb", "12000.00", "negotiate", "2025-07-15", "subscription");
  deal.created_on = D("2025-03-01");
  ApplyAll(ledger, {deal});
  auto state = BuildStartingState(ledger, Degenerate(), D("2025-06-30"), 14);
  ASSERT_TRUE(state.ok()) << state.status();
  ForecastOptions options;
  options.paths = 4;
  auto result = RunForecast(*state, Degenerate(), options);
  ASSERT_TRUE(result.ok()) << result.status();
  const std::vector<double> revenue = Means(*result, kRevenue);  // paths keep floats: 1e-7 relative
  EXPECT_NEAR(revenue[0], 12000.0 / 12 * 17 / 31, 1e-3);
  for (int m = 1; m < 12; ++m) EXPECT_NEAR(revenue[static_cast<size_t>(m)], 1000, 1e-3) << m;
  EXPECT_NEAR(revenue[12], 12000.0 / 12 * 14 / 31, 1e-3);
  EXPECT_NEAR(revenue[13], 0, 1e-3);
  const std::vector<double> backlog = Means(*result, kBacklog);
  EXPECT_NEAR(backlog[0], 12000 - revenue[0], 2e-3);
  EXPECT_NEAR(backlog[12], 0, 2e-3);

  // The exact actuals of the same line, for comparison: July's revenue to the cent.
  Ledger signed_ledger;
  ApplyAll(signed_ledger, {Cust("A"), Con("C", "A", "2025-07-15"),
                           Ratable("C", "L", "12000.00", "2025-07-15", "2026-07-14")});
  MetricsQuery query;
  query.from = query.to = MonthOf(D("2025-07-01"));
  query.as_of = D("2025-07-31");
  auto tables = ComputeMetrics(signed_ledger, query);
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(tables->front().periods.front().revenue, 54838);
  EXPECT_NEAR(revenue[0], 548.38, 0.01);
}

}  // namespace
}  // namespace forecastle::forecast

namespace forecastle::forecast {
namespace {

// Bookings without an opportunity (SPEC §4.1 source 3): λ contracts a month of lognormal sizes
// book the compound Poisson moments; with a trend g whose log is drawn N(log(1 + g), σ²) once a
// path, month m's mean is λ E[exp(log(1 + g) t + σ z u)] = λ exp(log(1 + g) t + σ² u² / 2) with
// t = (m + 0.5) / 12 and u = t + 1/2 (TrendFactor: the path's error moves the level at as-of by half
// a year of it), so the fan starts open and widens with the horizon.
TEST(Forecast, BookingsWithoutAnOpportunityFollowTheirRateSizesAndTrend) {
  Scenario s = Degenerate();
  s.segments[0].product_mix = {{"subscription", 1.0}};
  DirectBookings& d = s.segments[0].new_customers;
  d.per_month = 20;
  d.size = 1000;
  d.size_sigma = 0.5;
  {
    const PathValues values = RunPaths(s, Ledger(), 3, 20000);
    const double second_moment = 1000.0 * 1000.0 * std::exp(0.25);
    for (int month = 0; month < 3; ++month) {
      const Sampled b = Sample(values, kBookings, month);
      EXPECT_NEAR(b.mean, 20 * 1000, 4 * b.mean_se) << month;
      EXPECT_NEAR(b.variance, 20 * second_moment, 4 * b.variance_se) << month;
    }
  }
  d.growth_per_year = 0.2;
  d.growth_sigma = 0.3;
  s.segments[0].expansions = d;  // the second source draws its own trend
  s.segments[0].expansions.per_month = 5;
  const PathValues values = RunPaths(s, Ledger(), 24, 20000);
  double first_spread = 0;
  for (int month : {0, 11, 23}) {
    const double t = (month + 0.5) / 12, u = t + 0.5;
    const double factor = std::exp(std::log(1.2) * t + 0.3 * 0.3 * u * u / 2);
    const Sampled b = Sample(values, kBookings, month);
    EXPECT_NEAR(b.mean, 25 * 1000 * factor, 4 * b.mean_se) << month;
    const double spread = std::sqrt(b.variance) / b.mean;
    if (month == 0) first_spread = spread;
    if (month == 23) {
      EXPECT_GT(spread, 1.3 * first_spread);
    }
  }
}

}  // namespace
}  // namespace forecastle::forecast

namespace forecastle::forecast {
namespace {

// Receivables are aged (SPEC §4.4): a 900-day-old unpaid invoice is not collected next month as
// fresh cash. With the default monthly shares (0-30 days: 0.6, 180+: 0.02), of 1,000.00 issued 10
// days before as-of and 1,000.00 issued 900 days before (each as 100 invoices of 10.00), the
// first month collects 600 + 20 on average; what is never collected stays receivable. A month's
// collection varies as its invoices pay or not: variance Σ a² p (1 - p) over the buckets, with
// what it collects early not collected later.
TEST(Forecast, ReceivablesAreCollectedByTheirAge) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2023-01-01"), Ratable("C", "L", "2000.00", "2023-01-01", "2023-12-31")});
  for (int i = 0; i < 100; ++i) {
    ApplyAll(ledger, {Inv(absl::StrCat("OLD", i), "C", "2024-05-15", "10.00"),
                      Inv(absl::StrCat("NEW", i), "C", "2026-10-21", "10.00")});
  }
  Scenario s = Degenerate();
  s.payment.collection_by_age = {0.6, 0.5, 0.5, 0.3, 0.02};
  auto state = BuildStartingState(ledger, s, D("2026-10-31"), 3);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->receivables_by_age[0], 1000);
  EXPECT_EQ(state->receivables_by_age[4], 1000);
  EXPECT_EQ(state->receivables_squares_by_age[0], 100 * 10 * 10);
  EXPECT_EQ(state->accounts_receivable, 2000);
  const PathValues values = RunPaths(s, ledger, 3, 20000);
  const Sampled first = Sample(values, kCollections, 0), second = Sample(values, kCollections, 1);
  EXPECT_NEAR(first.mean, 600 + 20, 4 * first.mean_se);
  EXPECT_NEAR(first.variance, 10000 * (0.6 * 0.4 + 0.02 * 0.98), 4 * first.variance_se);
  // The new ones are 31-60 days old in the second month; 40% (and 98%) of each bucket is left.
  EXPECT_NEAR(second.mean, 400 * 0.5 + 980 * 0.02, 4 * second.mean_se);
  EXPECT_NEAR(second.variance, 10000 * (0.4 * 0.5 * 0.5 + 0.98 * 0.02 * 0.98) + first.variance, 4 * second.variance_se);
  const Sampled receivable = Sample(values, kAccountsReceivable, 0);
  EXPECT_NEAR(receivable.mean, 2000 - 620, 4 * receivable.mean_se);
  // Nothing collected is collected twice: AR never falls below what is never collected.
  for (int64_t p = 0; p < values.paths; ++p) ASSERT_GE(values.at(kAccountsReceivable, 2, p), 0);
}

}  // namespace
}  // namespace forecastle::forecast

namespace forecastle::forecast {
namespace {

// New opportunities follow their segment's trend, drawn once a path (SPEC §4.1 source 2): with
// log growth l = ln 1.5 moved by sigma z, month m's mean count is
// rate e^{l t} E e^{sigma z u} = rate e^{l t + sigma² u² / 2}, t = (m + 0.5) / 12, u = t + 1/2
// (TrendFactor).
TEST(Forecast, NewOpportunitiesGrowByTheirTrend) {
  Scenario s = Degenerate();
  SegmentAssumptions& g = s.segments[0];
  g.arrivals_per_month = 10;
  g.arrivals_growth_per_year = 0.5;
  g.arrivals_growth_sigma = 0.3;
  g.win_rate = 1;
  g.sales_cycle_months = 0;  // closes the month it arrives
  g.deal_size = 1;
  g.deal_size_sigma = 0;
  const PathValues values = RunPaths(s, Ledger(), 12, 20000);
  for (int month : {0, 5, 11}) {
    const double t = (month + 0.5) / 12, u = t + 0.5;
    const Sampled b = Sample(values, kBookings, month);
    EXPECT_NEAR(b.mean, 10 * std::exp(std::log(1.5) * t + 0.09 * u * u / 2), 4 * b.mean_se) << month;
  }
}

// A product's term mix (each sale's term drawn by its share): sales of 1,000.00 billed annually
// upfront, half for 3 months and half for 36, bill 1,000.00 and 1,000.00 x 12/36 when they start,
// so month 0's billings have mean λ 1,000.00 (1/2 + 1/2 x 1/3); revenue runs at 1,000.00 / 3 and
// 1,000.00 / 36 a month. A product without a mix bills its one term's year.
TEST(Forecast, SalesDrawTheirTermFromTheMix) {
  Scenario s = Degenerate();
  DirectBookings& d = s.segments[0].new_customers;
  d.per_month = 20;
  d.size = 1000;
  d.size_sigma = 0;
  s.products[0].term_mix = {TermShare{3, 0.5}, TermShare{36, 0.5}};
  ASSERT_TRUE(Validate(s).ok()) << Validate(s);
  const PathValues values = RunPaths(s, Ledger(), 2, 20000);
  const Sampled billed = Sample(values, kBillings, 0);
  EXPECT_NEAR(billed.mean, 20 * 1000 * (0.5 + 0.5 / 3), 4 * billed.mean_se);
  // Month 1: each of month 0's sales earns a whole month (half of it in month 0 on average, the
  // rest in the month after its term, not yet), month 1's earn half a month on average.
  const Sampled revenue = Sample(values, kRevenue, 1);
  const double per_month = 1000 * (0.5 / 3 + 0.5 / 36);
  EXPECT_NEAR(revenue.mean, 20 * per_month * 1.5, 4 * revenue.mean_se);
  s.products[0].term_mix.clear();
  const Sampled one_term = Sample(RunPaths(s, Ledger(), 2, 20000), kBillings, 0);
  EXPECT_NEAR(one_term.mean, 20 * 1000, 4 * one_term.mean_se);
}

// Terms in arrears are invoiced payment.arrears_lag_months after the month served: a
// subscription billed monthly in arrears, 20 sales a month of 1,200.00 over 12 months (100.00 a
// month each), bills month m's service in month m (lag 0), m + 1 (lag 1), or half in each (0.5).
// Month 0 then bills 20 x 100.00 x (1, 0, 1/2) and month 1 20 x 100.00 x (2, 1, 3/2).
TEST(Forecast, ArrearsAreInvoicedTheirLagAfterTheMonth) {
  Scenario s = Degenerate();
  s.products[0].billing = BillingTerms::kMonthlyInArrears;
  DirectBookings& d = s.segments[0].new_customers;
  d.per_month = 20;
  d.size = 1200;
  d.size_sigma = 0;
  for (const auto& [lag, first, second] :
       std::initializer_list<std::tuple<double, double, double>>{{0, 1, 2}, {1, 0, 1}, {0.5, 0.5, 1.5}}) {
    s.payment.arrears_lag_months = lag;
    const PathValues values = RunPaths(s, Ledger(), 3, 20000);
    const Sampled m0 = Sample(values, kBillings, 0), m1 = Sample(values, kBillings, 1);
    EXPECT_NEAR(m0.mean, 2000 * first, 4 * m0.mean_se + 1e-9) << lag;
    EXPECT_NEAR(m1.mean, 2000 * second, 4 * m1.mean_se) << lag;
  }
  s.payment.arrears_lag_months = 3.5;
  EXPECT_THAT(Validate(s).message(), HasSubstr("payment.arrears_lag_months"));
}

// A term mix is for ratable products, of at most kMaxTerms terms in [1, 120] whose shares sum to 1.
TEST(Forecast, TermMixIsValidated) {
  Scenario s = Degenerate();
  s.products[0].term_mix = {TermShare{12, 0.5}, TermShare{24, 0.4}};
  EXPECT_THAT(Validate(s).message(), HasSubstr("products[0].term_mix shares must sum to 1, got 0.9"));
  s.products[0].term_mix = {TermShare{0, 1}};
  EXPECT_THAT(Validate(s).message(), HasSubstr("products[0].term_mix[0].months"));
  s.products[0].term_mix.assign(kMaxTerms + 1, TermShare{12, 1.0 / (kMaxTerms + 1)});
  EXPECT_THAT(Validate(s).message(), HasSubstr("at most 12 terms, got 13"));
  s.products[0].term_mix.clear();
  s.products[1].term_mix = {TermShare{12, 1}};
  EXPECT_THAT(Validate(s).message(), HasSubstr("products[1].term_mix is for ratable products only"));
}

// A month's rate of bookings without an opportunity moves by a lognormal factor D of mean 1:
// a count of contracts of size 1 has mean λ and variance λ + λ² (e^{v²} - 1).
TEST(Forecast, VolatileMonthsSpreadBookingsWithoutAnOpportunityBeyondPoisson) {
  Scenario s = Degenerate();
  s.segments[0].product_mix = {{"subscription", 1.0}};
  DirectBookings& d = s.segments[0].new_customers;
  d.per_month = 10;
  d.size = 1;
  d.size_sigma = 0;
  d.volatility = 0.5;
  const PathValues values = RunPaths(s, Ledger(), 2, 20000);
  for (int month = 0; month < 2; ++month) {
    const Sampled b = Sample(values, kBookings, month);
    EXPECT_NEAR(b.mean, 10, 4 * b.mean_se) << month;
    EXPECT_NEAR(b.variance, 10 + 100 * (std::exp(0.25) - 1), 4 * b.variance_se) << month;
  }
}

}  // namespace
}  // namespace forecastle::forecast
