#include "engine/actuals/calendar.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using ::forecastle::testing::StatusIs;
using ::testing::HasSubstr;

Date D(const char* text) { return *ParseDate(text, "date"); }

TEST(Calendar, RoundTripsEveryDayOfFourCenturies) {
  for (Date d = D("1900-01-01"); d <= D("2300-12-31"); d = d + 1) {
    const CivilDay c = CivilFromDate(d);
    ASSERT_EQ(DateFromCivil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(D("1970-01-01").days, 0);
  EXPECT_EQ(kMinDate, D("1900-01-01"));
  EXPECT_EQ(kMaxDate, D("2999-12-31"));
}

TEST(Calendar, LeapYears) {
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2026, 2), 28);
  EXPECT_THAT(ParseDate("2026-02-29", "signed_on"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signed_on: no such day")));
  EXPECT_EQ(FormatDate(D("2024-02-29")), "2024-02-29");
}

TEST(Calendar, RefusesMalformedDates) {
  for (const char* bad : {"2026-1-01", "2026/01/01", "20260101", "", "2026-13-01", "2026-00-10", "1899-12-31"}) {
    EXPECT_THAT(ParseDate(bad, "issued_on"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("issued_on")))
        << bad;
  }
}

TEST(Calendar, AddMonthsClampsToMonthEnd) {
  EXPECT_EQ(AddMonths(D("2026-01-31"), 1), D("2026-02-28"));
  EXPECT_EQ(AddMonths(D("2024-01-31"), 1), D("2024-02-29"));
  EXPECT_EQ(AddMonths(D("2026-05-15"), -3), D("2026-02-15"));
  EXPECT_EQ(AddMonths(D("2026-11-30"), 12), D("2027-11-30"));
}

TEST(Calendar, MonthsQuartersAndYears) {
  const PeriodCalendar quarter{Grain::kQuarter, 1};
  Period q = PeriodContaining(D("2026-05-17"), quarter);
  EXPECT_EQ(q.label, "2026-Q2");
  EXPECT_EQ(q.first, D("2026-04-01"));
  EXPECT_EQ(q.last, D("2026-06-30"));
  Period m = PeriodContaining(D("2024-02-10"), PeriodCalendar{});
  EXPECT_EQ(m.label, "2024-02");
  EXPECT_EQ(m.last, D("2024-02-29"));
  Period y = PeriodContaining(D("2026-12-31"), PeriodCalendar{Grain::kYear, 1});
  EXPECT_EQ(y.label, "2026");
  EXPECT_EQ(y.first, D("2026-01-01"));
}

TEST(Calendar, FiscalYearIsNamedByTheYearItEndsIn) {
  const PeriodCalendar fiscal{Grain::kYear, 7};
  Period y = PeriodContaining(D("2025-07-01"), fiscal);
  EXPECT_EQ(y.label, "2026");
  EXPECT_EQ(y.first, D("2025-07-01"));
  EXPECT_EQ(y.last, D("2026-06-30"));
  Period q = PeriodContaining(D("2026-01-15"), PeriodCalendar{Grain::kQuarter, 7});
  EXPECT_EQ(q.label, "2026-Q3");
  EXPECT_EQ(q.first, D("2026-01-01"));
  Period feb = PeriodContaining(D("2026-02-01"), PeriodCalendar{Grain::kQuarter, 2});
  EXPECT_EQ(feb.label, "2027-Q1");  // Feb 2026 .. Jan 2027
  EXPECT_EQ(feb.last, D("2026-04-30"));
}

TEST(Calendar, PeriodsBetweenCoversFromAndTo) {
  auto periods = PeriodsBetween(*ParseMonth("2025-11", "from"), *ParseMonth("2026-02", "to"),
                                PeriodCalendar{Grain::kQuarter, 1});
  ASSERT_TRUE(periods.ok());
  ASSERT_EQ(periods->size(), 2u);
  EXPECT_EQ((*periods)[0].label, "2025-Q4");
  EXPECT_EQ((*periods)[1].label, "2026-Q1");
  EXPECT_THAT(PeriodsBetween(24315, 24314, PeriodCalendar{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from must not be after to")));
  EXPECT_THAT(PeriodsBetween(24000, 24000, PeriodCalendar{Grain::kYear, 13}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("fiscal_year_start_month")));
}

TEST(Calendar, ParseMonthNamesTheField) {
  EXPECT_EQ(FormatMonth(*ParseMonth("2026-01", "from")), "2026-01");
  EXPECT_THAT(ParseMonth("2026-1", "from"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from: expected a month")));
}

}  // namespace
}  // namespace forecastle
