#include "engine/forecast/random.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace forecastle::forecast {
namespace {

TEST(Philox, KnownAnswersFromRandom123) {
  EXPECT_EQ(Philox4x32({0, 0, 0, 0}, {0, 0}),
            (PhiloxCounter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(Philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}),
            (PhiloxCounter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(Philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u}),
            (PhiloxCounter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(Philox, BlocksInBatchesEqualBlockByBlock) {
  const PhiloxKey key{0xa4093822u, 0x299f31d0u};
  for (int blocks : {1, 7, 8, 9, 31}) {
    std::vector<uint32_t> batch(static_cast<size_t>(4 * blocks));
    PhiloxBlocks({0xfffffffbu, 5, 6, 7}, key, blocks, batch.data());  // word 0 wraps around
    for (int b = 0; b < blocks; ++b) {
      const PhiloxCounter one = Philox4x32({0xfffffffbu + static_cast<uint32_t>(b), 5, 6, 7}, key);
      for (int w = 0; w < 4; ++w) ASSERT_EQ(batch[static_cast<size_t>(4 * b + w)], one[static_cast<size_t>(w)]) << blocks << " " << b;
    }
  }
}

TEST(Philox, BatchOfAnyCountersEqualsBlockByBlock) {
  const PhiloxKey key{0x12345678u, 0x9abcdef0u};
  std::vector<PhiloxCounter> counters;
  uint32_t x = 1;
  for (int i = 0; i < 41; ++i) {  // 16 + 16 + 8 + 1: every width
    PhiloxCounter c;
    for (uint32_t& w : c) w = x = x * 1664525u + 1013904223u;
    counters.push_back(c);
  }
  std::vector<uint32_t> out(4 * counters.size());
  PhiloxBatch(counters.data(), static_cast<int>(counters.size()), key, out.data());
  for (size_t b = 0; b < counters.size(); ++b) {
    const PhiloxCounter one = Philox4x32(counters[b], key);
    for (size_t w = 0; w < 4; ++w) ASSERT_EQ(out[4 * b + w], one[w]) << b;
  }
}

// The open deals' win draws are a stream's words computed by PhiloxBlocks and compared as words.
TEST(RandomStream, ItsWordsArePhiloxBlocksFromItsFirstCounter) {
  const PhiloxKey key = RandomStream::KeyOf(9);
  const PhiloxCounter first = RandomStream::FirstCounter(EntityKind::kOpportunity, 77, 12);
  std::vector<uint32_t> words(4 * 10);
  PhiloxBlocks(first, key, 10, words.data());
  RandomStream stream(9, EntityKind::kOpportunity, 77, 12);
  for (uint32_t word : words) ASSERT_EQ(stream.Uniform(), RandomStream::WordToUniform(word));
}

TEST(RandomStream, WordsBelowDecidesExactlyAsTheUniformDoes) {
  std::vector<double> probabilities = {-1, 0, 1e-300, 0x1.0p-33, 0x1.0p-32, 0.25, 0.3, 1 - 1e-16, 1, 2};
  for (uint32_t w : {0u, 1u, 2u, 12345u, 0x40000000u, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu}) {
    const double u = RandomStream::WordToUniform(w);  // a p on a uniform, and just either side
    for (double p : {u, std::nextafter(u, 0.0), std::nextafter(u, 1.0)}) probabilities.push_back(p);
  }
  RandomStream s(3, EntityKind::kTeam, 5, 8);
  for (int i = 0; i < 1000; ++i) probabilities.push_back(s.Uniform());
  for (double p : probabilities) {
    const uint64_t below = RandomStream::WordsBelow(p);
    ASSERT_LE(below, uint64_t{1} << 32) << p;
    // Around the bound, where a rounding error would show, and at the ends.
    for (uint64_t w : {below - 1, below, below + 1, uint64_t{0}, uint64_t{0xFFFFFFFF}}) {
      if (w > 0xFFFFFFFFu) continue;  // below - 1 when below is 0, below + 1 past the last word
      EXPECT_EQ(RandomStream::WordToUniform(static_cast<uint32_t>(w)) < p, w < below) << p << " " << w;
    }
  }
}

// The forecast builds its streams from first blocks computed in batches: they must draw exactly
// what the stream of their own would, through the batched words and after them.
TEST(RandomStream, AStreamFromBatchedFirstBlocksIsTheSameStream) {
  const PhiloxKey key = RandomStream::KeyOf(0x1234'5678'9abcULL);
  for (int blocks : {1, 2, 3}) {
    const PhiloxCounter first = RandomStream::FirstCounter(EntityKind::kArrivals, (uint64_t{5} << 40) | 17, 99);
    std::vector<PhiloxCounter> counters;
    for (int b = 0; b < blocks; ++b) {
      counters.push_back(first);
      counters.back()[0] += static_cast<uint32_t>(b);
    }
    std::vector<uint32_t> words(4 * counters.size());
    PhiloxBatch(counters.data(), static_cast<int>(counters.size()), key, words.data());
    RandomStream own(0x1234'5678'9abcULL, EntityKind::kArrivals, (uint64_t{5} << 40) | 17, 99);
    RandomStream batched(key, first, words.data(), blocks);
    for (int i = 0; i < 21; ++i) ASSERT_EQ(own.Uniform(), batched.Uniform()) << blocks << " blocks, draw " << i;
  }
}

// The arrival cells' counts come four at a time: each must be exactly the draw its own stream's
// Poisson makes, at every mean of one chunk (down to tiny, up to exactly 16, beside large counts
// and the uniforms nearest 0 and 1); other means are left to the stream (-1).
TEST(RandomStream, PoissonInversionsDrawExactlyWhatEachStreamDraws) {
  const PhiloxKey key = RandomStream::KeyOf(77);
  std::vector<double> means = {1e-12, 0.3, 1, 2.5, 6, 15.999, 16, 16.0001, 40, 0, -2};
  std::mt19937_64 random(9);
  std::uniform_real_distribution<double> any_mean(0, 17);
  while (means.size() < 2003) means.push_back(any_mean(random));  // not a multiple of four
  const size_t n = means.size();
  std::vector<PhiloxCounter> counters(n);
  for (size_t i = 0; i < n; ++i) counters[i] = RandomStream::FirstCounter(EntityKind::kArrivals, i, 5);
  std::vector<uint32_t> words(4 * n);
  PhiloxBatch(counters.data(), static_cast<int>(n), key, words.data());
  words[0] = 0;  // the smallest uniform: no step
  words[4 * 6] = 0xFFFFFFFFu;  // the largest: the walk goes far into the tail
  std::vector<double> exps(n);
  for (size_t i = 0; i < n; ++i) exps[i] = std::exp(-RandomStream::PoissonLastChunk(means[i]));
  std::vector<int64_t> out(n, 12345);
  PoissonInversions(n, means.data(), exps.data(), words.data(), 4, out.data());
  for (size_t i = 0; i < n; ++i) {
    if (means[i] > 0 && means[i] <= 16) {
      RandomStream stream(key, counters[i], &words[4 * i]);
      ASSERT_EQ(out[i], stream.Poisson(means[i], exps[i])) << "mean " << means[i] << ", draw " << i;
    } else {
      EXPECT_EQ(out[i], -1) << "mean " << means[i];
    }
  }
}

TEST(RandomStream, SameKeySameDrawsDifferentKeyDifferentDraws) {
  auto draws = [](uint64_t seed, EntityKind kind, uint64_t entity, uint64_t path) {
    RandomStream s(seed, kind, entity, path);
    std::vector<double> out;
    for (int i = 0; i < 9; ++i) out.push_back(s.Uniform());
    return out;
  };
  const auto base = draws(7, EntityKind::kOpportunity, 42, 3);
  EXPECT_EQ(base, draws(7, EntityKind::kOpportunity, 42, 3));
  EXPECT_NE(base, draws(8, EntityKind::kOpportunity, 42, 3));
  EXPECT_NE(base, draws(7, EntityKind::kTeam, 42, 3));
  EXPECT_NE(base, draws(7, EntityKind::kOpportunity, 43, 3));
  EXPECT_NE(base, draws(7, EntityKind::kOpportunity, 42, 4));
  EXPECT_NE(base, draws(7, EntityKind::kOpportunity, 42ull + (1ull << 32), 3));
}

// Moments of n draws against their closed forms, within 4 standard errors.
struct Moments {
  double mean = 0, variance = 0;
};
template <typename Draw>
Moments Measure(int n, Draw draw) {
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw(i);
    sum += x;
    sum_sq += x * x;
  }
  Moments m;
  m.mean = sum / n;
  m.variance = sum_sq / n - m.mean * m.mean;
  return m;
}

TEST(RandomStream, UniformIsUniformOnTheOpenInterval) {
  RandomStream s(1, EntityKind::kLine, 5, 0);
  const int n = 200000;
  double lowest = 1, highest = 0;
  const Moments m = Measure(n, [&](int) {
    const double u = s.Uniform();
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
    return u;
  });
  EXPECT_GT(lowest, 0.0);
  EXPECT_LT(highest, 1.0);
  EXPECT_NEAR(m.mean, 0.5, 4 * std::sqrt(1.0 / 12 / n));
  // Var of the sample variance of U(0,1): (1/80 - 1/144)/n. (32-bit cells shift neither.)
  EXPECT_NEAR(m.variance, 1.0 / 12, 4 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
}

TEST(RandomStream, NormalHasMeanZeroVarianceOne) {
  // One draw per path, as the simulation uses them: streams for different paths.
  const int n = 200000;
  const Moments m = Measure(n, [](int path) { return RandomStream(3, EntityKind::kTeam, 1, path).Normal(); });
  EXPECT_NEAR(m.mean, 0.0, 4 * std::sqrt(1.0 / n));
  EXPECT_NEAR(m.variance, 1.0, 4 * std::sqrt(2.0 / n));
}

TEST(RandomStream, PoissonMatchesMeanAndVarianceSmallAndLarge) {
  for (double lambda : {0.3, 3.5, 40.0}) {
    RandomStream s(11, EntityKind::kArrivals, 2, 0);
    const int n = 100000;
    const Moments m = Measure(n, [&](int) { return static_cast<double>(s.Poisson(lambda)); });
    EXPECT_NEAR(m.mean, lambda, 4 * std::sqrt(lambda / n)) << lambda;
    // Var of the sample variance of a Poisson: (mu4 - sigma^4)/n with mu4 = lambda(1 + 3 lambda).
    EXPECT_NEAR(m.variance, lambda, 4 * std::sqrt((lambda * (1 + 3 * lambda) - lambda * lambda) / n)) << lambda;
  }
  RandomStream s(11, EntityKind::kArrivals, 2, 0);
  EXPECT_EQ(s.Poisson(0), 0);
  EXPECT_EQ(s.Poisson(-1), 0);
}

// Lognormal draws as the model makes them: exp(mu) times a tabulated exp(sigma Z) of one uniform.
TEST(RandomStream, LogNormalMean) {
  const double mu = 1.0, sigma = 0.5;
  const int n = 200000;
  RandomStream s(5, EntityKind::kOpportunity, 9, 0);
  const LogNormalTable table(sigma);
  const Moments m = Measure(n, [&](int) { return std::exp(mu) * table(s.Uniform()); });
  const double mean = std::exp(mu + sigma * sigma / 2);
  const double variance = (std::exp(sigma * sigma) - 1) * std::exp(2 * mu + sigma * sigma);
  EXPECT_NEAR(m.mean, mean, 4 * std::sqrt(variance / n));
}

TEST(InverseNormal, TheFastTableIsWithin5e5OfAS241) {
  double worst = 0;
  for (int i = 1; i < 2000000; ++i) {
    const double p = i / 2000000.0;
    worst = std::max(worst, std::fabs(FastInverseNormal(p) - InverseNormal(p)));
  }
  EXPECT_LT(worst, 5e-5);
  EXPECT_EQ(FastInverseNormal(0.001), InverseNormal(0.001));  // tails: AS 241 itself
  EXPECT_EQ(FastInverseNormal(0.5), 0.0);
}

TEST(InverseNormal, LogNormalTableIsExpOfSigmaZWithin1e4Relative) {
  for (double sigma : {0.0, 0.2, 1.0, 3.0}) {
    const LogNormalTable table(sigma);
    double worst = 0;
    for (int i = 1; i < 200000; ++i) {
      const double u = i / 200000.0, exact = std::exp(sigma * InverseNormal(u));
      worst = std::max(worst, std::fabs(table(u) - exact) / exact);
    }
    EXPECT_LT(worst, 1e-4) << sigma;
  }
}

// The model reads lognormal factors from words: the same values as from their uniforms, at the
// ends of the main table and of its steps, in the tails, and at random.
TEST(InverseNormal, LogNormalTableFromAWordIsTheTableAtItsUniform) {
  const LogNormalTable table(0.7);
  std::vector<uint32_t> words = {0, 1, (1u << 26) - 1, 1u << 26, (1u << 26) + 1, (63u << 26) - 1, 63u << 26,
                                 0xFFFFFFFEu, 0xFFFFFFFFu};
  for (uint32_t step = 32; step < 2016; step += 97) {
    for (uint32_t w : {step << 21, (step << 21) - 1, (step << 21) + 1}) words.push_back(w);
  }
  RandomStream s(3, EntityKind::kLine, 4, 5);
  for (int i = 0; i < 10000; ++i) words.push_back(s.Word());
  for (uint32_t w : words) ASSERT_EQ(table.FromWord(w), table(RandomStream::WordToUniform(w))) << w;
}

// The tails have tables of their own, finer than the main one: checked on a geometric grid from
// 2^-33 to 1/64 at both ends, where Z bends fastest, and exact in the last 1/8192.
TEST(InverseNormal, LogNormalTableTailsAreWithin1e5Relative) {
  for (double sigma : {0.2, 1.0, 3.0}) {
    const LogNormalTable table(sigma);
    double worst = 0;
    for (double v = 0x1.0p-33; v < 1.0 / 64; v *= 1.0001) {
      for (double u : {v, 1 - v}) {
        const double exact = std::exp(sigma * InverseNormal(u));
        worst = std::max(worst, std::fabs(table(u) - exact) / exact);
        if (v < 1.0 / 8192) {
          EXPECT_EQ(table(u), exact) << u;
        }
      }
    }
    EXPECT_LT(worst, 1e-5) << sigma;
  }
}

TEST(InverseNormal, KnownQuantiles) {
  EXPECT_NEAR(InverseNormal(0.5), 0.0, 1e-15);
  EXPECT_NEAR(InverseNormal(0.975), 1.959963984540054, 1e-13);
  EXPECT_NEAR(InverseNormal(0.025), -1.959963984540054, 1e-13);
  EXPECT_NEAR(InverseNormal(0.8413447460685429), 1.0, 1e-12);
  EXPECT_NEAR(InverseNormal(1e-10), -6.361340902404056, 1e-10);
}

}  // namespace
}  // namespace forecastle::forecast
