// What teams delivered (engine/forecast/delivered.h): hours by team and month, and the delivery
// history a forecast's reply shows beside its capacity, utilisation and headcount.
#include "engine/forecast/delivered.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/ledger_builder.h"

namespace forecastle::forecast {
namespace {

using namespace ::forecastle::testing;  // NOLINT

// One services line and one goods line, both done by the default scenario's team "delivery":
// 30 hours in August, 50 in September (two reports), and 20 on 10 October; goods of 10,000.00
// in 4 units, one delivered in September (2,500.00 at the goods' hours per unit value).
Ledger TwoLines() {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A", "smb"), Con("C", "A", "2026-07-15"), Effort("C", "E", "9000.00", "100"),
                    Delivery("C", "G", "10000.00", 4), Hours("C", "E", "2026-08-31", "30"),
                    Hours("C", "E", "2026-09-15", "20"), Hours("C", "E", "2026-09-30", "30"),
                    Hours("C", "E", "2026-10-10", "20"), Units("C", "G", "2026-09-20", 1),
                    // Signed after the as-of below: its hours do not count.
                    Con("LATE", "A", "2026-10-20"), Effort("LATE", "E", "1000.00", "10"),
                    Hours("LATE", "E", "2026-10-21", "10")});
  return ledger;
}

TEST(Delivered, HoursByTeamAndMonthThroughADay) {
  const Ledger ledger = TwoLines();
  const Scenario scenario = DefaultScenario();
  const double goods_per_unit = 2500 * ProductOfKind(scenario, LineKind::kDelivery)->hours_per_unit_value;
  const HoursByMonth d = HoursDelivered(ledger, D("2026-10-15"), scenario, MonthOf(D("2026-08-01")),
                                        MonthOf(D("2026-10-01")));
  ASSERT_EQ(d.hours.size(), scenario.teams.size());
  EXPECT_THAT(d.hours[0], ::testing::ElementsAre(30, 50 + goods_per_unit, 20));
  EXPECT_THAT(d.records[0], ::testing::ElementsAre(1, 3, 1));
  // Through 5 October: October's report is not known yet.
  const HoursByMonth early = HoursDelivered(ledger, D("2026-10-05"), scenario, MonthOf(D("2026-10-01")),
                                            MonthOf(D("2026-10-01")));
  EXPECT_THAT(early.hours[0], ::testing::ElementsAre(0));
}

// With headcount: 2.00 FTE in September, 2.50 in October, none in August. The default team's
// capacity per FTE is 140 hours x 0.75 utilisation = 105.
TEST(Delivered, HistoryHasCapacityAndUtilisationWhereHeadcountIsKnown) {
  Ledger ledger = TwoLines();
  ApplyAll(ledger, {Heads("delivery", "2026-09", "2.00"), Heads("delivery", "2026-10", "2.50"),
                    Heads("delivery", "2026-11", "9.00"), Heads("nobody", "2026-08", "7.00")});
  const Scenario scenario = DefaultScenario();
  const double goods_per_unit = 2500 * ProductOfKind(scenario, LineKind::kDelivery)->hours_per_unit_value;
  const std::vector<DeliveryMonth> history = DeliveryHistory(ledger, D("2026-10-31"), scenario, 3);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].month, MonthOf(D("2026-08-01")));
  EXPECT_EQ(history[0].worked_hours, 30);
  EXPECT_FALSE(history[0].headcount.has_value());  // the team worked without a headcount record
  EXPECT_FALSE(history[0].utilization.has_value());
  EXPECT_DOUBLE_EQ(history[1].worked_hours, 50 + goods_per_unit);
  EXPECT_EQ(history[1].headcount, 2.0);
  EXPECT_DOUBLE_EQ(*history[1].capacity_hours, 2 * 105.0);
  EXPECT_DOUBLE_EQ(*history[1].utilization, (50 + goods_per_unit) / 210);
  // October: 20 hours of the line signed by as-of and 10 of LATE, signed 20 October, by the 31st.
  EXPECT_EQ(history[2].worked_hours, 30);
  EXPECT_DOUBLE_EQ(*history[2].capacity_hours, 2.5 * 105);
  EXPECT_DOUBLE_EQ(*history[2].utilization, 30 / (2.5 * 105));
}

}  // namespace
}  // namespace forecastle::forecast
