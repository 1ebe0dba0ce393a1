#include "engine/forecast/random.h"

#include <cmath>

namespace forecastle::forecast {
namespace {

constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

inline void MulHiLo(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  const uint64_t product = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(product >> 32);
  *lo = static_cast<uint32_t>(product);
}

}  // namespace

PhiloxCounter Philox4x32(PhiloxCounter c, PhiloxKey k) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] += kW0;
      k[1] += kW1;
    }
    uint32_t hi0, lo0, hi1, lo1;
    MulHiLo(kM0, c[0], &hi0, &lo0);
    MulHiLo(kM1, c[2], &hi1, &lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
  }
  return c;
}

RandomStream::RandomStream(uint64_t seed, EntityKind kind, uint64_t entity, uint64_t path)
    : key_{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)},
      // Counter words: 0 counts blocks, 1 is the path, 2 and 3 the entity's 60 bits with the
      // kind in the top 4, so no two (kind, entity, path) share a block. The key is the seed.
      counter_{0u, static_cast<uint32_t>(path),
               static_cast<uint32_t>(entity),
               static_cast<uint32_t>((entity >> 32) & 0x0FFFFFFFu) | (static_cast<uint32_t>(kind) << 28)} {}

uint32_t RandomStream::NextWord() {
  if (used_ == 4) {
    block_ = Philox4x32(counter_, key_);
    ++counter_[0];
    ++BlocksOnThisThread();
    used_ = 0;
  }
  return block_[used_++];
}

double RandomStream::Uniform() {
  // One 32-bit word per uniform, centred in its cell: in (0, 1), resolution 2^-32 (so normals
  // reach about 6.2 standard deviations). Twice the draws per Philox block of a 53-bit uniform.
  return (static_cast<double>(NextWord()) + 0.5) * 0x1.0p-32;
}

double RandomStream::Normal() { return InverseNormal(Uniform()); }

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
