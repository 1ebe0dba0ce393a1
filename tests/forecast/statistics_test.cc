#include "engine/forecast/statistics.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
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

// The float version sorts only the buckets its ranks fall in: it must still give the double
// version's exact results where a bucket holds most values (a spike of ties beside outliers),
// where the spread is infinite (every value in one bucket), with every percentile asked for
// (many buckets), for two values, all equal ones, and few or many values per bucket.
TEST(Summarize, FloatSelectionGivesExactlyTheDoubleResultsOnAwkwardSpreads) {
  std::mt19937_64 random(5);
  std::lognormal_distribution<float> lognormal(12, 0.4f);
  std::vector<double> percentiles;
  for (int k = 1; k <= 99; ++k) percentiles.push_back(k / 100.0);
  const std::vector<double> few = {0.1, 0.5, 0.9};
  std::vector<std::vector<float>> cases;
  for (size_t n : {2, 5, 300, 4000, 20000}) {
    std::vector<float> spread(n);  // a forecast's usual fan
    for (float& v : spread) v = lognormal(random);
    std::vector<float> spike(n, 460.0f);  // most values tied, a few far off
    for (size_t i = 0; i < n; i += 97) spike[i] = i % 2 ? 1e9f : -3.0f;
    std::vector<float> infinite = spread;
    infinite[0] = std::numeric_limits<float>::infinity();
    infinite[n - 1] = -std::numeric_limits<float>::infinity();
    cases.push_back(spread);
    cases.push_back(spike);
    cases.push_back(infinite);
    cases.emplace_back(n, 7.25f);  // all equal
  }
  cases.push_back({-0.0f, 0.0f, 0.0f});
  for (const std::vector<float>& values : cases) {
    const std::vector<double> as_double(values.begin(), values.end());
    for (const std::vector<double>* probabilities : std::vector<const std::vector<double>*>{&few, &percentiles}) {
      const Summary a = Summarize(absl::MakeConstSpan(values), *probabilities);
      const Summary b = Summarize(as_double, *probabilities);
      ASSERT_EQ(a.quantiles.size(), b.quantiles.size());
      for (size_t q = 0; q < a.quantiles.size(); ++q) {
        // Between -inf and inf the interpolation is NaN in both.
        const bool same = a.quantiles[q] == b.quantiles[q] || (std::isnan(a.quantiles[q]) && std::isnan(b.quantiles[q]));
        EXPECT_TRUE(same) << values.size() << " values, p=" << (*probabilities)[q] << ": " << a.quantiles[q]
                          << " against " << b.quantiles[q];
      }
    }
  }
}

// NaN sorts above every number (by its bits), as the full sort placed it: a quantile that reaches
// it, or interpolates towards it, is NaN, even when every other value is the same number.
TEST(Summarize, FloatSelectionDoesNotHideNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<double> probabilities = {0, 0.5, 1};
  struct Case {
    std::vector<float> values;
    std::vector<double> quantiles;  // NaN: expected NaN
  };
  for (const Case& c : std::vector<Case>{{{1, nan}, {nan, nan, nan}},  // 1 + 0 x (NaN - 1) at p = 0
                                         {{0, 0, nan}, {0, nan, nan}},
                                         {{0, 0, nan, 0}, {0, 0, nan}}}) {
    const Summary s = Summarize(absl::MakeConstSpan(c.values), probabilities);
    EXPECT_TRUE(std::isnan(s.mean));
    ASSERT_EQ(s.quantiles.size(), 3u);
    for (size_t q = 0; q < 3; ++q) {
      if (std::isnan(c.quantiles[q])) {
        EXPECT_TRUE(std::isnan(s.quantiles[q])) << c.values.size() << " values, p=" << probabilities[q] << ": " << s.quantiles[q];
      } else {
        EXPECT_EQ(s.quantiles[q], c.quantiles[q]) << c.values.size() << " values, p=" << probabilities[q];
      }
    }
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
