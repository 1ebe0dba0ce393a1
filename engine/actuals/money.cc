#include "engine/actuals/money.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "engine/common/field_error.h"
#include "engine/common/quote.h"

namespace forecastle {

absl::StatusOr<Cents> ParseCents(absl::string_view text, absl::string_view field) {
  auto error = [&](absl::string_view why) {
    return InvalidFieldError(field, absl::StrCat(why, ", got ", Quoted(text)));
  };
  if (text.empty()) return error("is empty");
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  __int128 units = 0;
  int int_digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return error("not a decimal number");
    units = units * 10 + (c - '0');
    if (units > kMaxAmountCents) return error("overflows (limit 10000000000000.00)");
    ++int_digits;
  }
  int decimals = 0;
  __int128 cents = 0;
  if (i < text.size()) {  // text[i] == '.'
    ++i;
    if (i == text.size()) return error("not a decimal number");
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return error("not a decimal number");
      if (++decimals > 2) return error("has more than 2 decimals");
      cents = cents * 10 + (c - '0');
    }
  }
  if (int_digits == 0 && decimals == 0) return error("not a decimal number");
  if (decimals == 1) cents *= 10;
  __int128 total = units * 100 + cents;
  if (total > kMaxAmountCents) return error("overflows (limit 10000000000000.00)");
  return static_cast<Cents>(negative ? -total : total);
}

std::string FormatCents(Cents cents) {
  const bool negative = cents < 0;
  // Work in unsigned so INT64_MIN formats too.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  uint64_t fraction = magnitude % 100;
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, magnitude / 100, ".", fraction < 10 ? "0" : "", fraction);
  return out;
}

Cents MulDivFloor(Cents a, int64_t b, int64_t c) {
  __int128 num = static_cast<__int128>(a) * b;
  __int128 q = num / c;
  if ((num % c != 0) && ((num < 0) != (c < 0))) --q;
  return static_cast<Cents>(q);
}

}  // namespace forecastle
