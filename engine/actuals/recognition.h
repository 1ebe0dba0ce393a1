// Revenue recognition of one performance obligation (SPEC §3.2): how much of a line's amount is
// recognised through a day, by its kind (ratable, delivery, effort), its signing day and its
// cancellation. Every function here is exact integer arithmetic.
#ifndef FORECASTLE_ENGINE_ACTUALS_RECOGNITION_H_
#define FORECASTLE_ENGINE_ACTUALS_RECOGNITION_H_

#include "engine/actuals/ledger.h"

namespace forecastle {

// Weights of ratable months are counted in 1/377580 of a month: the lcm of 28, 29, 30 and 31,
// so that a day of any month is a whole number of units.
inline constexpr int64_t kMonthWeightUnits = 377580;

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

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_RECOGNITION_H_
