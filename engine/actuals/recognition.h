// Revenue recognition of one performance obligation (SPEC §3.2): how much of a line's amount is
// recognised through a day, by its kind (ratable, delivery, effort), its signing day and its
// cancellation. Every function here is exact integer arithmetic.
#ifndef FORECASTLE_ENGINE_ACTUALS_RECOGNITION_H_
#define FORECASTLE_ENGINE_ACTUALS_RECOGNITION_H_

#include <optional>

#include "engine/actuals/ledger.h"

namespace forecastle {

// Weights of ratable months are counted in 1/377580 of a month: the lcm of 28, 29, 30 and 31,
// so that a day of any month is a whole number of units.
inline constexpr int64_t kMonthWeightUnits = 377580;

// The schedule of a ratable `amount` over [start, end] by its convention, ignoring signing and
// cancellation, prepared once for evaluation at many days.
class RatableSchedule {
 public:
  RatableSchedule(Cents amount, Date start, Date end, RatableConvention convention);
  // Cumulative revenue through `day`: 0 before start, `amount` from end on. `month` is MonthOf(day).
  Cents Through(Date day, MonthIndex month) const;
  Cents Through(Date day) const { return Through(day, MonthOf(day)); }

 private:
  Cents ThroughMonthEnd(MonthIndex month) const;

  Cents amount_;
  Date start_, end_;
  RatableConvention convention_;
  MonthIndex first_month_ = 0, last_month_ = 0;
  int64_t first_weight_ = 0, total_weight_ = 0;
};

// Cumulative revenue of a ratable `amount` over [start, end] through `day` by its convention,
// ignoring signing and cancellation. 0 before start, `amount` from end on.
Cents RatableScheduleThrough(Cents amount, Date start, Date end, RatableConvention convention,
                             Date day);

// What the line's schedule or progress would have recognised through `day`, counting only
// progress recorded on or before `events_through`, ignoring cancellation. Nothing before the
// contract's `signed_on`; on signed_on, the catch-up of everything earlier.
Cents ScheduledThrough(const LineState& line, Date signed_on, Date day, Date events_through);

// Revenue recognised on the line through `day` (events on or before `day`): the schedule, frozen
// at the day before a cancellation effective on or before `day`.
Cents RecognizedThrough(const LineState& line, Date signed_on, Date day);
// As RecognizedThrough, counting only events (progress, cancellation) on or before events_through.
Cents RecognizedThrough(const LineState& line, Date signed_on, Date day, Date events_through);

// The amount the line's cancellation took out of backlog, if it is effective on or before `day`:
// the line amount less what was recognised before the effective day. 0 otherwise.
Cents CancelledThrough(const LineState& line, Date signed_on, Date day);

// One line's recognition prepared for evaluation at many days (the metrics table evaluates every
// line at every period end). Equal, day for day, to RecognizedThrough and CancelledThrough; it
// skips the arithmetic where the line has not started or has settled.
class LineCurve {
 public:
  LineCurve(const LineState& line, Date signed_on);
  // `month` is MonthOf(day).
  Cents RecognizedThrough(Date day, MonthIndex month) const {
    if (day < active_from_) return 0;
    if (day >= settled_from_) return settled_;
    return Evaluate(day, month);
  }
  Cents CancelledThrough(Date day) const { return day >= cancelled_on_ ? cancelled_ : 0; }

  // The window where recognition changes: 0 before active_from(), settled() from
  // settled_from() on, and Evaluate() in between (active_from() <= day < settled_from()).
  Date active_from() const { return active_from_; }
  Date settled_from() const { return settled_from_; }
  Cents settled() const { return settled_; }
  Cents Evaluate(Date day, MonthIndex month) const;
  // The cancellation: cancelled() leaves backlog on cancelled_on() (after kMaxDate if none).
  Date cancelled_on() const { return cancelled_on_; }
  Cents cancelled() const { return cancelled_; }

 private:
  const LineState& line_;
  Date signed_on_;
  std::optional<RatableSchedule> ratable_;
  Date active_from_;    // before this day nothing is recognised
  Date settled_from_;   // from this day on the recognised amount no longer changes ...
  Cents settled_ = 0;   // ... and is this
  Date cancelled_on_ = kMaxDate + 1;
  Cents cancelled_ = 0;
};

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_RECOGNITION_H_
