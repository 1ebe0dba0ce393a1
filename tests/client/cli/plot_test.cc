// The chart renderer on its own: compact money labels, round ticks, month labels, and an SVG whose
// panels, bands and lines are the ones asked for, with gaps where values are missing.
#include "client/cli/plot.h"

#include <cmath>
#include <limits>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace forecastle::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Plot, CompactNumbersReadLikeAFinanceSlide) {
  EXPECT_EQ(CompactNumber(1234567), "1.2M");
  EXPECT_EQ(CompactNumber(350000), "350k");
  EXPECT_EQ(CompactNumber(1000000), "1M");
  EXPECT_EQ(CompactNumber(2500000000), "2.5B");
  EXPECT_EQ(CompactNumber(999), "999");
  EXPECT_EQ(CompactNumber(-4500), "-4.5k");
  EXPECT_EQ(CompactNumber(0), "0");
  EXPECT_EQ(CompactNumber(0.25), "0.25");
  EXPECT_EQ(CompactNumber(999999), "1M");  // rounds up into the next unit, not "1000k"
  EXPECT_EQ(CompactNumber(std::nan("")), "n/a");
}

TEST(Plot, TicksAreRoundAndCoverTheRange) {
  EXPECT_THAT(NiceTicks(0, 1000, 4), ElementsAre(0, 500, 1000));
  EXPECT_THAT(NiceTicks(1.1e6, 2.3e6, 4), ElementsAre(1e6, 1.5e6, 2e6, 2.5e6));
  EXPECT_THAT(NiceTicks(-30, 70, 4), ElementsAre(-50, 0, 50, 100));
  EXPECT_THAT(NiceTicks(5, 5, 4), ElementsAre(5));
}

TEST(Plot, MonthLabelsAreWords) {
  EXPECT_EQ(MonthLabel("2026-11"), "Nov 2026");
  EXPECT_EQ(MonthLabel("2026-01"), "Jan 2026");
  EXPECT_EQ(MonthLabel("2026-Q1"), "2026-Q1");  // quarters and years stay as they are
}

TEST(Plot, SvgHasOnePanelPerMetricWithItsBandsAndLines) {
  const double gap = std::numeric_limits<double>::quiet_NaN();
  Chart chart;
  chart.title = "R&D <test>";
  chart.months = {"2026-09", "2026-10", "2026-11", "2026-12"};
  Panel revenue;
  revenue.title = "revenue";
  revenue.bands = {PlotBand{"P10-P90", "#0072B2", {gap, gap, 90, 95}, {gap, gap, 110, 120}}};
  revenue.lines = {PlotLine{"actual", "#222", {100, 105, gap, gap}}, PlotLine{"P50", "#0072B2", {gap, gap, 100, 107}}};
  Panel utilization;
  utilization.title = "utilization";
  utilization.unit = Unit::kShare;
  utilization.lines = {PlotLine{"P50", "#0072B2", {0.5, 0.75, 0.8, 1.0}}};
  chart.panels = {revenue, utilization};
  const std::string svg = RenderSvg(chart);
  EXPECT_EQ(Count(svg, "<g class=\"panel\""), 2);
  EXPECT_EQ(Count(svg, "<path class=\"band\""), 1);
  EXPECT_EQ(Count(svg, "<path class=\"line\""), 3);
  EXPECT_THAT(svg, HasSubstr("R&amp;D &lt;test&gt;"));  // escaped
  EXPECT_THAT(svg, HasSubstr(">Nov 2026<"));
  EXPECT_THAT(svg, HasSubstr(">100%<"));               // shares as percentages
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
  EXPECT_THAT(svg, Not(HasSubstr("http://www.w3.org/1999/xlink")));
  // The history line stops where the forecast starts: one move-to, one line-to, nothing after.
  const std::regex actual("data-name=\"actual\" d=\"M[0-9.]+,[0-9.]+L[0-9.]+,[0-9.]+\"");
  EXPECT_TRUE(std::regex_search(svg, actual)) << svg;
  // The band is one closed shape over the two forecast months: up along P90, back along P10.
  const std::regex band("class=\"band\" data-name=\"P10-P90\" d=\"M[^MZ]*Z\"");
  EXPECT_TRUE(std::regex_search(svg, band)) << svg;
  // Nothing the browser would fetch.
  EXPECT_THAT(svg, Not(HasSubstr("href")));
  EXPECT_THAT(svg, Not(HasSubstr("@import")));
}

// The x of the first and last points of the path named `name`, from its d attribute.
struct Ends {
  double first_x = -1, first_y = -1, last_x = -1, last_y = -1;
};
Ends PathEnds(const std::string& svg, const std::string& kind, const std::string& name) {
  const std::regex path("class=\"" + kind + "\" data-name=\"" + name + "\" d=\"([^\"]*)\"");
  std::smatch match;
  Ends ends;
  if (!std::regex_search(svg, match, path)) return ends;
  const std::string d = match[1];
  const std::regex point("[ML]([0-9.]+),([0-9.]+)");
  for (auto it = std::sregex_iterator(d.begin(), d.end(), point); it != std::sregex_iterator(); ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    if (ends.first_x < 0) ends.first_x = x, ends.first_y = y;
    ends.last_x = x, ends.last_y = y;
  }
  return ends;
}

double AsOfX(const std::string& svg, const std::string& month) {
  const std::regex line("class=\"as-of\" data-month=\"" + month + "\" x1=\"([0-9.]+)\" x2=\"([0-9.]+)\"");
  std::smatch match;
  if (!std::regex_search(svg, match, line) || match[1] != match[2]) return -1;  // vertical
  return std::stod(match[1]);
}

TEST(Plot, AsOfLineStandsAtItsMonthOnEveryMonthPanel) {
  const double gap = std::numeric_limits<double>::quiet_NaN();
  Chart chart;
  chart.months = {"2026-08", "2026-09", "2026-10", "2026-11", "2026-12"};
  chart.as_of = Marker{2, "as of 2026-10-31"};
  Panel money;
  money.title = "Revenue per month (currency units)";
  money.metric = "revenue";
  money.lines = {PlotLine{"actual", "#222", {1, 2, 3, gap, gap}}, PlotLine{"P50", "#00f", {gap, gap, 3, 4, 5}}};
  Panel bins;  // its own axis: no as-of there
  bins.categories = {"a", "b"};
  bins.lines = {PlotLine{"share", "#00f", {0.1, 0.2}}};
  chart.panels = {money, bins};
  const std::string svg = RenderSvg(chart);
  EXPECT_EQ(Count(svg, "class=\"as-of\""), 1);
  EXPECT_THAT(svg, HasSubstr(">as of 2026-10-31</text>"));
  EXPECT_THAT(svg, HasSubstr("data-metric=\"revenue\""));
  const Ends actual = PathEnds(svg, "line", "actual"), median = PathEnds(svg, "line", "P50");
  ASSERT_GT(actual.last_x, 0) << svg;
  EXPECT_DOUBLE_EQ(AsOfX(svg, "2026-10"), actual.last_x);  // the line goes through the last actual
  EXPECT_DOUBLE_EQ(median.first_x, actual.last_x);         // and the forecast starts there
  EXPECT_DOUBLE_EQ(median.first_y, actual.last_y);
  // Moved one month, the line moves with it.
  chart.as_of = Marker{3, "as of 2026-11-30"};
  EXPECT_GT(AsOfX(RenderSvg(chart), "2026-11"), actual.last_x);
}

TEST(Plot, BarsReferencesPointsAndNotesAreDrawnAndCountable) {
  Chart chart;
  Panel panel;
  panel.title = "Revenue: PIT histogram";
  panel.note = "12 forecast months scored";
  panel.unit = Unit::kShare;
  panel.categories = {"0-10", "10-20", "20-30", "30-40"};
  panel.x_title = "share of paths below the actual (%)";
  panel.bars = {PlotBars{"PIT", "#009E73", {0.1, std::nan(""), 0.4, 0.5}}};
  panel.references = {Reference{"target 70-90%", "#0072B2", 0.7, 0.9}, Reference{"flat 10%", "#444", 0.1, 0.1}};
  panel.lines = {PlotLine{"coverage", "#0072B2", {0.2, 0.3, std::nan(""), 0.5}, false, true}};
  panel.y_min = 0;
  panel.y_max = 1;
  chart.panels = {panel};
  const std::string svg = RenderSvg(chart);
  EXPECT_EQ(Count(svg, "<rect class=\"bar\""), 3);  // no bar for NaN
  EXPECT_EQ(Count(svg, "<rect class=\"reference\" data-name=\"target 70-90%\""), 1);
  EXPECT_EQ(Count(svg, "<line class=\"reference\" data-name=\"flat 10%\""), 1);
  EXPECT_EQ(Count(svg, "<circle class=\"point\" data-name=\"coverage\""), 3);
  EXPECT_THAT(svg, HasSubstr(">12 forecast months scored</text>"));
  EXPECT_THAT(svg, HasSubstr(">share of paths below the actual (%)</text>"));
  EXPECT_THAT(svg, HasSubstr(">100%<"));  // the fixed range's top
  EXPECT_THAT(svg, HasSubstr(">30-40<"));
  EXPECT_EQ(Count(svg, "class=\"as-of\""), 0);
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
}

TEST(Plot, OnlyATitleTooWideForItsPanelIsSqueezed) {
  Chart chart;
  Panel fits, too_wide;
  fits.title = "Accounts receivable at month end (currency units)";
  too_wide.title = std::string(120, 'x');
  chart.panels = {fits, too_wide};
  const std::string svg = RenderSvg(chart);
  EXPECT_EQ(Count(svg, "textLength"), 1) << svg;
}

}  // namespace
}  // namespace forecastle::cli
