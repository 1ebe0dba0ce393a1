// The --plot charts built from hand-made replies: the forecast continues the actuals (as-of marked
// at the last actual, fans starting there), titles are words with units, the backtest chart has
// its coverage and PIT panels per metric, and a reply that cannot be charted is a clear error.
#include "client/cli/charts.h"

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "engine/actuals/calendar.h"
#include "proto/wire/metric_convert.h"
#include "tests/testing/status_matchers.h"

namespace forecastle::cli {
namespace {

using ::forecastle::testing::IsOk;
using ::forecastle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int kHistory = 12, kHorizon = 6;
const MonthIndex kAsOfMonth = *ParseMonth("2026-10", "test");

// The exact revenue of history month i (0 = 11 months before the as-of), and backlog.
double RevenueActual(int i) { return 1000 + 10 * i; }
double BacklogActual(int i) { return 50000 - 100 * i; }

// A forecast reply as the server sends it: 12 months of actuals through 2026-10 (as of
// 2026-10-31), then `horizon` months of revenue, backlog, headcount and utilization, P10/P50/P90.
v1::ForecastReply Reply(const std::string& scenario = "base", int horizon = kHorizon) {
  v1::ForecastReply reply;
  reply.set_scenario(scenario);
  reply.set_as_of("2026-10-31");
  reply.set_paths(1000);
  reply.set_seed(7);
  for (double q : {0.1, 0.5, 0.9}) reply.add_quantiles(q);
  v1::MetricsTable* table = reply.mutable_actuals()->add_tables();
  for (int i = 0; i < kHistory; ++i) {
    v1::PeriodMetrics* p = table->add_periods();
    p->set_period(FormatMonth(kAsOfMonth - (kHistory - 1) + i));
    p->set_revenue(absl::StrCat(RevenueActual(i), ".00"));
    p->set_backlog(absl::StrCat(BacklogActual(i), ".00"));
  }
  for (const char* name : {"revenue", "backlog", "headcount", "utilization"}) {
    v1::MetricForecast* metric = reply.add_metrics();
    metric->set_metric(MetricToProto(*forecast::ParseMetric(name, "name")));  // the enum alone
    for (int m = 0; m < horizon; ++m) {
      v1::MonthSummary* s = metric->add_months();
      s->set_month(FormatMonth(kAsOfMonth + 1 + m));
      const double centre = 2000 + m;
      s->set_mean(centre);
      for (double q : {centre - 50, centre, centre + 50}) s->add_quantiles(q);
    }
  }
  return reply;
}

const Panel* FindPanel(const Chart& chart, const std::string& title) {
  for (const Panel& p : chart.panels) {
    if (p.title == title) return &p;
  }
  return nullptr;
}

const PlotLine* FindLine(const Panel& panel, const std::string& name) {
  for (const PlotLine& l : panel.lines) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

int Finite(const std::vector<double>& values) {
  int n = 0;
  for (double v : values) n += std::isfinite(v);
  return n;
}

TEST(ChartTitles, SayTheMetricInWordsWithItsUnit) {
  EXPECT_EQ(MetricTitle("revenue"), "Revenue per month (currency units)");
  EXPECT_EQ(MetricTitle("backlog"), "Backlog at month end (currency units)");
  EXPECT_EQ(MetricTitle("work_backlog_hours"), "Work backlog at month end (hours)");
  EXPECT_EQ(MetricTitle("capacity_hours"), "Delivery capacity per month (hours)");
  EXPECT_EQ(MetricTitle("utilization"), "Utilisation (%)");
  EXPECT_EQ(MetricTitle("headcount"), "Headcount (FTE)");
  EXPECT_EQ(MetricTitle("accounts_receivable"), "Accounts receivable at month end (currency units)");
  EXPECT_EQ(MetricTitle("no_such_metric"), "no_such_metric");
}

TEST(ForecastChart, MarksTheAsOfAtTheLastActualMonth) {
  auto chart = ForecastChart(Reply(), {});
  ASSERT_THAT(chart.status(), IsOk());
  ASSERT_EQ(chart->months.size(), static_cast<size_t>(kHistory + kHorizon));
  ASSERT_TRUE(chart->as_of.has_value());
  EXPECT_EQ(chart->as_of->month, static_cast<size_t>(kHistory - 1));
  EXPECT_EQ(chart->months[chart->as_of->month], "2026-10");
  EXPECT_EQ(chart->months[kHistory], "2026-11");
  EXPECT_EQ(chart->as_of->label, "as of 2026-10-31");
  std::vector<std::string> titles;
  for (const Panel& p : chart->panels) titles.push_back(p.title);
  EXPECT_THAT(titles, ElementsAre("Revenue per month (currency units)", "Backlog at month end (currency units)",
                                  "Headcount (FTE)", "Utilisation (%)"));
}

TEST(ForecastChart, FanStartsAtTheLastActual) {
  auto chart = ForecastChart(Reply(), {"backlog", "revenue"});
  ASSERT_THAT(chart.status(), IsOk());
  ASSERT_EQ(chart->panels.size(), 2u);
  const size_t as_of = kHistory - 1;
  for (const auto& [panel, last_actual] :
       {std::pair{chart->panels[0], BacklogActual(kHistory - 1)}, std::pair{chart->panels[1], RevenueActual(kHistory - 1)}}) {
    SCOPED_TRACE(panel.title);
    const PlotLine* actual = FindLine(panel, "actual");
    const PlotLine* median = FindLine(panel, "P50");
    ASSERT_NE(actual, nullptr);
    ASSERT_NE(median, nullptr);
    ASSERT_EQ(panel.bands.size(), 1u);
    EXPECT_EQ(Finite(actual->values), kHistory);
    EXPECT_EQ(actual->values[as_of], last_actual);
    EXPECT_TRUE(std::isnan(actual->values[as_of + 1]));
    // Median and band start at the last actual: no gap, no cliff at the as-of.
    EXPECT_TRUE(std::isnan(median->values[as_of - 1]));
    EXPECT_EQ(median->values[as_of], last_actual);
    EXPECT_EQ(panel.bands[0].low[as_of], last_actual);
    EXPECT_EQ(panel.bands[0].high[as_of], last_actual);
    EXPECT_EQ(median->values[as_of + 1], 2000);
    EXPECT_EQ(panel.bands[0].low[as_of + 1], 1950);
    EXPECT_EQ(panel.bands[0].high.back(), 2000 + kHorizon - 1 + 50);
    EXPECT_TRUE(panel.note.empty());
  }
}

TEST(ForecastChart, MetricsWithoutActualsGetTheFanAloneAndSaySo) {
  auto chart = ForecastChart(Reply(), {"headcount", "utilization"});
  ASSERT_THAT(chart.status(), IsOk());
  for (const Panel& panel : chart->panels) {
    SCOPED_TRACE(panel.title);
    EXPECT_EQ(FindLine(panel, "actual"), nullptr);
    EXPECT_THAT(panel.note, HasSubstr("no actuals of this metric in the reply"));
    const PlotLine* median = FindLine(panel, "P50");
    ASSERT_NE(median, nullptr);
    EXPECT_EQ(Finite(median->values), kHorizon);  // nothing invented at the as-of
    EXPECT_TRUE(std::isnan(median->values[kHistory - 1]));
  }
  EXPECT_EQ(chart->panels[1].unit, Unit::kShare);
}

// With the teams' delivery history in the reply (headcount.csv known for the last 9 months),
// headcount and utilisation get their actual line there, and the fan starts from the as-of's.
TEST(ForecastChart, DeliveryHistoryGivesHeadcountAndUtilisationTheirActuals) {
  v1::ForecastReply reply = Reply();
  for (int i = 0; i < kHistory; ++i) {
    v1::DeliveryMonth* d = reply.add_delivery_history();
    d->set_month(FormatMonth(kAsOfMonth - (kHistory - 1) + i));
    d->set_worked_hours(800 + i);
    if (i < 3) continue;  // no headcount recorded yet
    d->set_headcount(10 + i);
    d->set_capacity_hours(1050 + 105 * i);
    d->set_utilization((800.0 + i) / (1050 + 105 * i));
  }
  auto chart = ForecastChart(reply, {"headcount", "utilization"});
  ASSERT_THAT(chart.status(), IsOk());
  const size_t as_of = kHistory - 1;
  for (const Panel& panel : chart->panels) {
    SCOPED_TRACE(panel.title);
    const PlotLine* actual = FindLine(panel, "actual");
    ASSERT_NE(actual, nullptr);
    EXPECT_TRUE(panel.note.empty());
    EXPECT_EQ(Finite(actual->values), kHistory - 3);
    EXPECT_TRUE(std::isnan(actual->values[2]));
    const double last = panel.metric == "headcount" ? 10 + as_of : (800.0 + as_of) / (1050 + 105.0 * as_of);
    EXPECT_DOUBLE_EQ(actual->values[as_of], last);
    EXPECT_DOUBLE_EQ(FindLine(panel, "P50")->values[as_of], last);  // the fan starts there
  }
}

TEST(ForecastChart, RenderedFanAndAsOfLineMeetAtTheLastActualPoint) {
  auto chart = ForecastChart(Reply(), {"revenue"});
  ASSERT_THAT(chart.status(), IsOk());
  const std::string svg = RenderSvg(*chart);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("data-name=\"actual\" d=\"[^\"]*L([0-9.]+),([0-9.]+)\"")));
  const std::string last_x = m[1], last_y = m[2];
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("data-name=\"P50\" d=\"M([0-9.]+),([0-9.]+)L")));
  EXPECT_EQ(m[1], last_x);
  EXPECT_EQ(m[2], last_y);
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("class=\"as-of\" data-month=\"2026-10\" x1=\"([0-9.]+)\"")));
  EXPECT_EQ(m[1], last_x);
  EXPECT_THAT(svg, HasSubstr("data-title=\"Revenue per month (currency units)\" data-metric=\"revenue\""));
}

TEST(ForecastChart, WithoutActualsTheAxisStartsAtTheAsOf) {
  v1::ForecastReply reply = Reply();
  reply.clear_actuals();
  auto chart = ForecastChart(reply, {"revenue"});
  ASSERT_THAT(chart.status(), IsOk());
  ASSERT_EQ(chart->months.size(), static_cast<size_t>(1 + kHorizon));
  EXPECT_EQ(chart->months[0], "2026-10");
  EXPECT_EQ(chart->as_of->month, 0u);
  EXPECT_THAT(chart->panels[0].note, HasSubstr("no actuals"));
  EXPECT_THAT(chart->subtitle, HasSubstr("history: none in the reply"));
}

TEST(ForecastChart, AReplyThatCannotBeChartedIsAClearError) {
  EXPECT_THAT(ForecastChart(v1::ForecastReply(), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--plot: the forecast reply has no metrics")));
  EXPECT_THAT(ForecastChart(Reply(), {"collections"}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("has no collections")));

  v1::ForecastReply short_metric = Reply();
  short_metric.mutable_metrics(2)->mutable_months()->RemoveLast();
  EXPECT_THAT(ForecastChart(short_metric, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("5 months of headcount but 6 of revenue")));

  v1::ForecastReply missing_quantile = Reply();
  missing_quantile.mutable_metrics(1)->mutable_months(3)->mutable_quantiles()->RemoveLast();
  EXPECT_THAT(ForecastChart(missing_quantile, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("2 quantiles of backlog in 2027-02"), HasSubstr("expected 3"))));

  v1::ForecastReply early_actuals = Reply();
  early_actuals.mutable_actuals()->mutable_tables(0)->mutable_periods()->RemoveLast();
  EXPECT_THAT(ForecastChart(early_actuals, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("actuals end in 2026-09, not in the as-of's month 2026-10")));

  v1::ForecastReply late_forecast = Reply();
  late_forecast.clear_actuals();
  late_forecast.set_as_of("2026-09-30");
  EXPECT_THAT(ForecastChart(late_forecast, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("forecast starts in 2026-11, not in the month after the as-of (2026-10)")));

  v1::ForecastReply no_months = Reply("base", 0);
  EXPECT_THAT(ForecastChart(no_months, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no forecast months")));

  v1::ForecastReply bad_date = Reply();
  bad_date.set_as_of("");
  EXPECT_THAT(ForecastChart(bad_date, {}), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("as_of")));
}

v1::CompareReply Comparison() {
  v1::CompareReply reply;
  *reply.mutable_base() = Reply("base");
  v1::VariantComparison* variant = reply.add_variants();
  *variant->mutable_forecast() = Reply("hire");
  *variant->mutable_difference() = Reply("hire").metrics();
  return reply;
}

TEST(CompareChart, ContinuesTheActualsAndItsDifferencesStartAtZero) {
  auto chart = CompareChart(Comparison(), {"revenue", "headcount"});
  ASSERT_THAT(chart.status(), IsOk());
  ASSERT_TRUE(chart->as_of.has_value());
  EXPECT_EQ(chart->as_of->month, static_cast<size_t>(kHistory - 1));
  ASSERT_EQ(chart->panels.size(), 4u);
  const size_t as_of = kHistory - 1;

  const Panel* fans = FindPanel(*chart, "Revenue per month (currency units)");
  ASSERT_NE(fans, nullptr);
  ASSERT_EQ(fans->bands.size(), 2u);
  for (const PlotBand& band : fans->bands) EXPECT_EQ(band.low[as_of], RevenueActual(kHistory - 1)) << band.name;
  EXPECT_EQ(FindLine(*fans, "P50 hire")->values[as_of], RevenueActual(kHistory - 1));

  const Panel* difference = FindPanel(*chart, "Revenue per month: variant - base (currency units)");
  ASSERT_NE(difference, nullptr);
  EXPECT_TRUE(difference->zero_line);
  EXPECT_EQ(FindLine(*difference, "P50 hire - base")->values[as_of], 0);  // same actuals, no difference

  const Panel* headcount = FindPanel(*chart, "Headcount: variant - base (FTE)");
  ASSERT_NE(headcount, nullptr);
  EXPECT_TRUE(std::isnan(FindLine(*headcount, "P50 hire - base")->values[as_of]));
  EXPECT_THAT(headcount->note, HasSubstr("no actuals"));
}

TEST(CompareChart, AVariantOutOfStepWithTheBaseIsAClearError) {
  v1::CompareReply reply = Comparison();
  reply.mutable_variants(0)->mutable_difference(0)->mutable_months()->RemoveLast();
  EXPECT_THAT(CompareChart(reply, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("variant hire has 5 months of revenue")));
  EXPECT_THAT(CompareChart(v1::CompareReply(), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("base scenario's reply has no metrics")));
}

// A backtest reply over `horizon` months for revenue and backlog; revenue's last horizon month
// was reached by no forecast.
v1::BacktestReply Backtest(int horizon = 4) {
  v1::BacktestReply reply;
  reply.add_as_of("2025-07-31");
  reply.add_as_of("2025-10-31");
  for (const char* name : {"revenue", "backlog"}) {
    v1::BacktestScore* overall = reply.add_overall();
    overall->set_metric_name(name);  // the name alone, as a server older than the enum sends it
    overall->set_forecasts(2);
    for (int64_t n : {1, 0, 2, 1, 1, 0, 1, 1, 0, 1}) overall->add_pit(n);
    for (int m = 1; m <= horizon; ++m) {
      v1::BacktestScore* cell = reply.add_cells();
      cell->set_metric_name(name);
      cell->set_horizon_month(m);
      const bool unreached = std::string(name) == "revenue" && m == horizon;
      cell->set_forecasts(unreached ? 0 : 2);
      cell->set_coverage_80(unreached ? 0 : 0.5 + 0.1 * m);
      cell->set_coverage_50(unreached ? 0 : 0.5);
    }
  }
  return reply;
}

TEST(BacktestChart, HasCoverageAndPitPanelsPerMetric) {
  auto chart = BacktestChart(Backtest(), {"backlog", "revenue"});
  ASSERT_THAT(chart.status(), IsOk());
  ASSERT_EQ(chart->panels.size(), 4u);
  std::vector<std::string> metrics, titles;
  for (const Panel& p : chart->panels) metrics.push_back(p.metric), titles.push_back(p.title);
  EXPECT_THAT(metrics, ElementsAre("backlog", "backlog", "revenue", "revenue"));
  EXPECT_THAT(titles, ElementsAre("Backlog: coverage by horizon month", "Backlog: PIT histogram",
                                  "Revenue: coverage by horizon month", "Revenue: PIT histogram"));

  const Panel& coverage = chart->panels[2];
  EXPECT_THAT(coverage.categories, ElementsAre("1", "2", "3", "4"));
  EXPECT_EQ(coverage.unit, Unit::kShare);
  ASSERT_EQ(coverage.lines.size(), 2u);
  const PlotLine* outer = FindLine(coverage, "P10-P90 coverage");
  ASSERT_NE(outer, nullptr);
  ASSERT_EQ(outer->values.size(), 4u);
  EXPECT_DOUBLE_EQ(outer->values[0], 0.6);
  EXPECT_TRUE(std::isnan(outer->values[3]));  // no forecast reached it: a gap, not 0%
  EXPECT_EQ(Finite(FindLine(coverage, "P25-P75 coverage")->values), 3);
  EXPECT_EQ(Finite(FindLine(chart->panels[0], "P25-P75 coverage")->values), 4);
  ASSERT_EQ(coverage.references.size(), 2u);
  EXPECT_EQ(coverage.references[0].low, 0.7);
  EXPECT_EQ(coverage.references[0].high, 0.9);
  EXPECT_EQ(coverage.references[1].low, 0.4);
  EXPECT_EQ(coverage.references[1].high, 0.6);

  const Panel& pit = chart->panels[3];
  ASSERT_EQ(pit.bars.size(), 1u);
  ASSERT_EQ(pit.bars[0].values.size(), 10u);
  EXPECT_EQ(pit.categories.size(), 10u);
  double total = 0;
  for (double v : pit.bars[0].values) total += v;
  EXPECT_DOUBLE_EQ(total, 1);
  EXPECT_DOUBLE_EQ(pit.bars[0].values[2], 0.25);
  ASSERT_EQ(pit.references.size(), 1u);
  EXPECT_EQ(pit.references[0].low, 0.1);
  EXPECT_EQ(pit.references[0].high, 0.1);
  EXPECT_THAT(pit.note, HasSubstr("8 forecast months scored"));

  const std::string svg = RenderSvg(*chart);
  auto count = [&](const std::string& what) {
    int n = 0;
    for (size_t at = svg.find(what); at != std::string::npos; at = svg.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<rect class=\"bar\""), 20);
  EXPECT_EQ(count("<rect class=\"reference\" data-name=\"P10-P90 target 70-90%\""), 2);
  EXPECT_EQ(count("<rect class=\"reference\" data-name=\"P25-P75 target 40-60%\""), 2);
  EXPECT_EQ(count("<line class=\"reference\""), 2);
  EXPECT_EQ(count("<circle class=\"point\" data-name=\"P10-P90 coverage\""), 4 + 3);
}

TEST(BacktestChart, DefaultsToEveryScoredMetric) {
  auto chart = BacktestChart(Backtest(1), {});
  ASSERT_THAT(chart.status(), IsOk());
  ASSERT_EQ(chart->panels.size(), 4u);
  EXPECT_EQ(chart->panels[0].metric, "revenue");
  EXPECT_EQ(chart->panels[2].metric, "backlog");
  EXPECT_THAT(chart->panels[2].categories, ElementsAre("1"));
}

TEST(BacktestChart, AReplyThatCannotBeChartedIsAClearError) {
  EXPECT_THAT(BacktestChart(v1::BacktestReply(), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no scores to chart")));
  EXPECT_THAT(BacktestChart(Backtest(), {"headcount"}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no scores of headcount (it scored revenue, backlog)")));
  v1::BacktestReply nine_bins = Backtest();
  nine_bins.mutable_overall(1)->mutable_pit()->RemoveLast();
  EXPECT_THAT(BacktestChart(nine_bins, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("PIT of backlog has 9 bins, expected 10")));
  v1::BacktestReply nothing_scored = Backtest();
  nothing_scored.mutable_overall(0)->clear_pit();
  for (int b = 0; b < 10; ++b) nothing_scored.mutable_overall(0)->add_pit(0);
  EXPECT_THAT(BacktestChart(nothing_scored, {"revenue"}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("scored no month of revenue")));
}

TEST(PlotFlags, RefuseAMetricTheChartCannotShow) {
  Args args;
  args.flags["plot-metrics"] = "revenue,headcount";
  EXPECT_THAT(ParsePlotFlags(args).status(), IsOk());
  EXPECT_THAT(ParsePlotFlags(args, {"revenue", "backlog"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--plot-metrics: headcount"), HasSubstr("choose from revenue, backlog"))));
}

}  // namespace
}  // namespace forecastle::cli
