// The forecast driver: runs N paths of the model over blocks of paths with oneTBB and summarises
// every metric and month (mean, std, standard error, quantiles) plus the probabilities SPEC §4
// asks for. Results are bit-identical at any thread count: a path's numbers depend only on its
// random streams, and every summary reads paths in path order. Requests reach it through
// forecaster.h, which resolves the scenario and sets up what a forecast runs from.
#ifndef FORECASTLE_ENGINE_FORECAST_FORECAST_H_
#define FORECASTLE_ENGINE_FORECAST_FORECAST_H_

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/forecast/model.h"
#include "engine/forecast/statistics.h"

namespace forecastle::forecast {

// "What is the probability that `metric` reaches `value`?", asked of every month.
struct Target {
  Metric metric = kRevenue;
  double value = 0;
};

inline constexpr size_t kMaxTargets = 64;

struct ForecastOptions {
  int64_t paths = 10000;                  // [1, max_paths]
  uint64_t seed = 1;                      // any value; the same seed replays the same paths
  std::vector<double> quantiles = {0.1, 0.5, 0.9};
  double strain_months = 3;               // strain: work backlog above this many months of capacity, (0, 120]
  std::vector<Target> targets;            // P(metric >= value) per month, at most kMaxTargets
  int64_t max_paths = 10'000'000;         // a bound on the work one forecast may ask for
  // Every path's values are kept (4 bytes each) for quantiles and comparisons: paths x horizon
  // x 13 metrics may not exceed this (500 M values, 2 GB), else RESOURCE_EXHAUSTED.
  int64_t max_path_values = 500'000'000;
  // Paths are run in waves; after each the progress callback sees the paths done so far.
  int64_t wave_paths = 4096;
  // When set (by another thread: a cancelled call, a passed deadline), the workers stop within
  // one path each and the forecast answers CANCELLED.
  const std::atomic<bool>* stop = nullptr;
};

// A partial or final result over paths [0, paths).
struct ForecastResult {
  int64_t paths = 0;
  int horizon = 0;
  MonthIndex first_month = 0;
  // summaries[metric][month]
  std::vector<std::vector<Summary>> summaries;
  std::vector<double> strain_probability;  // per month
  std::vector<std::vector<double>> target_probability;  // [target][month]: P(metric >= value)
  Summary months_to_clear;                 // 1-based month the work backlog at as-of is delivered (horizon + 1: not within it)
  double clear_probability = 0;            // the work backlog clears within the horizon
};

// The values of every path, kept so scenarios can be compared path by path.
struct PathValues {
  // Paths are stored in blocks of kBlockPaths: block b holds, for each metric-month cell in turn,
  // the values of its paths side by side, [(b * cells + metric * horizon + month) * kBlockPaths
  // + path % kBlockPaths]. A cell's values for consecutive paths are contiguous (summaries read
  // them as columns), and a block's 13 x horizon cells are one contiguous ~2 MiB stretch that the
  // paths computing it touch first, so the memory is mapped block by block as paths progress.
  static constexpr int64_t kBlockPaths = 1024;
  int64_t paths = 0;
  int horizon = 0;
  // Left uninitialised until each path writes its own, so a large forecast does not spend its
  // first second clearing memory. 2 MiB-aligned and advised as huge pages where the system has
  // them: a block maps in one or two 2 MiB faults instead of ~470 4 KiB ones.
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float[], Free> values;
  std::vector<int32_t> months_to_clear;  // per path

  // Sets paths and horizon and allocates the values (not months_to_clear).
  void Allocate(int64_t paths_, int horizon_);
  size_t cells() const { return static_cast<size_t>(kMetricCount) * static_cast<size_t>(horizon); }
  // Floats allocated: whole blocks (the last one's unused paths are never written or read).
  size_t size() const {
    return static_cast<size_t>((paths + kBlockPaths - 1) / kBlockPaths) * cells() * static_cast<size_t>(kBlockPaths);
  }
  // Where the value of (metric * horizon + month) = cell for `path` lives.
  size_t Index(size_t cell, int64_t path) const {
    const auto p = static_cast<size_t>(path);
    return ((p / kBlockPaths) * cells() + cell) * kBlockPaths + p % kBlockPaths;
  }
  // The values of paths [0, n) of one cell, in path order, into out[0, n): a copy per block.
  void Column(size_t cell, int64_t n, float* out) const;
  float at(int metric, int month, int64_t path) const {
    return values[Index(static_cast<size_t>(metric) * static_cast<size_t>(horizon) + static_cast<size_t>(month), path)];
  }
};

// Called after each wave, on the calling thread, with the paths done so far (paths
// [0, paths_done) of `values` are final; Summarize gives the partial result). Return false to
// stop early: the result then covers the paths done.
using ProgressFn = std::function<bool(int64_t paths_done, const PathValues& values)>;

// INVALID_ARGUMENT naming the first option out of its range (NaN is out of every range), or
// RESOURCE_EXHAUSTED when the paths' values would pass max_path_values. RunForecast checks this
// first; a server checks it before the work of preparing a forecast.
absl::Status ValidateOptions(const ForecastOptions& options, int horizon);

// Runs the forecast. INVALID_ARGUMENT names a bad option; CANCELLED when options.stop was set.
// `values_out`, when given, receives every path's values.
absl::StatusOr<ForecastResult> RunForecast(const StartingState& state, const Scenario& scenario,
                                           const ForecastOptions& options, const ProgressFn& progress = {},
                                           PathValues* values_out = nullptr);

// Summaries over the first `paths` paths of `values` (what RunForecast reports).
ForecastResult Summarize(const PathValues& values, int64_t paths, const ForecastOptions& options,
                         MonthIndex first_month);

// RESOURCE_EXHAUSTED when paths x horizon x 13 metrics exceed `max_path_values` (every path's
// values are kept, 4 bytes each), naming `limit` (the option or flag that sets it).
absl::Status CheckPathValues(int64_t paths, int horizon, int64_t max_path_values, absl::string_view limit);

// Whether a (partial) result is as precise as asked: every metric-month's standard error at most
// `relative_error` x |its mean| (a stream's early stop).
bool MeetsRelativeError(const ForecastResult& result, double relative_error);

// A variant against its base, path by path on common random numbers (both forecast with the same
// seed, so path p of each drew the same numbers for the entities they share): per metric and
// month, the paired difference variant - base over the paths both ran, summarised, and the share
// of those paths on which the variant is higher.
struct Comparison {
  std::vector<std::vector<Summary>> difference;         // [metric][month]
  std::vector<std::vector<double>> probability_higher;  // [metric][month], P(variant > base)
};
Comparison ComparePaths(const PathValues& base, const PathValues& variant, const std::vector<double>& quantiles);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_FORECAST_H_
