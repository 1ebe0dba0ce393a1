// Turns for forecasts: at most `max_running` run at once, and up to `max_waiting` more wait for a
// turn in a line, first come first served. A caller that gives up while waiting leaves the line;
// one that finds the line full is refused at once (RESOURCE_EXHAUSTED).
#ifndef FORECASTLE_SERVER_FORECAST_QUEUE_H_
#define FORECASTLE_SERVER_FORECAST_QUEUE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "absl/status/statusor.h"

namespace forecastle {

class ForecastQueue {
 public:
  ForecastQueue(int max_running, int max_waiting) : max_running_(max_running), max_waiting_(max_waiting) {}

  // A turn to run; gives it back when destroyed.
  class Turn {
   public:
    explicit Turn(ForecastQueue* queue) : queue_(queue) {}
    Turn(Turn&& other) noexcept : queue_(other.queue_) { other.queue_ = nullptr; }
    Turn& operator=(Turn&&) = delete;
    ~Turn() {
      if (queue_ != nullptr) queue_->Release();
    }

   private:
    ForecastQueue* queue_;
  };

  // Waits for a turn. `still_wanted` is asked every 20 ms while waiting: when it is not OK the
  // caller leaves the line and gets its status. `position` is told the caller's place in line
  // (1: next) when it starts to wait and each time it moves up; returning false leaves the line
  // (CANCELLED). Neither is called when a turn is free at once.
  absl::StatusOr<Turn> Wait(const std::function<absl::Status()>& still_wanted,
                            const std::function<bool(int)>& position = {});

  int running() const;
  int waiting() const;

 private:
  void Release();
  void Leave(uint64_t ticket);  // under mu_

  const int max_running_;
  const int max_waiting_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  int running_ = 0;
  std::deque<uint64_t> line_;  // tickets of the callers waiting, first in line first
  uint64_t next_ticket_ = 0;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_FORECAST_QUEUE_H_
