#include "engine/forecast/statistics.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

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

// The radix-sorted single-precision path gives exactly what selection gives on the same numbers:
// negatives, zeros of both signs, ties, huge and tiny magnitudes.
TEST(Summarize, FloatValuesGiveExactlyTheDoubleResults) {
  std::mt19937_64 random(11);
  std::normal_distribution<float> z;
  for (size_t n : {1, 2, 3, 10, 1000, 20001}) {
    std::vector<float> values(n);
    for (size_t i = 0; i < n; ++i) {
      switch (i % 5) {
        case 0: values[i] = z(random) * 1e6f; break;
        case 1: values[i] = std::floor(z(random) * 3); break;  // ties
        case 2: values[i] = i % 2 ? 0.0f : -0.0f; break;
        case 3: values[i] = z(random) * 1e-30f; break;
        default: values[i] = -std::fabs(z(random)) * 3e37f; break;
      }
    }
    const std::vector<double> as_double(values.begin(), values.end());
    const std::vector<double> probabilities = {0, 0.01, 0.1, 0.25, 0.5, 0.9, 0.999, 1};
    const Summary a = Summarize(absl::MakeConstSpan(values), probabilities), b = Summarize(as_double, probabilities);
    EXPECT_EQ(a.mean, b.mean) << n;
    EXPECT_EQ(a.std, b.std) << n;
    ASSERT_EQ(a.quantiles.size(), b.quantiles.size());
    for (size_t q = 0; q < a.quantiles.size(); ++q) EXPECT_EQ(a.quantiles[q], b.quantiles[q]) << n << " p=" << probabilities[q];
  }
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
