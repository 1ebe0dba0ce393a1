#include "server/forecast_queue.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"

namespace forecastle {

absl::StatusOr<ForecastQueue::Turn> ForecastQueue::Wait(const std::function<absl::Status()>& still_wanted,
                                                        const std::function<bool(int)>& position) {
  std::unique_lock lock(mu_);
  if (line_.empty() && running_ < max_running_) {
    ++running_;
    return Turn(this);
  }
  if (static_cast<int>(line_.size()) >= max_waiting_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "max_concurrent_forecasts (", max_running_, ") forecasts are running and forecast_queue (", max_waiting_,
        ") more are waiting; retry later"));
  }
  const uint64_t ticket = next_ticket_++;
  line_.push_back(ticket);
  int told = 0;
  while (true) {
    const int place = static_cast<int>(std::find(line_.begin(), line_.end(), ticket) - line_.begin()) + 1;
    if (place == 1 && running_ < max_running_) {
      line_.pop_front();
      ++running_;
      changed_.notify_all();  // everyone behind moved up
      return Turn(this);
    }
    if (absl::Status wanted = still_wanted(); !wanted.ok()) {
      Leave(ticket);
      return wanted;
    }
    if (place != told && position) {
      told = place;
      lock.unlock();
      const bool stay = position(place);
      lock.lock();
      if (!stay) {
        Leave(ticket);
        return absl::CancelledError("the caller left the forecast queue");
      }
      continue;  // the line may have moved while it was told
    }
    changed_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

void ForecastQueue::Leave(uint64_t ticket) {
  line_.erase(std::find(line_.begin(), line_.end(), ticket));
  changed_.notify_all();
}

void ForecastQueue::Release() {
  std::lock_guard lock(mu_);
  --running_;
  changed_.notify_all();
}

int ForecastQueue::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

int ForecastQueue::waiting() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(line_.size());
}

}  // namespace forecastle
