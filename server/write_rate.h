// A bound on ledger writes: records a second, as a token bucket that holds one second's worth.
// A write that finds too few tokens waits for them when they come within `max_wait`, else is
// refused (RESOURCE_EXHAUSTED) with when to retry. One bucket for the whole server: per-tenant
// buckets come with tenants.
#ifndef FORECASTLE_SERVER_WRITE_RATE_H_
#define FORECASTLE_SERVER_WRITE_RATE_H_

#include <chrono>
#include <cstdint>
#include <mutex>

#include "absl/status/status.h"

namespace forecastle {

class WriteRate {
 public:
  using Clock = std::chrono::steady_clock;
  explicit WriteRate(int64_t records_per_second,
                     std::chrono::milliseconds max_wait = std::chrono::milliseconds(1000));

  // Takes `records` tokens, waiting for them if they come within max_wait; else RESOURCE_EXHAUSTED
  // saying when to retry (or, for more records than the bucket ever holds, to send fewer at once).
  absl::Status Take(int64_t records);

  // Take's decision at `now`, without sleeping: how long the caller must wait before it writes.
  absl::Status Reserve(int64_t records, Clock::time_point now, Clock::duration* wait);

 private:
  const double rate_;      // tokens a second
  const double capacity_;  // at most one second's worth
  const std::chrono::milliseconds max_wait_;
  std::mutex mu_;
  double tokens_;          // negative: reserved by writers still waiting
  Clock::time_point updated_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_WRITE_RATE_H_
