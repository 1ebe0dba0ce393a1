#include "engine/forecast/statistics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace forecastle::forecast {

namespace {

// Mean, standard deviation and standard error: two passes, the mean, then squared deviations
// (stable for large means). Each pass sums in eight interleaved lanes (value i into lane i % 8),
// then the lanes pairwise: the same order whatever thread computed each path, and eight additions
// in flight instead of one chain. Float values are widened exactly.
template <typename T, typename Term>
double Sum(absl::Span<const T> values, Term term) {
  constexpr size_t kLanes = 8;
  double lane[kLanes] = {};
  const size_t n = values.size(), whole = n - n % kLanes;
  for (size_t i = 0; i < whole; i += kLanes) {
#pragma GCC unroll 8  // unrolled, the lanes live in registers
    for (size_t k = 0; k < kLanes; ++k) lane[k] += term(values[i + k]);
  }
  double rest = 0;  // the last n % 8 values, after the lanes
  for (size_t i = whole; i < n; ++i) rest += term(values[i]);
  return (((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]))) + rest;
}

template <typename T>
Summary Moments(absl::Span<const T> values) {
  Summary summary;
  const size_t n = values.size();
  summary.mean = Sum(values, [](T v) { return static_cast<double>(v); }) / static_cast<double>(n);
  const double squares = Sum(values, [mean = summary.mean](T v) { return (v - mean) * (v - mean); });
  summary.std = n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) : 0.0;
  summary.standard_error = summary.std / std::sqrt(static_cast<double>(n));
  return summary;
}

// Type 7: the quantile at p interpolates between the order statistics of ranks floor(h) and
// floor(h) + 1, h = (n - 1) p. `at(rank, next)` gives the order statistic of `rank`, and of
// rank + 1 when `next` (called with increasing ranks).
size_t RankBelow(size_t n, double p) {
  return std::min(static_cast<size_t>(std::floor((static_cast<double>(n) - 1) * p)), n - 1);
}

template <typename OrderStatistic>
void Quantiles(size_t n, absl::Span<const double> probabilities, OrderStatistic at, Summary& summary) {
  for (double p : probabilities) {
    const double h = (static_cast<double>(n) - 1) * p;
    const size_t below = RankBelow(n, p);
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

// Sorts `values` ascending by SortKey (numbers in their order, -0 before +0): integer keys, so any
// bits sort deterministically. A least-significant-digit radix sort, three passes of 11 bits with
// no comparisons (so no mispredicted branches) when there are many; std::sort when few.
void SortFloats(std::vector<float>& values) {
  const size_t n = values.size();
  thread_local std::vector<uint32_t> keys, buffer;
  keys.resize(n);
  if (n <= 256) {
    for (size_t i = 0; i < n; ++i) keys[i] = SortKey(values[i]);
    std::sort(keys.begin(), keys.end());
  } else {
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
  }
  for (size_t i = 0; i < n; ++i) values[i] = FromSortKey(keys[i]);
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
  const size_t n = values.size();
  float lowest = values[0], highest = values[0];
  {
    // In eight lanes as well (one compare chain would wait on each before it).
    constexpr size_t kLanes = 8;
    float low[kLanes], high[kLanes];
    for (size_t k = 0; k < kLanes; ++k) low[k] = high[k] = values[0];
    const size_t whole = n - n % kLanes;
    for (size_t i = 0; i < whole; i += kLanes) {
#pragma GCC unroll 8
      for (size_t k = 0; k < kLanes; ++k) {
        low[k] = values[i + k] < low[k] ? values[i + k] : low[k];
        high[k] = values[i + k] > high[k] ? values[i + k] : high[k];
      }
    }
    for (size_t i = whole; i < n; ++i) {
      lowest = std::min(lowest, values[i]);
      highest = std::max(highest, values[i]);
    }
    for (size_t k = 0; k < kLanes; ++k) {
      lowest = std::min(lowest, low[k]);
      highest = std::max(highest, high[k]);
    }
  }
  // One value (or zeros of both signs): every order statistic is it. Not when some are NaN, which
  // the comparisons above skip; the mean shows them.
  if (lowest == highest && !std::isnan(summary.mean)) {
    Quantiles(n, probabilities, [&](size_t) { return std::pair<double, double>{lowest, lowest}; }, summary);
    return summary;
  }
  // Radix selection: only the values the quantiles need get sorted. Each value falls in one of
  // kBuckets equal steps of [lowest, highest]; a bucket is a non-decreasing function of the value
  // (a rounded difference and product never reverse an order), so every value of a lower bucket is
  // at most every value of a higher one. Counting the buckets finds the bucket of each rank; the
  // values of those few buckets are gathered (a few dozen each, for a spread of paths) and sorted.
  // Where a value is infinite or NaN (so is the mean) they all share bucket 0: then every value is
  // gathered and sorted, which is still exact.
  constexpr uint32_t kBuckets = 2048;
  thread_local std::vector<uint16_t> bucket;
  thread_local std::vector<float> gathered;
  bucket.resize(n);
  std::array<uint32_t, kBuckets + 1> below{};  // values in buckets before b, once summed
  if (std::isfinite(summary.mean)) {
    // Finite values: value - lowest >= 0 and the scale is finite and positive, so each step is in
    // [0, kBuckets - 1] but for rounding at the top.
    const double scale = (kBuckets - 1) / (static_cast<double>(highest) - static_cast<double>(lowest));
    for (size_t i = 0; i < n; ++i) {
      const auto step = static_cast<uint32_t>((static_cast<double>(values[i]) - static_cast<double>(lowest)) * scale);
      const auto b = static_cast<uint16_t>(std::min(step, kBuckets - 1));
      bucket[i] = b;
      ++below[b + 1u];
    }
  } else {
    std::fill(bucket.begin(), bucket.end(), 0);
    below[1] = static_cast<uint32_t>(n);
  }
  for (uint32_t b = 1; b <= kBuckets; ++b) below[b] += below[b - 1];
  // The buckets of every rank asked for (each quantile's two order statistics) are marked.
  std::array<uint8_t, kBuckets> marked{};
  auto bucket_of = [&](size_t rank) {
    return static_cast<uint32_t>(std::upper_bound(below.begin(), below.end(), rank) - below.begin()) - 1;
  };
  for (double p : probabilities) {
    const size_t rank = RankBelow(n, p);
    marked[bucket_of(rank)] = 1;
    if (rank + 1 < n) marked[bucket_of(rank + 1)] = 1;
  }
  // The marked buckets' values, in the order of their buckets once sorted: `before[b]`
  // gathered values lie in marked buckets before b.
  std::array<uint32_t, kBuckets> before{};
  uint32_t count = 0;
  for (uint32_t b = 0; b < kBuckets; ++b) {
    before[b] = count;
    if (marked[b]) count += below[b + 1] - below[b];
  }
  gathered.resize(n);  // at most every value; written without branches, kept are counted
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    gathered[kept] = values[i];
    kept += marked[bucket[i]];
  }
  gathered.resize(kept);
  SortFloats(gathered);
  Quantiles(n, probabilities, [&](size_t rank) {
    auto at = [&](size_t r) -> double {
      const uint32_t b = bucket_of(r);
      return gathered[before[b] + (r - below[b])];
    };
    const double low = at(rank);
    return std::pair{low, rank + 1 < n ? at(rank + 1) : low};
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
