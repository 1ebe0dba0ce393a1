#include "engine/forecast/forecast.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <new>

#include <sys/mman.h>

#include "absl/strings/str_cat.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"
#include "tbb/blocked_range.h"
#include "tbb/parallel_for.h"

namespace forecastle::forecast {

void PathValues::Allocate(int64_t paths_, int horizon_) {
  paths = paths_;
  horizon = horizon_;
  constexpr size_t kHugePage = size_t{2} << 20;
  const size_t bytes = std::max(kHugePage, (size() * sizeof(float) + kHugePage - 1) / kHugePage * kHugePage);
  void* memory = std::aligned_alloc(kHugePage, bytes);
  if (memory == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  madvise(memory, bytes, MADV_HUGEPAGE);  // advice only: without huge pages nothing changes
#endif
  values.reset(static_cast<float*>(memory));
}

void PathValues::Column(size_t cell, int64_t n, float* out) const {
  for (int64_t first = 0; first < n; first += kBlockPaths) {
    std::memcpy(out + first, values.get() + Index(cell, first), sizeof(float) * static_cast<size_t>(std::min(kBlockPaths, n - first)));
  }
}

ForecastResult Summarize(const PathValues& values, int64_t paths, const ForecastOptions& options,
                         MonthIndex first_month) {
  ForecastResult result;
  result.paths = paths;
  result.horizon = values.horizon;
  result.first_month = first_month;
  const int horizon = values.horizon;
  result.summaries.assign(kMetricCount, std::vector<Summary>(static_cast<size_t>(horizon)));
  tbb::parallel_for(0, kMetricCount * horizon, [&](int cell) {
    const int metric = cell / horizon, month = cell % horizon;
    thread_local std::vector<float> column;
    column.resize(static_cast<size_t>(paths));
    values.Column(static_cast<size_t>(cell), paths, column.data());
    result.summaries[static_cast<size_t>(metric)][static_cast<size_t>(month)] =
        forecast::Summarize(column, options.quantiles);
  });
  result.strain_probability.assign(static_cast<size_t>(horizon), 0);
  for (int m = 0; m < horizon; ++m) {
    int64_t strained = 0;
    for (int64_t p = 0; p < paths; ++p) {
      strained += values.at(kWorkBacklogHours, m, p) > options.strain_months * values.at(kCapacityHours, m, p);
    }
    result.strain_probability[static_cast<size_t>(m)] = static_cast<double>(strained) / static_cast<double>(paths);
  }
  for (const Target& target : options.targets) {
    std::vector<double>& probability = result.target_probability.emplace_back(static_cast<size_t>(horizon), 0);
    for (int m = 0; m < horizon; ++m) {
      int64_t reached = 0;
      for (int64_t p = 0; p < paths; ++p) reached += values.at(target.metric, m, p) >= target.value;
      probability[static_cast<size_t>(m)] = static_cast<double>(reached) / static_cast<double>(paths);
    }
  }
  std::vector<double> clear(static_cast<size_t>(paths));
  int64_t cleared = 0;
  for (int64_t p = 0; p < paths; ++p) {
    clear[static_cast<size_t>(p)] = values.months_to_clear[static_cast<size_t>(p)];
    cleared += values.months_to_clear[static_cast<size_t>(p)] <= horizon;
  }
  result.months_to_clear = forecast::Summarize(clear, options.quantiles);
  result.clear_probability = static_cast<double>(cleared) / static_cast<double>(paths);
  return result;
}

absl::Status ValidateOptions(const ForecastOptions& options, int horizon) {
  if (options.paths < 1 || options.paths > options.max_paths) {
    return absl::InvalidArgumentError(
        absl::StrCat("paths must be in [1, ", options.max_paths, "], got ", options.paths));
  }
  if (horizon < 1 || horizon > 120) {
    return absl::InvalidArgumentError(absl::StrCat("horizon_months must be in [1, 120], got ", horizon));
  }
  if (!(options.strain_months > 0 && options.strain_months <= 120)) {  // also refuses NaN
    return absl::InvalidArgumentError(absl::StrCat("strain_months must be in (0, 120], got ", options.strain_months));
  }
  RETURN_IF_ERROR(ValidateProbabilities(options.quantiles, "quantiles"));
  if (options.targets.size() > kMaxTargets) {
    return absl::InvalidArgumentError(absl::StrCat("targets: at most ", kMaxTargets, ", got ", options.targets.size()));
  }
  for (size_t t = 0; t < options.targets.size(); ++t) {
    if (!std::isfinite(options.targets[t].value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("targets[", t, "].value must be a finite number, got ", options.targets[t].value));
    }
  }
  return CheckPathValues(options.paths, horizon, options.max_path_values, "max_path_values");
}

absl::StatusOr<ForecastResult> RunForecast(const StartingState& state, const Scenario& scenario,
                                           const ForecastOptions& options, const ProgressFn& progress,
                                           PathValues* values_out) {
  RETURN_IF_ERROR(ValidateOptions(options, state.horizon));
  RETURN_IF_ERROR(Validate(scenario));

  const PathModel model(state, scenario, options.seed);
  PathValues local;
  PathValues& values = values_out ? *values_out : local;
  values.Allocate(options.paths, state.horizon);
  values.months_to_clear.assign(static_cast<size_t>(options.paths), 0);

  const int64_t wave = std::max<int64_t>(1, options.wave_paths);
  int64_t done = 0;
  while (done < options.paths) {
    const int64_t end = std::min(options.paths, done + wave);
    tbb::parallel_for(tbb::blocked_range<int64_t>(done, end, 64), [&](const tbb::blocked_range<int64_t>& range) {
      // Paths write into a tile of kTile paths, copied out a metric-month row at a time: whole
      // cache lines instead of one float per line per path.
      constexpr int64_t kTile = 16;
      const size_t cells = static_cast<size_t>(kMetricCount) * static_cast<size_t>(state.horizon);
      thread_local std::vector<float> tile;
      thread_local PathContext context;  // the drivers' buffers, reused from path to path
      tile.resize(cells * kTile);
      for (int64_t first = range.begin(); first < range.end(); first += kTile) {
        const int64_t count = std::min(kTile, range.end() - first);
        for (int64_t j = 0; j < count; ++j) {
          if (options.stop && options.stop->load(std::memory_order_relaxed)) return;
          PathOutput out{tile.data() + j, static_cast<size_t>(kTile), 0};
          model.Run(static_cast<uint64_t>(first + j), context, out);
          values.months_to_clear[static_cast<size_t>(first + j)] = out.months_to_clear;
        }
        float* const all = values.values.get();
        const float* from = tile.data();
        const bool one_block = first / PathValues::kBlockPaths == (first + count - 1) / PathValues::kBlockPaths;
        for (size_t cell = 0; cell < cells; ++cell, from += kTile) {
          if (count == kTile && one_block) {
            std::memcpy(all + values.Index(cell, first), from, sizeof(float) * kTile);  // a fixed size: inlined
          } else {
            for (int64_t j = 0; j < count; ++j) all[values.Index(cell, first + j)] = from[j];
          }
        }
      }
    });
    if (options.stop && options.stop->load()) return absl::CancelledError("forecast cancelled");
    done = end;
    if (progress && done < options.paths && !progress(done, values)) break;
  }
  return Summarize(values, done, options, state.first_month);
}

absl::Status CheckPathValues(int64_t paths, int horizon, int64_t max_path_values, absl::string_view limit) {
  const int64_t values = paths * horizon * kMetricCount;
  if (values > max_path_values) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "paths x horizon_months x ", kMetricCount, " metrics = ", values, " path values, more than ", limit, " (",
        max_path_values, ", 4 bytes each); ask for fewer paths or a shorter horizon"));
  }
  return absl::OkStatus();
}

bool MeetsRelativeError(const ForecastResult& result, double relative_error) {
  for (const auto& metric : result.summaries) {
    for (const Summary& s : metric) {
      if (s.standard_error > relative_error * std::fabs(s.mean)) return false;
    }
  }
  return true;
}

Comparison ComparePaths(const PathValues& base, const PathValues& variant, const std::vector<double>& quantiles) {
  const int64_t paths = std::min(base.paths, variant.paths);
  const int horizon = std::min(base.horizon, variant.horizon);
  Comparison out;
  out.difference.resize(kMetricCount);
  out.probability_higher.resize(kMetricCount);
  std::vector<float> base_column(static_cast<size_t>(paths)), variant_column(static_cast<size_t>(paths));
  std::vector<double> difference(static_cast<size_t>(paths));
  for (int metric = 0; metric < kMetricCount; ++metric) {
    for (int m = 0; m < horizon; ++m) {
      base.Column(static_cast<size_t>(metric * base.horizon + m), paths, base_column.data());
      variant.Column(static_cast<size_t>(metric * variant.horizon + m), paths, variant_column.data());
      int64_t above = 0;
      for (size_t p = 0; p < difference.size(); ++p) {
        const double d = static_cast<double>(variant_column[p]) - base_column[p];
        difference[p] = d;
        above += d > 0;
      }
      out.difference[static_cast<size_t>(metric)].push_back(Summarize(difference, quantiles));
      out.probability_higher[static_cast<size_t>(metric)].push_back(paths > 0 ? static_cast<double>(above) / static_cast<double>(paths) : 0.0);
    }
  }
  return out;
}

}  // namespace forecastle::forecast
