#include "engine/forecast/scenario.h"

#include <cctype>
#include <limits>
#include <ostream>
#include <string>

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

// Failures and test names show the field, not the case's bytes.
void PrintTo(const BadField& field, std::ostream* os) { *os << '"' << field.expected << '"'; }

// "3_segments_1_win_rate": the case's index, then the field its message starts with.
std::string CaseName(const ::testing::TestParamInfo<BadField>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (const char* c = info.param.expected; *c != '\0' && *c != ' ' && *c != ':'; ++c) {
    if (std::isalnum(static_cast<unsigned char>(*c))) {
      name += *c;
    } else if (name.back() != '_') {
      name += '_';
    }
  }
  while (name.back() == '_') name.pop_back();
  return name;
}

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
        BadField{"base must name another scenario", [](Scenario& s) { s.base = s.name; }},
        BadField{"base may hold only letters", [](Scenario& s) { s.base = "plan/a"; }},
        BadField{"description must have at most 4096 characters", [](Scenario& s) { s.description.assign(4097, 'x'); }},
        // Every other range, one field each: the message names the field and the value it got.
        BadField{"segments[0].sales_cycle_months must be in [0, 60], got 61",
                 [](Scenario& s) { s.segments[0].sales_cycle_months = 61; }},
        BadField{"segments[1].sales_cycle_sigma must be in [0, 3], got -0.1",
                 [](Scenario& s) { s.segments[1].sales_cycle_sigma = -0.1; }},
        BadField{"segments[2].slip_probability must be in [0, 1], got 1.01",
                 [](Scenario& s) { s.segments[2].slip_probability = 1.01; }},
        BadField{"segments[0].slip_months must be in [1, 36], got 0.5", [](Scenario& s) { s.segments[0].slip_months = 0.5; }},
        BadField{"segments[1].deal_size must be in [0, 1e+12], got -100", [](Scenario& s) { s.segments[1].deal_size = -100; }},
        BadField{"segments[2].deal_size_sigma must be in [0, 3], got 3.5", [](Scenario& s) { s.segments[2].deal_size_sigma = 3.5; }},
        BadField{"segments[0].open_deal_size_sigma must be in [0, 3], got inf",
                 [](Scenario& s) { s.segments[0].open_deal_size_sigma = std::numeric_limits<double>::infinity(); }},
        BadField{"segments[0].product_mix[1].share must be in [0, 1], got -0.3",
                 [](Scenario& s) { s.segments[0].product_mix[1].second = -0.3; }},
        BadField{"segments[0].name must have 1 to 64 characters", [](Scenario& s) { s.segments[0].name = ""; }},
        BadField{"teams[0].name may hold only letters", [](Scenario& s) { s.teams[0].name = "a team"; }},
        BadField{"teams[1].name \"delivery\" appears twice", [](Scenario& s) { s.teams.push_back(s.teams[0]); }},
        BadField{"teams[0].fte must be in [0, 100000], got -1", [](Scenario& s) { s.teams[0].fte = -1; }},
        BadField{"teams[0].ramp_up_months must be in [0, 24], got 25", [](Scenario& s) { s.teams[0].ramp_up_months = 25; }},
        BadField{"teams[0].monthly_attrition must be in [0, 1], got 1.5", [](Scenario& s) { s.teams[0].monthly_attrition = 1.5; }},
        BadField{"teams[0].cost_per_fte_month must be in [0, 1e+09], got -1",
                 [](Scenario& s) { s.teams[0].cost_per_fte_month = -1; }},
        BadField{"products[0].name must have 1 to 64 characters", [](Scenario& s) { s.products[0].name = ""; }},
        BadField{"products[2].name \"services\" appears twice", [](Scenario& s) { s.products[2].name = "services"; }},
        BadField{"products[1].hours_per_unit_value must be in [0, 1], got 2",
                 [](Scenario& s) { s.products[1].hours_per_unit_value = 2; }},
        BadField{"products[2].lead_time_months must be in [0, 24], got -1", [](Scenario& s) { s.products[2].lead_time_months = -1; }},
        BadField{"stage_win_probability[0].stage must have 1 to 64 characters",
                 [](Scenario& s) { s.stage_win_probability[0].first = ""; }},
        BadField{"win_rate_multiplier must be in [0, 10], got 11", [](Scenario& s) { s.win_rate_multiplier = 11; }},
        BadField{"price_multiplier must be in [0, 10], got -2", [](Scenario& s) { s.price_multiplier = -2; }},
        BadField{"renewals.probability must be in [0, 1], got 1.2", [](Scenario& s) { s.renewals.probability = 1.2; }},
        BadField{"time_to_fill_months must be in [0, 24], got 30", [](Scenario& s) { s.time_to_fill_months = 30; }},
        BadField{"effort_overrun_sigma must be in [0, 3], got 4", [](Scenario& s) { s.effort_overrun_sigma = 4; }},
        BadField{"payment.delay_days_mix must not be empty", [](Scenario& s) { s.payment.delay_days_mix.clear(); }},
        BadField{"payment.delay_days_mix[2].days must be in [0, 730], got 800",
                 [](Scenario& s) { s.payment.delay_days_mix[2].first = 800; }},
        BadField{"payment.delay_days_mix[1].probability must be in [0, 1], got -0.1",
                 [](Scenario& s) { s.payment.delay_days_mix[1].second = -0.1; }},
        BadField{"demand_volatility must be in [0, 3], got 3.1", [](Scenario& s) { s.demand_volatility = 3.1; }},
        BadField{"segment_correlation[1] must have 3 entries, got 2",
                 [](Scenario& s) { s.segment_correlation = {{1, 0, 0}, {0, 1}, {0, 0, 1}}; }},
        // A short row after a full one: found by the fuzzer, read past its end before its length
        // was checked.
        BadField{"segment_correlation[1] must have 3 entries, got 0",
                 [](Scenario& s) { s.segment_correlation = {{1, 0, 0}, {}, {0, 0, 1}}; }},
        BadField{"segment_correlation[0][1] must be in [-1, 1], got 1.5",
                 [](Scenario& s) { s.segment_correlation = {{1, 1.5, 0}, {1.5, 1, 0}, {0, 0, 1}}; }}),
    CaseName);

TEST(Scenario, AValidCorrelationPasses) {
  Scenario s = DefaultScenario();
  s.segment_correlation = {{1, 0.5, 0.2}, {0.5, 1, 0.3}, {0.2, 0.3, 1}};
  EXPECT_THAT(Validate(s), IsOk());
}

}  // namespace
}  // namespace forecastle::forecast
