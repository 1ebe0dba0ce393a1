#include "engine/forecast/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace forecastle::forecast {
namespace {

using ::forecastle::testing::IsOk;
using ::forecastle::testing::StatusIs;
using ::testing::HasSubstr;

TEST(Scenario, TheDefaultIsValid) { EXPECT_THAT(Validate(DefaultScenario()), IsOk()); }

// Each case breaks one field and expects the message to name it and its value.
struct BadField {
  const char* expected;
  void (*breaks)(Scenario&);
};

class ScenarioValidation : public ::testing::TestWithParam<BadField> {};

TEST_P(ScenarioValidation, NamesTheFieldAndValue) {
  Scenario s = DefaultScenario();
  GetParam().breaks(s);
  EXPECT_THAT(Validate(s), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().expected)));
}

INSTANTIATE_TEST_SUITE_P(
    EveryKindOfField, ScenarioValidation,
    ::testing::Values(
        BadField{"name must have 1 to 64 characters", [](Scenario& s) { s.name = ""; }},
        BadField{"name may hold only letters", [](Scenario& s) { s.name = "plan b"; }},
        BadField{"segments[1].win_rate must be in [0, 1], got 1.5", [](Scenario& s) { s.segments[1].win_rate = 1.5; }},
        BadField{"segments[0].arrivals_per_month must be in [0, 10000], got -1",
                 [](Scenario& s) { s.segments[0].arrivals_per_month = -1; }},
        BadField{"segments[2].seasonality[11] must be in [0, 10], got nan",
                 [](Scenario& s) { s.segments[2].seasonality[11] = std::nan(""); }},
        BadField{"segments[0].product_mix shares must sum to 1, got 0.9",
                 [](Scenario& s) { s.segments[0].product_mix[0].second = 0.5; }},
        BadField{"segments[0].product_mix[0].product \"hardware\" is not one of products",
                 [](Scenario& s) { s.segments[0].product_mix[0].first = "hardware"; }},
        BadField{"segments[1].name \"enterprise\" appears twice", [](Scenario& s) { s.segments[1].name = "enterprise"; }},
        BadField{"teams[0].utilization must be in [0, 1], got 1.2", [](Scenario& s) { s.teams[0].utilization = 1.2; }},
        BadField{"teams[0].hours_per_fte_month must be in (0, 744], got 0",
                 [](Scenario& s) { s.teams[0].hours_per_fte_month = 0; }},
        BadField{"products[1].team \"design\" is not one of teams", [](Scenario& s) { s.products[1].team = "design"; }},
        BadField{"products[0].term_months must be in [1, 120], got 0", [](Scenario& s) { s.products[0].term_months = 0; }},
        BadField{"hiring_plan[0].team \"sales\" is not one of teams",
                 [](Scenario& s) { s.hiring_plan.push_back(Hire{"sales", 24300, 5}); }},
        BadField{"hiring_plan[0].count must be in [0, 100000], got -5",
                 [](Scenario& s) { s.hiring_plan.push_back(Hire{"delivery", 24300, -5}); }},
        BadField{"payment.delay_days_mix probabilities must sum to 1, got 1.1",
                 [](Scenario& s) { s.payment.delay_days_mix[0].second = 0.7; }},
        BadField{"payment.bad_debt_rate must be in [0, 1], got 2", [](Scenario& s) { s.payment.bad_debt_rate = 2; }},
        BadField{"renewals.uplift must be in [-0.9, 10], got -1", [](Scenario& s) { s.renewals.uplift = -1; }},
        BadField{"stage_win_probability[3].probability must be in [0, 1], got 1.7",
                 [](Scenario& s) { s.stage_win_probability[3].second = 1.7; }},
        BadField{"effort_overrun must be in [0.1, 10], got 0", [](Scenario& s) { s.effort_overrun = 0; }},
        BadField{"segment_correlation must have 3 rows", [](Scenario& s) { s.segment_correlation = {{1}}; }},
        BadField{"segment_correlation[0][0] must be 1 (the diagonal), got 0.5",
                 [](Scenario& s) { s.segment_correlation = {{0.5, 0, 0}, {0, 1, 0}, {0, 0, 1}}; }},
        BadField{"must equal segment_correlation[1][0] (symmetric)",
                 [](Scenario& s) { s.segment_correlation = {{1, 0.2, 0}, {0.3, 1, 0}, {0, 0, 1}}; }},
        BadField{"segment_correlation must be positive semi-definite",
                 [](Scenario& s) { s.segment_correlation = {{1, 0.9, -0.9}, {0.9, 1, 0.9}, {-0.9, 0.9, 1}}; }},
        BadField{"base must name another scenario", [](Scenario& s) { s.base = s.name; }}));

TEST(Scenario, AValidCorrelationPasses) {
  Scenario s = DefaultScenario();
  s.segment_correlation = {{1, 0.5, 0.2}, {0.5, 1, 0.3}, {0.2, 0.3, 1}};
  EXPECT_THAT(Validate(s), IsOk());
}

}  // namespace
}  // namespace forecastle::forecast
