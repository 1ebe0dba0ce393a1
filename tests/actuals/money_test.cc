#include "engine/actuals/money.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using ::forecastle::testing::IsOkAndHolds;
using ::forecastle::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseCents, AcceptsUpToTwoDecimals) {
  EXPECT_THAT(ParseCents("1234.56", "amount"), IsOkAndHolds(123456));
  EXPECT_THAT(ParseCents("1234.5", "amount"), IsOkAndHolds(123450));
  EXPECT_THAT(ParseCents("1234", "amount"), IsOkAndHolds(123400));
  EXPECT_THAT(ParseCents("-0.05", "amount"), IsOkAndHolds(-5));
  EXPECT_THAT(ParseCents(".5", "amount"), IsOkAndHolds(50));
  EXPECT_THAT(ParseCents("+7", "amount"), IsOkAndHolds(700));
}

TEST(ParseCents, RefusesThreeDecimalsNamingTheField) {
  EXPECT_THAT(ParseCents("1.234", "invoices.amount"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invoices.amount: has more than 2 decimals, got \"1.234\"")));
}

TEST(ParseCents, RefusesOverflowAndGarbage) {
  EXPECT_THAT(ParseCents("10000000000000.01", "amount"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflows")));
  EXPECT_THAT(ParseCents("99999999999999999999999", "amount"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflows")));
  EXPECT_THAT(ParseCents("10000000000000.00", "amount"), IsOkAndHolds(kMaxAmountCents));
  for (const char* bad : {"", "1,000.00", "1e3", "12.", "-", "abc", "1.2.3", " 1"}) {
    EXPECT_THAT(ParseCents(bad, "amount"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount")))
        << bad;
  }
}

TEST(FormatCents, AlwaysTwoDecimals) {
  EXPECT_EQ(FormatCents(123456), "1234.56");
  EXPECT_EQ(FormatCents(-5), "-0.05");
  EXPECT_EQ(FormatCents(0), "0.00");
  EXPECT_EQ(FormatCents(100), "1.00");
  EXPECT_EQ(FormatCents(INT64_MIN), "-92233720368547758.08");
}

TEST(MulDivFloor, FloorsTowardsMinusInfinityWithoutOverflow) {
  EXPECT_EQ(MulDivFloor(10, 1, 3), 3);
  EXPECT_EQ(MulDivFloor(-10, 1, 3), -4);
  EXPECT_EQ(MulDivFloor(kMaxAmountCents, 377580LL * 12 * 1000, 377580LL * 12 * 1000), kMaxAmountCents);
}

}  // namespace
}  // namespace forecastle
