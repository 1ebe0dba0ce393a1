#include "engine/forecast/statistics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace forecastle::forecast {

Summary Summarize(absl::Span<const double> values, absl::Span<const double> probabilities) {
  Summary summary;
  const size_t n = values.size();
  if (n == 0) return summary;
  // Two passes in path order: the mean, then squared deviations (stable for large means).
  double sum = 0;
  for (double v : values) sum += v;
  summary.mean = sum / static_cast<double>(n);
  double squares = 0;
  for (double v : values) squares += (v - summary.mean) * (v - summary.mean);
  summary.std = n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) : 0.0;
  summary.standard_error = summary.std / std::sqrt(static_cast<double>(n));
  if (probabilities.empty()) return summary;
  // Order statistics by successive selection on the part right of the previous one: O(n) per
  // quantile instead of a full sort (probabilities are increasing, ValidateProbabilities).
  thread_local std::vector<double> work;
  work.assign(values.begin(), values.end());
  size_t from = 0;
  for (double p : probabilities) {
    const double h = (static_cast<double>(n) - 1) * p;
    const size_t below = std::min(static_cast<size_t>(std::floor(h)), n - 1);
    if (below >= from) std::nth_element(work.begin() + static_cast<std::ptrdiff_t>(from),
                                        work.begin() + static_cast<std::ptrdiff_t>(below), work.end());
    const double low = work[below];
    const double high = below + 1 < n ? *std::min_element(work.begin() + static_cast<std::ptrdiff_t>(below) + 1, work.end()) : low;
    summary.quantiles.push_back(low + (h - static_cast<double>(below)) * (high - low));
    from = below;
  }
  return summary;
}

absl::Status ValidateProbabilities(absl::Span<const double> probabilities, absl::string_view field) {
  if (probabilities.size() > 99) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most 99 quantiles, got ", probabilities.size()));
  }
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const double p = probabilities[i];
    if (!(p >= 0.0 && p <= 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": each must be in [0, 1], got ", p));
    }
    if (i > 0 && p <= probabilities[i - 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": must be increasing, got ", probabilities[i - 1], " then ", p));
    }
  }
  return absl::OkStatus();
}

}  // namespace forecastle::forecast
