#include "engine/actuals/recognition.h"

#include <algorithm>

namespace forecastle {
namespace {

int64_t UnitsPerDay(MonthIndex month) {
  const CivilDay first = CivilFromDate(FirstDayOfMonth(month));
  return kMonthWeightUnits / DaysInMonth(first.year, first.month);
}

Cents MonthlyScheduleThrough(Cents amount, Date start, Date end, Date day) {
  const MonthIndex first_month = MonthOf(start);
  const MonthIndex last_month = MonthOf(end);
  // Weight of the first month, and the total weight W.
  int64_t first_weight, total_weight;
  if (first_month == last_month) {
    first_weight = total_weight = int64_t{end - start + 1} * UnitsPerDay(first_month);
  } else {
    first_weight = int64_t{LastDayOfMonth(first_month) - start + 1} * UnitsPerDay(first_month);
    const int64_t last_weight = int64_t{end - FirstDayOfMonth(last_month) + 1} * UnitsPerDay(last_month);
    total_weight = first_weight + int64_t{last_month - first_month - 1} * kMonthWeightUnits + last_weight;
  }
  // Cumulative revenue through the end of month k: floor(A · W_k / W).
  auto through_month_end = [&](MonthIndex k) -> Cents {
    if (k < first_month) return 0;
    if (k >= last_month) return amount;
    const int64_t cumulative = first_weight + int64_t{k - first_month} * kMonthWeightUnits;
    return MulDivFloor(amount, cumulative, total_weight);
  };
  const MonthIndex month = MonthOf(day);
  const Cents before = through_month_end(month - 1);
  const Cents after = through_month_end(month);
  // Linear by service day inside the month, floored.
  const Date served_from = std::max(start, FirstDayOfMonth(month));
  const Date served_to = std::min(end, LastDayOfMonth(month));
  const int64_t served_days = served_to - served_from + 1;
  const int64_t elapsed = day - served_from + 1;
  return before + MulDivFloor(after - before, elapsed, served_days);
}

}  // namespace

Cents RatableScheduleThrough(Cents amount, Date start, Date end, RatableConvention convention,
                             Date day) {
  if (day < start) return 0;
  if (day >= end) return amount;
  if (convention == RatableConvention::kDaily) {
    return MulDivFloor(amount, day - start + 1, end - start + 1);
  }
  return MonthlyScheduleThrough(amount, start, end, day);
}

Cents ScheduledThrough(const LineState& state, Date signed_on, Date day, Date events_through) {
  if (day < signed_on) return 0;
  const Line& line = state.line;
  if (line.kind == LineKind::kRatable) {
    return RatableScheduleThrough(state.amount, *line.start_on, *line.end_on, line.convention, day);
  }
  const Date cutoff = std::min(day, events_through);
  auto after = std::upper_bound(state.to_date.begin(), state.to_date.end(), cutoff,
                                [](Date d, const ProgressPoint& p) { return d < p.on; });
  if (after == state.to_date.begin()) return 0;
  const ProgressPoint& point = *(after - 1);
  if (point.complete) return state.amount;
  if (line.kind == LineKind::kDelivery) {
    const int64_t total = *line.total_units;
    return MulDivFloor(state.amount, std::min(point.units_to_date, total), total);
  }
  const int64_t estimate = point.estimated_hours;
  return MulDivFloor(state.amount, std::min(point.hours_to_date, estimate), estimate);
}

Cents RecognizedThrough(const LineState& line, Date signed_on, Date day, Date events_through) {
  if (line.cancelled_on && *line.cancelled_on <= std::min(day, events_through)) {
    day = *line.cancelled_on - 1;
  }
  return ScheduledThrough(line, signed_on, day, events_through);
}

Cents RecognizedThrough(const LineState& line, Date signed_on, Date day) {
  return RecognizedThrough(line, signed_on, day, day);
}

Cents CancelledThrough(const LineState& line, Date signed_on, Date day) {
  if (!line.cancelled_on || *line.cancelled_on > day) return 0;
  const Date before = *line.cancelled_on - 1;
  return line.amount - ScheduledThrough(line, signed_on, before, before);
}

}  // namespace forecastle
