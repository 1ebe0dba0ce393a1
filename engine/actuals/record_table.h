// One table per record kind (SPEC §3.4): its columns, each with its name, its type, whether it is
// required, which values it takes and which member of the engine record holds it. Reading a CSV
// row, writing one, converting to and from the API's messages (proto/wire/convert.cc) and naming
// the field of an error are each one loop over this table, so a new column is one line here.
#ifndef FORECASTLE_ENGINE_ACTUALS_RECORD_TABLE_H_
#define FORECASTLE_ENGINE_ACTUALS_RECORD_TABLE_H_

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/actuals/records.h"

namespace forecastle {

// What a column holds: how its text reads and writes (a CSV cell, the API's text fields) and
// which type of proto field carries it on the wire (ledger.proto; the test of this table checks
// every message against it).
enum class ColumnType {
  kId,      // an id (or a segment, stage, product, team): at most kMaxIdBytes, no control
            // characters. Wire: string.
  kText,    // free text (a customer's name): at most kMaxNameBytes. Wire: string.
  kDate,    // "YYYY-MM-DD", years 1900..2999. Wire: string.
  kMonth,   // "YYYY-MM". Wire: string.
  kFixed2,  // a decimal of at most 2 decimals held in hundredths: money, hours, FTE. Wire: string.
  kCount,   // a whole number: units. Wire: optional int64.
  kFlag,    // "true" or "false"; absent is false. Wire: bool.
  kChoice,  // one of the column's choices by name. Wire: an enum whose 0 is "absent" and whose
            // values 1, 2, ... are the choices in order.
};

// Which numbers a kFixed2 or kCount column takes.
enum class Sign { kAny, kNotNegative, kPositive, kNotZero };

// A column's value as the engine holds it: absent, text (kId, kText) or a number (a date's day
// count, a month index, hundredths, a count, a flag's 1, a choice's index).
using CellValue = std::variant<std::monostate, std::string, int64_t>;
inline bool IsAbsent(const CellValue& value) { return std::holds_alternative<std::monostate>(value); }

struct Column {
  absl::string_view name;  // the CSV column and the proto field
  ColumnType type = ColumnType::kId;
  bool required = false;
  Sign sign = Sign::kAny;
  std::span<const absl::string_view> choices;  // kChoice: the names, in the engine enum's order
  // The member's value, and setting it. `set` runs in column order (a later column may look at
  // an earlier one); its refusals need not name the column: the loops do.
  CellValue (*get)(const Record& record) = nullptr;
  absl::Status (*set)(Record& record, CellValue value) = nullptr;
};

struct RecordTable {
  RecordKind kind;
  absl::string_view name;       // "invoice", as errors and the API say it
  absl::string_view file_name;  // "invoices.csv"
  std::vector<Column> columns;  // in SPEC §3.4's order, required ones first
  std::vector<absl::string_view> column_names;
  Record (*empty)() = nullptr;  // a record of this kind with every member at its default
  const Column* Find(absl::string_view column) const;
};

const RecordTable& TableOf(RecordKind kind);

// "a, b or c": a choice column's names as errors list them.
std::string ChoiceList(std::span<const absl::string_view> choices);

// A cell's text as the column's value ("" = absent). Errors are INVALID_ARGUMENT about the
// column, quoting the text.
absl::StatusOr<CellValue> ParseCell(const Column& column, absl::string_view text);
// The value as text ("" when absent): what ParseCell reads back.
std::string FormatCell(const Column& column, const CellValue& value);
// The column's value checked on its own: an id's length and characters, text in UTF-8, a date's
// range, an amount's overflow, the column's sign. Errors name the column and the value.
absl::Status CheckCell(const Column& column, const CellValue& value);

// A record of `kind` from each column's value as `value_of` gives it, in column order; then
// validated (ValidateRecord). Every refusal names its column: a required one that is absent, a
// value `value_of` or the column refuses.
absl::StatusOr<Record> BuildRecord(RecordKind kind,
                                   absl::FunctionRef<absl::StatusOr<CellValue>(const Column&)> value_of);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_RECORD_TABLE_H_
