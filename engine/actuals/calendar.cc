#include "engine/actuals/calendar.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/common/field_error.h"
#include "engine/common/quote.h"

namespace forecastle {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
int32_t DaysFromCivilImpl(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

bool ParseDigits(absl::string_view text, int* out) {
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return !text.empty();
}

}  // namespace

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

Date DateFromCivil(int year, int month, int day) {
  return Date{DaysFromCivilImpl(year, static_cast<unsigned>(month), static_cast<unsigned>(day))};
}

CivilDay CivilFromDate(Date date) {
  int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDay{y + (m <= 2), static_cast<int>(m), static_cast<int>(d)};
}

absl::StatusOr<Date> ParseDate(absl::string_view text, absl::string_view field) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ParseDigits(text.substr(0, 4), &y) ||
      !ParseDigits(text.substr(5, 2), &m) || !ParseDigits(text.substr(8, 2), &d)) {
    return InvalidFieldError(field, absl::StrCat("expected a date YYYY-MM-DD, got ", Quoted(text)));
  }
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) {
    return InvalidFieldError(field, absl::StrCat("no such day (years 1900..2999), got ", Quoted(text)));
  }
  return DateFromCivil(y, m, d);
}

std::string FormatDate(Date date) {
  CivilDay c = CivilFromDate(date);
  return absl::StrFormat("%04d-%02d-%02d", c.year, c.month, c.day);
}

MonthIndex MonthOf(Date date) {
  CivilDay c = CivilFromDate(date);
  return c.year * 12 + c.month - 1;
}

Date FirstDayOfMonth(MonthIndex month) { return DateFromCivil(month / 12, month % 12 + 1, 1); }

Date LastDayOfMonth(MonthIndex month) { return FirstDayOfMonth(month + 1) - 1; }

MonthIndex LastWholeMonth(Date day) { return MonthOf(day) - (day == LastDayOfMonth(MonthOf(day)) ? 0 : 1); }

absl::StatusOr<MonthIndex> ParseMonth(absl::string_view text, absl::string_view field) {
  int y = 0, m = 0;
  if (text.size() != 7 || text[4] != '-' || !ParseDigits(text.substr(0, 4), &y) ||
      !ParseDigits(text.substr(5, 2), &m) || m < 1 || m > 12 || y < 1900 || y > 2999) {
    return InvalidFieldError(field,
                             absl::StrCat("expected a month YYYY-MM (years 1900..2999), got ", Quoted(text)));
  }
  return y * 12 + m - 1;
}

std::string FormatMonth(MonthIndex month) {
  return absl::StrFormat("%04d-%02d", month / 12, month % 12 + 1);
}

Date AddMonths(Date date, int months) {
  CivilDay c = CivilFromDate(date);
  MonthIndex target = c.year * 12 + c.month - 1 + months;
  int year = target / 12, month = target % 12 + 1;
  int day = std::min(c.day, DaysInMonth(year, month));
  return DateFromCivil(year, month, day);
}

Period PeriodContaining(Date date, const PeriodCalendar& calendar) {
  const MonthIndex month = MonthOf(date);
  if (calendar.grain == Grain::kMonth) {
    return Period{FirstDayOfMonth(month), LastDayOfMonth(month), FormatMonth(month)};
  }
  // Months since the start of the fiscal year that contains `month`.
  const int offset = ((month % 12) - (calendar.fiscal_year_start_month - 1) + 12) % 12;
  const MonthIndex year_start = month - offset;
  // Named by the calendar year in which the fiscal year ends.
  const int fiscal_year = (year_start + 11) / 12;
  if (calendar.grain == Grain::kYear) {
    return Period{FirstDayOfMonth(year_start), LastDayOfMonth(year_start + 11),
                  absl::StrCat(fiscal_year)};
  }
  const int quarter = offset / 3;
  const MonthIndex quarter_start = year_start + 3 * quarter;
  return Period{FirstDayOfMonth(quarter_start), LastDayOfMonth(quarter_start + 2),
                absl::StrCat(fiscal_year, "-Q", quarter + 1)};
}

absl::StatusOr<std::vector<Period>> PeriodsBetween(MonthIndex from, MonthIndex to,
                                                   const PeriodCalendar& calendar) {
  if (calendar.fiscal_year_start_month < 1 || calendar.fiscal_year_start_month > 12) {
    return absl::InvalidArgumentError(absl::StrCat(
        "fiscal_year_start_month must be in [1, 12], got ", calendar.fiscal_year_start_month));
  }
  if (from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("from must not be after to, got from ", FormatMonth(from), " and to ",
                     FormatMonth(to)));
  }
  if (to - from >= 1200) {
    return absl::InvalidArgumentError(absl::StrCat(
        "from..to must span at most 1200 months, got ", to - from + 1, " months"));
  }
  std::vector<Period> periods;
  const Date end = LastDayOfMonth(to);
  for (Date day = FirstDayOfMonth(from); day <= end;) {
    periods.push_back(PeriodContaining(day, calendar));
    day = periods.back().last + 1;
  }
  return periods;
}

absl::StatusOr<Grain> ParseGrain(absl::string_view text, absl::string_view field) {
  if (text == "month" || text.empty()) return Grain::kMonth;
  if (text == "quarter") return Grain::kQuarter;
  if (text == "year") return Grain::kYear;
  return InvalidFieldError(field, absl::StrCat("expected month, quarter or year, got ", Quoted(text)));
}

absl::string_view GrainName(Grain grain) {
  switch (grain) {
    case Grain::kMonth: return "month";
    case Grain::kQuarter: return "quarter";
    case Grain::kYear: return "year";
  }
  return "month";
}

}  // namespace forecastle
