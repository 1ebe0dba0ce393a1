#include "engine/forecast/statistics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace forecastle::forecast {

namespace {

// Mean, standard deviation and standard error: two passes in path order, the mean, then squared
// deviations (stable for large means). Float values are widened exactly.
template <typename T>
Summary Moments(absl::Span<const T> values) {
  Summary summary;
  const size_t n = values.size();
  double sum = 0;
  for (T v : values) sum += v;
  summary.mean = sum / static_cast<double>(n);
  double squares = 0;
  for (T v : values) squares += (v - summary.mean) * (v - summary.mean);
  summary.std = n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) : 0.0;
  summary.standard_error = summary.std / std::sqrt(static_cast<double>(n));
  return summary;
}

// Type 7: the quantile at p interpolates between the order statistics of ranks floor(h) and
// floor(h) + 1, h = (n - 1) p. `at(rank, next)` gives the order statistic of `rank`, and of
// rank + 1 when `next` (called with increasing ranks).
template <typename OrderStatistic>
void Quantiles(size_t n, absl::Span<const double> probabilities, OrderStatistic at, Summary& summary) {
  for (double p : probabilities) {
    const double h = (static_cast<double>(n) - 1) * p;
    const size_t below = std::min(static_cast<size_t>(std::floor(h)), n - 1);
    const auto [low, high] = at(below);
    summary.quantiles.push_back(low + (h - static_cast<double>(below)) * (high - low));
  }
}

// Order-preserving map of a float's bits to an unsigned integer (negative numbers reversed).
uint32_t SortKey(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits & 0x80000000u ? ~bits : bits | 0x80000000u;
}

float FromSortKey(uint32_t key) {
  const uint32_t bits = key & 0x80000000u ? key & 0x7FFFFFFFu : ~key;
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

}  // namespace

Summary Summarize(absl::Span<const double> values, absl::Span<const double> probabilities) {
  if (values.empty()) return Summary{};
  Summary summary = Moments(values);
  if (probabilities.empty()) return summary;
  // Order statistics by successive selection on the part right of the previous one: O(n) per
  // quantile instead of a full sort (probabilities are increasing, ValidateProbabilities).
  const size_t n = values.size();
  thread_local std::vector<double> work;
  work.assign(values.begin(), values.end());
  size_t from = 0;
  Quantiles(n, probabilities, [&](size_t below) {
    if (below >= from) std::nth_element(work.begin() + static_cast<std::ptrdiff_t>(from),
                                        work.begin() + static_cast<std::ptrdiff_t>(below), work.end());
    from = below;
    const double low = work[below];
    const double high = below + 1 < n ? *std::min_element(work.begin() + static_cast<std::ptrdiff_t>(below) + 1, work.end()) : low;
    return std::pair{low, high};
  }, summary);
  return summary;
}

Summary Summarize(absl::Span<const float> values, absl::Span<const double> probabilities) {
  if (values.empty()) return Summary{};
  Summary summary = Moments(values);
  if (probabilities.empty()) return summary;
  // Least-significant-digit radix sort of the keys: three passes of 11 bits, no comparisons (so
  // no mispredicted branches, the cost of selection on paths' values), then every quantile is a
  // lookup.
  const size_t n = values.size();
  thread_local std::vector<uint32_t> keys, buffer;
  keys.resize(n);
  buffer.resize(n);
  std::array<std::array<uint32_t, 2048>, 3> counts{};
  for (size_t i = 0; i < n; ++i) {
    const uint32_t key = SortKey(values[i]);
    keys[i] = key;
    ++counts[0][key & 2047];
    ++counts[1][(key >> 11) & 2047];
    ++counts[2][key >> 22];
  }
  for (int pass = 0; pass < 3; ++pass) {
    uint32_t offset = 0;
    for (uint32_t& c : counts[static_cast<size_t>(pass)]) {
      const uint32_t here = c;
      c = offset;
      offset += here;
    }
    const int shift = 11 * pass;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t key = keys[i];
      buffer[counts[static_cast<size_t>(pass)][(key >> shift) & 2047]++] = key;
    }
    keys.swap(buffer);
  }
  Quantiles(n, probabilities, [&](size_t below) {
    const double low = FromSortKey(keys[below]);
    return std::pair{low, below + 1 < n ? static_cast<double>(FromSortKey(keys[below + 1])) : low};
  }, summary);
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
