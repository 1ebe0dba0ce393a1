// Summaries of one forecast quantity (a metric in a month) across Monte Carlo paths: mean,
// standard deviation, standard error and quantiles. Values are taken in path order, so the
// summary is the same whatever thread computed each path.
#ifndef FORECASTLE_ENGINE_FORECAST_STATISTICS_H_
#define FORECASTLE_ENGINE_FORECAST_STATISTICS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace forecastle::forecast {

struct Summary {
  double mean = 0;
  double std = 0;              // sample standard deviation (n - 1 in the denominator)
  double standard_error = 0;   // std / sqrt(n)
  std::vector<double> quantiles;  // one per requested probability
};

// Quantiles interpolate linearly between order statistics (Hyndman and Fan's type 7, numpy's
// default), so they can be checked against numpy.quantile. Needs at least one value.
Summary Summarize(absl::Span<const double> values, absl::Span<const double> probabilities);
// The same for single-precision values (how forecasts store paths), with the same quantiles as
// the double version on the same numbers, much faster on many values: they come from a radix
// selection (only the values near each requested rank are sorted) instead of std::nth_element.
Summary Summarize(absl::Span<const float> values, absl::Span<const double> probabilities);

// Refuses probabilities outside [0, 1], unsorted or repeated ones, and more than 99 of them,
// naming `field`.
absl::Status ValidateProbabilities(absl::Span<const double> probabilities, absl::string_view field);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_STATISTICS_H_
