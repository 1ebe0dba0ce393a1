// Calibration recovers the parameters a ledger was generated with, within stated tolerances
// (4 standard errors of each estimator, or a stated relative band where no closed form is used).
#include "engine/forecast/calibration.h"

#include <cmath>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "engine/forecast/forecast.h"
#include "tests/testing/fitted.h"
#include "tests/testing/ledger_builder.h"

namespace forecastle::forecast {
namespace {

using namespace ::forecastle::testing;  // NOLINT

// 36 months of "smb" opportunities: 40 a month (80 in December), won with probability 0.3 at a
// lognormal size (mean 20,000, sigma 0.5) after a lognormal cycle (mean 3 months); invoices paid
// after 30 days (70% of the amount) or 60 (30%); 100 subscriptions of 2025, 80 of them renewed
// for 2026 at +5%.
class CalibrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(2026);
    std::uniform_real_distribution<double> u(0, 1);
    std::normal_distribution<double> z(0, 1);
    ApplyAll(ledger_, {Cust("A", "smb")});
    int id = 0;
    for (MonthIndex m = *ParseMonth("2023-11", "m"); m <= *ParseMonth("2026-10", "m"); ++m) {
      const int n = (m % 12 == 11) ? 80 : 40;
      for (int k = 0; k < n; ++k) {
        Opportunity o;
        o.opportunity_id = "O" + std::to_string(++id);
        o.segment = "smb";
        o.created_on = FirstDayOfMonth(m) + static_cast<int>(u(rng) * 27);
        const bool won = u(rng) < 0.3;
        const double size = std::exp(std::log(20000) - 0.125 + 0.5 * z(rng));
        const double cycle = std::exp(std::log(3.0) - 0.125 + 0.5 * z(rng));
        o.amount = static_cast<Cents>(size * 100);
        o.closed_on = o.created_on + static_cast<int>(cycle * 30.4375);
        o.expected_close_on = o.closed_on;
        o.status = *o.closed_on <= D("2026-10-31") ? (won ? OpportunityStatus::kWon : OpportunityStatus::kLost)
                                                     : OpportunityStatus::kOpen;
        if (o.status == OpportunityStatus::kOpen) o.closed_on.reset();
        o.stage = won ? "negotiate" : "develop";
        ASSERT_TRUE(ledger_.Apply(o).ok());
      }
    }
    for (int i = 0; i < 100; ++i) {
      // One customer per subscription, so a renewal is matched to its own customer's.
      const std::string customer = "C" + std::to_string(i), c = "S" + std::to_string(i);
      ApplyAll(ledger_, {Cust(customer, "smb"), Con(c, customer, "2025-01-01"),
                         Ratable(c, "L1", "1000.00", "2025-01-01", "2025-12-31"),
                         Inv("I" + c, c, "2025-01-01", "1000.00"),
                         Pay("P" + c, "I" + c, i < 70 ? "2025-01-31" : "2025-03-02", "1000.00")});
      if (i < 80) {
        const std::string r = "R" + std::to_string(i);
        ApplyAll(ledger_, {Con(r, customer, "2025-12-15"), Ratable(r, "L1", "1050.00", "2026-01-01", "2026-12-31")});
      }
    }
  }
  Ledger ledger_;
};

TEST_F(CalibrationTest, RecoversTheGeneratingParameters) {
  auto fit = Calibrate(ledger_, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const FittedValue& win = Find(*fit, "segments[smb].win_rate");
  ASSERT_TRUE(win.fitted);
  EXPECT_NEAR(win.value, 0.3, 4 * std::sqrt(0.3 * 0.7 / win.sample_size)) << win.sample_size;
  const FittedValue& size = Find(*fit, "segments[smb].deal_size");
  // The sample mean: relative standard error sqrt(e^{sigma^2} - 1) / sqrt(n), 0.533 / sqrt(n) for sigma 0.5.
  const double relative_se = std::sqrt(std::exp(0.25) - 1) / std::sqrt(size.sample_size);
  EXPECT_NEAR(size.value, 20000, 20000 * 4 * relative_se) << size.sample_size;
  EXPECT_NEAR(Find(*fit, "segments[smb].deal_size_sigma").value, 0.5, 4 * 0.5 / std::sqrt(2.0 * size.sample_size));
  // Cycle days are truncated to whole days; the band allows for that (about 1%).
  EXPECT_NEAR(Find(*fit, "segments[smb].sales_cycle_months").value, 3.0, 3.0 * (0.01 + 4 * relative_se));
  // 40 a month and 80 in December: 520 in each of the last two years, no trend, 43.3 a month.
  const FittedValue& arrivals = Find(*fit, "segments[smb].arrivals_per_month");
  EXPECT_EQ(arrivals.sample_size, 24);
  EXPECT_NEAR(arrivals.value, 520.0 / 12, 1e-9);
  EXPECT_NEAR(Find(*fit, "segments[smb].arrivals_growth_per_year").value, 0, 1e-12);
  EXPECT_NEAR(Find(*fit, "segments[smb].arrivals_growth_sigma").value, std::sqrt(2.0 / 520), 1e-12);
  EXPECT_NEAR(Find(*fit, "segments[smb].seasonality[11]").value / Find(*fit, "segments[smb].seasonality[5]").value, 2.0, 1e-9);
  // Every closed deal reached "develop" (the lost ones stopped there): P(win | reached develop)
  // is the overall win rate; P(win | reached negotiate) = 1.
  EXPECT_NEAR(Find(*fit, "stage_win_probability[develop]").value, win.value, 1e-12);
  EXPECT_EQ(Find(*fit, "stage_win_probability[negotiate]").value, 1.0);
  EXPECT_NEAR(Find(*fit, "stage_win_probability[qualify]").value, win.value, 1e-12);
  // Payments: 70% of the amount after 30 days, 30% after 60 (exactly, by construction).
  EXPECT_NEAR(Find(*fit, "payment.delay_days_mix[30 days]").value, 0.7, 1e-12);
  EXPECT_NEAR(Find(*fit, "payment.delay_days_mix[60 days]").value, 0.3, 1e-12);
  EXPECT_NEAR(Find(*fit, "payment.bad_debt_rate").value, 0.0, 1e-12);
  // Renewals: 80 of 100 expired subscriptions renewed at +5%.
  EXPECT_NEAR(Find(*fit, "renewals.probability").value, 0.8, 1e-12);
  EXPECT_NEAR(Find(*fit, "renewals.uplift").value, 0.05, 1e-9);
  EXPECT_TRUE(Validate(fit->scenario).ok());
}

TEST_F(CalibrationTest, TooFewObservationsKeepTheStartingValue) {
  Ledger tiny;
  ApplyAll(tiny, {Cust("A", "smb")});
  auto fit = Calibrate(tiny, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok());
  const FittedValue& renewals = Find(*fit, "renewals.probability");
  EXPECT_FALSE(renewals.fitted);
  EXPECT_EQ(renewals.value, DefaultScenario().renewals.probability);
  EXPECT_EQ(renewals.sample_size, 0);
}

}  // namespace
}  // namespace forecastle::forecast

namespace forecastle::forecast {
namespace {

// Capacity from the ledger (SPEC §4.3): ten services lines signed in 2025 (20,000.00 for 200
// estimated hours each: 0.01 hours per unit) delivering 30 hours a month each from May to
// October 2026, and 100 units a month of goods (40,000.00 for 1,000 units, at the default 1/1000
// hours per unit: 4 hours a month). The team delivered 304 hours a month: at 140 hours per FTE
// and 75% utilisation, 2.895 FTE. Progress after as-of is not known and does not count.
TEST(CalibrationCapacity, TeamsDeliverWhatTheLedgerDelivered) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A", "smb"), Con("G", "A", "2025-06-01"),
                    ::forecastle::testing::Delivery("G", "L", "40000.00", 1000)});
  for (int i = 0; i < 10; ++i) {
    const std::string c = absl::StrCat("S", i);
    ApplyAll(ledger, {Con(c, "A", "2025-12-01"), Effort(c, "L", "20000.00", "200")});
    ApplyAll(ledger, {Hours(c, "L", "2026-04-15", "25")});  // before the window
    for (const char* day : {"2026-05-10", "2026-06-10", "2026-07-10", "2026-08-10", "2026-09-10", "2026-10-10"}) {
      ApplyAll(ledger, {Hours(c, "L", day, "30")});
    }
    ApplyAll(ledger, {Hours(c, "L", "2026-11-05", "99")});  // after as-of
  }
  for (const char* day : {"2026-05-20", "2026-06-20", "2026-07-20", "2026-08-20", "2026-09-20", "2026-10-20"}) {
    ApplyAll(ledger, {Units("G", "L", day, 100)});
  }
  auto fit = Calibrate(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const FittedValue& hours_per_unit = Find(*fit, "products[services].hours_per_unit_value");
  EXPECT_TRUE(hours_per_unit.fitted);
  EXPECT_EQ(hours_per_unit.sample_size, 10);
  EXPECT_NEAR(hours_per_unit.value, 0.01, 1e-12);
  const FittedValue& fte = Find(*fit, "teams[delivery].fte");
  EXPECT_TRUE(fte.fitted);
  EXPECT_EQ(fte.sample_size, 66);  // progress records in the six months
  EXPECT_NEAR(fte.value, 304.0 / (140 * 0.75), 1e-9);

  // A forecast warns when its capacity is far from what was delivered: the default 40 FTE give
  // 4,200 hours a month, 13.8x the 304 delivered; the calibrated scenario's none.
  const std::vector<std::string> warnings = CapacityWarnings(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], ::testing::HasSubstr("teams[delivery]: capacity 4200 hours a month"));
  EXPECT_THAT(warnings[0], ::testing::HasSubstr("the 304 hours a month the ledger shows delivered"));
  EXPECT_TRUE(CapacityWarnings(ledger, D("2026-10-31"), fit->scenario).empty());

  // The calibrated forecast starts from that capacity.
  auto state = BuildStartingState(ledger, fit->scenario, D("2026-10-31"), 3);
  ASSERT_TRUE(state.ok()) << state.status();
  ForecastOptions options;
  options.paths = 2000;
  auto result = RunForecast(*state, fit->scenario, options);
  ASSERT_TRUE(result.ok());
  const Summary& capacity = result->summaries[kCapacityHours][0];
  // Month 1 after attrition (1% a month of 3 people of 0.965 FTE): 304 x 0.99 on average.
  EXPECT_NEAR(capacity.mean, 304 * 0.99, 4 * capacity.standard_error);
}

// A team that delivers unevenly is given the capacity of its busiest month of the last year,
// grown to now, and its hours' growth continues as a hiring plan: 10 lines deliver 10 hours a
// month each from November 2024 to October 2025 (100 a month) and 15 a month from November 2025
// to October 2026, except 30 each in August 2026 (300: the peak, three months before the first
// forecast month). Growth: 1,200 + 300 - 150 = 1,950 hours against 1,200, +62.5% a year.
TEST(CalibrationCapacity, BusiestRecentMonthAndTheTrendAsHires) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A", "smb")});
  for (int i = 0; i < 10; ++i) {
    const std::string c = absl::StrCat("S", i);
    ApplyAll(ledger, {Con(c, "A", "2024-10-01"), Effort(c, "L", "100000.00", "1000")});
    for (MonthIndex m = MonthOf(D("2024-11-01")); m <= MonthOf(D("2026-10-01")); ++m) {
      const bool second_year = m >= MonthOf(D("2025-11-01"));
      const char* hours = m == MonthOf(D("2026-08-01")) ? "30" : second_year ? "15" : "10";
      ApplyAll(ledger, {Hours(c, "L", FormatDate(FirstDayOfMonth(m) + 9), hours)});
    }
  }
  Scenario start = DefaultScenario();
  auto fit = Calibrate(ledger, D("2026-10-31"), start);
  ASSERT_TRUE(fit.ok()) << fit.status();
  const Team& team = fit->scenario.teams[0];
  const double monthly = std::pow(1950.0 / 1200, 1.0 / 12);
  EXPECT_NEAR(team.fte, 300.0 * std::pow(monthly, 3) / (140 * 0.75), 1e-9);
  const FittedValue& growth = Find(*fit, "hiring_plan[delivery].growth_per_year");
  EXPECT_TRUE(growth.fitted);
  EXPECT_NEAR(growth.value, 1950.0 / 1200 - 1, 1e-12);
  // 36 months of hires, requested time_to_fill months ahead of November 2026: each month's grow
  // the team by the monthly rate and replace the 1% who leave.
  const std::vector<Hire>& plan = fit->scenario.hiring_plan;
  ASSERT_EQ(plan.size(), 36u);
  const double rate = monthly - 1;
  EXPECT_EQ(plan[0].team, "delivery");
  EXPECT_EQ(plan[0].month, MonthOf(D("2026-11-01")) - start.time_to_fill_months);
  EXPECT_NEAR(plan[0].count, team.fte * (rate + 0.01 * (1 + rate)), 0.005);
  EXPECT_NEAR(plan[35].count, team.fte * std::pow(1 + rate, 35) * (rate + 0.01 * (1 + rate)), 0.005);

  // A starting scenario that plans the team's hiring keeps its plan.
  start.hiring_plan = {Hire{"delivery", MonthOf(D("2027-01-01")), 2}};
  auto kept = Calibrate(ledger, D("2026-10-31"), start);
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_EQ(kept->scenario.hiring_plan.size(), 1u);
  EXPECT_EQ(kept->scenario.hiring_plan[0].count, 2);
}

// The busiest month counts from the last 12 whole months, each carried to now by the growth
// once for every month it lies back; a busier month 13 months back does not count.
TEST(CalibrationCapacity, BusiestMonthNowCoversTheLastYear) {
  std::vector<double> hours(24, 100);
  hours[11] = 1000;  // 13 months back: outside the year
  hours[14] = 300;   // 10 months back, in a quiet last half-year
  EXPECT_DOUBLE_EQ(BusiestMonthNow(hours, 1.0), 300);
  EXPECT_DOUBLE_EQ(BusiestMonthNow(hours, 1.01), std::max(300 * std::pow(1.01, 10), 100 * std::pow(1.01, 12)));
  hours[23] = 310;  // the last month: carried once
  EXPECT_DOUBLE_EQ(BusiestMonthNow(hours, 1.0), 310);
  EXPECT_DOUBLE_EQ(BusiestMonthNow(hours, 1.05), std::max(310 * 1.05, 300 * std::pow(1.05, 10)));
  EXPECT_DOUBLE_EQ(BusiestMonthNow({}, 1.05), 0);
  EXPECT_DOUBLE_EQ(BusiestMonthNow({50, 60}, 1.0), 60);  // fewer months than a year: all of them
}

// With a headcount history the team is its latest headcount, each FTE able to deliver what one
// did in the busiest month of the year: 10 lines deliver 15 hours a month each (150) from
// November 2025 to October 2026, 30 each in August 2026 (300). Headcount is 1.50 FTE a month,
// 2.00 in August and 2.50 in October: 100 hours per FTE, 150 in August, so 150 / 0.75 = 200
// hours per FTE at the default utilisation, and a capacity of 2.5 x 200 x 0.75 = 375 hours. A
// month after as_of's and another team's headcount do not count; with fewer than kMinSample
// months of headcount the team falls back to its busiest month's hours.
TEST(CalibrationCapacity, WithHeadcountTheTeamIsItsPeopleAtTheirBusiestMonthsPace) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A", "smb")});
  for (int i = 0; i < 10; ++i) {
    const std::string c = absl::StrCat("S", i);
    ApplyAll(ledger, {Con(c, "A", "2025-10-01"), Effort(c, "L", "100000.00", "1000")});
    for (MonthIndex m = MonthOf(D("2025-11-01")); m <= MonthOf(D("2026-10-01")); ++m) {
      ApplyAll(ledger, {Hours(c, "L", FormatDate(FirstDayOfMonth(m) + 9), m == MonthOf(D("2026-08-01")) ? "30" : "15")});
    }
  }
  Ledger partial = ledger;  // the same hours with 9 months of headcount
  for (MonthIndex m = MonthOf(D("2025-11-01")); m <= MonthOf(D("2026-11-01")); ++m) {
    const int64_t centi = m == MonthOf(D("2026-08-01")) ? 200 : m == MonthOf(D("2026-10-01")) ? 250 : m > MonthOf(D("2026-10-01")) ? 900 : 150;
    ASSERT_TRUE(ledger.Apply(Headcount{"delivery", m, centi}).ok());
    if (m >= MonthOf(D("2026-02-01"))) ASSERT_TRUE(partial.Apply(Headcount{"delivery", m, centi}).ok());
  }
  ASSERT_TRUE(ledger.Apply(Headcount{"elsewhere", MonthOf(D("2026-10-01")), 5000}).ok());
  auto fit = Calibrate(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const FittedValue& fte = Find(*fit, "teams[delivery].fte");
  EXPECT_TRUE(fte.fitted);
  EXPECT_EQ(fte.value, 2.5);
  EXPECT_EQ(fte.sample_size, 12);  // months of headcount in the year
  EXPECT_NEAR(Find(*fit, "teams[delivery].hours_per_fte_month").value, 150 / 0.75, 1e-9);
  const Team& team = fit->scenario.teams[0];
  EXPECT_NEAR(team.fte * team.hours_per_fte_month * team.utilization, 375, 1e-9);

  // 9 months of headcount (February to October 2026, below kMinSample): the busiest month.
  auto fallback = Calibrate(partial, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fallback.ok()) << fallback.status();
  EXPECT_NEAR(Find(*fallback, "teams[delivery].fte").value, 300.0 / (140 * 0.75), 1e-9);  // no growth: one year only
  EXPECT_EQ(Find(*fallback, "teams[delivery].hours_per_fte_month").value, 140);
  EXPECT_FALSE(Find(*fallback, "teams[delivery].hours_per_fte_month").fitted);
  EXPECT_EQ(Find(*fallback, "teams[delivery].hours_per_fte_month").sample_size, 9);
}

// MostHoursPerFte: the most hours per FTE among the last 12 months that have headcount.
TEST(CalibrationCapacity, MostHoursPerFteSkipsMonthsWithoutHeadcount) {
  std::vector<double> hours(24, 100), fte(24, 1);
  hours[11] = 1000;  // 13 months back: outside the year
  hours[20] = 400;
  fte[20] = 0;  // no headcount that month: skipped
  hours[22] = 300;
  fte[22] = 2;  // 150 per FTE
  EXPECT_DOUBLE_EQ(MostHoursPerFte(hours, fte), 150);
  EXPECT_DOUBLE_EQ(MostHoursPerFte(hours, std::vector<double>(24, 0)), 0);
  EXPECT_DOUBLE_EQ(MostHoursPerFte({}, {}), 0);
}

// Effort overrun from the services completed by as_of: 5 lines of 100 estimated hours took 120,
// 5 took 100 (a ratio of sums of 1.1; the logs' sigma that of ln 1.2 and 0 five times each); a
// line still running, and one completed after as_of, do not count.
TEST(CalibrationWork, OverrunFromCompletedServices) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A", "smb")});
  for (int i = 0; i < 12; ++i) {
    const std::string c = absl::StrCat("E", i);
    ApplyAll(ledger, {Con(c, "A", "2026-03-01"), Effort(c, "L", "10000.00", "100")});
    Progress done = Hours(c, "L", i == 11 ? "2026-11-15" : "2026-06-30", i % 2 ? "120" : "100");
    done.complete = i != 10;
    ApplyAll(ledger, {done});
  }
  auto fit = Calibrate(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const FittedValue& overrun = Find(*fit, "effort_overrun");
  EXPECT_TRUE(overrun.fitted);
  EXPECT_EQ(overrun.sample_size, 10);
  EXPECT_NEAR(overrun.value, 1100.0 / 1000, 1e-12);
  const double l = std::log(1.2), mean = l / 2;
  EXPECT_NEAR(Find(*fit, "effort_overrun_sigma").value, std::sqrt(10 * (l - mean) * (l - mean) / 9), 1e-12);
}

// New opportunities have a trend (SPEC §4.1 source 2): "smb" gets 2 a month in the year to
// October 2025 and 3 a month since, "mid-market" 10 and 10 (its trend is shrunk toward the
// company's, as bookings without an opportunity are); the rate at as-of is the last year's
// mean moved half a year along the trend. And a ledger's segments the starting scenario lacks
// are added, however many (each addition may move the others in memory).
TEST(CalibrationArrivals, NewOpportunitiesTrendAndSegmentsTheScenarioLacks) {
  Ledger ledger;
  int id = 0;
  auto add = [&](const std::string& segment, MonthIndex m, int n) {
    for (int k = 0; k < n; ++k) {
      Opportunity o;
      o.opportunity_id = absl::StrCat("O", ++id);
      o.segment = segment;
      o.created_on = FirstDayOfMonth(m) + k;
      o.amount = 100000;
      o.status = OpportunityStatus::kOpen;
      o.stage = "develop";
      ASSERT_TRUE(ledger.Apply(o).ok());
    }
  };
  for (MonthIndex m = *ParseMonth("2024-11", "m"); m <= *ParseMonth("2026-10", "m"); ++m) {
    const bool recent = m >= *ParseMonth("2025-11", "m");
    add("smb", m, recent ? 3 : 2);
    add("mid-market", m, 10);
    for (const char* segment : {"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"}) add(segment, m, 1);
  }
  auto fit = Calibrate(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const double growth = Find(*fit, "segments[smb].arrivals_growth_per_year").value;
  // Between mid-market's 0 and smb's own +50%.
  EXPECT_GT(growth, 0);
  EXPECT_LT(growth, 0.5);
  EXPECT_GT(Find(*fit, "segments[mid-market].arrivals_growth_per_year").value, 0);
  EXPECT_NEAR(Find(*fit, "segments[smb].arrivals_per_month").value, 3 * std::sqrt(1 + growth), 1e-9);
  for (const char* segment : {"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"}) {
    bool found = false;
    for (const SegmentAssumptions& g : fit->scenario.segments) {
      if (g.name != segment) continue;
      found = true;
      EXPECT_NEAR(g.arrivals_per_month, 1, 0.2) << segment;  // 12 a year: the pooled trend moves it a little
    }
    EXPECT_TRUE(found) << segment;
  }
  EXPECT_TRUE(Validate(fit->scenario).ok());
}

// Products' templates from the lines signed in the two years to as_of: 5 subscriptions of 12
// months at 12,000.00 and 5 of 36 months at 36,000.00 earn 1,000.00 a month each, as a term of
// (60,000 + 180,000) / (5,000 + 5,000) = 24 months would; each starts the month after signing.
// 10 services signed 1 June, expected to end 31 August, 40 of their 100 hours first reported on
// 31 July. A line signed after as_of does not count.
TEST(CalibrationProducts, TermsAndLeadTimesEarnAsTheLinesDid) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A", "smb")});
  for (int i = 0; i < 10; ++i) {
    const std::string c = absl::StrCat("R", i);
    const bool long_term = i % 2 == 1;
    ApplyAll(ledger, {Con(c, "A", "2026-05-20"),
                      Ratable(c, "L", long_term ? "36000.00" : "12000.00", "2026-06-01",
                              long_term ? "2029-05-31" : "2027-05-31")});
    const std::string e = absl::StrCat("E", i);
    ApplyAll(ledger, {Con(e, "A", "2026-06-01"), Effort(e, "L", "10000.00", "100", "2026-08-31"),
                      Hours(e, "L", "2026-07-31", "40")});
  }
  ApplyAll(ledger, {Con("LATE", "A", "2026-11-02"), Ratable("LATE", "L", "99000.00", "2026-11-02", "2026-11-30")});
  auto fit = Calibrate(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const FittedValue& term = Find(*fit, "products[subscription].term_months");
  EXPECT_TRUE(term.fitted);
  EXPECT_EQ(term.sample_size, 10);
  EXPECT_EQ(term.value, 24);
  // Signed 20 May, starting 1 June: 12 days.
  EXPECT_NEAR(Find(*fit, "products[subscription].lead_time_months").value, 12 / 30.4375, 1e-12);
  // The services' work started on day s after signing where the planned pace (100 hours from s
  // to the expected end, day 92) covers the 40 hours reported on day 60: 60 - s = 0.4 (92 - s),
  // s = (60 - 36.8) / 0.6 = 38.7 days. Their planned duration runs from there: 53.3 days, 1.75
  // months, 2 whole months (from the signing it would have been 3, the lead folded in).
  const double start = (60 - 0.4 * 92) / 0.6;
  EXPECT_NEAR(Find(*fit, "products[services].lead_time_months").value, start / 30.4375, 1e-12);
  EXPECT_EQ(Find(*fit, "products[services].term_months").value, 2);
  // The terms sold, by amount: 5 x 12,000.00 of 12 months and 5 x 36,000.00 of 36 (the late
  // line after as-of does not count).
  EXPECT_EQ(Find(*fit, "products[subscription].term_mix[12 months]").value, 0.25);
  EXPECT_EQ(Find(*fit, "products[subscription].term_mix[36 months]").value, 0.75);
  EXPECT_TRUE(Find(*fit, "products[subscription].term_mix[36 months]").fitted);
  for (const Product& p : fit->scenario.products) {
    if (p.name == "subscription") {
      EXPECT_EQ(p.term_months, 24);
      ASSERT_EQ(p.term_mix.size(), 2u);
      EXPECT_EQ(p.term_mix[0].months, 12);
      EXPECT_EQ(p.term_mix[1].months, 36);
      EXPECT_EQ(p.term_mix[0].share + p.term_mix[1].share, 1.0);
    } else if (p.name == "services") {
      EXPECT_EQ(p.term_months, 2);
      EXPECT_TRUE(p.term_mix.empty());
    }
  }
  EXPECT_TRUE(Validate(fit->scenario).ok()) << Validate(fit->scenario);
}

// Terms in arrears: services-only contracts whose invoices follow their month-end reports. Six
// contracts invoice on the report's day (0 months), four on the 5th of the next month (1 month):
// by amount (all 1,000.00) 0.4 months. A contract with a subscription line does not count, nor an
// invoice before any report.
TEST(CalibrationPayments, ArrearsLagFromInvoicesAfterReports) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A", "smb")});
  for (int i = 0; i < 10; ++i) {
    const std::string c = absl::StrCat("S", i);
    ApplyAll(ledger, {Con(c, "A", "2026-05-02"), Effort(c, "L", "10000.00", "100"),
                      Hours(c, "L", "2026-05-31", "10"), Inv("I" + c, c, i < 6 ? "2026-05-31" : "2026-06-05", "1000.00")});
  }
  ApplyAll(ledger, {Con("M", "A", "2026-05-02"), Effort("M", "L", "10000.00", "100"),
                    Ratable("M", "R", "1200.00", "2026-05-02", "2027-05-01"), Hours("M", "L", "2026-05-31", "10"),
                    Inv("IM", "M", "2026-08-05", "5000.00"), Con("E", "A", "2026-05-02"), Effort("E", "L", "10000.00", "100"),
                    Inv("IE", "E", "2026-05-03", "5000.00")});
  auto fit = Calibrate(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const FittedValue& lag = Find(*fit, "payment.arrears_lag_months");
  EXPECT_TRUE(lag.fitted);
  EXPECT_EQ(lag.sample_size, 10);
  EXPECT_NEAR(lag.value, 0.4, 1e-12);
  EXPECT_NEAR(fit->scenario.payment.arrears_lag_months, 0.4, 1e-12);
}

// More terms than a scenario holds: the kMaxTerms largest by amount, renormalised; 10 lines of
// 1..14 months with amounts growing with the term keep terms 3..14.
TEST(CalibrationProducts, TheLargestTermsAreKept) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A", "smb")});
  for (int months = 1; months <= 14; ++months) {
    const std::string c = absl::StrCat("R", months);
    const Date start = D("2026-01-01");
    ApplyAll(ledger, {Con(c, "A", "2026-01-01"),
                      Ratable(c, "L", absl::StrCat(months * 1000, ".00"), "2026-01-01",
                              FormatDate(AddMonths(start, months) - 1))});
  }
  auto fit = Calibrate(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  for (const Product& p : fit->scenario.products) {
    if (p.name != "subscription") continue;
    ASSERT_EQ(p.term_mix.size(), kMaxTerms);
    EXPECT_EQ(p.term_mix.front().months, 3);
    EXPECT_EQ(p.term_mix.back().months, 14);
    EXPECT_NEAR(p.term_mix.back().share, 14.0 / 102, 1e-12);  // of 3 + 4 + ... + 14 = 102
  }
  EXPECT_TRUE(Validate(fit->scenario).ok());
}

}  // namespace
}  // namespace forecastle::forecast

namespace forecastle::forecast {
namespace {

// Bookings without an opportunity: over the 24 months to 2026-10-31, "smb" new customers sign
// 2 contracts a month in the first year and 3 in the second (growth +50%, its sigma
// sqrt(1/36 + 1/24)), at 10,000.00 each; an existing customer expands once a month (no growth).
// A contract behind a won opportunity and a renewal are other sources and do not count.
TEST(CalibrationDirect, BookingsWithoutAnOpportunityFitRateTrendAndSize) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("OLD", "smb"), Con("OLD-0", "OLD", "2024-01-15"),
                    Ratable("OLD-0", "L", "1200.00", "2024-02-01", "2025-01-31")});
  int n = 0;
  for (MonthIndex m = *ParseMonth("2024-11", "m"); m <= *ParseMonth("2026-10", "m"); ++m) {
    const int count = m < *ParseMonth("2025-11", "m") ? 2 : 3;
    for (int i = 0; i < count; ++i, ++n) {
      const std::string c = absl::StrCat("N", n);
      const Date day = FirstDayOfMonth(m) + 3 + i;
      ApplyAll(ledger, {Cust(c, "smb"), Con(c, c, FormatDate(day)), Effort(c, "L", "10000.00", "50")});
    }
    const std::string e = absl::StrCat("E", m);
    ApplyAll(ledger, {Con(e, "OLD", FormatDate(FirstDayOfMonth(m) + 10)), Effort(e, "L", "4000.00", "20")});
  }
  // Another source: a won opportunity's contract, and OLD-0's renewal.
  Opportunity won;
  won.opportunity_id = "OPP-1";
  won.segment = "smb";
  won.amount = 9900000;
  won.created_on = D("2026-01-01");
  won.status = OpportunityStatus::kWon;
  won.stage = "negotiate";
  won.closed_on = D("2026-03-02");
  won.customer_id = "W";
  ApplyAll(ledger, {Cust("W", "smb"), Con("W-1", "W", "2026-03-05"), Effort("W-1", "L", "99000.00", "50"), won,
                    Con("OLD-1", "OLD", "2025-01-20"), Ratable("OLD-1", "L", "1300.00", "2025-02-01", "2026-01-31")});
  auto fit = Calibrate(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  // Trends: new customers 36 against 24 (log growth ln 1.5, variance 1/36 + 1/24), expansions
  // 12 against 12 (0, 1/12 + 1/12); pooled 48 against 36. Each is shrunk toward the pooled log
  // growth L by a prior N(L, tau² + 1/48 + 1/36), tau² = mean((l - L)² - variance), at least 0.
  const double pooled = std::log(48.0 / 36), l_new = std::log(1.5), v_new = 1.0 / 36 + 1.0 / 24, v_exp = 1.0 / 6;
  const double tau2 = std::max(0.0, ((l_new - pooled) * (l_new - pooled) - v_new + pooled * pooled - v_exp) / 2);
  const double prior = tau2 + 1.0 / 48 + 1.0 / 36;
  auto shrunk = [&](double l, double v) { return (l / v + pooled / prior) / (1 / v + 1 / prior); };
  const double growth_new = std::exp(shrunk(l_new, v_new)) - 1;
  // Between 0 and +50%: pulled toward the company's +33%.
  EXPECT_GT(growth_new, 1.0 / 3);
  EXPECT_LT(growth_new, 0.5);
  const std::string f = "segments[smb].new_customers.";
  EXPECT_NEAR(Find(*fit, f + "growth_per_year").value, growth_new, 1e-12);
  EXPECT_NEAR(Find(*fit, f + "growth_sigma").value, std::sqrt(1 / (1 / v_new + 1 / prior)), 1e-12);
  EXPECT_NEAR(Find(*fit, f + "per_month").value, 3 * std::sqrt(1 + growth_new), 1e-12);
  EXPECT_EQ(Find(*fit, f + "per_month").sample_size, 60);
  EXPECT_NEAR(Find(*fit, f + "size").value, 10000, 1e-6);
  EXPECT_NEAR(Find(*fit, f + "size_sigma").value, 0, 1e-9);
  EXPECT_EQ(Find(*fit, f + "volatility").value, 0);  // steadier than Poisson: no excess dispersion
  const std::string e = "segments[smb].expansions.";
  const double growth_exp = std::exp(shrunk(0, v_exp)) - 1;
  EXPECT_GT(growth_exp, 0);
  EXPECT_LT(growth_exp, 1.0 / 3);
  EXPECT_NEAR(Find(*fit, e + "growth_per_year").value, growth_exp, 1e-12);
  EXPECT_NEAR(Find(*fit, e + "per_month").value, std::sqrt(1 + growth_exp), 1e-12);
  EXPECT_EQ(Find(*fit, e + "per_month").sample_size, 24);  // OLD-1 renews OLD-0: not an expansion
  EXPECT_NEAR(Find(*fit, e + "size").value, 4000, 1e-6);
  // The mix of what the segment booked in those months: all services but the renewal's subscription.
  EXPECT_GT(Find(*fit, "segments[smb].product_mix[services]").value, 0.99);
}

// A source more volatile than Poisson is less sure of its trend: new customers sign 1 and 5
// contracts in alternate months over the 24 months (36 a year, no growth). Around the trend of 3
// a month, s² = Σ ((n - 3)² - 3) / Σ 3² = 24 / 216 = 1/9; the log growth's variance is
// 1/36 + 1/36 from the counts plus s²/6 from the months' factors.
TEST(CalibrationDirect, AVolatileSourceWidensItsTrendsSigma) {
  Ledger ledger;
  int n = 0;
  for (MonthIndex m = *ParseMonth("2024-11", "m"); m <= *ParseMonth("2026-10", "m"); ++m) {
    const int count = (m % 2) == 0 ? 1 : 5;
    for (int i = 0; i < count; ++i, ++n) {
      const std::string c = absl::StrCat("N", n);
      ApplyAll(ledger, {Cust(c, "smb"), Con(c, c, FormatDate(FirstDayOfMonth(m) + 3 + i)), Effort(c, "L", "10000.00", "50")});
    }
  }
  auto fit = Calibrate(ledger, D("2026-10-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const std::string f = "segments[smb].new_customers.";
  const double s2 = 1.0 / 9;
  EXPECT_NEAR(Find(*fit, f + "growth_per_year").value, 0, 1e-12);
  EXPECT_NEAR(Find(*fit, f + "volatility").value, std::sqrt(std::log1p(s2)), 1e-12);
  EXPECT_NEAR(Find(*fit, f + "growth_sigma").value, std::sqrt(2.0 / 36 + s2 / 6), 1e-12);
  for (const SegmentAssumptions& segment : fit->scenario.segments) {  // the scenario holds it too
    if (segment.name == "smb") EXPECT_NEAR(segment.new_customers.growth_sigma, std::sqrt(2.0 / 36 + s2 / 6), 1e-12);
  }
}

}  // namespace
}  // namespace forecastle::forecast

namespace forecastle::forecast {
namespace {

// Receivables by age: 20 invoices of 100.00 issued 2026-06-20, half paid on 2026-07-10 and half
// never. At June's end all 20 are 0-30 days old and half the amount is paid in July (0.5); at
// July's end 10 are 31-60 days old and nothing comes in August (0); so on to 91-180 days (30
// invoice-months, 0). None reached 180 days: that share keeps its default.
TEST(CalibrationReceivables, EachAgeBucketCollectsWhatItsHistoryCollected) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"), Ratable("C", "L", "10000.00", "2026-01-01", "2026-12-31")});
  for (int i = 0; i < 20; ++i) {
    const std::string id = absl::StrCat("I", i);
    ApplyAll(ledger, {Inv(id, "C", "2026-06-20", "100.00")});
    if (i < 10) ApplyAll(ledger, {Pay(absl::StrCat("P", i), id, "2026-07-10", "100.00")});
  }
  auto fit = Calibrate(ledger, D("2026-12-31"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const FittedValue& fresh = Find(*fit, "payment.collection_by_age[0-30]");
  EXPECT_EQ(fresh.sample_size, 20);
  EXPECT_NEAR(fresh.value, 0.5, 1e-12);
  EXPECT_EQ(Find(*fit, "payment.collection_by_age[31-60]").sample_size, 10);
  EXPECT_NEAR(Find(*fit, "payment.collection_by_age[31-60]").value, 0, 1e-12);
  EXPECT_EQ(Find(*fit, "payment.collection_by_age[91-180]").sample_size, 30);
  const FittedValue& old = Find(*fit, "payment.collection_by_age[180+]");
  EXPECT_FALSE(old.fitted);
  EXPECT_EQ(old.value, DefaultScenario().payment.collection_by_age[4]);
}

}  // namespace
}  // namespace forecastle::forecast
