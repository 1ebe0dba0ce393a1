// Every path value of five variations of the standard scenario (bench/README.md), written as raw
// floats: two builds whose dumps are identical (`cmp`) compute bit-identical forecasts. The
// variations cover each billing term on each kind of product, renewals and win rates changed, and
// no effort overrun, so a change to any branch of the path model shows.
//
//   path_dump FILE
#include <cstdio>
#include <string>

#include "bench/standard_scenario.h"

namespace forecastle::forecast {
namespace {

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: path_dump FILE\n");
    return 2;
  }
  FILE* file = std::fopen(argv[1], "wb");
  if (file == nullptr) {
    std::perror(argv[1]);
    return 1;
  }
  for (const Scenario& scenario : StandardVariations()) {
    ForecastOptions options;
    options.paths = 333;
    options.seed = 11;
    PathValues values;
    const absl::StatusOr<ForecastResult> result = RunForecast(StandardState(), scenario, options, {}, &values);
    if (!result.ok()) {
      std::fprintf(stderr, "path_dump: %s\n", std::string(result.status().message()).c_str());
      return 1;
    }
    for (int metric = 0; metric < kMetricCount; ++metric) {
      for (int month = 0; month < values.horizon; ++month) {
        for (int64_t p = 0; p < values.paths; ++p) {
          const float x = values.at(metric, month, p);
          std::fwrite(&x, sizeof x, 1, file);
        }
      }
    }
    std::fwrite(values.months_to_clear.data(), sizeof(int32_t), values.months_to_clear.size(), file);
  }
  return std::fclose(file) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace forecastle::forecast

int main(int argc, char** argv) { return forecastle::forecast::Main(argc, argv); }
