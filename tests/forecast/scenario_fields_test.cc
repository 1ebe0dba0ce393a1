// The scenario's field table: a partial scenario over the defaults (lists replace) and over a base
// (lists of named things merge by name), required fields of new elements, whole scenarios, paths.
#include "engine/forecast/scenario_fields.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/common/field_error.h"
#include "tests/testing/status_matchers.h"

namespace forecastle::forecast {
namespace {

using ::forecastle::testing::StatusIs;

// Index of a field in R's table, for marking it in a test.
template <typename R>
size_t At(absl::string_view name) {
  const int i = FieldIndex<R>(name);
  EXPECT_GE(i, 0) << "no field " << name;
  return static_cast<size_t>(i);
}

// A variant that sets one team "delivery" with fte 55 and nothing else of it.
PartialScenario TeamVariant(const std::string& team, double fte) {
  PartialScenario p;
  p.values.name = "v";
  p.values.base = "b";
  Team t;
  t.name = team;
  t.fte = fte;
  p.values.teams = {t};
  const size_t teams = At<Scenario>("teams");
  p.marks.Set(teams);
  p.marks.Inner(teams, 0).Set(At<Team>("name"));
  p.marks.Inner(teams, 0).Set(At<Team>("fte"));
  return p;
}

TEST(ScenarioFields, EveryMemberOfTheScenarioHasARow) {
  // A row per assumption of scenario.h (name, base and description are not assumptions).
  EXPECT_EQ(std::size(Fields<Scenario>::kAll), 14u);
  EXPECT_EQ(std::size(Fields<SegmentAssumptions>::kAll), 16u);
  EXPECT_EQ(std::size(Fields<Team>::kAll), 7u);
  EXPECT_EQ(std::size(Fields<Product>::kAll), 8u);
}

TEST(ScenarioFields, OverABaseTeamsMergeByNameAndNewOnesTakeTheStructDefaults) {
  const Scenario base = DefaultScenario();  // delivery: 40 FTE, utilization 0.75
  auto merged = OverBase(base, TeamVariant("delivery", 55));
  ASSERT_TRUE(merged.ok()) << merged.status();
  ASSERT_EQ(merged->teams.size(), 1u);
  EXPECT_EQ(merged->teams[0].fte, 55);
  EXPECT_EQ(merged->teams[0].utilization, 0.75);
  EXPECT_EQ(merged->name, "v");
  EXPECT_EQ(merged->base, "b");
  EXPECT_EQ(merged->segments.size(), 3u);  // unset: the base's

  merged = OverBase(base, TeamVariant("sales", 3));
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->teams.size(), 2u);
  EXPECT_EQ(merged->teams[1].name, "sales");
  EXPECT_EQ(merged->teams[1].fte, 3);
  EXPECT_EQ(merged->teams[1].hours_per_fte_month, Team{}.hours_per_fte_month);
}

TEST(ScenarioFields, WithoutABaseAListGivenReplacesTheDefaultList) {
  auto root = OverDefaults(TeamVariant("delivery", 55));
  ASSERT_TRUE(root.ok());
  ASSERT_EQ(root->teams.size(), 1u);
  EXPECT_EQ(root->teams[0].fte, 55);
  EXPECT_EQ(root->teams[0].utilization, Team{}.utilization);  // not the default scenario's team
}

TEST(ScenarioFields, StageProbabilitiesMergeByStageOverABase) {
  PartialScenario p;
  p.values.stage_win_probability = {{"propose", 0.9}, {"pilot", 0.5}};
  p.marks.Set(At<Scenario>("stage_win_probability"));
  auto merged = OverBase(DefaultScenario(), p);
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->stage_win_probability.size(), 5u);
  EXPECT_EQ(merged->stage_win_probability[2], (std::pair<std::string, double>{"propose", 0.9}));
  EXPECT_EQ(merged->stage_win_probability[4].first, "pilot");
  auto root = OverDefaults(p);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->stage_win_probability.size(), 2u);
}

TEST(ScenarioFields, ANewProductMustSetItsKindAndTheErrorNamesIt) {
  PartialScenario p;
  Product product;
  product.name = "training";
  p.values.products = {product};
  const size_t products = At<Scenario>("products");
  p.marks.Set(products);
  p.marks.Inner(products, 0).Set(At<Product>("name"));
  const auto merged = OverBase(DefaultScenario(), p);
  EXPECT_THAT(merged, StatusIs(absl::StatusCode::kInvalidArgument,
                               "products[3].kind must be ratable, effort or delivery, got none"));
  EXPECT_EQ(FieldOf(merged.status()), "products[3].kind");
  // A product the base has keeps its kind.
  p.values.products[0].name = "services";
  EXPECT_TRUE(OverBase(DefaultScenario(), p).ok());
}

TEST(ScenarioFields, AWholeScenarioSetsEveryFieldAndPathsReachNestedFields) {
  PartialScenario whole = Whole(DefaultScenario());
  EXPECT_TRUE(IsSet(whole, "payment.delay_days_mix"));
  EXPECT_TRUE(IsSet(whole, "renewals"));
  EXPECT_FALSE(IsSet(whole, "payment.no_such_field"));
  Unset(whole, "payment.delay_days_mix");
  EXPECT_FALSE(IsSet(whole, "payment.delay_days_mix"));
  EXPECT_TRUE(IsSet(whole, "payment.bad_debt_rate"));
  // Over any base, a whole scenario is itself.
  Scenario other = DefaultScenario();
  other.teams[0].fte = 1;
  other.segments.pop_back();
  auto merged = OverBase(other, Whole(DefaultScenario()));
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->teams[0].fte, 40);
  EXPECT_EQ(merged->segments.size(), 3u);
}

TEST(FieldError, TheFieldTravelsBesideTheMessage) {
  const absl::Status error = InvalidField("paths", " must be in [1, 10], got 0");
  EXPECT_EQ(error.message(), "paths must be in [1, 10], got 0");
  EXPECT_EQ(FieldOf(error), "paths");
  const absl::Status within = Within(error, "variants[1]", "variants: \"a\": ");
  EXPECT_EQ(within.message(), "variants: \"a\": paths must be in [1, 10], got 0");
  EXPECT_EQ(FieldOf(within), "variants[1]");
  EXPECT_EQ(FieldOf(absl::InvalidArgumentError("no field")), "");
  EXPECT_EQ(FieldOf(Validate([] {
              Scenario s = DefaultScenario();
              s.teams[0].utilization = 3;
              return s;
            }())),
            "teams[0].utilization");
}

}  // namespace
}  // namespace forecastle::forecast
