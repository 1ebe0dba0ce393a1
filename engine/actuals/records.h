// The recorded events of the ledger (SPEC §3.4), as typed values. Each record kind has an
// identity (its id, or for progress, cancellations and lines the ids they hang on, or for
// headcount its team and month) and a content;
// the ledger accepts a record whose identity is known only when the content is the same.
#ifndef FORECASTLE_ENGINE_ACTUALS_RECORDS_H_
#define FORECASTLE_ENGINE_ACTUALS_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/calendar.h"
#include "engine/actuals/money.h"

namespace forecastle {

// Hours are exact too: hundredths of an hour, so "7.25" hours is 725.
using CentiHours = int64_t;

enum class LineKind { kRatable, kDelivery, kEffort };
enum class RatableConvention { kMonthly, kDaily };
enum class OpportunityStatus { kOpen, kWon, kLost };
// Their names (SPEC §3.4), in the enums' order.
inline constexpr absl::string_view kLineKindNames[] = {"ratable", "delivery", "effort"};
inline constexpr absl::string_view kConventionNames[] = {"monthly", "daily"};
inline constexpr absl::string_view kOpportunityStatusNames[] = {"open", "won", "lost"};

struct Customer {
  std::string customer_id;
  std::string name;
  std::string segment;
  bool operator==(const Customer&) const = default;
};

struct Contract {
  std::string contract_id;
  std::string customer_id;
  Date signed_on;
  std::optional<Cents> transaction_price;
  bool operator==(const Contract&) const = default;
};

struct Line {
  std::string contract_id;
  std::string line_id;
  LineKind kind = LineKind::kRatable;
  Cents ssp = 0;
  std::optional<Date> start_on;                // ratable: required
  std::optional<Date> end_on;                  // ratable: required, >= start_on
  std::optional<int64_t> total_units;          // delivery: required, >= 1
  std::optional<CentiHours> estimated_hours;   // effort: required, > 0
  std::optional<Date> expected_end_on;         // delivery, effort: for cRPO
  RatableConvention convention = RatableConvention::kMonthly;
  bool operator==(const Line&) const = default;
};

// Work done on one line on one day: units delivered and hours spent that day (increments), a
// revised total-hours estimate in force from that day, or the line marked complete.
struct Progress {
  std::string contract_id;
  std::string line_id;
  Date on;
  std::optional<int64_t> units;
  std::optional<CentiHours> hours;
  std::optional<CentiHours> estimated_hours;
  bool complete = false;
  bool operator==(const Progress&) const = default;
};

struct Cancellation {
  std::string contract_id;
  std::string line_id;
  Date effective_on;
  bool operator==(const Cancellation&) const = default;
};

// An invoice; a negative amount is a credit note.
struct Invoice {
  std::string invoice_id;
  std::string contract_id;
  Date issued_on;
  Cents amount = 0;
  std::optional<Date> due_on;
  bool operator==(const Invoice&) const = default;
};

struct Payment {
  std::string payment_id;
  std::string invoice_id;
  Date received_on;
  Cents amount = 0;
  bool operator==(const Payment&) const = default;
};

struct Opportunity {
  std::string opportunity_id;
  std::string segment;
  Cents amount = 0;
  Date created_on;
  OpportunityStatus status = OpportunityStatus::kOpen;
  std::string stage;
  std::optional<Date> expected_close_on;
  std::optional<Date> closed_on;
  std::string customer_id;
  std::string product;
  bool operator==(const Opportunity&) const = default;
};

// People delivering work in one team in one month, from the HR system (SPEC §3.4). Identified by
// (team, month). FTE are exact too: hundredths of an FTE, so "12.25" FTE is 1225.
struct Headcount {
  std::string team;
  MonthIndex month = 0;
  int64_t centi_fte = 0;
  bool operator==(const Headcount&) const = default;
};

// The most FTE a headcount record may give one team in one month.
inline constexpr int64_t kMaxCentiFte = 1'000'000 * int64_t{100};
// Bounds on what a record may hold, refused naming the field (SPEC §5: every request bounded):
// ids (and segment, stage, product, team) at most kMaxIdBytes bytes, a customer's name at most
// kMaxNameBytes, units (a delivery line's total, a day's progress) at most kMaxUnits.
inline constexpr size_t kMaxIdBytes = 128;
inline constexpr size_t kMaxNameBytes = 1000;
inline constexpr int64_t kMaxUnits = 1'000'000'000'000;

using Record = std::variant<Customer, Contract, Line, Progress, Cancellation, Invoice, Payment,
                            Opportunity, Headcount>;

// The kinds, in the order in which references point backwards: a record only refers to kinds
// before it (a line to its contract, a payment to its invoice, ...).
enum class RecordKind { kCustomer, kContract, kLine, kProgress, kCancellation, kInvoice, kPayment,
                        kOpportunity, kHeadcount };
inline constexpr int kRecordKindCount = 9;

RecordKind KindOf(const Record& record);
// "customer", "contract", ... as used in errors and the API.
absl::string_view KindName(RecordKind kind);
// The CSV file a kind is exchanged in: "customers.csv", ...
absl::string_view KindFileName(RecordKind kind);
// The columns of a kind's CSV file (SPEC §3.4), required ones first.
const std::vector<absl::string_view>& KindColumns(RecordKind kind);
// The number of leading KindColumns that are required.
int KindRequiredColumnCount(RecordKind kind);
// A short human key for errors: "invoice INV-7", "line C-1/L-2", "progress C-1/L-2 on 2026-01-05",
// "headcount of delivery in 2026-01".
std::string RecordKey(const Record& record);
// What identifies the record within its kind, as its key columns joined by '/': "INV-7",
// "C-1/L-2" (a line, or its cancellation), "C-1/L-2/2026-01-05" (progress), "delivery/2026-01"
// (headcount). A contract's id is a prefix of its lines' ids: the audit trail finds a contract's
// lines, progress and cancellations under it.
std::string RecordId(const Record& record);

// Textual fields of one record, as they come from a CSV row or an API message: (column, text)
// pairs, an absent value being an empty text.
using FieldValues = std::vector<std::pair<absl::string_view, absl::string_view>>;

// Parses and validates one record's fields on their own (UTF-8 text, formats, ranges, a line's
// kind-specific requirements), one loop over the kind's table (record_table.h). Errors are
// INVALID_ARGUMENT about a column (FieldOf in engine/common/field_error.h reads it; the message
// reads "column: why, got value"). Columns not in KindColumns(kind) are refused. Checks that
// need the ledger (references, duplicates, over-payment) are the ledger's.
absl::StatusOr<Record> ParseRecord(RecordKind kind, const FieldValues& fields);

// The checks of ParseRecord that apply to a typed record: ids, text in UTF-8, date and amount
// ranges, signs (each column's, by the table), end >= start, a line's kind-specific requirements.
// Ledger::Apply runs them on every record, so a record built in code is held to the same rules
// as one parsed from text. Errors name their field as FieldOf reads it.
absl::Status ValidateRecord(const Record& record);

// The inverse of ParseRecord: the record's fields as text, in KindColumns order ("" = absent).
std::vector<std::string> FormatRecord(const Record& record);

absl::string_view LineKindName(LineKind kind);
absl::string_view ConventionName(RatableConvention convention);
absl::string_view OpportunityStatusName(OpportunityStatus status);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_RECORDS_H_
