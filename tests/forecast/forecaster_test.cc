// The engine's Forecaster over an in-memory scenario store: chains of bases (merge, cycles, depth,
// missing bases), writes that would break a chain, request limits and defaults, the payment
// history default, a comparison on one pinned as-of, and calibration's save rules. Errors name
// their field as data.
#include "engine/forecast/forecaster.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/common/field_error.h"
#include "tests/testing/memory_scenario_store.h"
#include "tests/testing/sample_ledger.h"
#include "tests/testing/status_matchers.h"

namespace forecastle::forecast {
namespace {

using ::forecastle::testing::IsOk;
using ::forecastle::testing::StatusIs;
using ::testing::HasSubstr;
using Write = ScenarioStore::Write;

Date Day(const char* text) { return *ParseDate(text, "day"); }

template <typename R>
size_t At(absl::string_view name) {
  const int i = FieldIndex<R>(name);
  EXPECT_GE(i, 0) << "no field " << name;
  return static_cast<size_t>(i);
}

PartialScenario Named(const std::string& name, const std::string& base = "") {
  PartialScenario s;
  s.values.name = name;
  s.values.base = base;
  return s;
}

// A scenario that sets its teams: each team's name and the given fields.
PartialScenario WithTeam(PartialScenario s, const Team& team, std::vector<absl::string_view> fields) {
  const size_t teams = At<Scenario>("teams");
  s.marks.Set(teams);
  s.values.teams.push_back(team);
  FieldMarks& marks = s.marks.Inner(teams, s.values.teams.size() - 1);
  marks.Set(At<Team>("name"));
  for (absl::string_view f : fields) marks.Set(At<Team>(f));
  return s;
}

PartialScenario Hiring(const std::string& name, const std::string& base, const std::string& team, double count) {
  PartialScenario s = Named(name, base);
  s.values.hiring_plan = {Hire{team, MonthOf(Day("2026-11-01")), count}};
  s.marks.Set(At<Scenario>("hiring_plan"));
  return s;
}

// A scenario whose invoices are all paid the day they are issued.
PartialScenario PaysAtOnce(const std::string& name) {
  PartialScenario s = Named(name);
  s.values.payment.delay_days_mix = {{0, 1.0}};
  const size_t payment = At<Scenario>("payment");
  s.marks.Set(payment);
  s.marks.Inner(payment).Set(At<PaymentTerms>("delay_days_mix"));
  return s;
}

PartialScenario WinRate(const std::string& name, double multiplier) {
  PartialScenario s = Named(name);
  s.values.win_rate_multiplier = multiplier;
  s.marks.Set(At<Scenario>("win_rate_multiplier"));
  return s;
}

class ForecasterTest : public ::testing::Test {
 protected:
  Forecaster Make(const Ledger& ledger, ForecastLimits limits = {}) {
    readers_.push_back(std::make_unique<LedgerAsIs>(ledger));
    limits.origin = "the server's --";
    return Forecaster(*readers_.back(), store_, {limits, Day("2026-10-31")});
  }

  Ledger empty_;
  testing::MemoryScenarioStore store_;
  std::vector<std::unique_ptr<LedgerAsIs>> readers_;
};

TEST_F(ForecasterTest, AVariantMergesOverItsChainOfBases) {
  Forecaster forecaster = Make(empty_);
  ASSERT_THAT(forecaster.PutScenario(WinRate("plan", 1.2), Write::kCreate), IsOk());
  Team delivery;
  delivery.name = "delivery";
  delivery.fte = 55;
  ASSERT_THAT(forecaster.PutScenario(WithTeam(Hiring("hire10", "plan", "delivery", 10), delivery, {"fte"}), Write::kCreate),
              IsOk());
  auto resolved = forecaster.ResolvedScenario("hire10");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->win_rate_multiplier, 1.2);  // from the base
  ASSERT_EQ(resolved->teams.size(), 1u);
  EXPECT_EQ(resolved->teams[0].fte, 55);          // the variant's, merged by name ...
  EXPECT_EQ(resolved->teams[0].utilization, 0.75);  // ... the rest kept
  EXPECT_EQ(resolved->hiring_plan.size(), 1u);
  EXPECT_EQ(resolved->segments.size(), 3u);
  // The stored form is what the variant set, not the merge.
  auto stored = forecaster.GetScenario("hire10");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(IsSet(*stored, "win_rate_multiplier"));
}

TEST_F(ForecasterTest, ChainsThatComeBackOrRunTooDeepOrMissABaseAreRefusedNamingTheBase) {
  Forecaster forecaster = Make(empty_);
  store_.Plant(Named("a", "b"));
  store_.Plant(Named("b", "a"));
  auto cycle = forecaster.Resolve(Named("a", "b"));
  EXPECT_THAT(cycle, StatusIs(absl::StatusCode::kFailedPrecondition,
                              HasSubstr("\"a\" would have \"a\" as a base twice: a chain of bases may not come back")));
  EXPECT_EQ(FieldOf(cycle.status()), "base");

  for (int i = 0; i < 20; ++i) store_.Plant(Named("s" + std::to_string(i), i == 19 ? "" : "s" + std::to_string(i + 1)));
  EXPECT_THAT(forecaster.Resolve(Named("top", "s0")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is longer than 16")));
  EXPECT_THAT(forecaster.Resolve(Named("top", "s4")), IsOk());

  auto missing = forecaster.Resolve(Named("orphan", "nope"));
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kNotFound, "base: no scenario \"nope\""));
  EXPECT_EQ(FieldOf(missing.status()), "base");
}

TEST_F(ForecasterTest, AWriteIsCheckedAsItWillBeUsedAndARefusedOneStoresNothing) {
  Forecaster forecaster = Make(empty_);
  ASSERT_THAT(forecaster.PutScenario(Named("plan"), Write::kCreate), IsOk());
  Team busy;
  busy.name = "delivery";
  busy.utilization = 3;
  const absl::Status refused = forecaster.PutScenario(WithTeam(Named("busy", "plan"), busy, {"utilization"}), Write::kCreate);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument, "teams[0].utilization must be in [0, 1], got 3"));
  EXPECT_EQ(FieldOf(refused), "teams[0].utilization");
  EXPECT_EQ(store_.size(), 1u);
  EXPECT_THAT(forecaster.PutScenario(Named("plan"), Write::kCreate),
              StatusIs(absl::StatusCode::kAlreadyExists, "name: a scenario \"plan\" already exists"));
  EXPECT_THAT(forecaster.PutScenario(Named("nope"), Write::kUpdate),
              StatusIs(absl::StatusCode::kNotFound, "name: no scenario \"nope\""));
  EXPECT_THAT(forecaster.PutScenario(Named("my plan"), Write::kCreate),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name may hold only letters")));
}

TEST_F(ForecasterTest, AnUpdateThatWouldBreakAVariantOrCloseACycleIsRefused) {
  Forecaster forecaster = Make(empty_);
  Team delivery, sales;
  delivery.name = "delivery";
  sales.name = "sales";
  const PartialScenario two = WithTeam(WithTeam(Named("two"), delivery, {}), sales, {});
  ASSERT_THAT(forecaster.PutScenario(two, Write::kCreate), IsOk());
  ASSERT_THAT(forecaster.PutScenario(Hiring("sales-hire", "two", "sales", 2), Write::kCreate), IsOk());

  EXPECT_THAT(forecaster.PutScenario(WithTeam(Named("two"), delivery, {}), Write::kUpdate),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "scenario \"sales-hire\" is built on \"two\" and would break: "
                       "hiring_plan[0].team \"sales\" is not one of teams"));
  PartialScenario circular = two;
  circular.values.base = "sales-hire";
  EXPECT_THAT(forecaster.PutScenario(circular, Write::kUpdate),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("a chain of bases may not come back")));
  auto still = forecaster.ResolvedScenario("sales-hire");
  ASSERT_TRUE(still.ok()) << still.status();
  EXPECT_EQ(still->teams.size(), 2u);

  const absl::Status in_use = forecaster.DeleteScenario("two");
  EXPECT_THAT(in_use, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("\"sales-hire\" has \"two\" as its base")));
  EXPECT_THAT(forecaster.DeleteScenario("sales-hire"), IsOk());
  EXPECT_THAT(forecaster.DeleteScenario("two"), IsOk());
  EXPECT_THAT(forecaster.DeleteScenario(""), StatusIs(absl::StatusCode::kInvalidArgument, "name: required"));
}

TEST_F(ForecasterTest, RequestLimitsNameTheirBoundAndDefaultsReachTheAdmission) {
  ForecastLimits limits;
  limits.max_paths = 100;
  Forecaster forecaster = Make(empty_, limits);
  ForecastQuery query;
  query.paths = 101;
  auto refused = forecaster.Forecast(query);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument,
                                "paths must be in [1, 100] (the server's --max_paths), got 101"));
  EXPECT_EQ(FieldOf(refused.status()), "paths");
  query.paths = 10;
  query.targets = {{"profit", 1}};
  EXPECT_EQ(FieldOf(forecaster.Forecast(query).status()), "targets[0].metric");

  // A valid request is admitted once, before any work, with the shape of its reply.
  query.targets.clear();
  ForecastShape seen;
  Work work;
  work.admit = [&](const ForecastShape& shape) {
    seen = shape;
    return absl::ResourceExhaustedError("no turn");
  };
  EXPECT_THAT(forecaster.Forecast(query, work), StatusIs(absl::StatusCode::kResourceExhausted, "no turn"));
  EXPECT_EQ(seen.horizon_months, kDefaultHorizonMonths);
  EXPECT_EQ(seen.quantiles, 3);
}

TEST(ForecasterWithALedger, PaymentDelaysComeFromTheHistoryUnlessTheChainSetsThem) {
  const Ledger ledger = testing::SampleLedger(150);
  testing::MemoryScenarioStore store;
  LedgerAsIs reader(ledger);
  Forecaster forecaster(reader, store, {ForecastLimits{}, Day("2026-10-31")});
  const auto history = FitPaymentDelays(ledger, Day("2026-10-31")).mix;
  ASSERT_FALSE(history.empty());
  ForecastQuery query;
  query.paths = 20;
  query.horizon_months = 2;
  auto run = forecaster.Forecast(query);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->setup.scenario.payment.delay_days_mix, history);
  EXPECT_EQ(run->setup.as_of, Day("2026-10-31"));  // today, as the query gave none
  ASSERT_EQ(run->setup.actuals.size(), 1u);
  EXPECT_EQ(run->setup.actuals[0].periods.size(), 12u);
  EXPECT_EQ(run->setup.delivery_history.size(), 12u);

  ASSERT_THAT(forecaster.PutScenario(PaysAtOnce("prompt"), Write::kCreate), IsOk());
  ASSERT_THAT(forecaster.PutScenario(Hiring("prompt-hire", "prompt", "delivery", 1), Write::kCreate), IsOk());
  query.scenario = "prompt-hire";
  run = forecaster.Forecast(query);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->setup.scenario.payment.delay_days_mix, (std::vector<std::pair<int, double>>{{0, 1.0}}));
}

TEST(ForecasterWithALedger, AComparisonRunsEveryScenarioFromOnePinnedAsOf) {
  const Ledger ledger = testing::SampleLedger(150);
  testing::MemoryScenarioStore store;
  LedgerAsIs reader(ledger);
  Forecaster forecaster(reader, store, {ForecastLimits{}, Day("2026-10-15")});
  ASSERT_THAT(forecaster.PutScenario(Hiring("hire5", "", "delivery", 5), Write::kCreate), IsOk());
  CompareQuery query;
  query.base.paths = 30;
  query.base.horizon_months = 6;
  query.variants = {"hire5"};
  auto compared = forecaster.Compare(query);
  ASSERT_TRUE(compared.ok()) << compared.status();
  EXPECT_EQ(compared->base.setup.as_of, Day("2026-10-15"));
  ASSERT_EQ(compared->variants.size(), 1u);
  EXPECT_EQ(compared->variants[0].run.setup.as_of, Day("2026-10-15"));
  // Headcount is higher once the hires join; bookings do not depend on hiring (common draws).
  const auto& difference = compared->variants[0].comparison.difference;
  EXPECT_GT(difference[kHeadcount][5].mean, 4);
  EXPECT_EQ(difference[kBookings][5].mean, 0);

  query.variants = {"hire5", "nope"};
  auto refused = forecaster.Compare(query);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kNotFound, "variants: \"nope\": scenario: no scenario \"nope\""));
  EXPECT_EQ(FieldOf(refused.status()), "variants[1]");
  query.variants.clear();
  EXPECT_THAT(forecaster.Compare(query), StatusIs(absl::StatusCode::kInvalidArgument, "variants: at least one is required"));
}

TEST_F(ForecasterTest, CalibrationSavesWithoutABaseAndWithoutAMixItCouldNotFit) {
  Forecaster forecaster = Make(empty_);  // no payments: too few to fit their delays
  CalibrateQuery query;
  query.save_as = "fitted";
  auto calibration = forecaster.Calibrate(query);
  ASSERT_TRUE(calibration.ok()) << calibration.status();
  EXPECT_EQ(calibration->scenario.payment.delay_days_mix.size(), 3u);  // the built-in mix, as used
  auto stored = forecaster.GetScenario("fitted");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(IsSet(*stored, "payment.delay_days_mix"));
  EXPECT_TRUE(IsSet(*stored, "payment.bad_debt_rate"));
  EXPECT_EQ(stored->values.base, "");
  EXPECT_EQ(stored->values.description, "calibrated from the actuals as of 2026-10-31");
  EXPECT_THAT(forecaster.Calibrate(query), IsOk());  // again: replaces it

  // A chain that set a mix keeps it in the saved scenario.
  ASSERT_THAT(forecaster.PutScenario(PaysAtOnce("prompt"), Write::kCreate), IsOk());
  query.base = "prompt";
  query.save_as = "fitted-prompt";
  ASSERT_THAT(forecaster.Calibrate(query), IsOk());
  EXPECT_TRUE(IsSet(*forecaster.GetScenario("fitted-prompt"), "payment.delay_days_mix"));

  query.save_as = "no spaces allowed";
  auto refused = forecaster.Calibrate(query);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("save_as: name may hold only letters")));
  EXPECT_EQ(FieldOf(refused.status()), "save_as");
}

}  // namespace
}  // namespace forecastle::forecast
