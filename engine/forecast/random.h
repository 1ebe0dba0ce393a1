// Counter-based random numbers for the Monte Carlo forecast (SPEC §4 "Determinism"): Philox4x32-10
// streams keyed by (seed, entity, path), so a draw depends only on what it is for, never on the
// thread or the order in which paths run, and scenarios share draws for the same entity.
#ifndef FORECASTLE_ENGINE_FORECAST_RANDOM_H_
#define FORECASTLE_ENGINE_FORECAST_RANDOM_H_

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

namespace forecastle::forecast {

// The Philox4x32 block cipher with 10 rounds (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC 2011): 128 random bits per (counter, key).
using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;
inline PhiloxCounter Philox4x32(PhiloxCounter c, PhiloxKey k) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u, kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kM0) * c[0], p1 = static_cast<uint64_t>(kM1) * c[2];
    c = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
    k[0] += kW0;
    k[1] += kW1;
  }
  return c;
}

// Blocks counter, counter + 1, ..., counter + blocks - 1 (word 0 counting) of one key, into
// out[4 * i + w]: the same words as calling Philox4x32 block by block, computed several blocks at
// a time in vector registers (integer arithmetic only, so every instruction set gives the same
// bits).
void PhiloxBlocks(PhiloxCounter counter, PhiloxKey key, int blocks, uint32_t* out);
// Any n counters under one key, the same way: out[4 * i + w] is word w of Philox4x32(counters[i]).
void PhiloxBatch(const PhiloxCounter* counters, int n, PhiloxKey key, uint32_t* out);

// What a stream of draws is for (streams.h names each stream). Kinds never share a stream.
enum class EntityKind : uint32_t {
  kOpportunity = 1,  // an open opportunity (slip, size, product, its invoices), and the pipeline's win draws
  kArrivals = 2,     // a segment-month's count of new opportunities, and each won one
  kTeam = 3,         // a team cohort's attrition
  kLine = 4,         // a team's work backlog at as-of: its overrun
  kInvoice = 5,      // an invoice for a month of work: payment delay and bad debt
  kRenewal = 6,      // the existing subscriptions expiring in a month
  kCorrelation = 7,  // a month's demand shocks, shared by the segments
  kDirect = 8,       // bookings without an opportunity: a segment's trend, a month's count, each booking
  kReceivables = 9,  // the receivables open at as-of: how much of them each month collects
  kArrivalTrend = 10,  // a segment's trend of new opportunities, drawn once a path
};

// The draws for one entity on one path: the same (seed, kind, entity, path) always gives the
// same sequence. Entity ids have 60 bits and paths 32; a stream yields 2^34 uniforms.
double InverseNormal(double p);
inline double FastInverseNormal(double p);

class RandomStream {
 public:
  RandomStream(uint64_t seed, EntityKind kind, uint64_t entity, uint64_t path)
      : key_(KeyOf(seed)), counter_(FirstCounter(kind, entity, path)) {}
  // The stream whose first counter is `first` (FirstCounter) under `key` (KeyOf(seed)).
  RandomStream(PhiloxKey key, const PhiloxCounter& first) : key_(key), counter_(first) {}
  // The same stream, given its first `blocks` blocks, computed in a batch with PhiloxBatch under
  // `key` = KeyOf(seed) from `first` = FirstCounter(kind, entity, path), first + 1, ...: the draws
  // are identical, and the first 4 x blocks of them need no Philox rounds of their own. They are
  // read in place, so `first_blocks` must outlive the stream and stay where it is. The batch's
  // caller counts its blocks in BlocksOnThisThread.
  RandomStream(PhiloxKey key, const PhiloxCounter& first, const uint32_t* first_blocks, int blocks = 1)
      : key_(key), counter_(first), next_(first_blocks), end_(first_blocks + 4 * blocks) {
    assert(blocks >= 1);
    counter_[0] += static_cast<uint32_t>(blocks);
  }
  // A stream may point into its own words: copies would share them.
  RandomStream(const RandomStream&) = delete;
  RandomStream& operator=(const RandomStream&) = delete;
  // Counter words: 0 counts blocks, 1 is the path, 2 and 3 the entity's 60 bits with the kind in
  // the top 4, so no two (kind, entity, path) share a block. The key is the seed.
  static PhiloxCounter FirstCounter(EntityKind kind, uint64_t entity, uint64_t path) {
    return {0u, static_cast<uint32_t>(path), static_cast<uint32_t>(entity),
            static_cast<uint32_t>((entity >> 32) & 0x0FFFFFFFu) | (static_cast<uint32_t>(kind) << 28)};
  }
  static PhiloxKey KeyOf(uint64_t seed) { return {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)}; }

  // The next 32 random bits, for a draw that compares or indexes the word itself (WordsBelow,
  // LogNormalTable::FromWord): the same as Uniform() == WordToUniform(Word()).
  uint32_t Word() { return NextWord(); }
  // Uniform in the open interval (0, 1), from 32 random bits.
  double Uniform() { return WordToUniform(NextWord()); }
  // Standard normal by inversion (one uniform per draw, so common random numbers stay aligned).
  double Normal() { return FastInverseNormal(Uniform()); }
  // Poisson(mean) by inversion, in chunks of mean <= 16 summed (exact: sums of independent
  // Poissons are Poisson). mean <= 0 gives 0.
  int64_t Poisson(double mean) { return Poisson(mean, std::exp(-PoissonLastChunk(mean))); }
  // The same draw given exp(-PoissonLastChunk(mean)), so a caller with many draws to make can
  // compute their exps together (one after another, not each behind the last draw's loop).
  int64_t Poisson(double mean, double exp_last_chunk);
  // The largest mean drawn in a single chunk (one uniform), and the most steps a chunk's walk up
  // its distribution function takes (where rounding leaves it below a uniform near 1).
  static constexpr double kPoissonChunk = 16;
  static constexpr int kPoissonMaxSteps = 200;
  // The mean left for the last chunk once whole chunks of 16 are taken.
  static double PoissonLastChunk(double mean) {
    while (mean > kPoissonChunk) mean -= kPoissonChunk;
    return mean;
  }

  // One 32-bit word as a uniform in (0, 1), centred in its cell (resolution 2^-32).
  static double WordToUniform(uint32_t word) { return (static_cast<double>(word) + 0.5) * 0x1.0p-32; }
  // How many words give a uniform below p: WordToUniform(w) < p exactly when w < WordsBelow(p),
  // so a coin flip can compare the word itself. (w + 0.5) 2^-32 < p is w < p 2^32 - 0.5, and both
  // p 2^32 and subtracting 0.5 from it are exact in double.
  static uint64_t WordsBelow(double p) {
    const double bound = std::ceil(std::clamp(p, 0.0, 1.0) * 0x1.0p32 - 0.5);
    return bound <= 0 ? 0 : static_cast<uint64_t>(bound);
  }

  // Philox blocks (4 words, 4 uniforms each) generated by all streams on this thread: lets the
  // benchmarks report draws per path-month.
  static uint64_t& BlocksOnThisThread() {
    thread_local uint64_t blocks = 0;
    return blocks;
  }

 private:
  // Inlined where words are drawn: the refill, one call per four words, is not.
  uint32_t NextWord() {
    if (__builtin_expect(next_ == end_, 0)) Refill();
    return *next_++;
  }
  // The next block into words_, and the words to draw pointed at it.
  [[gnu::noinline]] void Refill();

  PhiloxKey key_;
  PhiloxCounter counter_;
  const uint32_t* next_ = nullptr;  // the words not yet drawn: [next_, end_), batched or words_
  const uint32_t* end_ = nullptr;
  std::array<uint32_t, 4> words_{};  // the block computed last by Refill
};

// The inverse of the standard normal distribution function (Wichura's AS 241, relative error
// about 1e-16), for p in (0, 1).
double InverseNormal(double p);

// Many single-chunk Poisson draws at once, four side by side in vector registers: for each i with
// 0 < mean[i] <= kPoissonChunk, out[i] is exactly RandomStream::Poisson(mean[i], exp_minus_mean[i])
// drawn by a stream whose next word is words[i * stride] (the same operations on each draw, so the
// same bits; one loop exit to mispredict per four draws instead of one per draw). Any other mean
// gives out[i] = -1: the caller draws it from its stream.
void PoissonInversions(size_t n, const double* mean, const double* exp_minus_mean, const uint32_t* words,
                       size_t stride, int64_t* out);

// The same function, fast: linear interpolation in a table of AS 241 at 4096 equal steps for p in
// [1/64, 63/64] (absolute error below 5e-5, checked by the tests), AS 241 itself in the tails.
// RandomStream::Normal uses it: a forecast draws hundreds of normals per path.
inline constexpr int kNormalTableSteps = 4096;
extern const std::array<double, kNormalTableSteps + 1> kNormalTable;
inline double FastInverseNormal(double p) {
  if (p < 1.0 / 64 || p > 63.0 / 64) return InverseNormal(p);
  const double x = p * kNormalTableSteps;
  const auto i = static_cast<size_t>(x);
  return kNormalTable[i] + (x - static_cast<double>(i)) * (kNormalTable[i + 1] - kNormalTable[i]);
}

// exp(sigma * Z) for a standard normal Z = InverseNormal(u), tabulated: quadratic interpolation
// in 2048 equal steps of u in [1/64, 63/64] (8 KiB a table, so the tables a path uses stay in the
// first-level cache). The tails (one draw in 32) have a table of their own, 2048 steps over
// [0, 1/64], used down to 1/8192 from either end; the last 2 in 8192 draws are exact. A lognormal
// factor from one uniform with neither a normal inversion nor an exp; relative error below 1e-5
// for sigma <= 3 (tested).
class LogNormalTable {
 public:
  static constexpr int kSteps = 2048;
  explicit LogNormalTable(double sigma);
  double operator()(double u) const {
    if (u < 1.0 / 64 || u > 63.0 / 64) return Tail(u);
    return Interpolate(table_, u * kSteps);
  }
  // The same value for u = RandomStream::WordToUniform(word), with the step and the place in it
  // read from the word's bits: u kSteps = (word + 0.5) 2^-21, so the step is the top 11 bits and
  // the place the other 21 (exactly, as both are in double), and u is in [1/64, 63/64] exactly
  // when the word is in [2^26, 63 2^26).
  double FromWord(uint32_t word) const {
    static_assert(kSteps == 1 << 11);
    if (word < (uint32_t{1} << 26) || word >= (uint32_t{63} << 26)) return Tail(RandomStream::WordToUniform(word));
    return Interpolate(table_, word >> 21, (static_cast<double>(word & 0x1FFFFFu) + 0.5) * 0x1.0p-21);
  }
  double sigma() const { return sigma_; }

 private:
  // f(i + t), 0 <= t < 1, from f's values at the integers: quadratically from those at i, i + 1
  // and i + 2.
  static double Interpolate(const std::vector<float>& table, size_t i, double t) {
    const double f0 = table[i], f1 = table[i + 1], f2 = table[i + 2];
    return f0 + t * (f1 - f0) + 0.5 * t * (t - 1) * (f2 - 2 * f1 + f0);
  }
  // f(x), x >= 0, the same way.
  static double Interpolate(const std::vector<float>& table, double x) {
    const auto i = static_cast<size_t>(x);
    return Interpolate(table, i, x - static_cast<double>(i));
  }
  [[gnu::noinline]] double Tail(double u) const;

  double sigma_;
  std::vector<float> table_;  // single precision (relative 6e-8): half the cache lines
  // The lower tail, by u in steps of 1/64/kSteps, to one step past 1/64 (the upper tail is its
  // reciprocal).
  std::vector<float> tail_;
};

// The lognormal tables a forecast uses, one per distinct sigma (scenarios repeat them: fewer
// tables compete for the cache). A table, once made, stays where it is.
class LogNormalTables {
 public:
  const LogNormalTable& For(double sigma) {
    for (const auto& table : tables_) {
      if (table->sigma() == sigma) return *table;
    }
    return *tables_.emplace_back(std::make_unique<LogNormalTable>(sigma));
  }

 private:
  std::vector<std::unique_ptr<LogNormalTable>> tables_;
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_RANDOM_H_
