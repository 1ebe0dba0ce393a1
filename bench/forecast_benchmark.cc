// Micro-benchmarks of the Monte Carlo forecast on the standard scenario (bench/README.md): the
// 100,000-contract sample company as of 2026-10-31, ~1,000 open opportunities in 3 segments,
// 2 delivery teams, 36 months. Reports ns per path-month (per core), random draws per
// path-month, and the time spent summarising (quantiles).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "bench/standard_scenario.h"
#include "engine/forecast/forecast.h"
#include "engine/forecast/random.h"
#include "engine/forecast/statistics.h"
#include "tbb/global_control.h"

namespace forecastle::forecast {
namespace {

const StartingState& Standard() { return StandardState(); }

void BM_ForecastPaths(benchmark::State& bench) {
  const int threads = static_cast<int>(bench.range(0));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
  const StartingState& state = Standard();
  const Scenario scenario = StandardScenario();
  ForecastOptions options;
  options.paths = bench.range(1);
  double simulate_seconds = 0, summarise_seconds = 0;
  uint64_t blocks = 0;
  for (auto _ : bench) {
    PathValues values;
    // Simulation alone: a single-threaded count of draws needs the work on this thread, so it is
    // measured on a separate single-thread pass below.
    const auto start = std::chrono::steady_clock::now();
    auto result = RunForecast(state, scenario, options, [](int64_t, const PathValues&) { return true; }, &values);
    const auto end = std::chrono::steady_clock::now();
    const auto summary = Summarize(values, values.paths, options, state.first_month);
    const auto summarised = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(summary);
    simulate_seconds += std::chrono::duration<double>(end - start).count();
    summarise_seconds += std::chrono::duration<double>(summarised - end).count();
  }
  {
    // Draws per path-month, counted on this thread over 200 paths.
    const PathModel model(state, scenario, options.seed);
    std::vector<float> scratch(static_cast<size_t>(kMetricCount) * 36 * 200);
    PathContext context;
    const uint64_t before = RandomStream::BlocksOnThisThread();
    for (uint64_t path = 0; path < 200; ++path) {
      PathOutput out{scratch.data() + path, 200, 0};
      model.Run(path, context, out);
    }
    blocks = RandomStream::BlocksOnThisThread() - before;
  }
  const double path_months = static_cast<double>(options.paths) * 36 * static_cast<double>(bench.iterations());
  // RunForecast also summarises once at the end: its time is in simulate_seconds too, so the
  // per path-month figure is conservative; "summary_share" is the summarising pass alone.
  bench.counters["ns_per_path_month"] = 1e9 * simulate_seconds / path_months;
  bench.counters["ns_per_path_month_per_core"] = 1e9 * simulate_seconds * threads / path_months;
  // Philox output generated (4 words a block; a uniform takes one word, a stream's last block
  // may be partly unused).
  bench.counters["random_words_per_path_month"] = 4.0 * static_cast<double>(blocks) / (200.0 * 36);
  bench.counters["summary_share"] = summarise_seconds / (simulate_seconds + summarise_seconds);
  bench.counters["open_deals"] = static_cast<double>(state.open_deals.size());
}
BENCHMARK(BM_ForecastPaths)
    ->ArgNames({"threads", "paths"})
    ->Args({1, 10000})
    ->Args({2, 10000})
    ->Args({2, 100000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// How long the workers take to stop once a forecast is cancelled (the deadline/cancel path):
// the time from setting the stop flag to RunForecast returning, on all threads.
void BM_StopLatency(benchmark::State& bench) {
  const StartingState& state = Standard();
  const Scenario scenario = StandardScenario();
  std::vector<double> latencies_ms;
  for (auto _ : bench) {
    std::atomic<bool> stop{false};
    ForecastOptions options;
    options.paths = 200000;
    options.stop = &stop;
    std::chrono::steady_clock::time_point stopped_at;
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      stopped_at = std::chrono::steady_clock::now();
      stop = true;
    });
    auto result = RunForecast(state, scenario, options);
    const auto returned = std::chrono::steady_clock::now();
    canceller.join();
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(returned - stopped_at).count());
    bench.SetIterationTime(latencies_ms.back() / 1000);
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  bench.counters["stop_ms_median"] = latencies_ms[latencies_ms.size() / 2];
  bench.counters["stop_ms_max"] = latencies_ms.back();
}
BENCHMARK(BM_StopLatency)->Iterations(9)->UseManualTime()->Unit(benchmark::kMillisecond);

// The cost of random words: Philox blocks for 1,024 unrelated counters in one PhiloxBatch (as the
// model batches its streams' first blocks), per block.
void BM_PhiloxBatch(benchmark::State& bench) {
  std::vector<PhiloxCounter> counters(1024);
  for (size_t i = 0; i < counters.size(); ++i) {
    counters[i] = RandomStream::FirstCounter(EntityKind::kOpportunity, i * 7919, i);
  }
  std::vector<uint32_t> words(4 * counters.size());
  for (auto _ : bench) {
    PhiloxBatch(counters.data(), static_cast<int>(counters.size()), RandomStream::KeyOf(7), words.data());
    benchmark::DoNotOptimize(words.data());
    benchmark::ClobberMemory();
  }
  bench.counters["ns_per_block"] = benchmark::Counter(static_cast<double>(counters.size()) * static_cast<double>(bench.iterations()),
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_PhiloxBatch);

// One metric-month's summary over 20,000 paths (a lognormal fan, P10/P50/P90), per value: the
// single-precision version the forecasts use (radix selection) beside the double one (selection
// by std::nth_element) on the same numbers.
template <typename T>
void BM_Summarize(benchmark::State& bench) {
  std::mt19937_64 random(3);
  std::lognormal_distribution<double> fan(13, 0.35);
  std::vector<T> values(20000);
  for (T& v : values) v = static_cast<T>(fan(random));
  const std::vector<double> quantiles = {0.1, 0.5, 0.9};
  for (auto _ : bench) benchmark::DoNotOptimize(Summarize(absl::MakeConstSpan(values), quantiles));
  bench.counters["ns_per_value"] = benchmark::Counter(static_cast<double>(values.size()) * static_cast<double>(bench.iterations()),
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Summarize<float>)->Name("BM_Summarize/float");
BENCHMARK(BM_Summarize<double>)->Name("BM_Summarize/double");

// Parallel efficiency from 1 to 16 threads (run on the 16-core machine:
// --benchmark_filter=Scaling). Efficiency(n) = time(1) / (n x time(n)).
BENCHMARK(BM_ForecastPaths)
    ->Name("Scaling")
    ->ArgNames({"threads", "paths"})
    ->Args({1, 32768})
    ->Args({2, 32768})
    ->Args({4, 32768})
    ->Args({8, 32768})
    ->Args({12, 32768})
    ->Args({16, 32768})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace forecastle::forecast

BENCHMARK_MAIN();
