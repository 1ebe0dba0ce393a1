#include "engine/actuals/metrics.h"

#include <gtest/gtest.h>

#include "tests/testing/ledger_builder.h"
#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using namespace ::forecastle::testing;  // NOLINT
using ::testing::HasSubstr;

// Three contracts worked by hand (see each test for the arithmetic):
//  C1 (A, enterprise) 2026-01-01: 12,000.00 ratable over 2026, invoiced upfront, paid 2026-02-15.
//  C2 (B, smb) 2026-02-10: 10,000.00 of effort, 100 h estimated; 40 h on 02-20, 20 h on 03-15;
//     invoiced 3,000.00 on 03-31; expected to end 2027-09-30.
//  C3 (A) 2026-03-05: 5,000.00 delivery of 10 units, cancelled 2026-03-20 before delivery.
class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ApplyAll(ledger_, {Cust("A", "enterprise"), Cust("B", "smb"), Con("C1", "A", "2026-01-01"),
                       Ratable("C1", "L", "12000.00", "2026-01-01", "2026-12-31"),
                       Inv("I1", "C1", "2026-01-01", "12000.00"), Pay("P1", "I1", "2026-02-15", "12000.00"),
                       Con("C2", "B", "2026-02-10"), Effort("C2", "L", "10000.00", "100", "2027-09-30"),
                       Hours("C2", "L", "2026-02-20", "40"), Hours("C2", "L", "2026-03-15", "20"),
                       Inv("I2", "C2", "2026-03-31", "3000.00"), Con("C3", "A", "2026-03-05"),
                       Delivery("C3", "L", "5000.00", 10), Cancel("C3", "L", "2026-03-20")});
  }
  std::vector<MetricsTable> Query(Grain grain, absl::string_view as_of, GroupBy by = GroupBy::kCompany) {
    MetricsQuery q;
    q.from = *ParseMonth("2026-01", "from");
    q.to = *ParseMonth("2026-03", "to");
    q.calendar.grain = grain;
    q.as_of = D(as_of);
    q.selection.group_by = by;
    auto tables = ComputeMetrics(ledger_, q);
    EXPECT_TRUE(tables.ok()) << tables.status();
    return *tables;
  }
  Ledger ledger_;
};

TEST_F(MetricsTest, MonthByMonthByHand) {
  const auto tables = Query(Grain::kMonth, "2026-03-31");
  ASSERT_EQ(tables.size(), 1u);
  const auto& p = tables[0].periods;
  ASSERT_EQ(p.size(), 3u);
  // January: C1 booked (new), 1/12 recognised, billed upfront.
  EXPECT_EQ(p[0].period.label, "2026-01");
  EXPECT_EQ(p[0].bookings, C("12000.00"));
  EXPECT_EQ(p[0].bookings_new, C("12000.00"));
  EXPECT_EQ(p[0].revenue, C("1000.00"));
  EXPECT_EQ(p[0].billings, C("12000.00"));
  EXPECT_EQ(p[0].backlog, C("11000.00"));  // SPEC §3.2's example
  EXPECT_EQ(p[0].unbilled_backlog, 0);
  EXPECT_EQ(p[0].deferred_revenue, C("11000.00"));
  EXPECT_EQ(p[0].contract_assets, 0);
  EXPECT_EQ(p[0].accounts_receivable, C("12000.00"));
  EXPECT_DOUBLE_EQ(*p[0].book_to_bill, 1.0);
  EXPECT_DOUBLE_EQ(*p[0].backlog_coverage_months, 33.0);  // 11,000 / (1,000 / 3)
  // February: C2 booked (B's first: new), 40 of 100 hours; C1 paid.
  EXPECT_EQ(p[1].bookings, C("10000.00"));
  EXPECT_EQ(p[1].bookings_new, C("10000.00"));
  EXPECT_EQ(p[1].revenue, C("5000.00"));
  EXPECT_EQ(p[1].billings, 0);
  EXPECT_EQ(p[1].collections, C("12000.00"));
  EXPECT_EQ(p[1].backlog, C("16000.00"));
  EXPECT_EQ(p[1].unbilled_backlog, C("10000.00"));
  EXPECT_EQ(p[1].deferred_revenue, C("10000.00"));
  EXPECT_EQ(p[1].contract_assets, C("4000.00"));
  EXPECT_EQ(p[1].accounts_receivable, 0);
  EXPECT_FALSE(p[1].book_to_bill.has_value());
  EXPECT_DOUBLE_EQ(*p[1].backlog_coverage_months, 8.0);  // 16,000 / (6,000 / 3)
  // March: C3 booked (A existed: existing) and cancelled; 20 more hours; C2 invoiced.
  EXPECT_EQ(p[2].bookings, C("5000.00"));
  EXPECT_EQ(p[2].bookings_existing, C("5000.00"));
  EXPECT_EQ(p[2].bookings_new, 0);
  EXPECT_EQ(p[2].cancellations, C("5000.00"));
  EXPECT_EQ(p[2].revenue, C("3000.00"));
  EXPECT_EQ(p[2].billings, C("3000.00"));
  EXPECT_EQ(p[2].backlog, C("13000.00"));
  EXPECT_EQ(p[2].unbilled_backlog, C("7000.00"));
  EXPECT_EQ(p[2].deferred_revenue, C("9000.00"));
  EXPECT_EQ(p[2].contract_assets, C("3000.00"));
  EXPECT_EQ(p[2].accounts_receivable, C("3000.00"));
  EXPECT_DOUBLE_EQ(*p[2].book_to_bill, 5.0 / 3.0);
  EXPECT_FALSE(p[2].partial);
}

TEST_F(MetricsTest, QuarterSumsTheMonths) {
  const auto tables = Query(Grain::kQuarter, "2026-03-31");
  ASSERT_EQ(tables[0].periods.size(), 1u);
  const PeriodMetrics& q = tables[0].periods[0];
  EXPECT_EQ(q.period.label, "2026-Q1");
  EXPECT_EQ(q.bookings, C("27000.00"));
  EXPECT_EQ(q.bookings_new, C("22000.00"));
  EXPECT_EQ(q.bookings_existing, C("5000.00"));
  EXPECT_EQ(q.revenue, C("9000.00"));
  EXPECT_EQ(q.billings, C("15000.00"));
  EXPECT_EQ(q.collections, C("12000.00"));
  EXPECT_EQ(q.backlog, C("13000.00"));
}

TEST_F(MetricsTest, AsOfMidMonthReportsThroughTheDateAndMarksPartial) {
  const auto tables = Query(Grain::kMonth, "2026-02-15");
  const auto& p = tables[0].periods;
  EXPECT_FALSE(p[0].partial);
  EXPECT_TRUE(p[1].partial);
  // C1 through Feb 15: 15/28 of February's 1,000.00, floored; C2's hours come on 02-20.
  EXPECT_EQ(p[1].revenue, 53571);
  EXPECT_EQ(p[1].collections, C("12000.00"));
  EXPECT_EQ(p[1].bookings, C("10000.00"));
  // March lies wholly after as_of: no flows, balances as of 02-15.
  EXPECT_TRUE(p[2].partial);
  EXPECT_EQ(p[2].bookings, 0);
  EXPECT_EQ(p[2].revenue, 0);
  EXPECT_EQ(p[2].backlog, p[1].backlog);
  EXPECT_EQ(p[1].backlog, C("22000.00") - C("1000.00") - 53571);
}

TEST_F(MetricsTest, GroupBySegment) {
  const auto tables = Query(Grain::kQuarter, "2026-03-31", GroupBy::kSegment);
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].group, "enterprise");
  EXPECT_EQ(tables[0].periods[0].bookings, C("17000.00"));
  EXPECT_EQ(tables[0].periods[0].backlog, C("9000.00"));
  EXPECT_EQ(tables[1].group, "smb");
  EXPECT_EQ(tables[1].periods[0].revenue, C("6000.00"));
}

TEST_F(MetricsTest, RowLimitBoundsTheWork) {
  MetricsQuery q;
  q.from = *ParseMonth("2026-01", "from");
  q.to = *ParseMonth("2026-12", "to");
  q.as_of = D("2026-03-31");
  q.selection.group_by = GroupBy::kCustomer;
  q.limit.max_rows = 23;  // 2 customers x 12 months = 24
  EXPECT_THAT(ComputeMetrics(ledger_, q),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("24 rows (2 groups x 12 periods)")));
  q.limit.max_rows = 24;
  EXPECT_TRUE(ComputeMetrics(ledger_, q).ok());
}

TEST_F(MetricsTest, UnknownCustomerFilterIsNotFound) {
  MetricsQuery q;
  q.from = q.to = *ParseMonth("2026-01", "from");
  q.as_of = D("2026-03-31");
  q.selection.customer_id = "ZZZ";
  EXPECT_THAT(ComputeMetrics(ledger_, q), StatusIs(absl::StatusCode::kNotFound, HasSubstr("customer_id")));
}

TEST_F(MetricsTest, BacklogAgingAndCrpo) {
  auto reports = ComputeBacklog(ledger_, D("2026-03-31"), Selection{});
  ASSERT_TRUE(reports.ok());
  const BacklogReport& r = (*reports)[0];
  EXPECT_EQ(r.backlog, C("13000.00"));
  EXPECT_EQ(r.aging[0], C("13000.00"));  // both contracts are under 91 days old
  // C1: the remaining 9,000.00 all falls in the next 12 months. C2: 4,000.00 pro rata by time,
  // 365 of the 548 days to its expected end.
  EXPECT_EQ(r.crpo, C("9000.00") + 400000LL * 365 / 548);

  auto later = ComputeBacklog(ledger_, D("2026-06-30"), Selection{});
  // C1 is 180 days old and C2 140: both in 91-180.
  EXPECT_EQ((*later)[0].aging[0], 0);
  EXPECT_EQ((*later)[0].aging[1], C("6000.00") + C("4000.00"));
}

TEST(ScheduleTest, BacklogUsesCancellationsAsOfEachMonthAndScheduledMonthsAreWhole) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("C", "A", "2026-01-01"),
                    Ratable("C", "L", "12000.00", "2026-01-01", "2026-12-31"), Cancel("C", "L", "2026-07-01")});
  auto late = ComputeSchedule(ledger, "C", D("2026-12-31"));
  ASSERT_TRUE(late.ok());
  const auto& months = late->lines[0].months;
  EXPECT_EQ(months[0].backlog, C("11000.00"));  // the July cancellation is not yet known in January
  EXPECT_EQ(months[6].revenue, 0);
  EXPECT_EQ(months[6].backlog, 0);
  EXPECT_EQ(late->lines[0].cancelled, C("6000.00"));

  Ledger open;
  ApplyAll(open, {Cust("A"), Con("C", "A", "2026-01-01"),
                  Ratable("C", "L", "12000.00", "2026-01-01", "2026-12-31")});
  auto mid = ComputeSchedule(open, "C", D("2026-03-15"));
  ASSERT_TRUE(mid.ok());
  const auto& m = mid->lines[0].months;
  EXPECT_EQ(m[2].revenue, 100000 * 15 / 31);  // March through the 15th, actual
  EXPECT_FALSE(m[2].scheduled);
  EXPECT_EQ(m[3].revenue, C("1000.00"));      // April, whole, by schedule
  EXPECT_TRUE(m[3].scheduled);
  EXPECT_EQ(m[3].recognized_to_date, C("4000.00"));
}

TEST_F(MetricsTest, ScheduleActualThenScheduled) {
  auto schedule = ComputeSchedule(ledger_, "C1", D("2026-03-31"));
  ASSERT_TRUE(schedule.ok());
  ASSERT_EQ(schedule->lines.size(), 1u);
  const auto& months = schedule->lines[0].months;
  ASSERT_EQ(months.size(), 12u);
  EXPECT_EQ(months[0].revenue, C("1000.00"));
  EXPECT_FALSE(months[2].scheduled);
  EXPECT_TRUE(months[3].scheduled);
  EXPECT_EQ(months[11].recognized_to_date, C("12000.00"));
  EXPECT_EQ(months[11].backlog, 0);
  EXPECT_THAT(ComputeSchedule(ledger_, "nope", D("2026-03-31")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("contract_id")));
}

}  // namespace
}  // namespace forecastle
