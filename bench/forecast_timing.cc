// One-thread timing of the standard scenario's forecast (bench/README.md), for comparing two
// builds side by side: bench/ab_pairs.sh runs two copies of this binary alternately. Measures the
// thread's CPU time, not the wall clock, so that time the machine gives to other work while the
// forecast waits is not counted.
//
//   forecast_timing [--paths N] [--runs R]
//
// Prints one line: "min MIN median MEDIAN" in ns per path-month over R runs of N paths each.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench/standard_scenario.h"
#include "tbb/global_control.h"

namespace forecastle::forecast {
namespace {

double ThreadSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

int Main(int argc, char** argv) {
  int64_t paths = 2000;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--paths") == 0 && has_value) {
      paths = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--runs") == 0 && has_value) {
      runs = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: forecast_timing [--paths N (default 2000)] [--runs R (default 3)]\n");
      return 2;
    }
  }
  if (paths < 1 || paths > 1000000 || runs < 1 || runs > 1000) {
    std::fprintf(stderr, "forecast_timing: --paths must be in [1, 1000000] and --runs in [1, 1000]\n");
    return 2;
  }
  tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  const StartingState& state = StandardState();
  const Scenario scenario = StandardScenario();
  ForecastOptions options;
  options.paths = paths;
  options.seed = 11;
  std::vector<double> ns;
  for (int run = 0; run < runs; ++run) {
    const double start = ThreadSeconds();
    const absl::StatusOr<ForecastResult> result = RunForecast(state, scenario, options);
    const double seconds = ThreadSeconds() - start;
    if (!result.ok()) {
      std::fprintf(stderr, "forecast_timing: %s\n", std::string(result.status().message()).c_str());
      return 1;
    }
    ns.push_back(seconds * 1e9 / (static_cast<double>(paths) * state.horizon));
  }
  std::sort(ns.begin(), ns.end());
  std::printf("min %.0f median %.0f\n", ns.front(), ns[ns.size() / 2]);
  return 0;
}

}  // namespace
}  // namespace forecastle::forecast

int main(int argc, char** argv) { return forecastle::forecast::Main(argc, argv); }
