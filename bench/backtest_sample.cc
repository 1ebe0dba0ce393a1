// The sample company's backtest (issue 13's target, SPEC §4.5): generated companies of several
// seeds, calibrated and forecast from each as-of month end, scored against the 12 months of
// exact actuals after it. Prints, per metric, the share of actual months inside P10-P90 and
// P25-P75, the bias, the CRPS and the best naive peer's, and the skill; pooled over every seed,
// as-of date and horizon month, then by horizon.
//
//   backtest_sample [--seeds 4] [--contracts 2000] [--paths 1000] [--horizon 12]
//                   [--as-of 2025-01-31,2025-04-30,2025-07-31,2025-10-31] [--no-calibrate]
//                   [--detail METRIC]   (also each forecast month's P10/P50/P90 beside the actual)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "engine/forecast/backtest.h"
#include "engine/sample/sample_company.h"

namespace forecastle::forecast {
namespace {

// Cells of several reports pooled: means weighted by their forecasts, skill from pooled means.
BacktestCell Pool(const std::vector<const BacktestCell*>& cells) {
  BacktestCell out = *cells.front();
  out.forecasts = 0;
  out.coverage_80 = out.coverage_50 = out.bias = out.crps = 0;
  out.pit.fill(0);
  out.peer_crps.fill(0);
  for (const BacktestCell* c : cells) {
    const double n = static_cast<double>(c->forecasts);
    out.forecasts += c->forecasts;
    out.coverage_80 += c->coverage_80 * n;
    out.coverage_50 += c->coverage_50 * n;
    out.bias += c->bias * n;
    out.crps += c->crps * n;
    for (size_t b = 0; b < out.pit.size(); ++b) out.pit[b] += c->pit[b];
    for (size_t k = 0; k < out.peer_crps.size(); ++k) out.peer_crps[k] += c->peer_crps[k] * n;
  }
  const double n = static_cast<double>(std::max<int64_t>(1, out.forecasts));
  out.coverage_80 /= n;
  out.coverage_50 /= n;
  out.bias /= n;
  out.crps /= n;
  double best = INFINITY;
  for (size_t k = 0; k < out.peer_crps.size(); ++k) {
    out.peer_crps[k] /= n;
    if (out.peer_crps[k] < best) {
      best = out.peer_crps[k];
      out.best_peer = static_cast<Peer>(k);
    }
  }
  out.skill = std::isfinite(best) && best > 0 ? 1 - out.crps / best : NAN;
  return out;
}

void Print(const BacktestCell& c) {
  std::printf("%-20s %4d %5lld %7.1f%% %7.1f%% %+8.3f %8.3f %8.3f %-17s %+7.2f\n",
              std::string(MetricName(c.metric)).c_str(), c.horizon, static_cast<long long>(c.forecasts),
              100 * c.coverage_80, 100 * c.coverage_50, c.bias, c.crps, c.peer_crps[c.best_peer],
              std::string(PeerName(c.best_peer)).c_str(), c.skill);
}

int Main(int argc, char** argv) {
  int seeds = 4, contracts = 2000;
  BacktestOptions options;
  options.horizon = 12;
  options.paths = 1000;
  std::string as_of = "2025-01-31,2025-04-30,2025-07-31,2025-10-31";
  std::optional<Metric> detail;
  for (int i = 1; i < argc; ++i) {
    const bool value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--seeds") && value) {
      seeds = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--contracts") && value) {
      contracts = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--paths") && value) {
      options.paths = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--horizon") && value) {
      options.horizon = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--as-of") && value) {
      as_of = argv[++i];
    } else if (!std::strcmp(argv[i], "--no-calibrate")) {
      options.calibrate = false;
    } else if (!std::strcmp(argv[i], "--detail") && value) {
      auto metric = ParseMetric(argv[++i], "--detail");
      if (!metric.ok()) {
        std::fprintf(stderr, "backtest_sample: %s\n", std::string(metric.status().message()).c_str());
        return 2;
      }
      detail = *metric;
    } else {
      std::fprintf(stderr, "usage: backtest_sample [--seeds N] [--contracts N] [--paths N] [--horizon N] "
                           "[--as-of D,D,...] [--no-calibrate] [--detail METRIC]\n");
      return 2;
    }
  }
  for (absl::string_view date : absl::StrSplit(as_of, ',')) {
    auto parsed = ParseDate(date, "--as-of");
    if (!parsed.ok()) {
      std::fprintf(stderr, "backtest_sample: %s\n", std::string(parsed.status().message()).c_str());
      return 2;
    }
    options.as_of.push_back(*parsed);
  }
  std::vector<BacktestReport> reports;
  for (int seed = 1; seed <= seeds; ++seed) {
    SampleOptions sample;
    sample.contracts = contracts;
    sample.seed = static_cast<uint64_t>(seed);
    auto records = GenerateSampleCompany(sample);
    if (!records.ok()) {
      std::fprintf(stderr, "backtest_sample: %s\n", std::string(records.status().message()).c_str());
      return 1;
    }
    Ledger ledger;
    for (const Record& r : *records) (void)ledger.Apply(r);
    options.seed = static_cast<uint64_t>(seed);
    auto report = RunBacktest(ledger, DefaultScenario(), options);
    if (!report.ok()) {
      std::fprintf(stderr, "backtest_sample: seed %d: %s\n", seed, std::string(report.status().message()).c_str());
      return 1;
    }
    std::fprintf(stderr, "seed %d done\n", seed);
    reports.push_back(*std::move(report));
  }
  std::printf("%-20s %4s %5s %8s %8s %8s %8s %8s %-17s %7s\n", "metric", "h", "n", "P10-P90", "P25-P75", "bias",
              "crps", "peer", "best peer", "skill");
  for (size_t k = 0; k < reports.front().overall.size(); ++k) {
    std::vector<const BacktestCell*> cells;
    for (const BacktestReport& r : reports) cells.push_back(&r.overall[k]);
    Print(Pool(cells));
  }
  // Month 1 continues the actuals (issue 13's target): the median over seeds and as-of dates of
  // |P50 - actual| / actual of revenue in the first forecast month.
  std::vector<double> first_month;
  for (const BacktestReport& r : reports) {
    for (const BacktestPoint& p : r.points) {
      if (p.metric == kRevenue && p.horizon == 1) first_month.push_back(std::abs(p.p50 - p.actual) / std::abs(p.actual));
    }
  }
  if (!first_month.empty()) {
    std::sort(first_month.begin(), first_month.end());
    const size_t n = first_month.size();
    std::printf("\nrevenue, month 1: median |P50 - actual| / actual = %.1f%% over %zu forecasts\n",
                100 * (n % 2 ? first_month[n / 2] : (first_month[n / 2 - 1] + first_month[n / 2]) / 2), n);
  }
  if (detail) {
    std::printf("\n%s, each forecast month (seed, as-of, h: P10 P50 P90 actual, actual / P50 - 1)\n",
                std::string(MetricName(*detail)).c_str());
    for (size_t r = 0; r < reports.size(); ++r) {
      for (const BacktestPoint& p : reports[r].points) {
        if (p.metric != *detail) continue;
        std::printf("%zu %s %2d %14.0f %14.0f %14.0f %14.0f %+7.3f%s\n", r + 1, FormatDate(p.as_of).c_str(), p.horizon,
                    p.p10, p.p50, p.p90, p.actual, p.actual / p.p50 - 1,
                    p.actual < p.p10 ? " below" : p.actual > p.p90 ? " above" : "");
      }
    }
  }
  std::printf("\nby horizon month\n");
  for (size_t i = 0; i < reports.front().cells.size(); ++i) {
    std::vector<const BacktestCell*> cells;
    for (const BacktestReport& r : reports) cells.push_back(&r.cells[i]);
    Print(Pool(cells));
  }
  return 0;
}

}  // namespace
}  // namespace forecastle::forecast

int main(int argc, char** argv) { return forecastle::forecast::Main(argc, argv); }
