#include "engine/actuals/recognition.h"

#include <algorithm>

namespace forecastle {
namespace {

int64_t UnitsPerDay(MonthIndex month) {
  const int year = month / 12, month_of_year = month % 12 + 1;
  return kMonthWeightUnits / DaysInMonth(year, month_of_year);
}

}  // namespace

RatableSchedule::RatableSchedule(Cents amount, Date start, Date end, RatableConvention convention)
    : amount_(amount), start_(start), end_(end), convention_(convention) {
  if (convention_ != RatableConvention::kMonthly) return;
  first_month_ = MonthOf(start);
  last_month_ = MonthOf(end);
  if (first_month_ == last_month_) {
    first_weight_ = total_weight_ = int64_t{end - start + 1} * UnitsPerDay(first_month_);
    return;
  }
  first_weight_ = int64_t{LastDayOfMonth(first_month_) - start + 1} * UnitsPerDay(first_month_);
  const int64_t last_weight =
      int64_t{end - FirstDayOfMonth(last_month_) + 1} * UnitsPerDay(last_month_);
  total_weight_ =
      first_weight_ + int64_t{last_month_ - first_month_ - 1} * kMonthWeightUnits + last_weight;
}

// floor(A · W_k / W): cumulative revenue through the end of month k.
Cents RatableSchedule::ThroughMonthEnd(MonthIndex month) const {
  if (month < first_month_) return 0;
  if (month >= last_month_) return amount_;
  const int64_t cumulative = first_weight_ + int64_t{month - first_month_} * kMonthWeightUnits;
  return MulDivFloor(amount_, cumulative, total_weight_);
}

Cents RatableSchedule::Through(Date day, MonthIndex month) const {
  if (day < start_) return 0;
  if (day >= end_) return amount_;
  if (convention_ == RatableConvention::kDaily) {
    return MulDivFloor(amount_, day - start_ + 1, end_ - start_ + 1);
  }
  const Cents after = ThroughMonthEnd(month);
  const Date month_last = LastDayOfMonth(month);
  if (day == month_last) return after;
  const Cents before = ThroughMonthEnd(month - 1);
  // Linear by service day inside the month, floored.
  const Date served_from = std::max(start_, FirstDayOfMonth(month));
  const Date served_to = std::min(end_, month_last);
  return before + MulDivFloor(after - before, day - served_from + 1, served_to - served_from + 1);
}

Cents RatableScheduleThrough(Cents amount, Date start, Date end, RatableConvention convention,
                             Date day) {
  return RatableSchedule(amount, start, end, convention).Through(day);
}

Cents ScheduledThrough(const LineState& state, Date signed_on, Date day, Date events_through) {
  if (day < signed_on) return 0;
  const Line& line = state.line;
  if (line.kind == LineKind::kRatable) {
    return RatableSchedule(state.amount, *line.start_on, *line.end_on, line.convention).Through(day);
  }
  const ProgressPoint* known = state.ProgressThrough(std::min(day, events_through));
  if (known == nullptr) return 0;
  const ProgressPoint& point = *known;
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

LineCurve::LineCurve(const LineState& line, Date signed_on) : line_(line), signed_on_(signed_on) {
  const Line& l = line.line;
  if (line.cancelled_on) cancelled_on_ = *line.cancelled_on;
  if (l.kind == LineKind::kRatable) {
    ratable_.emplace(line.amount, *l.start_on, *l.end_on, l.convention);
    active_from_ = std::max(signed_on, *l.start_on);
    settled_from_ = std::max(signed_on, *l.end_on);
    settled_ = line.amount;
    if (cancelled_on_ <= settled_from_) {
      // Frozen at the day before the cancellation.
      const Date frozen = cancelled_on_ - 1;
      settled_from_ = cancelled_on_;
      settled_ = frozen < signed_on ? 0 : ratable_->Through(frozen);
      cancelled_ = line.amount - settled_;
    }
    return;
  }
  if (line.to_date.empty()) {
    active_from_ = settled_from_ = kMinDate;  // nothing recorded: 0 on every day
  } else {
    active_from_ = std::max(signed_on, line.to_date.front().on);
    settled_from_ = std::max(signed_on, line.to_date.back().on);
  }
  if (line.cancelled_on) {
    cancelled_ = forecastle::CancelledThrough(line, signed_on, cancelled_on_);
    settled_from_ = std::min(settled_from_, cancelled_on_);
  }
  settled_ = forecastle::RecognizedThrough(line, signed_on, settled_from_);
}

Cents LineCurve::Evaluate(Date day, MonthIndex month) const {
  if (ratable_) return day < signed_on_ ? 0 : ratable_->Through(day, month);
  return ScheduledThrough(line_, signed_on_, day, day);
}

}  // namespace forecastle
