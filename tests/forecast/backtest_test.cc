// The backtest (SPEC §4.5): CRPS against its closed form, perfect scores where the forecast is
// certain and right, validation naming the field, and a small backtest of the sample company
// whose report is complete, consistent and the same bits on every run.
#include "engine/forecast/backtest.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/forecast/random.h"
#include "tests/testing/ledger_builder.h"
#include "tests/testing/sample_ledger.h"
#include "tests/testing/status_matchers.h"

namespace forecastle::forecast {
namespace {

using ::forecastle::testing::ApplyAll;
using ::forecastle::testing::Con;
using ::forecastle::testing::Cust;
using ::forecastle::testing::D;
using ::forecastle::testing::Ratable;
using ::forecastle::testing::StatusIs;
using ::testing::HasSubstr;

TEST(EnsembleCrps, MatchesTheClosedForms) {
  // Two members 0 and 1, outcome 0.5: mean |X - y| = 0.5, mean |X - X'| over the 4 pairs = 0.5.
  EXPECT_DOUBLE_EQ(EnsembleCrps({1, 0}, 0.5), 0.25);
  // A point forecast's CRPS is its absolute error.
  EXPECT_DOUBLE_EQ(EnsembleCrps({3, 3, 3}, 1), 2);
  // A standard normal (its 20,001 evenly spaced quantiles) for the outcome 0:
  // 2 phi(0) - 1 / sqrt(pi) = 0.2336949; for the outcome 1: 2 phi(1) + (2 Phi(1) - 1) - 1 / sqrt(pi).
  std::vector<double> normal;
  for (int i = 1; i <= 20001; ++i) normal.push_back(InverseNormal(i / 20002.0));
  EXPECT_NEAR(EnsembleCrps(normal, 0), 0.2336949, 2e-4);
  const double phi1 = std::exp(-0.5) / std::sqrt(2 * M_PI), big_phi1 = 0.5 * std::erfc(-1 / std::sqrt(2.0));
  EXPECT_NEAR(EnsembleCrps(normal, 1), 2 * phi1 + (2 * big_phi1 - 1) - 1 / std::sqrt(M_PI), 2e-4);
}

// Nothing random and nothing new: a subscription's revenue and backlog are forecast exactly.
Scenario Certain() {
  Scenario s = DefaultScenario();
  for (SegmentAssumptions& g : s.segments) g.arrivals_per_month = 0;
  s.renewals.probability = 0;
  s.demand_volatility = 0;
  return s;
}

TEST(Backtest, ACertainRightForecastScoresPerfectly) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2024-12-01"), Ratable("C", "L", "12000.00", "2025-01-01", "2025-12-31")});
  BacktestOptions options;
  options.as_of = {D("2025-03-31"), D("2025-05-31")};
  options.horizon = 6;
  options.paths = 50;
  options.calibrate = false;
  options.actuals_through = D("2025-12-31");
  auto report = RunBacktest(ledger, Certain(), options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->as_of.size(), 2u);
  ASSERT_EQ(report->cells.size(), std::size(kBacktestMetrics) * 6);
  for (const BacktestCell& c : report->cells) {
    if (c.metric != kRevenue && c.metric != kBacklog) continue;
    SCOPED_TRACE(std::string(MetricName(c.metric)) + " month " + std::to_string(c.horizon));
    EXPECT_EQ(c.forecasts, 2);
    EXPECT_NEAR(c.crps, 0, 1e-6);
    EXPECT_NEAR(c.bias, 0, 1e-6);
    EXPECT_EQ(c.coverage_80, 1);
    EXPECT_EQ(c.coverage_50, 1);
  }
}

TEST(Backtest, OptionsAreValidatedNamingTheField) {
  Ledger ledger;
  BacktestOptions options;
  options.as_of = {D("2025-03-15")};
  EXPECT_THAT(RunBacktest(ledger, DefaultScenario(), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("as_of[0] must be a month end, got 2025-03-15")));
  options.as_of = {D("2025-03-31")};
  options.horizon = 0;
  EXPECT_THAT(RunBacktest(ledger, DefaultScenario(), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("horizon_months")));
  options.horizon = 12;
  options.paths = 1;
  EXPECT_THAT(RunBacktest(ledger, DefaultScenario(), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("paths")));
  options.paths = 10;
  options.as_of.clear();
  EXPECT_THAT(RunBacktest(ledger, DefaultScenario(), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("as_of")));
  options.as_of = {D("2025-03-31")};  // an empty ledger has no actuals after it
  EXPECT_THAT(RunBacktest(ledger, DefaultScenario(), options), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no as-of date")));
}

// The sample company, calibrated at two as-of dates: every cell is reported, its shares and PIT
// are consistent, and the report replays bit for bit.
TEST(Backtest, TheSampleCompanysBacktestIsCompleteAndReplays) {
  const Ledger ledger = ::forecastle::testing::SampleLedger(400);
  ASSERT_FALSE(::testing::Test::HasFailure());
  BacktestOptions options;
  options.as_of = {D("2025-06-30"), D("2025-12-31")};
  options.horizon = 6;
  options.paths = 200;
  auto first = RunBacktest(ledger, DefaultScenario(), options);
  auto second = RunBacktest(ledger, DefaultScenario(), options);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(first->overall.size(), std::size(kBacktestMetrics));
  for (size_t i = 0; i < first->cells.size(); ++i) {
    const BacktestCell& c = first->cells[i];
    EXPECT_EQ(c.forecasts, 2) << MetricName(c.metric) << " " << c.horizon;
    int64_t pit = 0;
    for (int64_t b : c.pit) pit += b;
    EXPECT_EQ(pit, c.forecasts);
    EXPECT_GE(c.coverage_80, c.coverage_50);
    EXPECT_GE(c.crps, 0);
    EXPECT_EQ(c.crps, second->cells[i].crps);
    EXPECT_EQ(c.coverage_80, second->cells[i].coverage_80);
    EXPECT_EQ(c.skill, second->cells[i].skill);
  }
  for (const BacktestCell& c : first->overall) EXPECT_EQ(c.forecasts, 12) << MetricName(c.metric);
}

}  // namespace
}  // namespace forecastle::forecast
