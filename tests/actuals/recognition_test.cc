#include "engine/actuals/recognition.h"

#include <gtest/gtest.h>

#include "tests/testing/ledger_builder.h"

namespace forecastle {
namespace {

using namespace ::forecastle::testing;  // NOLINT: terse builders

class RecognitionTest : public ::testing::Test {
 protected:
  // A ledger with one customer and the given contract and lines.
  const LineState& Only(std::initializer_list<Record> records) {
    ApplyAll(ledger_, records);
    return ledger_.contracts().back().lines.back();
  }
  Date Signed() const { return ledger_.contracts().back().contract.signed_on; }
  Cents Rec(const LineState& line, absl::string_view day) { return RecognizedThrough(line, Signed(), D(day)); }

  Ledger ledger_;
};

TEST_F(RecognitionTest, SpecRatableMonthlyExample) {
  // SPEC §3.2: 12,000.00 over 2026-01-01..2026-12-31, monthly: 1,000.00 each month.
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-01-01"),
                                Ratable("C", "L", "12000.00", "2026-01-01", "2026-12-31")});
  for (int month = 1; month <= 12; ++month) {
    const Date end = LastDayOfMonth(2026 * 12 + month - 1);
    EXPECT_EQ(RecognizedThrough(line, Signed(), end), month * C("1000.00")) << month;
  }
  EXPECT_EQ(Rec(line, "2025-12-31"), 0);
  EXPECT_EQ(Rec(line, "2030-01-01"), C("12000.00"));
}

TEST_F(RecognitionTest, MonthlyWeightsPartialMonthsByServiceDays) {
  // Jan 16..31 weighs 16/31, Feb 1, Mar 1..15 weighs 15/31: W = 2 months.
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-01-01"),
                                Ratable("C", "L", "3000.00", "2026-01-16", "2026-03-15")});
  EXPECT_EQ(Rec(line, "2026-01-15"), 0);
  EXPECT_EQ(Rec(line, "2026-01-31"), 77419);   // floor(300000 * 194880 / 755160)
  EXPECT_EQ(Rec(line, "2026-02-28"), 227419);  // floor(300000 * 572460 / 755160)
  EXPECT_EQ(Rec(line, "2026-03-15"), 300000);
  // Mid-month: linear by service day, floored: 5 of January's 16 service days.
  EXPECT_EQ(Rec(line, "2026-01-20"), 24193);   // floor(77419 * 5 / 16)
  // Mid-March: 227419 + floor(72581 * 7 / 15).
  EXPECT_EQ(Rec(line, "2026-03-07"), 227419 + 72581 * 7 / 15);
}

TEST_F(RecognitionTest, DailyConventionAndLeapYear) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2024-01-01"),
                                Ratable("C", "L", "366.00", "2024-01-01", "2024-12-31",
                                        RatableConvention::kDaily)});
  EXPECT_EQ(Rec(line, "2024-02-29"), C("60.00"));
  EXPECT_EQ(Rec(line, "2024-12-30"), C("365.00"));
  EXPECT_EQ(Rec(line, "2024-12-31"), C("366.00"));
}

TEST_F(RecognitionTest, DailyFloors) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-01-01"),
                                Ratable("C", "L", "100.00", "2026-01-01", "2026-01-03",
                                        RatableConvention::kDaily)});
  EXPECT_EQ(Rec(line, "2026-01-01"), 3333);
  EXPECT_EQ(Rec(line, "2026-01-02"), 6666);
  EXPECT_EQ(Rec(line, "2026-01-03"), 10000);
}

TEST_F(RecognitionTest, LeapFebruaryMonthly) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2024-01-01"),
                                Ratable("C", "L", "29.00", "2024-02-01", "2024-02-29")});
  EXPECT_EQ(Rec(line, "2024-02-10"), C("10.00"));
  EXPECT_EQ(Rec(line, "2024-02-28"), C("28.00"));
  EXPECT_EQ(Rec(line, "2024-02-29"), C("29.00"));
}

TEST_F(RecognitionTest, OneDayServicePeriod) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-01-01"),
                                Ratable("C", "L", "100.00", "2026-03-15", "2026-03-15")});
  EXPECT_EQ(Rec(line, "2026-03-14"), 0);
  EXPECT_EQ(Rec(line, "2026-03-15"), C("100.00"));
}

TEST_F(RecognitionTest, LineStartingBeforeSigningCatchesUpOnSignedOn) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-03-10"),
                                Ratable("C", "L", "12000.00", "2026-01-01", "2026-12-31")});
  EXPECT_EQ(Rec(line, "2026-03-09"), 0);
  // Jan + Feb + 10/31 of March, all on the signing day.
  EXPECT_EQ(Rec(line, "2026-03-10"), C("2000.00") + 100000 * 10 / 31);
}

TEST_F(RecognitionTest, DeliveryByUnitsCappedAtTotal) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-01-01"),
                                Delivery("C", "L", "1000.00", 3), Units("C", "L", "2026-02-01", 1),
                                Units("C", "L", "2026-03-01", 5)});
  EXPECT_EQ(Rec(line, "2026-01-31"), 0);
  EXPECT_EQ(Rec(line, "2026-02-01"), 33333);
  EXPECT_EQ(Rec(line, "2026-03-01"), C("1000.00"));
}

TEST_F(RecognitionTest, EffortWithEstimateRevisionCatchesUpBothWays) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-01-01"),
                                Effort("C", "L", "10000.00", "100"),
                                Hours("C", "L", "2026-01-20", "30"),
                                Hours("C", "L", "2026-02-10", "0", "150"),
                                Hours("C", "L", "2026-03-10", "60", "80")});
  EXPECT_EQ(Rec(line, "2026-01-20"), C("3000.00"));
  EXPECT_EQ(Rec(line, "2026-02-10"), C("2000.00"));  // 30 of 150 hours: a downward catch-up
  EXPECT_EQ(Rec(line, "2026-03-10"), C("10000.00"));  // 90 hours against 80: capped
}

TEST_F(RecognitionTest, EffortCompleteRecognisesInFull) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-01-01"),
                                Effort("C", "L", "500.00", "10"), Hours("C", "L", "2026-01-05", "2.5"),
                                Complete("C", "L", "2026-01-09")});
  EXPECT_EQ(Rec(line, "2026-01-08"), C("125.00"));
  EXPECT_EQ(Rec(line, "2026-01-09"), C("500.00"));
}

TEST_F(RecognitionTest, ProgressBeforeSigningIsRecognisedOnSignedOn) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-02-01"),
                                Effort("C", "L", "1000.00", "10"), Hours("C", "L", "2026-01-10", "4")});
  EXPECT_EQ(Rec(line, "2026-01-31"), 0);
  EXPECT_EQ(Rec(line, "2026-02-01"), C("400.00"));
}

TEST_F(RecognitionTest, CancellationKeepsWhatWasRecognisedAndRemovesTheRest) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-01-01"),
                                Ratable("C", "L", "12000.00", "2026-01-01", "2026-12-31"),
                                Cancel("C", "L", "2026-04-01")});
  EXPECT_EQ(Rec(line, "2026-03-31"), C("3000.00"));
  EXPECT_EQ(Rec(line, "2026-04-01"), C("3000.00"));
  EXPECT_EQ(Rec(line, "2026-12-31"), C("3000.00"));
  EXPECT_EQ(CancelledThrough(line, Signed(), D("2026-03-31")), 0);
  EXPECT_EQ(CancelledThrough(line, Signed(), D("2026-04-01")), C("9000.00"));
}

TEST_F(RecognitionTest, CancellationOnTheSigningDayCancelsEverything) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-03-10"),
                                Ratable("C", "L", "1200.00", "2026-01-01", "2026-12-31"),
                                Cancel("C", "L", "2026-03-10")});
  EXPECT_EQ(Rec(line, "2026-12-31"), 0);
  EXPECT_EQ(CancelledThrough(line, Signed(), D("2026-03-10")), C("1200.00"));
}

TEST_F(RecognitionTest, EventsAfterTheCutoffAreIgnored) {
  const LineState& line = Only({Cust("A"), Con("C", "A", "2026-01-01"),
                                Delivery("C", "L", "100.00", 2), Units("C", "L", "2026-02-01", 1),
                                Cancel("C", "L", "2026-03-01")});
  EXPECT_EQ(RecognizedThrough(line, Signed(), D("2026-02-15"), D("2026-01-31")), 0);
  EXPECT_EQ(RecognizedThrough(line, Signed(), D("2026-02-15"), D("2026-02-15")), C("50.00"));
}

}  // namespace
}  // namespace forecastle
