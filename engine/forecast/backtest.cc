#include "engine/forecast/backtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "engine/actuals/metrics.h"
#include "engine/common/status_macros.h"
#include "engine/forecast/calibration.h"

namespace forecastle::forecast {
namespace {

constexpr double kNotDefined = std::numeric_limits<double>::quiet_NaN();


// The day of the latest event the ledger holds (signing, progress, cancellation, invoice,
// payment, opportunity created or closed).
Date LatestEvent(const Ledger& ledger) {
  Date latest = DateFromCivil(1900, 1, 1);
  for (const ContractState& c : ledger.contracts()) {
    latest = std::max(latest, c.contract.signed_on);
    for (const LineState& line : c.lines) {
      if (!line.to_date.empty()) latest = std::max(latest, line.to_date.back().on);
      if (line.cancelled_on) latest = std::max(latest, *line.cancelled_on);
    }
    if (!c.billings.empty()) latest = std::max(latest, c.billings.back().on);
    if (!c.collections.empty()) latest = std::max(latest, c.collections.back().on);
  }
  for (const Opportunity& o : ledger.opportunities()) {
    latest = std::max(latest, o.created_on);
    if (o.closed_on) latest = std::max(latest, *o.closed_on);
  }
  return latest;
}

// The exact value of a forecast metric in a month's actuals, in currency units.
double ActualOf(const PeriodMetrics& p, Metric metric) {
  switch (metric) {
    case kBookings: return Units(p.bookings);
    case kRevenue: return Units(p.revenue);
    case kBillings: return Units(p.billings);
    case kCollections: return Units(p.collections);
    case kBacklog: return Units(p.backlog);
    case kUnbilledBacklog: return Units(p.unbilled_backlog);
    case kDeferredRevenue: return Units(p.deferred_revenue);
    case kAccountsReceivable: return Units(p.accounts_receivable);
    default: return kNotDefined;
  }
}

bool IsFlow(Metric metric) {
  return metric == kBookings || metric == kRevenue || metric == kBillings || metric == kCollections;
}

// Quantile of sorted values, type 7 (as Summarize).
double Quantile(const std::vector<double>& sorted, double p) {
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const auto lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// Running sums of one cell's scores.
struct Accumulator {
  int64_t n = 0;
  double in_80 = 0, in_50 = 0, bias = 0, crps = 0;
  std::array<int64_t, 10> pit{};
  std::array<double, kPeerCount> peer{};
  std::array<int64_t, kPeerCount> peer_n{};

  void Add(const Accumulator& o) {
    n += o.n;
    in_80 += o.in_80;
    in_50 += o.in_50;
    bias += o.bias;
    crps += o.crps;
    for (size_t b = 0; b < pit.size(); ++b) pit[b] += o.pit[b];
    for (size_t k = 0; k < peer.size(); ++k) {
      peer[k] += o.peer[k];
      peer_n[k] += o.peer_n[k];
    }
  }
  BacktestCell Cell(Metric metric, int horizon) const {
    BacktestCell c;
    c.metric = metric;
    c.horizon = horizon;
    c.forecasts = n;
    const double count = static_cast<double>(std::max<int64_t>(1, n));
    c.coverage_80 = in_80 / count;
    c.coverage_50 = in_50 / count;
    c.pit = pit;
    c.bias = bias / count;
    c.crps = crps / count;
    double best = std::numeric_limits<double>::infinity();
    for (int k = 0; k < kPeerCount; ++k) {
      // A peer is compared only where it was defined for every forecast of the cell.
      c.peer_crps[static_cast<size_t>(k)] =
          n > 0 && peer_n[static_cast<size_t>(k)] == n ? peer[static_cast<size_t>(k)] / count : kNotDefined;
      if (c.peer_crps[static_cast<size_t>(k)] < best) {
        best = c.peer_crps[static_cast<size_t>(k)];
        c.best_peer = static_cast<Peer>(k);
      }
    }
    c.skill = std::isfinite(best) && best > 0 ? 1 - c.crps / best : kNotDefined;
    return c;
  }
};

absl::Status ValidateOptions(const BacktestOptions& o) {
  if (o.as_of.empty()) return absl::InvalidArgumentError("as_of: at least one as-of month end is needed");
  for (size_t i = 0; i < o.as_of.size(); ++i) {
    if (o.as_of[i] != LastDayOfMonth(MonthOf(o.as_of[i]))) {
      return absl::InvalidArgumentError(
          absl::StrCat("as_of[", i, "] must be a month end, got ", FormatDate(o.as_of[i])));
    }
  }
  if (o.horizon < 1 || o.horizon > 36) {
    return absl::InvalidArgumentError(absl::StrCat("horizon_months must be in [1, 36], got ", o.horizon));
  }
  if (o.paths < 2 || o.paths > 100000) {
    return absl::InvalidArgumentError(absl::StrCat("paths must be in [2, 100000], got ", o.paths));
  }
  return absl::OkStatus();
}

// The CRM weighted pipeline at `as_of` by forecast month: Σ win probability x amount of the
// deals open then, by their expected close month (those expected earlier in month 0).
std::vector<double> WeightedPipeline(const StartingState& state, const Scenario& scenario) {
  std::vector<double> out(static_cast<size_t>(state.horizon), 0);
  for (const OpenDeal& deal : state.open_deals) {
    out[static_cast<size_t>(std::min(deal.expected_month, state.horizon - 1))] +=
        deal.expected_month < state.horizon
            ? std::min(1.0, deal.win_probability * scenario.win_rate_multiplier) * deal.amount
            : 0;
  }
  return out;
}

}  // namespace

std::string_view PeerName(Peer peer) {
  static constexpr std::string_view kNames[kPeerCount] = {"last_3_months", "seasonal_growth", "persistence",
                                                          "weighted_pipeline"};
  return kNames[peer];
}

double EnsembleCrps(std::vector<double> x, double y) {
  if (x.empty()) return kNotDefined;
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double to_outcome = 0, pairs = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    to_outcome += std::abs(x[i] - y);
    // Σ over ordered pairs |xi - xj| = 2 Σ_i (2i - n + 1) x_(i) for sorted x, i from 0.
    pairs += (2 * static_cast<double>(i) - n + 1) * x[i];
  }
  return to_outcome / n - pairs / (n * n);
}

absl::StatusOr<BacktestReport> RunBacktest(const Ledger& ledger, const Scenario& scenario,
                                           const BacktestOptions& options, const BacktestProgressFn& progress) {
  RETURN_IF_ERROR(ValidateOptions(options));
  RETURN_IF_ERROR(Validate(scenario));
  const Date through = options.actuals_through.value_or(LatestEvent(ledger));
  std::vector<Date> dates = options.as_of;
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());

  // Every month's exact actuals, from two years before the first as-of (the peers look back).
  MetricsQuery query;
  query.from = MonthOf(dates.front()) - 24;
  query.to = std::max(MonthOf(dates.back()) + options.horizon, query.from);
  query.as_of = through;
  ASSIGN_OR_RETURN(std::vector<MetricsTable> tables, ComputeMetrics(ledger, query));
  std::map<MonthIndex, const PeriodMetrics*> actual;
  for (const PeriodMetrics& p : tables.front().periods) actual[query.from + static_cast<int>(&p - tables.front().periods.data())] = &p;
  auto actual_of = [&](MonthIndex month, Metric metric) {
    auto it = actual.find(month);
    return it == actual.end() || LastDayOfMonth(month) > through ? kNotDefined : ActualOf(*it->second, metric);
  };

  const size_t metrics = std::size(kBacktestMetrics);
  std::vector<Accumulator> cells(metrics * static_cast<size_t>(options.horizon));
  BacktestReport report;
  std::vector<double> x(static_cast<size_t>(options.paths));
  std::vector<float> column(static_cast<size_t>(options.paths));
  for (size_t d = 0; d < dates.size(); ++d) {
    if (options.stop && options.stop->load()) return absl::CancelledError("backtest cancelled");
    const Date as_of = dates[d];
    const MonthIndex now = MonthOf(as_of);
    if (LastDayOfMonth(now + 1) > through) continue;  // nothing after it to score
    Scenario fitted = scenario;
    if (options.calibrate) {
      ASSIGN_OR_RETURN(Calibration calibration, Calibrate(ledger, as_of, scenario));
      fitted = std::move(calibration.scenario);
    }
    ASSIGN_OR_RETURN(StartingState state, BuildStartingState(ledger, fitted, as_of, options.horizon));
    ForecastOptions forecast;
    forecast.paths = options.paths;
    forecast.seed = options.seed;
    forecast.stop = options.stop;
    PathValues values;
    RETURN_IF_ERROR(RunForecast(state, fitted, forecast, {}, &values).status());
    report.as_of.push_back(as_of);
    const std::vector<double> pipeline = WeightedPipeline(state, fitted);
    for (size_t k = 0; k < metrics; ++k) {
      const Metric metric = kBacktestMetrics[k];
      // The peers' inputs known at as_of.
      double last_three = 0, last_year = 0, year_before = 0;
      for (int back = 0; back < 3; ++back) last_three += actual_of(now - back, metric) / 3;
      for (int back = 0; back < 12; ++back) {
        last_year += actual_of(now - back, metric);
        year_before += actual_of(now - 12 - back, metric);
      }
      const double growth = year_before > 0 ? last_year / year_before : kNotDefined;
      for (int m = 0; m < options.horizon; ++m) {
        const MonthIndex month = now + 1 + m;
        const double y = actual_of(month, metric);
        if (!std::isfinite(y) || y == 0) continue;  // not complete yet, or no scale to score by
        values.Column(static_cast<size_t>(metric) * static_cast<size_t>(options.horizon) + static_cast<size_t>(m),
                      options.paths, column.data());
        for (size_t p = 0; p < column.size(); ++p) x[p] = column[p];
        std::vector<double> sorted = x;
        std::sort(sorted.begin(), sorted.end());
        Accumulator& a = cells[k * static_cast<size_t>(options.horizon) + static_cast<size_t>(m)];
        const double scale = std::abs(y);
        const BacktestPoint& point = report.points.emplace_back(
            BacktestPoint{as_of, metric, m + 1, Quantile(sorted, 0.1), Quantile(sorted, 0.25),
                          Quantile(sorted, 0.5), Quantile(sorted, 0.75), Quantile(sorted, 0.9), y});
        ++a.n;
        a.in_80 += point.p10 <= y && y <= point.p90;
        a.in_50 += point.p25 <= y && y <= point.p75;
        const auto below = std::lower_bound(sorted.begin(), sorted.end(), y) - sorted.begin();
        const auto at_or_below = std::upper_bound(sorted.begin(), sorted.end(), y) - sorted.begin();
        const double pit = (static_cast<double>(below + at_or_below) / 2) / static_cast<double>(sorted.size());
        a.pit[static_cast<size_t>(std::min(9.0, std::floor(pit * 10)))] += 1;
        a.bias += (point.p50 - y) / scale;
        a.crps += EnsembleCrps(std::move(sorted), y) / scale;
        std::array<double, kPeerCount> peer;
        peer.fill(kNotDefined);
        if (IsFlow(metric)) {
          peer[kLastThreeMonths] = last_three;
          peer[kSeasonalGrowth] = actual_of(month - 12, metric) * growth;
        } else {
          peer[kPersistence] = actual_of(now, metric);
        }
        if (metric == kBookings) peer[kWeightedPipeline] = pipeline[static_cast<size_t>(m)];
        for (size_t q = 0; q < peer.size(); ++q) {
          if (!std::isfinite(peer[q])) continue;
          a.peer[q] += std::abs(peer[q] - y) / scale;
          ++a.peer_n[q];
        }
      }
    }
    if (progress && !progress(d + 1, dates.size())) return absl::CancelledError("backtest cancelled");
  }
  for (size_t k = 0; k < metrics; ++k) {
    Accumulator all;
    for (int m = 0; m < options.horizon; ++m) {
      const Accumulator& a = cells[k * static_cast<size_t>(options.horizon) + static_cast<size_t>(m)];
      report.cells.push_back(a.Cell(kBacktestMetrics[k], m + 1));
      all.Add(a);
    }
    report.overall.push_back(all.Cell(kBacktestMetrics[k], 0));
  }
  if (report.as_of.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("no as-of date has a whole month of actuals after it (actuals through ",
                                                      FormatDate(through), ")"));
  }
  return report;
}

}  // namespace forecastle::forecast
