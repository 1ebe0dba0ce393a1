// Charts people can look at: self-contained SVG (no scripts, no network, no web fonts) of small
// panels, one per metric, each with month labels on x and compact values on y (1.2M, 350k).
// A panel holds lines (history, P50) and bands (P10-P90); a value that is NaN is a gap, so
// history and forecast share one month axis.
#ifndef FORECASTLE_CLIENT_CLI_PLOT_H_
#define FORECASTLE_CLIENT_CLI_PLOT_H_

#include <string>
#include <vector>

namespace forecastle::cli {

// What a panel's values measure: how the y axis formats them.
enum class Unit { kMoney, kHours, kPeople, kShare };

struct PlotLine {
  std::string name;            // legend text, e.g. "actual", "P50 base"
  std::string color;           // CSS color
  std::vector<double> values;  // one per month; NaN = no value
  bool dashed = false;
};

struct PlotBand {
  std::string name;            // legend text, e.g. "P10-P90 base"
  std::string color;
  std::vector<double> low, high;  // one per month; NaN = no band that month
};

struct Panel {
  std::string title;           // e.g. "revenue"
  Unit unit = Unit::kMoney;
  std::vector<PlotBand> bands;  // drawn first, translucent
  std::vector<PlotLine> lines;
  bool zero_line = false;      // a reference line at 0 (differences)
};

struct Chart {
  std::string title;
  std::string subtitle;
  std::vector<std::string> months;  // "YYYY-MM", the shared x axis
  std::vector<Panel> panels;
  int columns = 3;
};

// The SVG document. Panels are <g class="panel" data-title="...">, bands <path class="band">,
// lines <path class="line">: tests and tools can count them.
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
