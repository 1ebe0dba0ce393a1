#include "engine/forecast/statistics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

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

namespace {

// Order-preserving map of a float's bits to an unsigned integer (negative numbers reversed).
uint32_t SortKey(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits & 0x80000000u ? ~bits : bits | 0x80000000u;
}

}  // namespace

Summary Summarize(absl::Span<const float> values, absl::Span<const double> probabilities) {
  Summary summary;
  const size_t n = values.size();
  if (n == 0) return summary;
  double sum = 0;
  for (float v : values) sum += v;
  summary.mean = sum / static_cast<double>(n);
  double squares = 0;
  for (float v : values) squares += (v - summary.mean) * (v - summary.mean);
  summary.std = n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) : 0.0;
  summary.standard_error = summary.std / std::sqrt(static_cast<double>(n));
  if (probabilities.empty()) return summary;
  // Least-significant-digit radix sort of the keys: three passes of 11 bits, no comparisons (so
  // no mispredicted branches, the cost of selection on paths' values), then every quantile is a
  // lookup.
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
  auto value = [&](size_t rank) {
    const uint32_t key = keys[rank];
    const uint32_t bits = key & 0x80000000u ? key & 0x7FFFFFFFu : ~key;
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return static_cast<double>(v);
  };
  for (double p : probabilities) {
    const double h = (static_cast<double>(n) - 1) * p;
    const size_t below = std::min(static_cast<size_t>(std::floor(h)), n - 1);
    const double low = value(below), high = below + 1 < n ? value(below + 1) : low;
    summary.quantiles.push_back(low + (h - static_cast<double>(below)) * (high - low));
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
