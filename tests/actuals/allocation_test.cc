#include "engine/actuals/allocation.h"

#include <numeric>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace forecastle {
namespace {

using ::testing::ElementsAre;

TEST(Allocation, SpecExample) {
  // SPEC §3.1: T = 100.00, SSPs 50, 25, 75 -> 33.33, 16.67, 50.00.
  EXPECT_THAT(AllocateTransactionPrice(10000, {5000, 2500, 7500}), ElementsAre(3333, 1667, 5000));
}

TEST(Allocation, WithoutTransactionPriceEachLineGetsItsSsp) {
  EXPECT_THAT(AllocateTransactionPrice(std::nullopt, {5000, 2500}), ElementsAre(5000, 2500));
}

TEST(Allocation, TiesGoToTheEarlierLine) {
  // 1.00 over three equal SSPs: 0.33 each and one cent left, to the first line.
  EXPECT_THAT(AllocateTransactionPrice(100, {1, 1, 1}), ElementsAre(34, 33, 33));
  // Two cents left: the first two lines.
  EXPECT_THAT(AllocateTransactionPrice(200, {1, 1, 1}), ElementsAre(67, 67, 66));
}

TEST(Allocation, LargestRemaindersFirst) {
  // 10.00 over SSPs 1, 2, 4: exact 1.428571.., 2.857142.., 5.714285.. -> floors 1.42, 2.85, 5.71
  // (sum 9.98); remainders .857, .714, .428 (in cents): the first two lines get a cent each.
  EXPECT_THAT(AllocateTransactionPrice(1000, {1, 2, 4}), ElementsAre(143, 286, 571));
}

TEST(Allocation, AllZeroSspSplitsEqually) {
  EXPECT_THAT(AllocateTransactionPrice(1000, {0, 0, 0}), ElementsAre(334, 333, 333));
}

TEST(Allocation, AlwaysSumsToTheTransactionPrice) {
  std::vector<Cents> ssps;
  for (int i = 1; i <= 37; ++i) ssps.push_back(i * 7919 % 100003);
  for (Cents price : {0LL, 1LL, 99LL, 123456789LL, 1'000'000'000'000'000LL}) {
    auto amounts = AllocateTransactionPrice(price, ssps);
    EXPECT_EQ(std::accumulate(amounts.begin(), amounts.end(), Cents{0}), price);
  }
}

}  // namespace
}  // namespace forecastle
