// Golden digests of forecasts: every path value (and every summary) of the five variations of
// bench/README.md's standard scenario, a mid-month as-of on a smaller sample company, and its
// calibrated scenario. A restructure must leave every digest as it is; a change that means to move
// values updates them (tests/forecast/update_golden.py) and says why in its commit message. The
// digests are of this platform's floating point (Debian 12, x86-64, glibc's libm): another libm
// may differ in the last bit.
#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "bench/standard_scenario.h"
#include "engine/forecast/calibration.h"
#include "tests/testing/sample_ledger.h"

namespace forecastle::forecast {
namespace {

// 64-bit FNV-1a over bytes.
class Digest {
 public:
  void Add(const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) hash_ = (hash_ ^ bytes[i]) * 0x100000001b3ULL;
  }
  template <typename T>
  void Add(T value) { Add(&value, sizeof value); }
  std::string Hex() const { return absl::StrFormat("%016x", hash_); }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

struct Digests {
  std::string paths;      // every path value in (metric, month, path) order, then months_to_clear
  std::string summaries;  // every summary's mean, std, standard error and quantiles, and the probabilities
};

absl::StatusOr<Digests> ForecastDigests(const StartingState& state, const Scenario& scenario, int64_t paths, uint64_t seed) {
  ForecastOptions options;
  options.paths = paths;
  options.seed = seed;
  PathValues values;
  absl::StatusOr<ForecastResult> result = RunForecast(state, scenario, options, {}, &values);
  if (!result.ok()) return result.status();
  Digest path_digest;
  for (int metric = 0; metric < kMetricCount; ++metric) {
    for (int month = 0; month < values.horizon; ++month) {
      for (int64_t p = 0; p < values.paths; ++p) path_digest.Add(values.at(metric, month, p));
    }
  }
  for (int32_t m : values.months_to_clear) path_digest.Add(m);
  Digest summary_digest;
  auto add = [&](const Summary& s) {
    summary_digest.Add(s.mean);
    summary_digest.Add(s.std);
    summary_digest.Add(s.standard_error);
    for (double q : s.quantiles) summary_digest.Add(q);
  };
  for (const auto& metric : result->summaries) {
    for (const Summary& s : metric) add(s);
  }
  for (double p : result->strain_probability) summary_digest.Add(p);
  add(result->months_to_clear);
  summary_digest.Add(result->clear_probability);
  return Digests{path_digest.Hex(), summary_digest.Hex()};
}

struct Golden {
  const char* paths;
  const char* summaries;
};

TEST(Golden, StandardScenarioVariations) {
  // As bench/path_dump writes them: 333 paths, seed 11, 36 months from 2026-10-31.
  const Golden golden[] = {
      {"20044de3939bc19e", "56b7c64aae464017"},
      {"96b287a3ce475757", "3c7f591a31eae9ce"},
      {"a1db51ac57e972c3", "f9b92da90e52e46c"},
      {"66a9c81d98ca7b6a", "a1f95270177622d0"},
      {"793c96e610643706", "150eaa1f6201f503"},
  };
  const std::vector<Scenario> variations = StandardVariations();
  ASSERT_EQ(variations.size(), std::size(golden));
  for (size_t i = 0; i < variations.size(); ++i) {
    absl::StatusOr<Digests> d = ForecastDigests(StandardState(), variations[i], 333, 11);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->paths, golden[i].paths) << "variation " << i << ": path values moved";
    EXPECT_EQ(d->summaries, golden[i].summaries) << "variation " << i << ": summaries moved";
  }
}

// A 2,000-contract sample company as of a mid-month day, with the default scenario and with the
// scenario calibrated at that day.
TEST(Golden, MidMonthAsOfDefaultAndCalibrated) {
  const Ledger ledger = ::forecastle::testing::SampleLedger(2000, 4);
  ASSERT_FALSE(::testing::Test::HasFailure());
  const Date as_of = *ParseDate("2026-07-15", "as_of");

  const Scenario scenario = DefaultScenario();
  absl::StatusOr<StartingState> state = BuildStartingState(ledger, scenario, as_of, 24);
  ASSERT_TRUE(state.ok()) << state.status();
  absl::StatusOr<Digests> d = ForecastDigests(*state, scenario, 500, 3);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->paths, "ed962dfe7e4ae9f0") << "default scenario: path values moved";
  EXPECT_EQ(d->summaries, "8a792f3d93e588db") << "default scenario: summaries moved";

  absl::StatusOr<Calibration> calibration = Calibrate(ledger, as_of, scenario);
  ASSERT_TRUE(calibration.ok()) << calibration.status();
  absl::StatusOr<StartingState> calibrated_state = BuildStartingState(ledger, calibration->scenario, as_of, 24);
  ASSERT_TRUE(calibrated_state.ok()) << calibrated_state.status();
  d = ForecastDigests(*calibrated_state, calibration->scenario, 500, 3);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->paths, "0932f12b067e9807") << "calibrated scenario: path values moved";
  EXPECT_EQ(d->summaries, "7281647f0e2a6205") << "calibrated scenario: summaries moved";
}

}  // namespace
}  // namespace forecastle::forecast
