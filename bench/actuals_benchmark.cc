// Micro-benchmarks of the actuals engine on the 100,000-contract sample company: replaying the
// ledger, and the 36-month metrics table on one core and on all cores.
#include <benchmark/benchmark.h>

#include "engine/actuals/metrics.h"
#include "engine/sample/sample_company.h"
#include "tbb/global_control.h"

namespace forecastle {
namespace {

const std::vector<Record>& Company() {
  static const std::vector<Record> records = [] {
    SampleOptions options;
    options.contracts = 100000;
    return *GenerateSampleCompany(options);
  }();
  return records;
}

const Ledger& CompanyLedger() {
  static const Ledger ledger = [] {
    Ledger l;
    for (const Record& r : Company()) (void)l.Apply(r);
    return l;
  }();
  return ledger;
}

void BM_ApplyLedger(benchmark::State& state) {
  const auto& records = Company();
  for (auto _ : state) {
    Ledger ledger;
    for (const Record& r : records) benchmark::DoNotOptimize(ledger.Apply(r));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(records.size()));
}
BENCHMARK(BM_ApplyLedger)->Unit(benchmark::kMillisecond);

void BM_Metrics36Months(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, state.range(0));
  const Ledger& ledger = CompanyLedger();
  MetricsQuery q;
  q.from = *ParseMonth("2023-11", "from");
  q.to = *ParseMonth("2026-10", "to");
  q.as_of = *ParseDate("2026-10-31", "as_of");
  q.selection.group_by = static_cast<GroupBy>(state.range(1));
  // By customer, 36 months would pass the 1,000,000-row limit (55k customers): take 12.
  if (q.selection.group_by == GroupBy::kCustomer) q.from = *ParseMonth("2025-11", "from");
  for (auto _ : state) {
    auto tables = ComputeMetrics(ledger, q);
    if (!tables.ok()) {
      state.SkipWithError(std::string(tables.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(tables);
  }
  state.counters["contracts"] = static_cast<double>(ledger.contracts().size());
}
BENCHMARK(BM_Metrics36Months)
    ->ArgNames({"threads", "group_by"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->Args({1, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Backlog(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 1);
  const Ledger& ledger = CompanyLedger();
  const Date as_of = *ParseDate("2026-10-31", "as_of");
  for (auto _ : state) benchmark::DoNotOptimize(ComputeBacklog(ledger, as_of, Selection{}));
}
BENCHMARK(BM_Backlog)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace forecastle

BENCHMARK_MAIN();
