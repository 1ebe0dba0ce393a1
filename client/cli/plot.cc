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

constexpr double kPanelWidth = 380, kPanelHeight = 230;
constexpr double kLeft = 58, kRight = 14, kTop = 30, kBottom = 34;
constexpr double kHeader = 78;

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

// The panel's value range: every finite value of its lines and bands (and 0 for a zero line).
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
  if (panel.zero_line) take(0);
  if (!std::isfinite(low)) return {0, 1};
  if (low == high) {
    const double pad = low == 0 ? 1 : std::fabs(low) * 0.1;
    return {low - pad, high + pad};
  }
  return {low, high};
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
  const double width = columns * kPanelWidth + 20, height = kHeader + rows * kPanelHeight + 10;
  std::string svg = absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
      "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"11\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
      width, height, width, height);
  absl::StrAppend(&svg, "<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\" fill=\"#222\">",
                  Escape(chart.title), "</text>\n");
  absl::StrAppend(&svg, "<text x=\"16\" y=\"45\" fill=\"#555\">", Escape(chart.subtitle), "</text>\n");

  // One legend for the whole chart: each distinct (name, color) once, in first-seen order.
  struct Entry {
    std::string name, color;
    bool band;
  };
  std::vector<Entry> legend;
  std::set<std::pair<std::string, std::string>> seen;
  for (const Panel& panel : chart.panels) {
    for (const PlotBand& band : panel.bands) {
      if (seen.insert({band.name, band.color}).second) legend.push_back({band.name, band.color, true});
    }
    for (const PlotLine& line : panel.lines) {
      if (seen.insert({line.name, line.color}).second) legend.push_back({line.name, line.color, false});
    }
  }
  absl::StrAppend(&svg, "<g class=\"legend\">\n");
  double lx = 16;
  for (const auto& [name, color, band] : legend) {
    absl::StrAppend(&svg, "<rect x=\"", Coord(lx), "\" y=\"56\" width=\"14\" height=\"", band ? "10" : "3",
                    "\" fill=\"", Escape(color), "\"", band ? " fill-opacity=\"0.3\"" : "", "/>");
    absl::StrAppend(&svg, "<text x=\"", Coord(lx + 18), "\" y=\"65\" fill=\"#333\">", Escape(name), "</text>\n");
    lx += 30 + 6.5 * static_cast<double>(name.size());
  }
  absl::StrAppend(&svg, "</g>\n");

  const size_t n = chart.months.size();
  const double plot_width = kPanelWidth - kLeft - kRight, plot_height = kPanelHeight - kTop - kBottom;
  for (size_t p = 0; p < chart.panels.size(); ++p) {
    const Panel& panel = chart.panels[p];
    const double ox = 10 + static_cast<double>(p % static_cast<size_t>(columns)) * kPanelWidth;
    const double oy = kHeader + static_cast<double>(p / static_cast<size_t>(columns)) * kPanelHeight;
    const auto [data_low, data_high] = Range(panel);
    const std::vector<double> ticks = NiceTicks(data_low, data_high, 4);
    const double low = ticks.front(), high = std::max(ticks.back(), low + 1e-12);
    auto x = [&](size_t i) {
      return ox + kLeft + (n <= 1 ? plot_width / 2 : plot_width * static_cast<double>(i) / static_cast<double>(n - 1));
    };
    auto y = [&](double v) { return oy + kTop + plot_height * (1 - (v - low) / (high - low)); };

    absl::StrAppend(&svg, "<g class=\"panel\" data-title=\"", Escape(panel.title), "\">\n");
    absl::StrAppend(&svg, "<text x=\"", Coord(ox + kLeft), "\" y=\"", Coord(oy + 18),
                    "\" font-size=\"13\" font-weight=\"bold\" fill=\"#222\">", Escape(panel.title), "</text>\n");
    // Grid lines and y labels.
    for (double t : ticks) {
      absl::StrAppend(&svg, "<line x1=\"", Coord(ox + kLeft), "\" x2=\"", Coord(ox + kLeft + plot_width), "\" y1=\"",
                      Coord(y(t)), "\" y2=\"", Coord(y(t)), "\" stroke=\"#e4e4e4\"/>");
      absl::StrAppend(&svg, "<text x=\"", Coord(ox + kLeft - 6), "\" y=\"", Coord(y(t) + 4),
                      "\" text-anchor=\"end\" fill=\"#555\">", Escape(AxisLabel(t, panel.unit)), "</text>\n");
    }
    // Month labels: at most 5 per panel.
    const size_t step = std::max<size_t>(1, (n + 4) / 5);
    for (size_t i = 0; i < n; i += step) {
      absl::StrAppend(&svg, "<line x1=\"", Coord(x(i)), "\" x2=\"", Coord(x(i)), "\" y1=\"",
                      Coord(oy + kTop + plot_height), "\" y2=\"", Coord(oy + kTop + plot_height + 4),
                      "\" stroke=\"#888\"/>");
      absl::StrAppend(&svg, "<text x=\"", Coord(x(i)), "\" y=\"", Coord(oy + kTop + plot_height + 16),
                      "\" text-anchor=\"middle\" fill=\"#555\">", Escape(MonthLabel(chart.months[i])), "</text>\n");
    }
    absl::StrAppend(&svg, "<rect x=\"", Coord(ox + kLeft), "\" y=\"", Coord(oy + kTop), "\" width=\"",
                    Coord(plot_width), "\" height=\"", Coord(plot_height), "\" fill=\"none\" stroke=\"#bbb\"/>\n");
    if (panel.zero_line && low < 0 && high > 0) {
      absl::StrAppend(&svg, "<line x1=\"", Coord(ox + kLeft), "\" x2=\"", Coord(ox + kLeft + plot_width), "\" y1=\"",
                      Coord(y(0)), "\" y2=\"", Coord(y(0)), "\" stroke=\"#444\" stroke-dasharray=\"2,2\"/>\n");
    }
    for (const PlotBand& band : panel.bands) {
      std::string d;
      size_t i = 0;
      const size_t count = std::min({n, band.low.size(), band.high.size()});
      while (i < count) {
        if (!std::isfinite(band.low[i]) || !std::isfinite(band.high[i])) {
          ++i;
          continue;
        }
        size_t end = i;
        while (end < count && std::isfinite(band.low[end]) && std::isfinite(band.high[end])) ++end;
        for (size_t k = i; k < end; ++k) absl::StrAppend(&d, k == i ? "M" : "L", Coord(x(k)), ",", Coord(y(band.high[k])));
        for (size_t k = end; k-- > i;) absl::StrAppend(&d, "L", Coord(x(k)), ",", Coord(y(band.low[k])));
        absl::StrAppend(&d, "Z");
        i = end;
      }
      absl::StrAppend(&svg, "<path class=\"band\" data-name=\"", Escape(band.name), "\" d=\"", d, "\" fill=\"",
                      Escape(band.color), "\" fill-opacity=\"0.25\" stroke=\"none\"/>\n");
    }
    for (const PlotLine& line : panel.lines) {
      std::string d;
      bool pen_down = false;
      for (size_t i = 0; i < std::min(n, line.values.size()); ++i) {
        if (!std::isfinite(line.values[i])) {
          pen_down = false;
          continue;
        }
        absl::StrAppend(&d, pen_down ? "L" : "M", Coord(x(i)), ",", Coord(y(line.values[i])));
        pen_down = true;
      }
      absl::StrAppend(&svg, "<path class=\"line\" data-name=\"", Escape(line.name), "\" d=\"", d,
                      "\" fill=\"none\" stroke=\"", Escape(line.color), "\" stroke-width=\"1.8\"",
                      line.dashed ? " stroke-dasharray=\"5,3\"" : "", "/>\n");
    }
    absl::StrAppend(&svg, "</g>\n");
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
