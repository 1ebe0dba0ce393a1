// Charts people can look at: self-contained SVG (no scripts, no network, no web fonts) of small
// panels, one per metric, each with month labels on x and compact values on y (1.2M, 350k).
// A panel holds lines (history, P50), bands (P10-P90), bars (a histogram) and reference levels
// (targets); a value that is NaN is a gap, so history and forecast share one month axis, marked
// by a vertical line at the as-of.
#ifndef FORECASTLE_CLIENT_CLI_PLOT_H_
#define FORECASTLE_CLIENT_CLI_PLOT_H_

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace forecastle::cli {

// What a panel's values measure: how the y axis formats them.
enum class Unit { kMoney, kHours, kPeople, kShare };

struct PlotLine {
  std::string name;            // legend text, e.g. "actual", "P50 base"
  std::string color;           // CSS color
  std::vector<double> values;  // one per x position (month); NaN = no value
  bool dashed = false;
  bool markers = false;        // a dot at each value (<circle class="point">), for few points
};

struct PlotBand {
  std::string name;            // legend text, e.g. "P10-P90 base"
  std::string color;
  std::vector<double> low, high;  // one per month; NaN = no band that month
};

// One bar per x position (a histogram's bins); NaN = no bar.
struct PlotBars {
  std::string name;
  std::string color;
  std::vector<double> values;
};

// A level across the whole panel: a shaded band from low to high (a target range), or a line
// when low == high (a reference value).
struct Reference {
  std::string name;
  std::string color;
  double low = 0, high = 0;
};

struct Panel {
  std::string title;           // in words with its unit, e.g. "Revenue per month (currency units)"
  Unit unit = Unit::kMoney;
  std::vector<PlotBand> bands;  // drawn first, translucent
  std::vector<PlotLine> lines;
  bool zero_line = false;      // a reference line at 0 (differences)
  std::string metric;          // the metric shown (data-metric), for tools; "" = none
  std::string note;            // a line under the title, e.g. what the panel lacks and why
  std::vector<PlotBars> bars;  // with bars, x positions are the centres of equal slots
  std::vector<Reference> references;
  // The panel's own x axis (e.g. horizon months, histogram bins); empty = the chart's months.
  std::vector<std::string> categories;
  std::string x_title;         // under the x labels, e.g. "horizon month"; "" = none
  // Fixed y range ends (widened if the data go beyond); NaN = from the data.
  double y_min = std::numeric_limits<double>::quiet_NaN();
  double y_max = std::numeric_limits<double>::quiet_NaN();
};

// A vertical line at one month of the chart's axis, with its label (the as-of).
struct Marker {
  size_t month = 0;            // index into Chart::months
  std::string label;           // e.g. "as of 2026-10-31"
};

struct Chart {
  std::string title;
  std::string subtitle;
  std::vector<std::string> months;  // "YYYY-MM", the x axis of panels without categories
  std::optional<Marker> as_of;      // drawn on every panel that uses `months`
  std::vector<Panel> panels;
  int columns = 3;
};

// The SVG document. Panels are <g class="panel" data-title="..." data-metric="...">, bands
// <path class="band">, lines <path class="line">, bars <rect class="bar">, references
// <rect|line class="reference">, the as-of <line class="as-of" data-month="...">: tests and tools
// can count and place them (every element of a series carries data-name).
std::string RenderSvg(const Chart& chart);

// 1234567 -> "1.2M", 350000 -> "350k", 999 -> "999", -4500 -> "-4.5k", 0.25 -> "0.25".
std::string CompactNumber(double value);
// Round tick values covering [low, high]: about `target` steps of 1, 2 or 5 x 10^k, always
// including the first tick at or below low and the last at or above high.
std::vector<double> NiceTicks(double low, double high, int target);
// "2026-11" -> "Nov 2026".
std::string MonthLabel(const std::string& month);
// Writes `contents` to `path` through a temporary file and a rename, so a viewer never sees half a
// chart. Returns "" or an error naming the path.
std::string WriteFile(const std::string& path, const std::string& contents);

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_PLOT_H_
