#include "engine/forecast/random.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace forecastle::forecast {
namespace {

// Eight blocks at a time in the 32-bit lanes of AVX2 registers, when the processor has AVX2: the
// even lanes' 32 x 32 -> 64-bit products come from one vpmuludq, the odd lanes' from another.
// Integer arithmetic only, so the bits are those of Philox4x32 on any processor.
constexpr int kLanes = 8;

// The hi and lo 32-bit halves of m * c in every 32-bit lane.
__attribute__((target("avx2"), always_inline)) inline void MultiplyLanes(__m256i m, __m256i c, __m256i low, __m256i* hi,
                                                                          __m256i* lo) {
  const __m256i even = _mm256_mul_epu32(c, m);                          // lanes 0, 2, 4, 6
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(c, 32), m);  // lanes 1, 3, 5, 7
  *lo = _mm256_or_si256(_mm256_and_si256(even, low), _mm256_slli_epi64(odd, 32));
  *hi = _mm256_or_si256(_mm256_srli_epi64(even, 32), _mm256_andnot_si256(low, odd));
}

// Eight counters (4 words each) to one register per word, and back: block i's four words together.
__attribute__((target("avx2"), always_inline)) inline void TransposeIn(const PhiloxCounter* in, __m256i* c) {
  const __m256i v01 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
  const __m256i v23 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 2));
  const __m256i v45 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 4));
  const __m256i v67 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 6));
  const __m256i u0 = _mm256_permute2x128_si256(v01, v45, 0x20), u1 = _mm256_permute2x128_si256(v01, v45, 0x31);
  const __m256i u2 = _mm256_permute2x128_si256(v23, v67, 0x20), u3 = _mm256_permute2x128_si256(v23, v67, 0x31);
  const __m256i t0 = _mm256_unpacklo_epi32(u0, u1), t1 = _mm256_unpackhi_epi32(u0, u1);
  const __m256i t2 = _mm256_unpacklo_epi32(u2, u3), t3 = _mm256_unpackhi_epi32(u2, u3);
  c[0] = _mm256_unpacklo_epi64(t0, t2);
  c[1] = _mm256_unpackhi_epi64(t0, t2);
  c[2] = _mm256_unpacklo_epi64(t1, t3);
  c[3] = _mm256_unpackhi_epi64(t1, t3);
}

__attribute__((target("avx2"), always_inline)) inline void TransposeOut(const __m256i* c, uint32_t* out) {
  const __m256i a0 = _mm256_unpacklo_epi32(c[0], c[1]), a1 = _mm256_unpackhi_epi32(c[0], c[1]);
  const __m256i a2 = _mm256_unpacklo_epi32(c[2], c[3]), a3 = _mm256_unpackhi_epi32(c[2], c[3]);
  const __m256i b0 = _mm256_unpacklo_epi64(a0, a2), b1 = _mm256_unpackhi_epi64(a0, a2);
  const __m256i b2 = _mm256_unpacklo_epi64(a1, a3), b3 = _mm256_unpackhi_epi64(a1, a3);
  auto* o = reinterpret_cast<__m256i*>(out);
  _mm256_storeu_si256(o, _mm256_permute2x128_si256(b0, b1, 0x20));
  _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(b2, b3, 0x20));
  _mm256_storeu_si256(o + 2, _mm256_permute2x128_si256(b0, b1, 0x31));
  _mm256_storeu_si256(o + 3, _mm256_permute2x128_si256(b2, b3, 0x31));
}

__attribute__((target("avx2"))) void PhiloxLanesAvx2(const PhiloxCounter* in, PhiloxKey key, uint32_t* out) {
  __m256i w[4];
  TransposeIn(in, w);
  __m256i c0 = w[0], c1 = w[1], c2 = w[2], c3 = w[3];
  const __m256i m0 = _mm256_set1_epi64x(0xD2511F53u), m1 = _mm256_set1_epi64x(0xCD9E8D57u);
  const __m256i low = _mm256_set1_epi64x(0xFFFFFFFFu);
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round) {
    __m256i hi0, lo0, hi1, lo1;
    MultiplyLanes(m0, c0, low, &hi0, &lo0);
    MultiplyLanes(m1, c2, low, &hi1, &lo1);
    const __m256i kk0 = _mm256_set1_epi32(static_cast<int>(k0)), kk1 = _mm256_set1_epi32(static_cast<int>(k1));
    c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), kk0);
    c1 = lo1;
    c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), kk1);
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  const __m256i result[4] = {c0, c1, c2, c3};
  TransposeOut(result, out);
}

void PhiloxLanesScalar(const PhiloxCounter* in, PhiloxKey key, uint32_t* out) {
  for (int i = 0; i < kLanes; ++i) {
    const PhiloxCounter block = Philox4x32(in[i], key);
    for (int j = 0; j < 4; ++j) out[4 * i + j] = block[static_cast<size_t>(j)];
  }
}

void PhiloxLanes(const PhiloxCounter* in, PhiloxKey key, uint32_t* out) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  (avx2 ? PhiloxLanesAvx2 : PhiloxLanesScalar)(in, key, out);
}

// GCC 12's AVX-512 headers fill the unused operand of unmasked shifts and multiplies from
// _mm512_undefined_epi32(), which -Wuninitialized reports at every use (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"

// Sixteen blocks with AVX-512, one 32-bit word in each 64-bit lane (eight blocks a register): one
// vpmuludq gives a lane's whole 64-bit product, so its high word is one shift away and its low word
// is already in place (the high half of a lane is never read by vpmuludq, so what it holds does not
// matter until the words are stored), and a round's two three-way xors are one vpternlogq each.
// Six instructions a round for eight blocks, against eleven for the same blocks in 32-bit lanes.
__attribute__((target("avx512f"), always_inline)) inline void PhiloxRound512(__m512i* c, __m512i m0, __m512i m1,
                                                                              __m512i k0, __m512i k1) {
  const __m512i p0 = _mm512_mul_epu32(c[0], m0), p1 = _mm512_mul_epu32(c[2], m1);
  c[0] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), c[1], k0, 0x96);  // a ^ b ^ c
  c[1] = p1;
  c[2] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), c[3], k1, 0x96);
  c[3] = p0;
}

// Eight blocks' words (as PhiloxRound512 leaves them) to out[4 * j + w]: words 0 and 1 of each
// block into one 64-bit lane (word 1 into the odd dwords), 2 and 3 into another, then the lanes
// interleaved to block order.
__attribute__((target("avx512f"), always_inline)) inline void StoreBlocks512(const __m512i* c, uint32_t* out) {
  const __m512i w01 = _mm512_mask_shuffle_epi32(c[0], 0xAAAA, c[1], _MM_PERM_CDAB);
  const __m512i w23 = _mm512_mask_shuffle_epi32(c[2], 0xAAAA, c[3], _MM_PERM_CDAB);
  _mm512_storeu_si512(out, _mm512_permutex2var_epi64(w01, _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), w23));
  _mm512_storeu_si512(out + 16, _mm512_permutex2var_epi64(w01, _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), w23));
}

__attribute__((target("avx512f"))) void PhiloxLanesAvx512(const PhiloxCounter* in, PhiloxKey key, uint32_t* out) {
  // Word w of block j (of eight) to the low half of 64-bit lane j: dword 2j from dword 4j + w of
  // the eight counters (two registers of four).
  __m512i a[4], b[4];  // blocks 0-7 and 8-15, a register per word
  const __m512i* v = reinterpret_cast<const __m512i*>(in);
  const __m512i v0 = _mm512_loadu_si512(v), v1 = _mm512_loadu_si512(v + 1), v2 = _mm512_loadu_si512(v + 2),
                v3 = _mm512_loadu_si512(v + 3);
  for (int w = 0; w < 4; ++w) {
    const __m512i pick = _mm512_setr_epi32(w, w, 4 + w, 4 + w, 8 + w, 8 + w, 12 + w, 12 + w, 16 + w, 16 + w, 20 + w,
                                           20 + w, 24 + w, 24 + w, 28 + w, 28 + w);
    a[w] = _mm512_permutex2var_epi32(v0, pick, v1);
    b[w] = _mm512_permutex2var_epi32(v2, pick, v3);
  }
  const __m512i m0 = _mm512_set1_epi64(0xD2511F53u), m1 = _mm512_set1_epi64(0xCD9E8D57u);
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round) {
    const __m512i kk0 = _mm512_set1_epi32(static_cast<int>(k0)), kk1 = _mm512_set1_epi32(static_cast<int>(k1));
    PhiloxRound512(a, m0, m1, kk0, kk1);
    PhiloxRound512(b, m0, m1, kk0, kk1);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  StoreBlocks512(a, out);
  StoreBlocks512(b, out + 32);
}

#pragma GCC diagnostic pop

// Sixteen counters with AVX-512 where there is AVX-512, else as two groups of eight.
void PhiloxLanes16(const PhiloxCounter* in, PhiloxKey key, uint32_t* out) {
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  if (avx512) {
    PhiloxLanesAvx512(in, key, out);
  } else {
    PhiloxLanes(in, key, out);
    PhiloxLanes(in + 8, key, out + 32);
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

LogNormalTable::LogNormalTable(double sigma)
    : sigma_(sigma), table_(kSteps + 1, 0.0f), tail_(kSteps + 2, 0.0f) {
  for (int i = 1; i < kSteps; ++i) {
    table_[static_cast<size_t>(i)] = static_cast<float>(std::exp(sigma * InverseNormal(static_cast<double>(i) / kSteps)));
  }
  for (int i = 1; i <= kSteps + 1; ++i) {  // the last step reads one point past v = 1/64
    tail_[static_cast<size_t>(i)] = static_cast<float>(std::exp(sigma * InverseNormal(static_cast<double>(i) / (64.0 * kSteps))));
  }
}

double LogNormalTable::Tail(double u) const {
  // Quadratic interpolation's error grows toward the ends, where Z bends fastest: below 2e-6
  // relative down to v = 1/8192 (16 steps from the end), exact beyond.
  constexpr double kExactBelow = 1.0 / 8192;
  const bool lower = u < 0.5;
  const double v = lower ? u : 1 - u;  // exact: u is a multiple of 2^-33
  if (v < kExactBelow) return std::exp(sigma_ * InverseNormal(u));
  // Z at 1 - v is -Z at v: the upper tail is the reciprocal of the lower (interpolating
  // exp(-sigma Z) itself, which grows fast there, errs 17 times more at 1/8192).
  const double f = Interpolate(tail_, v * (64.0 * kSteps));
  return lower ? f : 1 / f;
}

void PhiloxBatch(const PhiloxCounter* counters, int n, PhiloxKey key, uint32_t* out) {
  int done = 0;
  for (; done + 2 * kLanes <= n; done += 2 * kLanes) PhiloxLanes16(counters + done, key, out + 4 * done);
  for (; done + kLanes <= n; done += kLanes) PhiloxLanes(counters + done, key, out + 4 * done);
  for (; done < n; ++done) {
    const PhiloxCounter block = Philox4x32(counters[done], key);
    for (int w = 0; w < 4; ++w) out[4 * done + w] = block[static_cast<size_t>(w)];
  }
}

void PhiloxBlocks(PhiloxCounter counter, PhiloxKey key, int blocks, uint32_t* out) {
  PhiloxCounter lanes[2 * kLanes];
  for (int done = 0; done < blocks; done += 2 * kLanes) {
    const int n = std::min(2 * kLanes, blocks - done);
    for (int i = 0; i < n; ++i) {
      lanes[i] = counter;
      lanes[i][0] += static_cast<uint32_t>(done + i);
    }
    PhiloxBatch(lanes, n, key, out + 4 * done);
  }
}

void RandomStream::Refill() {
  const PhiloxCounter block = Philox4x32(counter_, key_);
  for (size_t w = 0; w < 4; ++w) words_[w] = block[w];
  ++counter_[0];
  ++BlocksOnThisThread();
  next_ = words_.data();
  end_ = next_ + 4;
}

int64_t RandomStream::Poisson(double mean, double exp_last_chunk) {
  static const double kExpMinusWholeChunk = std::exp(-kPoissonChunk);
  int64_t count = 0;
  while (mean > 0) {
    const double chunk = mean > kPoissonChunk ? kPoissonChunk : mean;
    mean -= chunk;  // exactly 0 after the last chunk
    // Inversion: walk the distribution function until it passes a uniform.
    const double u = Uniform();
    double p = mean > 0 ? kExpMinusWholeChunk : exp_last_chunk, cumulative = p;
    int64_t k = 0;
    while (u > cumulative && k < kPoissonMaxSteps) {
      ++k;
      p *= chunk / static_cast<double>(k);
      cumulative += p;
    }
    count += k;
  }
  return count;
}

void PoissonInversions(size_t n, const double* mean, const double* exp_minus_mean, const uint32_t* words,
                       size_t stride, int64_t* out) {
  // Four lanes in two SSE2 registers (every x86-64 has them), lane by lane the same IEEE
  // operations as RandomStream::Poisson's loop: p *= chunk / step, cumulative += p.
  constexpr size_t kLanes = 4;
  for (size_t first = 0; first < n; first += kLanes) {
    // A lane not drawn here (past n, or a mean outside (0, 16]) gets u = 0, which no cumulative
    // probability (>= 0, or NaN) is below: it never steps, and is marked -1 below.
    bool drawn[kLanes] = {};
    alignas(16) double chunk[kLanes] = {}, p[kLanes] = {}, u[kLanes] = {};
    for (size_t l = 0; l < kLanes && first + l < n; ++l) {
      drawn[l] = mean[first + l] > 0 && mean[first + l] <= RandomStream::kPoissonChunk;
      chunk[l] = mean[first + l];
      p[l] = exp_minus_mean[first + l];
      u[l] = drawn[l] ? RandomStream::WordToUniform(words[(first + l) * stride]) : 0.0;
    }
    __m128d c0 = _mm_load_pd(chunk), c1 = _mm_load_pd(chunk + 2), p0 = _mm_load_pd(p), p1 = _mm_load_pd(p + 2);
    const __m128d u0 = _mm_load_pd(u), u1 = _mm_load_pd(u + 2);
    __m128d cumulative0 = p0, cumulative1 = p1;
    // As Poisson's `while (u > cumulative && k < kPoissonMaxSteps)`: a lane counts the steps it is
    // active for, and once cumulative >= u it stays so (cumulative never decreases).
    __m128d active0 = _mm_cmpgt_pd(u0, cumulative0), active1 = _mm_cmpgt_pd(u1, cumulative1);
    __m128i k0 = _mm_setzero_si128(), k1 = _mm_setzero_si128();
    for (int step = 1; step <= RandomStream::kPoissonMaxSteps && (_mm_movemask_pd(active0) | _mm_movemask_pd(active1)) != 0;
         ++step) {
      k0 = _mm_sub_epi64(k0, _mm_castpd_si128(active0));  // active lanes are all ones: -1
      k1 = _mm_sub_epi64(k1, _mm_castpd_si128(active1));
      const __m128d divisor = _mm_set1_pd(static_cast<double>(step));
      p0 = _mm_mul_pd(p0, _mm_div_pd(c0, divisor));
      p1 = _mm_mul_pd(p1, _mm_div_pd(c1, divisor));
      cumulative0 = _mm_add_pd(cumulative0, p0);
      cumulative1 = _mm_add_pd(cumulative1, p1);
      active0 = _mm_and_pd(active0, _mm_cmpgt_pd(u0, cumulative0));
      active1 = _mm_and_pd(active1, _mm_cmpgt_pd(u1, cumulative1));
    }
    alignas(16) int64_t k[kLanes];
    _mm_store_si128(reinterpret_cast<__m128i*>(k), k0);
    _mm_store_si128(reinterpret_cast<__m128i*>(k + 2), k1);
    for (size_t l = 0; l < kLanes && first + l < n; ++l) out[first + l] = drawn[l] ? k[l] : -1;
  }
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
