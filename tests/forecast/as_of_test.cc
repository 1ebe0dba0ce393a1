// Any as-of date works (SPEC §4: a forecast starts from the actuals at an as-of date, any day):
// every day of a month (its 1st, mid-month days, the month end, 29 February) and random dates over
// random ledgers give a forecast, a calibration and a comparison with finite values, and what
// starts in the rest of the as-of month lands in the first forecast month. Run under
// AddressSanitizer/UBSan in CI, where an out-of-bounds write fails the test outright.
#include <cmath>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "engine/forecast/calibration.h"
#include "engine/forecast/forecast.h"
#include "tests/testing/ledger_builder.h"
#include "tests/testing/sample_ledger.h"

namespace forecastle::forecast {
namespace {

using ::forecastle::testing::ApplyAll;
using ::forecastle::testing::Con;
using ::forecastle::testing::Cust;
using ::forecastle::testing::D;
using ::forecastle::testing::Ratable;
using ::forecastle::testing::SampleLedger;

// Every value of every path is finite, and months_to_clear is within [1, horizon + 1].
void ExpectFinite(const PathValues& values, const std::string& where) {
  for (int metric = 0; metric < kMetricCount; ++metric) {
    for (int month = 0; month < values.horizon; ++month) {
      for (int64_t p = 0; p < values.paths; ++p) {
        const float x = values.at(metric, month, p);
        ASSERT_TRUE(std::isfinite(x)) << where << ": " << MetricName(static_cast<Metric>(metric)) << " month "
                                      << month << " path " << p << " = " << x;
      }
    }
  }
  for (int32_t m : values.months_to_clear) {
    ASSERT_GE(m, 1) << where;
    ASSERT_LE(m, values.horizon + 1) << where;
  }
}

// Forecasts `scenario` and a hiring variant of it from `as_of`, compares them, and calibrates.
void ForecastCompareCalibrate(const Ledger& ledger, const Scenario& scenario, Date as_of, int horizon) {
  const std::string where = absl::StrCat("as of ", FormatDate(as_of));
  ForecastOptions options;
  options.paths = 48;
  options.seed = 9;
  auto state = BuildStartingState(ledger, scenario, as_of, horizon);
  ASSERT_TRUE(state.ok()) << where << ": " << state.status();
  EXPECT_EQ(state->first_month, MonthOf(as_of) + 1) << where;
  PathValues base;
  auto result = RunForecast(*state, scenario, options, {}, &base);
  ASSERT_TRUE(result.ok()) << where << ": " << result.status();
  ExpectFinite(base, where);

  Scenario variant = scenario;
  variant.hiring_plan.push_back(Hire{scenario.teams.front().name, MonthOf(as_of) + 1, 5});
  auto variant_state = BuildStartingState(ledger, variant, as_of, horizon);
  ASSERT_TRUE(variant_state.ok()) << where << ": " << variant_state.status();
  PathValues hired;
  ASSERT_TRUE(RunForecast(*variant_state, variant, options, {}, &hired).ok()) << where;
  const Comparison comparison = ComparePaths(base, hired, options.quantiles);
  ASSERT_EQ(comparison.difference.size(), static_cast<size_t>(kMetricCount)) << where;
  for (const auto& metric : comparison.difference) {
    for (const Summary& s : metric) ASSERT_TRUE(std::isfinite(s.mean)) << where;
  }

  auto calibration = Calibrate(ledger, as_of, scenario);
  ASSERT_TRUE(calibration.ok()) << where << ": " << calibration.status();
  auto calibrated_state = BuildStartingState(ledger, calibration->scenario, as_of, horizon);
  ASSERT_TRUE(calibrated_state.ok()) << where << ": " << calibrated_state.status();
  PathValues calibrated;
  ASSERT_TRUE(RunForecast(*calibrated_state, calibration->scenario, options, {}, &calibrated).ok()) << where;
  ExpectFinite(calibrated, where + " (calibrated)");
}

TEST(AnyAsOf, EveryDayOfAMonthIncludingTheTwentyNinthOfFebruary) {
  const Ledger ledger = SampleLedger(250, 3);
  const Scenario scenario = DefaultScenario();
  // The sample's history starts 2023-01-01: February 2024 has a 29th, and July 2026 is deep in it.
  for (const auto& [first, last] : {std::pair{"2024-01-30", "2024-03-02"}, std::pair{"2026-06-29", "2026-08-01"}}) {
    for (Date d = D(first); d <= D(last); d = d + 1) ForecastCompareCalibrate(ledger, scenario, d, 13);
  }
}

TEST(AnyAsOf, RandomDatesOverRandomLedgersNeverFail) {
  std::mt19937_64 random(20261203);
  for (int ledger_draw = 0; ledger_draw < 8; ++ledger_draw) {
    const int contracts = 40 + static_cast<int>(random() % 300);
    const Ledger ledger = SampleLedger(contracts, random());
    // From before the first record to past the last one.
    const Date from = D("2022-10-01"), to = D("2027-03-31");
    for (int i = 0; i < 16; ++i) {
      const Date as_of = from + static_cast<int>(random() % static_cast<uint64_t>(to - from + 1));
      const int horizon = 1 + static_cast<int>(random() % 36);
      ForecastCompareCalibrate(ledger, DefaultScenario(), as_of, horizon);
    }
  }
}

// An annual upfront subscription starting after the as-of date but inside its month is billed in
// full in the first forecast month (the rest of the as-of month is folded into it), never before.
TEST(AnyAsOf, AnUpfrontPeriodStartingLaterInTheAsOfMonthBillsInTheFirstForecastMonth) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C1", "A", "2026-07-01"),
                    Ratable("C1", "L1", "12000.00", "2026-07-20", "2027-07-19")});
  Scenario scenario = DefaultScenario();
  scenario.products[0].billing = BillingTerms::kAnnualUpfront;  // the first ratable product
  auto state = BuildStartingState(ledger, scenario, D("2026-07-10"), 3);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_DOUBLE_EQ(state->scheduled_billing[0], 12000.0);
  EXPECT_DOUBLE_EQ(state->scheduled_billing[1], 0.0);
  EXPECT_DOUBLE_EQ(state->scheduled_billing[2], 0.0);
}

}  // namespace
}  // namespace forecastle::forecast
