#include "client/cli/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace forecastle::cli {
namespace {

constexpr double kPanelWidth = 400, kPanelHeight = 256;
constexpr double kLeft = 58, kRight = 14, kTop = 46, kBottom = 42;
constexpr double kLegendTop = 56, kLegendRow = 15;

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string Coord(double v) { return absl::StrFormat("%.1f", v); }

std::string AxisLabel(double value, Unit unit) {
  if (unit == Unit::kShare) return absl::StrFormat("%.0f%%", value * 100);
  return CompactNumber(value);
}

// About how wide `text` is at `font_size` in DejaVu Sans (measured on mixed-case titles: 0.58 em
// a character in bold): enough to lay out legends and to squeeze only a title that would
// clearly overflow its panel.
double TextWidth(const std::string& text, double font_size, bool bold = false) {
  return static_cast<double>(text.size()) * font_size * (bold ? 0.6 : 0.56);
}

// A text element; squeezed to `max_width` (textLength) when it would be wider.
std::string Text(double x, double y, const std::string& text, const std::string& attributes, double font_size,
                 double max_width, bool bold = false) {
  std::string fit;
  if (TextWidth(text, font_size, bold) > max_width) {
    fit = absl::StrCat(" textLength=\"", Coord(max_width), "\" lengthAdjust=\"spacingAndGlyphs\"");
  }
  return absl::StrCat("<text x=\"", Coord(x), "\" y=\"", Coord(y), "\" font-size=\"", font_size, "\"",
                      bold ? " font-weight=\"bold\"" : "", fit, " ", attributes, ">", Escape(text), "</text>\n");
}

// The panel's value range: every finite value of its lines, bands, bars (from 0) and references
// (and 0 for a zero line), within its fixed ends when it has them.
std::pair<double, double> Range(const Panel& panel) {
  double low = std::numeric_limits<double>::infinity(), high = -low;
  auto take = [&](double v) {
    if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  };
  for (const PlotLine& line : panel.lines) for (double v : line.values) take(v);
  for (const PlotBand& band : panel.bands) {
    for (double v : band.low) take(v);
    for (double v : band.high) take(v);
  }
  for (const PlotBars& bars : panel.bars) {
    take(0);
    for (double v : bars.values) take(v);
  }
  for (const Reference& r : panel.references) take(r.low), take(r.high);
  if (panel.zero_line) take(0);
  take(panel.y_min);
  take(panel.y_max);
  if (!std::isfinite(low)) return {0, 1};
  if (low == high) {
    const double pad = low == 0 ? 1 : std::fabs(low) * 0.1;
    return {low - pad, high + pad};
  }
  return {low, high};
}

// Where a panel's values go on the page.
struct Frame {
  double left = 0, top = 0, width = 0, height = 0;  // the plot area
  size_t count = 0;        // x positions
  bool slots = false;      // x positions at the centres of `count` equal slots (bars)
  double low = 0, high = 1;  // the y range

  double X(size_t i) const {
    const double at = static_cast<double>(i);
    if (slots) return left + width * (at + 0.5) / static_cast<double>(count);
    return left + (count <= 1 ? width / 2 : width * at / static_cast<double>(count - 1));
  }
  double Y(double v) const { return top + height * (1 - (v - low) / (high - low)); }
  double Right() const { return left + width; }
  double Bottom() const { return top + height; }
};

// The legend: each distinct (name, color) once, in first-seen order, wrapped to `width`. Sets
// `bottom` to the y below it.
std::string LegendSvg(const Chart& chart, double width, double* bottom) {
  enum class Swatch { kLine, kBand, kDashed };
  struct Entry {
    std::string name, color;
    Swatch swatch;
  };
  std::vector<Entry> legend;
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](const std::string& name, const std::string& color, Swatch swatch) {
    if (seen.insert({name, color}).second) legend.push_back({name, color, swatch});
  };
  for (const Panel& panel : chart.panels) {
    for (const Reference& r : panel.references) add(r.name, r.color, r.low == r.high ? Swatch::kDashed : Swatch::kBand);
    for (const PlotBand& band : panel.bands) add(band.name, band.color, Swatch::kBand);
    for (const PlotBars& bars : panel.bars) add(bars.name, bars.color, Swatch::kBand);
    for (const PlotLine& line : panel.lines) add(line.name, line.color, line.dashed ? Swatch::kDashed : Swatch::kLine);
  }
  std::string svg = "<g class=\"legend\">\n";
  double x = 16, y = kLegendTop;
  for (const auto& [name, color, swatch] : legend) {
    const double entry = 30 + TextWidth(name, 11);
    if (x > 16 && x + entry > width - 10) x = 16, y += kLegendRow;
    if (swatch == Swatch::kBand) {
      absl::StrAppend(&svg, "<rect x=\"", Coord(x), "\" y=\"", Coord(y), "\" width=\"14\" height=\"10\" fill=\"",
                      Escape(color), "\" fill-opacity=\"0.3\"/>");
    } else {
      absl::StrAppend(&svg, "<line x1=\"", Coord(x), "\" x2=\"", Coord(x + 14), "\" y1=\"", Coord(y + 5), "\" y2=\"",
                      Coord(y + 5), "\" stroke=\"", Escape(color), "\" stroke-width=\"2\"",
                      swatch == Swatch::kDashed ? " stroke-dasharray=\"4,2\"" : "", "/>");
    }
    absl::StrAppend(&svg, Text(x + 18, y + 9, name, "fill=\"#333\"", 11, 1e9));
    x += entry;
  }
  absl::StrAppend(&svg, "</g>\n");
  *bottom = y + kLegendRow + 8;
  return svg;
}

// Grid lines with y labels, x labels (as many as fit), the frame and the x title.
std::string AxesSvg(const Panel& panel, const std::vector<std::string>& x_labels, const std::vector<double>& ticks,
                    const Frame& f) {
  std::string svg;
  for (double t : ticks) {
    absl::StrAppend(&svg, "<line x1=\"", Coord(f.left), "\" x2=\"", Coord(f.Right()), "\" y1=\"", Coord(f.Y(t)),
                    "\" y2=\"", Coord(f.Y(t)), "\" stroke=\"#e4e4e4\"/>");
    absl::StrAppend(&svg, Text(f.left - 6, f.Y(t) + 4, AxisLabel(t, panel.unit), "text-anchor=\"end\" fill=\"#555\"",
                               11, 1e9));
  }
  size_t widest = 1;
  for (const std::string& label : x_labels) widest = std::max(widest, label.size());
  const size_t fit = std::max<size_t>(1, static_cast<size_t>(f.width / (static_cast<double>(widest) * 6.6 + 8)));
  const size_t step = std::max<size_t>(1, (x_labels.size() + fit - 1) / fit);
  for (size_t i = 0; i < x_labels.size(); i += step) {
    absl::StrAppend(&svg, "<line x1=\"", Coord(f.X(i)), "\" x2=\"", Coord(f.X(i)), "\" y1=\"", Coord(f.Bottom()),
                    "\" y2=\"", Coord(f.Bottom() + 4), "\" stroke=\"#888\"/>");
    absl::StrAppend(&svg, Text(f.X(i), f.Bottom() + 16, x_labels[i], "text-anchor=\"middle\" fill=\"#555\"", 11, 1e9));
  }
  if (!panel.x_title.empty()) {
    absl::StrAppend(&svg, Text(f.left + f.width / 2, f.Bottom() + 31, panel.x_title,
                               "text-anchor=\"middle\" fill=\"#555\"", 10, f.width));
  }
  absl::StrAppend(&svg, "<rect x=\"", Coord(f.left), "\" y=\"", Coord(f.top), "\" width=\"", Coord(f.width),
                  "\" height=\"", Coord(f.height), "\" fill=\"none\" stroke=\"#bbb\"/>\n");
  return svg;
}

std::string ReferencesSvg(const Panel& panel, const Frame& f) {
  std::string svg;
  for (const Reference& r : panel.references) {
    const double top = f.Y(std::max(r.low, r.high)), bottom = f.Y(std::min(r.low, r.high));
    if (r.low == r.high) {
      absl::StrAppend(&svg, "<line class=\"reference\" data-name=\"", Escape(r.name), "\" x1=\"", Coord(f.left),
                      "\" x2=\"", Coord(f.Right()), "\" y1=\"", Coord(top), "\" y2=\"", Coord(top), "\" stroke=\"",
                      Escape(r.color), "\" stroke-width=\"1.5\" stroke-dasharray=\"4,2\"/>\n");
    } else {
      absl::StrAppend(&svg, "<rect class=\"reference\" data-name=\"", Escape(r.name), "\" x=\"", Coord(f.left),
                      "\" y=\"", Coord(top), "\" width=\"", Coord(f.width), "\" height=\"", Coord(bottom - top),
                      "\" fill=\"", Escape(r.color), "\" fill-opacity=\"0.15\"/>\n");
    }
  }
  return svg;
}

// Each band as closed shapes over its runs of months with both ends: up along the high values,
// back along the low.
std::string BandsSvg(const Panel& panel, const Frame& f) {
  std::string svg;
  for (const PlotBand& band : panel.bands) {
    std::string d;
    size_t i = 0;
    const size_t count = std::min({f.count, band.low.size(), band.high.size()});
    while (i < count) {
      if (!std::isfinite(band.low[i]) || !std::isfinite(band.high[i])) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < count && std::isfinite(band.low[end]) && std::isfinite(band.high[end])) ++end;
      for (size_t k = i; k < end; ++k) absl::StrAppend(&d, k == i ? "M" : "L", Coord(f.X(k)), ",", Coord(f.Y(band.high[k])));
      for (size_t k = end; k-- > i;) absl::StrAppend(&d, "L", Coord(f.X(k)), ",", Coord(f.Y(band.low[k])));
      absl::StrAppend(&d, "Z");
      i = end;
    }
    absl::StrAppend(&svg, "<path class=\"band\" data-name=\"", Escape(band.name), "\" d=\"", d, "\" fill=\"",
                    Escape(band.color), "\" fill-opacity=\"0.25\" stroke=\"none\"/>\n");
  }
  return svg;
}

std::string BarsSvg(const Panel& panel, const Frame& f) {
  std::string svg;
  const double slot = f.width / static_cast<double>(std::max<size_t>(1, f.count));
  const double width = slot * 0.8 / static_cast<double>(std::max<size_t>(1, panel.bars.size()));
  const double base = f.Y(std::clamp(0.0, f.low, f.high));
  for (size_t b = 0; b < panel.bars.size(); ++b) {
    const PlotBars& bars = panel.bars[b];
    for (size_t i = 0; i < std::min(f.count, bars.values.size()); ++i) {
      if (!std::isfinite(bars.values[i])) continue;
      const double left = f.X(i) - slot * 0.4 + width * static_cast<double>(b), top = f.Y(bars.values[i]);
      absl::StrAppend(&svg, "<rect class=\"bar\" data-name=\"", Escape(bars.name), "\" x=\"", Coord(left), "\" y=\"",
                      Coord(std::min(top, base)), "\" width=\"", Coord(width), "\" height=\"",
                      Coord(std::fabs(base - top)), "\" fill=\"", Escape(bars.color), "\" fill-opacity=\"0.7\"/>\n");
    }
  }
  return svg;
}

// The as-of: a dashed vertical line at its month, labelled on a white halo so lines do not hide it.
std::string MarkerSvg(const Marker& marker, const std::vector<std::string>& months, const Frame& f) {
  const std::string x = Coord(f.X(marker.month));
  // The label sits on the side with more room: right of the line, or left of it past the middle.
  const bool left_of_line = f.X(marker.month) > f.left + f.width / 2;
  return absl::StrCat("<line class=\"as-of\" data-month=\"", Escape(months[marker.month]), "\" x1=\"", x, "\" x2=\"",
                      x, "\" y1=\"", Coord(f.top), "\" y2=\"", Coord(f.Bottom()),
                      "\" stroke=\"#444\" stroke-width=\"1.2\" stroke-dasharray=\"5,3\"/>\n",
                      Text(f.X(marker.month) + (left_of_line ? -4 : 4), f.top + 11, marker.label,
                           absl::StrCat("class=\"as-of-label\" text-anchor=\"", left_of_line ? "end" : "start",
                                        "\" fill=\"#333\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\""),
                           10, 1e9));
}

std::string LinesSvg(const Panel& panel, const Frame& f) {
  std::string svg;
  for (const PlotLine& line : panel.lines) {
    std::string d, points;
    bool pen_down = false;
    for (size_t i = 0; i < std::min(f.count, line.values.size()); ++i) {
      if (!std::isfinite(line.values[i])) {
        pen_down = false;
        continue;
      }
      absl::StrAppend(&d, pen_down ? "L" : "M", Coord(f.X(i)), ",", Coord(f.Y(line.values[i])));
      pen_down = true;
      if (line.markers) {
        absl::StrAppend(&points, "<circle class=\"point\" data-name=\"", Escape(line.name), "\" cx=\"", Coord(f.X(i)),
                        "\" cy=\"", Coord(f.Y(line.values[i])), "\" r=\"2.6\" fill=\"", Escape(line.color), "\"/>");
      }
    }
    absl::StrAppend(&svg, "<path class=\"line\" data-name=\"", Escape(line.name), "\" d=\"", d,
                    "\" fill=\"none\" stroke=\"", Escape(line.color), "\" stroke-width=\"1.8\"",
                    line.dashed ? " stroke-dasharray=\"5,3\"" : "", "/>\n", points, points.empty() ? "" : "\n");
  }
  return svg;
}

// One panel whose top-left corner is (ox, oy).
std::string PanelSvg(const Chart& chart, const Panel& panel, double ox, double oy) {
  const bool own_axis = !panel.categories.empty();
  const std::vector<std::string>& x_labels = own_axis ? panel.categories : chart.months;
  const auto [data_low, data_high] = Range(panel);
  const std::vector<double> ticks = NiceTicks(data_low, data_high, std::isfinite(panel.y_max) ? 5 : 4);
  Frame f;
  f.left = ox + kLeft;
  f.top = oy + kTop;
  f.width = kPanelWidth - kLeft - kRight;
  f.height = kPanelHeight - kTop - kBottom;
  f.count = x_labels.size();
  f.slots = !panel.bars.empty();
  f.low = ticks.front();
  f.high = std::max(ticks.back(), f.low + 1e-12);

  std::vector<std::string> labels;
  for (const std::string& label : x_labels) labels.push_back(own_axis ? label : MonthLabel(label));
  std::string svg = absl::StrCat("<g class=\"panel\" data-title=\"", Escape(panel.title), "\" data-metric=\"",
                                 Escape(panel.metric), "\">\n");
  absl::StrAppend(&svg, Text(ox + 8, oy + 17, panel.title, "class=\"title\" fill=\"#222\"", 12,
                             kPanelWidth - 16, true));
  if (!panel.note.empty()) {
    absl::StrAppend(&svg, Text(ox + 8, oy + 31, panel.note, "class=\"note\" fill=\"#777\" font-style=\"italic\"", 10,
                               kPanelWidth - 16));
  }
  absl::StrAppend(&svg, AxesSvg(panel, labels, ticks, f), ReferencesSvg(panel, f));
  if (panel.zero_line && f.low < 0 && f.high > 0) {
    absl::StrAppend(&svg, "<line x1=\"", Coord(f.left), "\" x2=\"", Coord(f.Right()), "\" y1=\"", Coord(f.Y(0)),
                    "\" y2=\"", Coord(f.Y(0)), "\" stroke=\"#444\" stroke-dasharray=\"2,2\"/>\n");
  }
  absl::StrAppend(&svg, BandsSvg(panel, f), BarsSvg(panel, f));
  if (!own_axis && chart.as_of && chart.as_of->month < chart.months.size()) {
    absl::StrAppend(&svg, MarkerSvg(*chart.as_of, chart.months, f));
  }
  absl::StrAppend(&svg, LinesSvg(panel, f), "</g>\n");
  return svg;
}

}  // namespace

std::string CompactNumber(double value) {
  if (!std::isfinite(value)) return "n/a";
  const double magnitude = std::fabs(value);
  const char* sign = value < 0 ? "-" : "";
  struct Scale {
    double size;
    const char* suffix;
  };
  for (const Scale scale : {Scale{1e12, "T"}, Scale{1e9, "B"}, Scale{1e6, "M"}, Scale{1e3, "k"}}) {
    if (magnitude >= scale.size * 0.9995) {
      const double scaled = magnitude / scale.size;
      // One decimal below 10 (1.2M), none from 10 on (350k); a trailing ".0" is dropped.
      std::string digits = scaled < 9.95 ? absl::StrFormat("%.1f", scaled) : absl::StrFormat("%.0f", scaled);
      if (digits.size() > 2 && digits.substr(digits.size() - 2) == ".0") digits.resize(digits.size() - 2);
      return absl::StrCat(sign, digits, scale.suffix);
    }
  }
  if (magnitude >= 10 || magnitude == 0) return absl::StrCat(sign, absl::StrFormat("%.0f", magnitude));
  std::string digits = absl::StrFormat("%.2f", magnitude);
  while (digits.back() == '0') digits.pop_back();
  if (digits.back() == '.') digits.pop_back();
  return absl::StrCat(sign, digits);
}

std::vector<double> NiceTicks(double low, double high, int target) {
  if (!(high > low)) return {low};
  const double raw = (high - low) / std::max(1, target);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power * 10;
  for (double m : {1.0, 2.0, 5.0}) {
    if (power * m >= raw) {
      step = power * m;
      break;
    }
  }
  std::vector<double> ticks;
  const double first = std::floor(low / step) * step;
  for (double t = first; t < high + step * 0.999 && ticks.size() < 50; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string MonthLabel(const std::string& month) {
  static constexpr const char* kNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int year = 0, m = 0;
  if (month.size() != 7 || std::sscanf(month.c_str(), "%4d-%2d", &year, &m) != 2 || m < 1 || m > 12) return month;
  return absl::StrCat(kNames[m - 1], " ", year);
}

std::string RenderSvg(const Chart& chart) {
  const int columns = std::max(1, chart.columns);
  const int rows = static_cast<int>((chart.panels.size() + static_cast<size_t>(columns) - 1) / static_cast<size_t>(columns));
  const double width = columns * kPanelWidth + 20;
  double header = 0;
  const std::string legend = LegendSvg(chart, width, &header);
  const double height = header + rows * kPanelHeight + 10;
  std::string svg = absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
      "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"11\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
      width, height, width, height);
  absl::StrAppend(&svg, Text(16, 26, chart.title, "fill=\"#222\"", 17, width - 32, true));
  absl::StrAppend(&svg, Text(16, 45, chart.subtitle, "fill=\"#555\"", 11, width - 32));
  absl::StrAppend(&svg, legend);
  for (size_t p = 0; p < chart.panels.size(); ++p) {
    const double ox = 10 + static_cast<double>(p % static_cast<size_t>(columns)) * kPanelWidth;
    const double oy = header + static_cast<double>(p / static_cast<size_t>(columns)) * kPanelHeight;
    absl::StrAppend(&svg, PanelSvg(chart, chart.panels[p], ox, oy));
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

std::string WriteFile(const std::string& path, const std::string& contents) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return absl::StrCat("--plot: cannot write \"", path, "\"");
    out << contents;
    if (!out.flush()) return absl::StrCat("--plot: cannot write \"", path, "\"");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return absl::StrCat("--plot: cannot write \"", path, "\"");
  }
  return "";
}

}  // namespace forecastle::cli
