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
  Panel revenue{"revenue", Unit::kMoney, {PlotBand{"P10-P90", "#0072B2", {gap, gap, 90, 95}, {gap, gap, 110, 120}}},
                {PlotLine{"actual", "#222", {100, 105, gap, gap}, false}, PlotLine{"P50", "#0072B2", {gap, gap, 100, 107}, false}}};
  Panel utilization{"utilization", Unit::kShare, {}, {PlotLine{"P50", "#0072B2", {0.5, 0.75, 0.8, 1.0}, false}}};
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

}  // namespace
}  // namespace forecastle::cli
