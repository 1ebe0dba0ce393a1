#include "engine/forecast/random.h"

#include <cmath>
#include <vector>

namespace forecastle::forecast {
namespace {

// Eight blocks at a time, structure of arrays, so the compiler keeps each word in a vector register
// and multiplies 32 x 32 -> 64 bits lane by lane.
constexpr int kLanes = 8;

__attribute__((target_clones("avx512f", "avx2", "default")))
void PhiloxLanes(const uint32_t* c0_in, uint32_t c1_in, uint32_t c2_in, uint32_t c3_in, PhiloxKey key, uint32_t* out) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u, kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
  for (int i = 0; i < kLanes; ++i) c0[i] = c0_in[i], c1[i] = c1_in, c2[i] = c2_in, c3[i] = c3_in;
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < kLanes; ++i) {
      const uint64_t p0 = static_cast<uint64_t>(kM0) * c0[i], p1 = static_cast<uint64_t>(kM1) * c2[i];
      const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1[i] ^ k0, n1 = static_cast<uint32_t>(p1);
      const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3[i] ^ k1, n3 = static_cast<uint32_t>(p0);
      c0[i] = n0, c1[i] = n1, c2[i] = n2, c3[i] = n3;
    }
    k0 += kW0;
    k1 += kW1;
  }
  for (int i = 0; i < kLanes; ++i) {
    out[4 * i] = c0[i], out[4 * i + 1] = c1[i], out[4 * i + 2] = c2[i], out[4 * i + 3] = c3[i];
  }
}

}  // namespace

// AS 241 tabulated for FastInverseNormal: kNormalTableSteps + 1 points over [0, 1] (the ends,
// infinite, are never read).
const std::array<double, kNormalTableSteps + 1> kNormalTable = [] {
  std::array<double, kNormalTableSteps + 1> t{};
  for (int i = 1; i < kNormalTableSteps; ++i) {
    t[static_cast<size_t>(i)] = InverseNormal(static_cast<double>(i) / kNormalTableSteps);
  }
  return t;
}();

LogNormalTable::LogNormalTable(double sigma) : sigma_(sigma), table_(kNormalTableSteps + 1, 0.0) {
  for (int i = 1; i < kNormalTableSteps; ++i) {
    table_[static_cast<size_t>(i)] = std::exp(sigma * InverseNormal(static_cast<double>(i) / kNormalTableSteps));
  }
}

void PhiloxBlocks(PhiloxCounter counter, PhiloxKey key, int blocks, uint32_t* out) {
  int done = 0;
  uint32_t c0[kLanes];
  for (; done + kLanes <= blocks; done += kLanes) {
    for (int i = 0; i < kLanes; ++i) c0[i] = counter[0] + static_cast<uint32_t>(done + i);
    PhiloxLanes(c0, counter[1], counter[2], counter[3], key, out + 4 * done);
  }
  for (; done < blocks; ++done) {
    PhiloxCounter c = counter;
    c[0] += static_cast<uint32_t>(done);
    const PhiloxCounter block = Philox4x32(c, key);
    for (int w = 0; w < 4; ++w) out[4 * done + w] = block[static_cast<size_t>(w)];
  }
}

RandomStream::RandomStream(uint64_t seed, EntityKind kind, uint64_t entity, uint64_t path)
    : key_{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)},
      // Counter words: 0 counts blocks, 1 is the path, 2 and 3 the entity's 60 bits with the
      // kind in the top 4, so no two (kind, entity, path) share a block. The key is the seed.
      counter_{0u, static_cast<uint32_t>(path),
               static_cast<uint32_t>(entity),
               static_cast<uint32_t>((entity >> 32) & 0x0FFFFFFFu) | (static_cast<uint32_t>(kind) << 28)} {}

void RandomStream::Uniforms(int n, double* out) {
  int i = 0;
  while (i < n && used_ < 4) out[i++] = WordToUniform(block_[used_++]);
  if (i == n) return;
  // Whole blocks in one batch; the last one's unused words stay for the next draws.
  const int blocks = (n - i + 3) / 4;
  thread_local std::vector<uint32_t> words;
  words.resize(static_cast<size_t>(4 * blocks));
  PhiloxBlocks(counter_, key_, blocks, words.data());
  counter_[0] += static_cast<uint32_t>(blocks);
  BlocksOnThisThread() += static_cast<uint64_t>(blocks);
  const int take = n - i;
  for (int w = 0; w < take; ++w) out[i + w] = WordToUniform(words[static_cast<size_t>(w)]);
  for (int w = 0; w < 4; ++w) block_[static_cast<size_t>(w)] = words[static_cast<size_t>(4 * (blocks - 1) + w)];
  used_ = take - 4 * (blocks - 1);
}

double RandomStream::LogNormal(double mu, double sigma) { return std::exp(mu + sigma * Normal()); }

int64_t RandomStream::Poisson(double mean) {
  int64_t count = 0;
  while (mean > 0) {
    const double chunk = mean > 16 ? 16 : mean;
    mean -= chunk;
    // Inversion: walk the distribution function until it passes a uniform.
    const double u = Uniform();
    double p = std::exp(-chunk), cumulative = p;
    int64_t k = 0;
    while (u > cumulative && k < 200) {
      ++k;
      p *= chunk / static_cast<double>(k);
      cumulative += p;
    }
    count += k;
  }
  return count;
}

double InverseNormal(double p) {
  // Wichura, M. J. (1988) Algorithm AS 241: The percentage points of the normal distribution.
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q *
           (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
                45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
             133.14166789178437745) * r + 3.387132872796366608) /
           (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
                21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
             42.313330701600911252) * r + 1.0);
  }
  double r = q < 0 ? p : 1.0 - p;
  r = std::sqrt(-std::log(r));
  double value;
  if (r <= 5.0) {
    r -= 1.6;
    value = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
                 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
              4.6303378461565452959) * r + 1.42343711074968357734) /
            (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
                 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
              2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5.0;
    value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
                 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
              5.4637849111641143699) * r + 6.6579046435011037772) /
            (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
                 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
              0.59983220655588793769) * r + 1.0);
  }
  return q < 0 ? -value : value;
}

}  // namespace forecastle::forecast
