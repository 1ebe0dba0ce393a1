// A forecast is a pure function of (actuals as of the date, scenario, seed, paths) (SPEC §4
// "Determinism"): the same records imported in any order, with records dated after as-of mixed
// in anywhere, give byte-identical forecasts, comparisons and calibrations. Streams are keyed by
// what a record is, never by where it sat in the import.
#include <algorithm>
#include <cstring>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/forecast/calibration.h"
#include "engine/forecast/forecast.h"
#include "engine/sample/sample_company.h"
#include "tests/testing/ledger_builder.h"

namespace forecastle::forecast {
namespace {

using ::forecastle::testing::D;

std::vector<Record> Sample() {
  SampleOptions options;
  options.contracts = 500;
  options.seed = 23;
  auto records = GenerateSampleCompany(options);
  EXPECT_TRUE(records.ok()) << records.status();
  return *records;
}

// Records reordered within each kind (a kind's records may refer to earlier kinds only).
std::vector<Record> Reordered(std::vector<Record> records, uint64_t seed) {
  std::stable_sort(records.begin(), records.end(),
                   [](const Record& a, const Record& b) { return KindOf(a) < KindOf(b); });
  auto begin = records.begin();
  std::mt19937_64 random(seed);
  while (begin != records.end()) {
    auto end = std::find_if(begin, records.end(), [&](const Record& r) { return KindOf(r) != KindOf(*begin); });
    if (seed == 0) {
      std::reverse(begin, end);
    } else {
      std::shuffle(begin, end, random);
    }
    begin = end;
  }
  return records;
}

Ledger Apply(const std::vector<Record>& records) {
  Ledger ledger;
  for (const Record& r : records) EXPECT_TRUE(ledger.Apply(r).ok()) << RecordKey(r);
  return ledger;
}

// Everything a forecast, a hiring comparison and a calibration produce, as bytes.
std::string Outcome(const Ledger& ledger, Date as_of) {
  std::string out;
  auto add = [&](const void* data, size_t size) { out.append(static_cast<const char*>(data), size); };
  // Every path's values (the last block's unused slots are never written: not those).
  auto add_paths = [&](const PathValues& v) {
    for (int metric = 0; metric < kMetricCount; ++metric) {
      for (int month = 0; month < v.horizon; ++month) {
        for (int64_t p = 0; p < v.paths; ++p) {
          const float x = v.at(metric, month, p);
          add(&x, sizeof x);
        }
      }
    }
    add(v.months_to_clear.data(), v.months_to_clear.size() * sizeof(int32_t));
  };
  ForecastOptions options;
  options.paths = 200;
  options.seed = 5;
  Scenario base = DefaultScenario();
  Scenario hired = base;
  hired.hiring_plan.push_back(Hire{"delivery", MonthOf(as_of) + 1, 8});
  PathValues values[2];
  for (int s = 0; s < 2; ++s) {
    const Scenario& scenario = s == 0 ? base : hired;
    auto state = BuildStartingState(ledger, scenario, as_of, 18);
    EXPECT_TRUE(state.ok()) << state.status();
    auto result = RunForecast(*state, scenario, options, {}, &values[s]);
    EXPECT_TRUE(result.ok()) << result.status();
    add_paths(values[s]);
  }
  const Comparison comparison = ComparePaths(values[0], values[1], options.quantiles);
  for (const auto& metric : comparison.difference) {
    for (const Summary& s : metric) add(&s.mean, sizeof s.mean);
  }
  auto calibration = Calibrate(ledger, as_of, base);
  EXPECT_TRUE(calibration.ok()) << calibration.status();
  for (const FittedValue& v : calibration->values) {
    out += v.field;
    add(&v.value, sizeof v.value);
    add(&v.sample_size, sizeof v.sample_size);
  }
  auto state = BuildStartingState(ledger, calibration->scenario, as_of, 18);
  EXPECT_TRUE(state.ok()) << state.status();
  PathValues calibrated;
  EXPECT_TRUE(RunForecast(*state, calibration->scenario, options, {}, &calibrated).ok());
  add_paths(calibrated);
  return out;
}

TEST(ImportOrder, AnyOrderGivesTheSameBytes) {
  const std::vector<Record> records = Sample();
  const Date as_of = D("2026-04-30");  // the sample runs to 2026-10-31: later records are mixed in
  const std::string expected = Outcome(Apply(records), as_of);
  for (uint64_t seed : {0, 1, 2}) {
    SCOPED_TRACE(seed == 0 ? "reversed" : "shuffled");
    EXPECT_TRUE(Outcome(Apply(Reordered(records, seed)), as_of) == expected);
  }
}

TEST(ImportOrder, AnOpportunityCreatedAfterAsOfChangesNothing) {
  std::vector<Record> records = Sample();
  const Date as_of = D("2026-04-30");
  const std::string expected = Outcome(Apply(records), as_of);
  Opportunity later;
  later.opportunity_id = "AAA-FIRST";  // first in id order as well as in the file
  later.segment = "smb";
  later.amount = 5000000;
  later.created_on = D("2026-05-02");
  later.status = OpportunityStatus::kOpen;
  later.stage = "negotiate";
  later.expected_close_on = D("2026-07-15");
  auto first_opportunity = std::find_if(records.begin(), records.end(),
                                        [](const Record& r) { return KindOf(r) == RecordKind::kOpportunity; });
  records.insert(first_opportunity, later);
  EXPECT_TRUE(Outcome(Apply(records), as_of) == expected);
}

// The test has teeth: the same ledger with one more open opportunity at as-of forecasts otherwise.
TEST(ImportOrder, AnOpportunityKnownAtAsOfDoesChangeTheForecast) {
  std::vector<Record> records = Sample();
  const Date as_of = D("2026-04-30");
  const std::string expected = Outcome(Apply(records), as_of);
  Opportunity known;
  known.opportunity_id = "AAA-FIRST";
  known.segment = "smb";
  known.amount = 5000000;
  known.created_on = D("2026-04-02");
  known.status = OpportunityStatus::kOpen;
  known.stage = "negotiate";
  known.expected_close_on = D("2026-07-15");
  records.push_back(known);
  EXPECT_FALSE(Outcome(Apply(records), as_of) == expected);
}

// A hire added to the plan for another month leaves every other cohort's draws alone: the
// comparison of two plans that share a hire shows no difference before the new one joins.
TEST(ImportOrder, AHireAddedElsewhereMovesNoOtherCohortsDraws) {
  const Ledger ledger = Apply(Sample());
  const Date as_of = D("2026-04-30");
  Scenario one = DefaultScenario();
  one.teams[0].monthly_attrition = 0.2;
  one.hiring_plan = {Hire{"delivery", MonthOf(as_of) + 1, 6}};
  Scenario two = one;
  two.hiring_plan.insert(two.hiring_plan.begin(), Hire{"delivery", MonthOf(as_of) + 9, 4});
  ForecastOptions options;
  options.paths = 100;
  PathValues values[2];
  for (int s = 0; s < 2; ++s) {
    const Scenario& scenario = s == 0 ? one : two;
    auto state = BuildStartingState(ledger, scenario, as_of, 12);
    ASSERT_TRUE(state.ok());
    ASSERT_TRUE(RunForecast(*state, scenario, options, {}, &values[s]).ok());
  }
  const int joins = 9 + one.time_to_fill_months - 1;  // forecast month the second hire joins
  for (int64_t p = 0; p < options.paths; ++p) {
    for (int month = 0; month < 12; ++month) {
      ASSERT_EQ(values[0].at(kBookings, month, p), values[1].at(kBookings, month, p)) << "bookings do not hire";
      const float a = values[0].at(kHeadcount, month, p), b = values[1].at(kHeadcount, month, p);
      if (month < joins) {
        ASSERT_EQ(a, b) << "path " << p << " month " << month;
      } else {
        ASSERT_GE(b, a) << "path " << p << " month " << month;
      }
    }
  }
}

}  // namespace
}  // namespace forecastle::forecast
