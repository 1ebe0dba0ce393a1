#include "engine/forecast/statistics.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace forecastle::forecast {
namespace {

using ::forecastle::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Summarize, MatchesHandComputedValuesAndNumpysQuantiles) {
  // numpy.quantile([1, 2, 3, 4, 10], [0, 0.1, 0.5, 0.9, 1]) == [1, 1.4, 3, 7.6, 10].
  const std::vector<double> values = {4, 1, 10, 3, 2};
  const std::vector<double> probabilities = {0, 0.1, 0.5, 0.9, 1};
  const Summary s = Summarize(values, probabilities);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(50.0 / 4));  // deviations 0, 9, 36, 1, 4
  EXPECT_DOUBLE_EQ(s.standard_error, std::sqrt(50.0 / 4) / std::sqrt(5.0));
  ASSERT_EQ(s.quantiles.size(), 5u);
  EXPECT_DOUBLE_EQ(s.quantiles[0], 1.0);
  EXPECT_DOUBLE_EQ(s.quantiles[1], 1.4);
  EXPECT_DOUBLE_EQ(s.quantiles[2], 3.0);
  EXPECT_DOUBLE_EQ(s.quantiles[3], 7.6);
  EXPECT_DOUBLE_EQ(s.quantiles[4], 10.0);
}

TEST(Summarize, OneValueHasNoSpread) {
  const std::vector<double> one = {7.5};
  const std::vector<double> median = {0.5};
  const Summary s = Summarize(one, median);
  EXPECT_EQ(s.mean, 7.5);
  EXPECT_EQ(s.std, 0);
  EXPECT_THAT(s.quantiles, ElementsAre(7.5));
}

TEST(ValidateProbabilities, NamesTheFieldAndTheValue) {
  const std::vector<double> ok = {0.1, 0.5, 0.9};
  EXPECT_TRUE(ValidateProbabilities(ok, "quantiles").ok());
  const std::vector<double> out_of_range = {0.1, 1.5};
  EXPECT_THAT(ValidateProbabilities(out_of_range, "quantiles"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("quantiles: each must be in [0, 1], got 1.5")));
  const std::vector<double> unsorted = {0.9, 0.1};
  EXPECT_THAT(ValidateProbabilities(unsorted, "quantiles"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be increasing")));
  const std::vector<double> nan = {std::nan("")};
  EXPECT_FALSE(ValidateProbabilities(nan, "quantiles").ok());
}

}  // namespace
}  // namespace forecastle::forecast
