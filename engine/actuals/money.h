// Money in actuals: an exact integer count of cents (SPEC §2). Parsing refuses more than two
// decimals and anything that would overflow; formatting always writes two decimals.
#ifndef FORECASTLE_ENGINE_ACTUALS_MONEY_H_
#define FORECASTLE_ENGINE_ACTUALS_MONEY_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace forecastle {

using Cents = int64_t;

// The largest magnitude any single input amount may have: 10^15 cents (ten trillion in the
// reporting currency).
inline constexpr Cents kMaxAmountCents = 1'000'000'000'000'000LL;

// The largest total the ledger accepts for all bookings, and separately for all invoice
// magnitudes, and for one line's units or hours: 10^18. Every balance and sum the metrics form
// is bounded by a few such totals, so none can overflow int64 (9.2 x 10^18). A record that would
// push a total past it is refused as an overflow.
inline constexpr Cents kMaxLedgerTotalCents = 1'000'000'000'000'000'000LL;

// Parses "1234", "-1234.5", "1234.56" into cents. Refuses empty text, more than 2 decimals,
// thousands separators, exponents and magnitudes above kMaxAmountCents. Errors name `field`.
absl::StatusOr<Cents> ParseCents(absl::string_view text, absl::string_view field);

// Writes cents as a decimal with exactly two places: 123456 -> "1234.56", -5 -> "-0.05".
std::string FormatCents(Cents cents);

// floor(a * b / c) computed without overflow for non-negative b, c > 0 (a may be negative).
Cents MulDivFloor(Cents a, int64_t b, int64_t c);

// Cents as currency units in floating point, where a forecast's arithmetic begins.
inline double Units(Cents cents) { return static_cast<double>(cents) / 100.0; }

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_MONEY_H_
