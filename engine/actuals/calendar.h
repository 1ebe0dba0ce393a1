// Civil days and reporting periods (SPEC §2): dates without time zones, months, quarters and
// years, with a fiscal year that may start in any month.
#ifndef FORECASTLE_ENGINE_ACTUALS_CALENDAR_H_
#define FORECASTLE_ENGINE_ACTUALS_CALENDAR_H_

#include <compare>
#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"

namespace forecastle {

// A civil day, stored as days since 1970-01-01. Valid range: years 1900..2999.
struct Date {
  int32_t days = 0;
  friend auto operator<=>(Date, Date) = default;
  Date operator+(int32_t n) const { return Date{days + n}; }
  Date operator-(int32_t n) const { return Date{days - n}; }
  int32_t operator-(Date other) const { return days - other.days; }
};

struct CivilDay {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};

inline constexpr Date kMinDate{-25567};    // 1900-01-01
inline constexpr Date kMaxDate{376199};    // 2999-12-31

Date DateFromCivil(int year, int month, int day);
CivilDay CivilFromDate(Date date);
int DaysInMonth(int year, int month);
bool IsLeapYear(int year);

// "YYYY-MM-DD" only; errors name `field` and quote the text.
absl::StatusOr<Date> ParseDate(absl::string_view text, absl::string_view field);
std::string FormatDate(Date date);

// A month counted from year 0: year * 12 + (month - 1). Months compare and subtract as integers.
using MonthIndex = int32_t;
MonthIndex MonthOf(Date date);
Date FirstDayOfMonth(MonthIndex month);
Date LastDayOfMonth(MonthIndex month);
// The last month that has ended by the end of `day`: its own month on a month end, else the one before.
MonthIndex LastWholeMonth(Date day);
// "YYYY-MM"; errors name `field`.
absl::StatusOr<MonthIndex> ParseMonth(absl::string_view text, absl::string_view field);
std::string FormatMonth(MonthIndex month);

// The same day n months later (or earlier), clamped to the end of a shorter month.
Date AddMonths(Date date, int months);

enum class Grain { kMonth, kQuarter, kYear };

// How months group into quarters and years. A fiscal year is named by the calendar year in
// which it ends: with fiscal_year_start_month = 7, "2026" runs 2025-07-01..2026-06-30 and
// "2026-Q1" is 2025-07..2025-09.
struct PeriodCalendar {
  Grain grain = Grain::kMonth;
  int fiscal_year_start_month = 1;  // 1..12
};

struct Period {
  Date first;
  Date last;
  std::string label;  // "2026-01", "2026-Q1" or "2026"
};

// The period of `calendar.grain` containing `date`.
Period PeriodContaining(Date date, const PeriodCalendar& calendar);

// The consecutive periods from the one containing the first day of `from` to the one containing
// the last day of `to`. Refuses from > to, a bad fiscal month, or more than 1,200 periods.
absl::StatusOr<std::vector<Period>> PeriodsBetween(MonthIndex from, MonthIndex to,
                                                   const PeriodCalendar& calendar);

absl::StatusOr<Grain> ParseGrain(absl::string_view text, absl::string_view field);
absl::string_view GrainName(Grain grain);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_CALENDAR_H_
