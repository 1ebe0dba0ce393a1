#include "client/cli/charts.h"

#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/forecast/forecast.h"

namespace forecastle::cli {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Colour-blind-safe (Okabe-Ito): history, then one per scenario.
constexpr const char* kHistory = "#222222";
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"};

const char* Color(size_t i) { return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))]; }

double Money(const std::string& text) { return text.empty() ? 0 : std::strtod(text.c_str(), nullptr); }

Unit UnitOf(const std::string& metric) {
  if (metric == "work_backlog_hours" || metric == "capacity_hours") return Unit::kHours;
  if (metric == "utilization") return Unit::kShare;
  if (metric == "headcount") return Unit::kPeople;
  return Unit::kMoney;
}

// The exact actual of a metric in a period, when the actuals have that metric.
// The money field of the actuals that has the metric's name, or nullptr (forecast-only metrics).
using MoneyField = const std::string& (v1::PeriodMetrics::*)() const;
MoneyField FieldOf(const std::string& metric) {
  static const std::map<std::string, MoneyField> kFields = {
      {"bookings", &v1::PeriodMetrics::bookings},
      {"revenue", &v1::PeriodMetrics::revenue},
      {"billings", &v1::PeriodMetrics::billings},
      {"collections", &v1::PeriodMetrics::collections},
      {"backlog", &v1::PeriodMetrics::backlog},
      {"unbilled_backlog", &v1::PeriodMetrics::unbilled_backlog},
      {"deferred_revenue", &v1::PeriodMetrics::deferred_revenue},
      {"contract_assets", &v1::PeriodMetrics::contract_assets},
      {"accounts_receivable", &v1::PeriodMetrics::accounts_receivable}};
  auto it = kFields.find(metric);
  return it == kFields.end() ? nullptr : it->second;
}

std::string Percent(double q) { return absl::StrCat("P", absl::StrFormat("%.6g", q * 100)); }

// Which quantiles draw the band (the outermost) and the centre line (the one nearest 0.5).
struct QuantileUse {
  int low = -1, high = -1, centre = -1;
};
QuantileUse Use(const google::protobuf::RepeatedField<double>& quantiles) {
  QuantileUse use;
  if (quantiles.empty()) return use;
  use.low = 0;
  use.high = quantiles.size() - 1;
  use.centre = 0;
  for (int q = 1; q < quantiles.size(); ++q) {
    if (std::fabs(quantiles[q] - 0.5) < std::fabs(quantiles[use.centre] - 0.5)) use.centre = q;
  }
  return use;
}

const v1::MetricForecast* Find(const google::protobuf::RepeatedPtrField<v1::MetricForecast>& metrics,
                               const std::string& name) {
  for (const v1::MetricForecast& m : metrics) {
    if (m.metric() == name) return &m;
  }
  return nullptr;
}

// Adds the band and centre line of `forecast` to `panel`, placed from month index `offset`.
void AddFan(const v1::MetricForecast& forecast, const google::protobuf::RepeatedField<double>& quantiles,
            size_t offset, size_t months, const std::string& label, const char* color, Panel& panel) {
  const QuantileUse use = Use(quantiles);
  std::vector<double> low(months, kNaN), high(months, kNaN), centre(months, kNaN), mean(months, kNaN);
  for (int m = 0; m < forecast.months_size() && offset + static_cast<size_t>(m) < months; ++m) {
    const v1::MonthSummary& s = forecast.months(m);
    const size_t i = offset + static_cast<size_t>(m);
    mean[i] = s.mean();
    if (use.low >= 0 && s.quantiles_size() == quantiles.size()) {
      low[i] = s.quantiles(use.low);
      high[i] = s.quantiles(use.high);
      centre[i] = s.quantiles(use.centre);
    }
  }
  const std::string suffix = label.empty() ? "" : absl::StrCat(" ", label);
  if (use.low >= 0 && use.low != use.high) {
    panel.bands.push_back(PlotBand{absl::StrCat(Percent(quantiles[use.low]), "-", Percent(quantiles[use.high]), suffix),
                                   color, std::move(low), std::move(high)});
  }
  if (use.centre >= 0) {
    panel.lines.push_back(PlotLine{absl::StrCat(Percent(quantiles[use.centre]), suffix), color, std::move(centre), false});
  } else {
    panel.lines.push_back(PlotLine{absl::StrCat("mean", suffix), color, std::move(mean), false});
  }
}

std::vector<std::string> MetricNames(const v1::ForecastReply& reply, const std::vector<std::string>& chosen) {
  if (!chosen.empty()) return chosen;
  std::vector<std::string> names;
  for (const v1::MetricForecast& m : reply.metrics()) names.push_back(m.metric());
  return names;
}

std::string Subtitle(const v1::ForecastReply& reply) {
  return absl::StrCat("as of ", reply.as_of(), " · ", reply.paths(), " paths · seed ", reply.seed(),
                      " · history: exact actuals; fan: ", reply.quantiles_size() > 1
                          ? absl::StrCat(Percent(reply.quantiles(0)), "-", Percent(reply.quantiles(reply.quantiles_size() - 1)))
                          : "quantiles");
}

}  // namespace

Chart ActualsChart(const v1::MetricsReply& reply) {
  Chart chart;
  chart.title = "forecastle actuals";
  chart.subtitle = absl::StrCat("as of ", reply.as_of(), " · exact, from the recorded events");
  if (!reply.tables().empty()) {
    for (const v1::PeriodMetrics& p : reply.tables(0).periods()) chart.months.push_back(p.period());
  }
  const char* kMetrics[] = {"bookings", "revenue", "billings", "collections", "backlog",
                            "unbilled_backlog", "deferred_revenue", "contract_assets", "accounts_receivable"};
  for (const char* metric : kMetrics) {
    Panel panel;
    panel.title = metric;
    for (int t = 0; t < reply.tables_size(); ++t) {
      const v1::MetricsTable& table = reply.tables(t);
      PlotLine line{table.group().empty() ? "company" : table.group(),
                    reply.tables_size() == 1 ? kHistory : Color(static_cast<size_t>(t)), {}, false};
      const MoneyField field = FieldOf(metric);
      for (const v1::PeriodMetrics& p : table.periods()) line.values.push_back(Money((p.*field)()));
      panel.lines.push_back(std::move(line));
    }
    chart.panels.push_back(std::move(panel));
  }
  return chart;
}

Chart ForecastChart(const v1::ForecastReply& reply, const std::vector<std::string>& metrics) {
  Chart chart;
  chart.title = absl::StrCat("forecastle forecast: ", reply.scenario());
  chart.subtitle = Subtitle(reply);
  const v1::MetricsTable* history = reply.actuals().tables().empty() ? nullptr : &reply.actuals().tables(0);
  if (history != nullptr) {
    for (const v1::PeriodMetrics& p : history->periods()) chart.months.push_back(p.period());
  }
  const size_t offset = chart.months.size();
  if (!reply.metrics().empty()) {
    for (const v1::MonthSummary& s : reply.metrics(0).months()) chart.months.push_back(s.month());
  }
  for (const std::string& name : MetricNames(reply, metrics)) {
    const v1::MetricForecast* forecast = Find(reply.metrics(), name);
    if (forecast == nullptr) continue;
    Panel panel;
    panel.title = name;
    panel.unit = UnitOf(name);
    AddFan(*forecast, reply.quantiles(), offset, chart.months.size(), "", Color(0), panel);
    if (const MoneyField field = FieldOf(name); history != nullptr && history->periods_size() > 0 && field != nullptr) {
      PlotLine line{"actual", kHistory, std::vector<double>(chart.months.size(), kNaN), false};
      for (int i = 0; i < history->periods_size(); ++i) line.values[static_cast<size_t>(i)] = Money((history->periods(i).*field)());
      panel.lines.insert(panel.lines.begin(), std::move(line));
    }
    chart.panels.push_back(std::move(panel));
  }
  return chart;
}

Chart CompareChart(const v1::CompareReply& reply, const std::vector<std::string>& metrics) {
  Chart chart;
  chart.columns = 2;
  std::string names = reply.base().scenario();
  for (const v1::VariantComparison& v : reply.variants()) absl::StrAppend(&names, " vs ", v.forecast().scenario());
  chart.title = absl::StrCat("forecastle compare: ", names);
  chart.subtitle = absl::StrCat(Subtitle(reply.base()), " · common random numbers; right: variant - base");
  if (!reply.base().metrics().empty()) {
    for (const v1::MonthSummary& s : reply.base().metrics(0).months()) chart.months.push_back(s.month());
  }
  const std::vector<std::string> chosen =
      metrics.empty() ? std::vector<std::string>{"revenue", "backlog", "collections", "work_backlog_hours",
                                                 "utilization", "delivery_cost"}
                      : metrics;
  const size_t months = chart.months.size();
  for (const std::string& name : chosen) {
    const v1::MetricForecast* base = Find(reply.base().metrics(), name);
    if (base == nullptr) continue;
    Panel fans;
    fans.title = name;
    fans.unit = UnitOf(name);
    AddFan(*base, reply.base().quantiles(), 0, months, reply.base().scenario(), Color(0), fans);
    Panel difference;
    difference.title = absl::StrCat(name, ": variant - base");
    difference.unit = fans.unit;
    difference.zero_line = true;
    for (int v = 0; v < reply.variants_size(); ++v) {
      const v1::VariantComparison& variant = reply.variants(v);
      const char* color = Color(static_cast<size_t>(v) + 1);
      if (const v1::MetricForecast* f = Find(variant.forecast().metrics(), name)) {
        AddFan(*f, reply.base().quantiles(), 0, months, variant.forecast().scenario(), color, fans);
      }
      if (const v1::MetricForecast* d = Find(variant.difference(), name)) {
        AddFan(*d, reply.base().quantiles(), 0, months, absl::StrCat(variant.forecast().scenario(), " - base"), color,
               difference);
      }
    }
    chart.panels.push_back(std::move(fans));
    chart.panels.push_back(std::move(difference));
  }
  return chart;
}

absl::StatusOr<PlotFlags> ParsePlotFlags(const Args& args) {
  PlotFlags flags;
  if (const std::string text = args.Get("plot-metrics"); !text.empty()) {
    for (absl::string_view part : absl::StrSplit(text, ',')) {
      auto metric = forecast::ParseMetric(part, "--plot-metrics");
      if (!metric.ok()) return metric.status();
      flags.metrics.emplace_back(forecast::MetricName(*metric));
    }
  }
  if (!args.Has("plot")) return flags;
  flags.path = args.Get("plot");
  if (flags.path.empty()) return absl::InvalidArgumentError("--plot needs a file name, e.g. --plot forecast.svg");
  const std::filesystem::path parent = std::filesystem::path(flags.path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--plot: no such folder \"", parent.string(), "\" for \"", flags.path, "\""));
  }
  return flags;
}

int Plot(const PlotFlags& flags, const Chart& chart) {
  if (std::string error = WriteFile(flags.path, RenderSvg(chart)); !error.empty()) {
    std::cerr << "forecastle: " << error << "\n";
    return 1;
  }
  std::cerr << "forecastle: wrote " << chart.panels.size() << " panels to " << flags.path << "\n";
  return 0;
}

}  // namespace forecastle::cli
