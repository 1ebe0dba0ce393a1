// Counter-based random numbers for the Monte Carlo forecast (SPEC §4 "Determinism"): Philox4x32-10
// streams keyed by (seed, entity, path), so a draw depends only on what it is for, never on the
// thread or the order in which paths run, and scenarios share draws for the same entity.
#ifndef FORECASTLE_ENGINE_FORECAST_RANDOM_H_
#define FORECASTLE_ENGINE_FORECAST_RANDOM_H_

#include <array>
#include <cstdint>

namespace forecastle::forecast {

// The Philox4x32 block cipher with 10 rounds (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC 2011): 128 random bits per (counter, key).
using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;
PhiloxCounter Philox4x32(PhiloxCounter counter, PhiloxKey key);

// What a stream of draws is for. Entities of different kinds never share a stream.
enum class EntityKind : uint32_t {
  kOpportunity = 1,  // one open opportunity: win, slip, size
  kArrivals = 2,     // new opportunities of one segment
  kTeam = 3,         // attrition and hiring of one team
  kLine = 4,         // effort overrun of one backlog line
  kInvoice = 5,      // payment delay and bad debt of one invoice
  kRenewal = 6,      // renewal of one subscription
  kCorrelation = 7,  // the shared factors of one path
};

// The draws for one entity on one path: the same (seed, kind, entity, path) always gives the
// same sequence. Entity ids have 60 bits and paths 32; a stream yields 2^33 uniforms.
class RandomStream {
 public:
  RandomStream(uint64_t seed, EntityKind kind, uint64_t entity, uint64_t path);

  // Uniform in the open interval (0, 1), with 53 random bits.
  double Uniform();
  // Standard normal by inversion (one uniform per draw, so common random numbers stay aligned).
  double Normal();
  // exp(mu + sigma * Normal()).
  double LogNormal(double mu, double sigma);
  // true with probability p (p <= 0: never, p >= 1: always, and a uniform is drawn either way).
  bool Bernoulli(double p) { return Uniform() < p; }
  // Poisson(mean) by inversion, in chunks of mean <= 16 summed (exact: sums of independent
  // Poissons are Poisson). mean <= 0 gives 0.
  int64_t Poisson(double mean);

 private:
  uint32_t NextWord();

  PhiloxKey key_;
  PhiloxCounter counter_;
  PhiloxCounter block_{};
  int used_ = 4;  // words of block_ already handed out
};

// The inverse of the standard normal distribution function (Wichura's AS 241, relative error
// about 1e-16), for p in (0, 1).
double InverseNormal(double p);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_RANDOM_H_
