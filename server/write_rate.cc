#include "server/write_rate.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"

namespace forecastle {

WriteRate::WriteRate(int64_t records_per_second, std::chrono::milliseconds max_wait)
    : rate_(static_cast<double>(records_per_second)),
      capacity_(static_cast<double>(records_per_second)),
      max_wait_(max_wait),
      tokens_(static_cast<double>(records_per_second)),
      updated_(Clock::now()) {}

absl::Status WriteRate::Reserve(int64_t records, Clock::time_point now, Clock::duration* wait) {
  std::lock_guard lock(mu_);
  const double elapsed = std::chrono::duration<double>(now - updated_).count();
  if (elapsed > 0) {
    tokens_ = std::min(capacity_, tokens_ + elapsed * rate_);
    updated_ = now;
  }
  const double need = static_cast<double>(records);
  const double max_wait_s = std::chrono::duration<double>(max_wait_).count();
  if (need > capacity_ + rate_ * max_wait_s) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "writes: ", records, " records at once are more than the server takes in ", 1 + max_wait_s,
        " s (--max_write_records_per_s = ", static_cast<int64_t>(rate_), "); send fewer records a batch"));
  }
  const double short_s = (need - tokens_) / rate_;  // how long until the tokens are there
  if (short_s > max_wait_s) {
    const int64_t retry_ms = static_cast<int64_t>(std::ceil((short_s - max_wait_s) * 1000));
    return absl::ResourceExhaustedError(absl::StrCat(
        "writes: more than --max_write_records_per_s (", static_cast<int64_t>(rate_),
        " records a second) are arriving; retry in ", std::max<int64_t>(retry_ms, 1), " ms"));
  }
  tokens_ -= need;
  *wait = short_s > 0 ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(short_s))
                      : Clock::duration::zero();
  return absl::OkStatus();
}

absl::Status WriteRate::Take(int64_t records) {
  Clock::duration wait{};
  if (absl::Status reserved = Reserve(records, Clock::now(), &wait); !reserved.ok()) return reserved;
  if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
  return absl::OkStatus();
}

}  // namespace forecastle
