#include "client/cli/charts.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/actuals/calendar.h"
#include "engine/common/status_macros.h"
#include "engine/forecast/metric.h"
#include "proto/wire/metric_convert.h"

namespace forecastle::cli {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Colour-blind-safe (Okabe-Ito): history, then one per scenario.
constexpr const char* kHistory = "#222222";
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"};
constexpr char kNoHistory[] = "no actuals of this metric in the reply: forecast only";

const char* Color(size_t i) { return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))]; }

double Money(const std::string& text) { return text.empty() ? 0 : std::strtod(text.c_str(), nullptr); }

// A metric in words: what it is, whether it is a flow over a period or a balance at its end (or
// a level), in what unit.
enum class Measured { kFlow, kBalance, kLevel };
struct MetricWords {
  absl::string_view metric, noun;
  Measured measured;
  absl::string_view unit_words;
  Unit unit;
};
constexpr MetricWords kWords[] = {
    {"bookings", "Bookings", Measured::kFlow, "currency units", Unit::kMoney},
    {"revenue", "Revenue", Measured::kFlow, "currency units", Unit::kMoney},
    {"billings", "Billings", Measured::kFlow, "currency units", Unit::kMoney},
    {"collections", "Collections", Measured::kFlow, "currency units", Unit::kMoney},
    {"backlog", "Backlog", Measured::kBalance, "currency units", Unit::kMoney},
    {"unbilled_backlog", "Unbilled backlog", Measured::kBalance, "currency units", Unit::kMoney},
    {"deferred_revenue", "Deferred revenue", Measured::kBalance, "currency units", Unit::kMoney},
    {"contract_assets", "Contract assets", Measured::kBalance, "currency units", Unit::kMoney},
    {"accounts_receivable", "Accounts receivable", Measured::kBalance, "currency units", Unit::kMoney},
    {"work_backlog_hours", "Work backlog", Measured::kBalance, "hours", Unit::kHours},
    {"capacity_hours", "Delivery capacity", Measured::kFlow, "hours", Unit::kHours},
    {"utilization", "Utilisation", Measured::kLevel, "%", Unit::kShare},
    {"headcount", "Headcount", Measured::kLevel, "FTE", Unit::kPeople},
    {"delivery_cost", "Delivery cost", Measured::kFlow, "currency units", Unit::kMoney},
};

const MetricWords* WordsOf(absl::string_view metric) {
  for (const MetricWords& w : kWords) {
    if (w.metric == metric) return &w;
  }
  return nullptr;
}

Unit UnitOf(absl::string_view metric) {
  const MetricWords* w = WordsOf(metric);
  return w == nullptr ? Unit::kMoney : w->unit;
}

std::string Noun(absl::string_view metric) {
  const MetricWords* w = WordsOf(metric);
  return std::string(w == nullptr ? metric : w->noun);
}

// E.g. "Revenue per month" + `what` + " (currency units)", "Backlog at quarter end (...)":
// `period` is "month", "quarter", "period".
std::string Title(absl::string_view metric, absl::string_view period, absl::string_view what) {
  const MetricWords* w = WordsOf(metric);
  if (w == nullptr) return absl::StrCat(metric, what);
  std::string when;
  if (w->measured == Measured::kFlow) when = absl::StrCat(" per ", period);
  if (w->measured == Measured::kBalance) when = absl::StrCat(" at ", period, " end");
  return absl::StrCat(w->noun, when, what, " (", w->unit_words, ")");
}

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

absl::Status Unchartable(const std::string& message) {
  return absl::FailedPreconditionError(absl::StrCat("--plot: ", message));
}

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
    if (MetricNameOf(m) == name) return &m;
  }
  return nullptr;
}

// A forecast's month axis: the months of exact actuals through the as-of (or the as-of's month
// alone when the reply has none), then the forecast months.
struct Axis {
  std::vector<std::string> months;
  size_t as_of = 0;                           // index of the as-of's month: the last actual
  const v1::MetricsTable* history = nullptr;  // the company's actuals, or nullptr
  // The teams' delivery history (capacity, utilisation, headcount), or nullptr.
  const google::protobuf::RepeatedPtrField<v1::DeliveryMonth>* delivery = nullptr;
  size_t first_forecast() const { return as_of + 1; }
};

// OK when every metric of `metrics` has `months` months, each with `quantiles` quantiles.
absl::Status CheckFans(const google::protobuf::RepeatedPtrField<v1::MetricForecast>& metrics, int months,
                       int quantiles, absl::string_view what) {
  for (const v1::MetricForecast& m : metrics) {
    if (m.months_size() != months) {
      return Unchartable(absl::StrCat("the ", what, " has ", m.months_size(), " months of ", MetricNameOf(m), " but ",
                                      months, " of ", MetricNameOf(metrics[0])));
    }
    for (const v1::MonthSummary& s : m.months()) {
      if (s.quantiles_size() != quantiles) {
        return Unchartable(absl::StrCat("the ", what, " has ", s.quantiles_size(), " quantiles of ", MetricNameOf(m),
                                        " in ", s.month(), ", expected ", quantiles));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Axis> AxisOf(const v1::ForecastReply& reply, absl::string_view what) {
  if (reply.metrics().empty()) return Unchartable(absl::StrCat("the ", what, " has no metrics to chart"));
  auto as_of = ParseDate(reply.as_of(), absl::StrCat("the ", what, "'s as_of"));
  if (!as_of.ok()) return Unchartable(std::string(as_of.status().message()));
  const MonthIndex as_of_month = MonthOf(*as_of);
  const v1::MetricForecast& first = reply.metrics(0);
  if (first.months().empty()) return Unchartable(absl::StrCat("the ", what, " has no forecast months"));
  RETURN_IF_ERROR(CheckFans(reply.metrics(), first.months_size(), reply.quantiles_size(), what));
  Axis axis;
  if (!reply.actuals().tables().empty() && !reply.actuals().tables(0).periods().empty()) {
    axis.history = &reply.actuals().tables(0);
    for (const v1::PeriodMetrics& p : axis.history->periods()) axis.months.push_back(p.period());
    auto last = ParseMonth(axis.months.back(), "period");
    if (!last.ok() || *last != as_of_month) {
      return Unchartable(absl::StrCat("the ", what, "'s actuals end in ", axis.months.back(),
                                      ", not in the as-of's month ", FormatMonth(as_of_month)));
    }
  } else {
    axis.months.push_back(FormatMonth(as_of_month));
  }
  if (!reply.delivery_history().empty()) axis.delivery = &reply.delivery_history();
  axis.as_of = axis.months.size() - 1;
  auto start = ParseMonth(first.months(0).month(), "month");
  if (!start.ok() || *start != as_of_month + 1) {
    return Unchartable(absl::StrCat("the ", what, "'s forecast starts in ", first.months(0).month(),
                                    ", not in the month after the as-of (", FormatMonth(as_of_month + 1), ")"));
  }
  for (const v1::MonthSummary& s : first.months()) axis.months.push_back(s.month());
  return axis;
}

// The teams' capacity hours, utilisation or headcount in each month of `axis` where the reply's
// delivery history has it (NaN elsewhere), or nullopt when it has none: months without
// headcount.csv have no capacity to speak of.
std::optional<std::vector<double>> DeliveryHistory(const Axis& axis, const std::string& metric) {
  if (axis.delivery == nullptr) return std::nullopt;
  std::vector<double> values(axis.months.size(), kNaN);
  bool any = false;
  for (const v1::DeliveryMonth& d : *axis.delivery) {
    const auto at = std::find(axis.months.begin(), axis.months.begin() + static_cast<long>(axis.as_of) + 1, d.month());
    if (at == axis.months.begin() + static_cast<long>(axis.as_of) + 1) continue;
    const bool has = metric == "capacity_hours" ? d.has_capacity_hours()
                     : metric == "utilization"  ? d.has_utilization()
                                                : d.has_headcount();
    if (!has) continue;
    values[static_cast<size_t>(at - axis.months.begin())] = metric == "capacity_hours" ? d.capacity_hours()
                                                            : metric == "utilization"  ? d.utilization()
                                                                                       : d.headcount();
    any = true;
  }
  if (!any) return std::nullopt;
  return values;
}

// The metric's exact actual in each month of `axis` through the as-of (NaN after), or nullopt
// when the reply has no actuals of it.
std::optional<std::vector<double>> History(const Axis& axis, const std::string& metric) {
  if (metric == "capacity_hours" || metric == "utilization" || metric == "headcount") {
    return DeliveryHistory(axis, metric);
  }
  const MoneyField field = FieldOf(metric);
  if (axis.history == nullptr || field == nullptr) return std::nullopt;
  std::vector<double> values(axis.months.size(), kNaN);
  for (int i = 0; i < axis.history->periods_size(); ++i) {
    values[static_cast<size_t>(i)] = Money((axis.history->periods(i).*field)());
  }
  return values;
}

// Where a fan starts: its value at the as-of (the last actual, or 0 for a difference of two
// forecasts from the same actuals), so that it continues the history without a gap.
struct Anchor {
  size_t month;
  double value;
};

// Adds the band and centre line of `forecast` to `panel`, its first month at `axis`'s first
// forecast month, drawn from `anchor` when there is one.
void AddFan(const v1::MetricForecast& forecast, const google::protobuf::RepeatedField<double>& quantiles,
            const Axis& axis, std::optional<Anchor> anchor, const std::string& label, const char* color,
            Panel& panel) {
  const QuantileUse use = Use(quantiles);
  const size_t months = axis.months.size();
  std::vector<double> low(months, kNaN), high(months, kNaN), centre(months, kNaN);
  if (anchor) low[anchor->month] = high[anchor->month] = centre[anchor->month] = anchor->value;
  for (int m = 0; m < forecast.months_size() && axis.first_forecast() + static_cast<size_t>(m) < months; ++m) {
    const v1::MonthSummary& s = forecast.months(m);
    const size_t i = axis.first_forecast() + static_cast<size_t>(m);
    centre[i] = s.mean();
    if (use.low >= 0) {
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
  const std::string centre_name = use.centre >= 0 ? Percent(quantiles[use.centre]) : "mean";
  panel.lines.push_back(PlotLine{absl::StrCat(centre_name, suffix), color, std::move(centre), false});
}

// A panel of `metric` on `axis`: its history line when the reply has its actuals (else a note
// saying it has none), and the anchor its fans start from.
Panel HistoryPanel(const Axis& axis, const std::string& metric, std::optional<Anchor>* anchor) {
  Panel panel;
  panel.title = MetricTitle(metric);
  panel.metric = metric;
  panel.unit = UnitOf(metric);
  *anchor = std::nullopt;
  if (std::optional<std::vector<double>> history = History(axis, metric)) {
    if (std::isfinite((*history)[axis.as_of])) *anchor = Anchor{axis.as_of, (*history)[axis.as_of]};
    panel.lines.push_back(PlotLine{"actual", kHistory, std::move(*history), false});
  } else {
    panel.note = kNoHistory;
  }
  return panel;
}

std::vector<std::string> MetricNames(const v1::ForecastReply& reply, const std::vector<std::string>& chosen) {
  if (!chosen.empty()) return chosen;
  std::vector<std::string> names;
  for (const v1::MetricForecast& m : reply.metrics()) names.push_back(MetricNameOf(m));
  return names;
}

std::string Subtitle(const v1::ForecastReply& reply, const Axis& axis) {
  const std::string fan = reply.quantiles_size() > 1
                              ? absl::StrCat(Percent(reply.quantiles(0)), "-",
                                             Percent(reply.quantiles(reply.quantiles_size() - 1)))
                              : "quantiles";
  return absl::StrCat("as of ", reply.as_of(), " · ", reply.paths(), " paths · seed ", reply.seed(), " · history: ",
                      axis.history == nullptr ? "none in the reply" : absl::StrCat(axis.as_of + 1, " months of exact actuals"),
                      "; fan: ", fan, " from the last actual");
}

Marker AsOfMarker(const v1::ForecastReply& reply, const Axis& axis) {
  return Marker{axis.as_of, absl::StrCat("as of ", reply.as_of())};
}

// `metric`'s share of actuals inside P10-P90 and P25-P75 by horizon month 1..horizon, over their
// target ranges.
Panel CoveragePanel(const v1::BacktestReply& reply, const std::string& metric, int horizon) {
  Panel panel;
  panel.title = absl::StrCat(Noun(metric), ": coverage by horizon month");
  panel.metric = metric;
  panel.unit = Unit::kShare;
  for (int m = 1; m <= horizon; ++m) panel.categories.push_back(absl::StrCat(m));
  panel.x_title = "horizon month (months after the as-of)";
  panel.y_min = 0;
  panel.y_max = 1;
  panel.references = {Reference{"P10-P90 target 70-90%", Color(0), 0.7, 0.9},
                      Reference{"P25-P75 target 40-60%", Color(1), 0.4, 0.6}};
  PlotLine outer{"P10-P90 coverage", Color(0), std::vector<double>(static_cast<size_t>(horizon), kNaN), false, true};
  PlotLine inner{"P25-P75 coverage", Color(1), std::vector<double>(static_cast<size_t>(horizon), kNaN), false, true};
  for (const v1::BacktestScore& c : reply.cells()) {
    // A horizon month no forecast reached has no coverage (the reply says 0 of 0): a gap.
    if (MetricNameOf(c) != metric || c.horizon_month() < 1 || c.horizon_month() > horizon || c.forecasts() <= 0) continue;
    outer.values[static_cast<size_t>(c.horizon_month() - 1)] = c.coverage_80();
    inner.values[static_cast<size_t>(c.horizon_month() - 1)] = c.coverage_50();
  }
  panel.lines = {std::move(outer), std::move(inner)};
  return panel;
}

// The histogram of where the actuals fell among the paths (over every horizon month), as shares,
// against the flat 10% of a calibrated forecast.
absl::StatusOr<Panel> PitPanel(const v1::BacktestScore& overall) {
  const std::string metric = MetricNameOf(overall);
  if (overall.pit_size() != 10) {
    return Unchartable(absl::StrCat("the backtest's PIT of ", metric, " has ", overall.pit_size(), " bins, expected 10"));
  }
  int64_t actuals = 0;
  for (int64_t n : overall.pit()) actuals += n;
  if (actuals <= 0) return Unchartable(absl::StrCat("the backtest scored no month of ", metric));
  Panel panel;
  panel.title = absl::StrCat(Noun(metric), ": PIT histogram");
  panel.note = absl::StrCat(actuals, " forecast months scored");
  panel.metric = metric;
  panel.unit = Unit::kShare;
  for (int b = 0; b < 10; ++b) panel.categories.push_back(absl::StrCat(b * 10, "-", b * 10 + 10));
  panel.x_title = "share of paths below the actual (%)";
  panel.references = {Reference{"flat 10% (calibrated)", "#444444", 0.1, 0.1}};
  PlotBars bars{"PIT: share of actuals", Color(2), {}};
  for (int64_t n : overall.pit()) bars.values.push_back(static_cast<double>(n) / static_cast<double>(actuals));
  panel.bars = {std::move(bars)};
  return panel;
}

}  // namespace

std::string MetricTitle(absl::string_view metric) { return Title(metric, "month", ""); }

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
    panel.title = Title(metric, "period", "");  // the grain may be month, quarter or year
    panel.metric = metric;
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

absl::StatusOr<Chart> ForecastChart(const v1::ForecastReply& reply, const std::vector<std::string>& metrics) {
  ASSIGN_OR_RETURN(const Axis axis, AxisOf(reply, "forecast reply"));
  Chart chart;
  chart.title = absl::StrCat("forecastle forecast: ", reply.scenario().empty() ? "default" : reply.scenario());
  chart.subtitle = Subtitle(reply, axis);
  chart.months = axis.months;
  chart.as_of = AsOfMarker(reply, axis);
  for (const std::string& name : MetricNames(reply, metrics)) {
    const v1::MetricForecast* forecast = Find(reply.metrics(), name);
    if (forecast == nullptr) return Unchartable(absl::StrCat("the forecast reply has no ", name));
    std::optional<Anchor> anchor;
    Panel panel = HistoryPanel(axis, name, &anchor);
    AddFan(*forecast, reply.quantiles(), axis, anchor, "", Color(0), panel);
    chart.panels.push_back(std::move(panel));
  }
  return chart;
}

absl::StatusOr<Chart> CompareChart(const v1::CompareReply& reply, const std::vector<std::string>& metrics) {
  const v1::ForecastReply& base = reply.base();
  ASSIGN_OR_RETURN(const Axis axis, AxisOf(base, "base scenario's reply"));
  const int months = base.metrics(0).months_size();
  for (const v1::VariantComparison& v : reply.variants()) {
    const std::string what = absl::StrCat("reply of variant ", v.forecast().scenario());
    RETURN_IF_ERROR(CheckFans(v.forecast().metrics(), months, base.quantiles_size(), what));
    RETURN_IF_ERROR(CheckFans(v.difference(), months, base.quantiles_size(), what));
  }
  Chart chart;
  chart.columns = 2;
  std::string names = base.scenario().empty() ? "default" : base.scenario();
  for (const v1::VariantComparison& v : reply.variants()) absl::StrAppend(&names, " vs ", v.forecast().scenario());
  chart.title = absl::StrCat("forecastle compare: ", names);
  chart.subtitle = absl::StrCat(Subtitle(base, axis), " · common random numbers; right: variant - base");
  chart.months = axis.months;
  chart.as_of = AsOfMarker(base, axis);
  const std::vector<std::string> chosen =
      metrics.empty() ? std::vector<std::string>{"revenue", "backlog", "collections", "work_backlog_hours",
                                                 "utilization", "delivery_cost"}
                      : metrics;
  for (const std::string& name : chosen) {
    const v1::MetricForecast* base_fan = Find(base.metrics(), name);
    if (base_fan == nullptr) return Unchartable(absl::StrCat("the base scenario's reply has no ", name));
    std::optional<Anchor> anchor;
    Panel fans = HistoryPanel(axis, name, &anchor);
    AddFan(*base_fan, base.quantiles(), axis, anchor, base.scenario().empty() ? "default" : base.scenario(), Color(0),
           fans);
    Panel difference;
    difference.title = Title(name, "month", ": variant - base");
    difference.metric = name;
    difference.unit = fans.unit;
    difference.zero_line = true;
    difference.note = fans.note;
    // Both scenarios start from the same actuals, so where there are actuals they differ by 0 at the as-of.
    std::optional<Anchor> no_difference;
    if (anchor) no_difference = Anchor{axis.as_of, 0};
    for (int v = 0; v < reply.variants_size(); ++v) {
      const v1::VariantComparison& variant = reply.variants(v);
      const char* color = Color(static_cast<size_t>(v) + 1);
      if (const v1::MetricForecast* f = Find(variant.forecast().metrics(), name)) {
        AddFan(*f, base.quantiles(), axis, anchor, variant.forecast().scenario(), color, fans);
      }
      if (const v1::MetricForecast* d = Find(variant.difference(), name)) {
        AddFan(*d, base.quantiles(), axis, no_difference, absl::StrCat(variant.forecast().scenario(), " - base"), color,
               difference);
      }
    }
    chart.panels.push_back(std::move(fans));
    chart.panels.push_back(std::move(difference));
  }
  return chart;
}

absl::StatusOr<Chart> BacktestChart(const v1::BacktestReply& reply, const std::vector<std::string>& metrics) {
  if (reply.overall().empty() || reply.cells().empty()) {
    return Unchartable("the backtest reply has no scores to chart");
  }
  int horizon = 0;
  for (const v1::BacktestScore& c : reply.cells()) horizon = std::max(horizon, c.horizon_month());
  if (horizon < 1) return Unchartable("the backtest reply has no scores by horizon month");
  std::vector<std::string> scored;
  for (const v1::BacktestScore& s : reply.overall()) scored.push_back(MetricNameOf(s));

  Chart chart;
  chart.columns = 2;
  chart.title = "forecastle backtest: calibration of the forecast";
  chart.subtitle = absl::StrCat(reply.as_of_size(), " as-of dates",
                                reply.as_of().empty() ? "" : absl::StrCat(" (", reply.as_of(0), " .. ",
                                                                          reply.as_of(reply.as_of_size() - 1), ")"),
                                " · ", horizon, " months each · calibrated: P10-P90 holds 80% of actuals, "
                                "P25-P75 50%, PIT flat at 10% a bin");
  for (const std::string& name : metrics.empty() ? scored : metrics) {
    const v1::BacktestScore* overall = nullptr;
    for (const v1::BacktestScore& s : reply.overall()) {
      if (MetricNameOf(s) == name) overall = &s;
    }
    if (overall == nullptr) {
      return Unchartable(absl::StrCat("the backtest reply has no scores of ", name, " (it scored ",
                                      absl::StrJoin(scored, ", "), ")"));
    }
    ASSIGN_OR_RETURN(Panel pit, PitPanel(*overall));
    chart.panels.push_back(CoveragePanel(reply, name, horizon));
    chart.panels.push_back(std::move(pit));
  }
  return chart;
}

absl::StatusOr<PlotFlags> ParsePlotFlags(const Args& args, const std::vector<std::string>& allowed) {
  PlotFlags flags;
  if (const std::string text = args.Get("plot-metrics"); !text.empty()) {
    for (absl::string_view part : absl::StrSplit(text, ',')) {
      auto metric = forecast::ParseMetric(part, "--plot-metrics");
      if (!metric.ok()) return metric.status();
      const std::string name(forecast::MetricName(*metric));
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        return absl::InvalidArgumentError(absl::StrCat("--plot-metrics: ", name, " cannot be charted here; choose from ",
                                                       absl::StrJoin(allowed, ", ")));
      }
      flags.metrics.push_back(name);
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

int Plot(const PlotFlags& flags, const absl::StatusOr<Chart>& chart) {
  if (!chart.ok()) {
    std::cerr << "forecastle: " << chart.status().message() << "\n";
    return 1;
  }
  return Plot(flags, *chart);
}

}  // namespace forecastle::cli
