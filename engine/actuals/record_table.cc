#include "engine/actuals/record_table.h"

#include <optional>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/field_error.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"
#include "engine/common/utf8.h"

namespace forecastle {
namespace {

// A member's value as a cell and back, by the member's C++ type. An empty string, an absent
// optional and a false flag are absent cells.
template <typename T>
CellValue ToCell(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return value.empty() ? CellValue() : CellValue(value);
  } else if constexpr (std::is_same_v<T, Date>) {
    return CellValue(int64_t{value.days});
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? CellValue(int64_t{1}) : CellValue();
  } else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
    return CellValue(static_cast<int64_t>(value));
  } else {  // std::optional<Date>, std::optional<int64_t>
    return value ? ToCell(*value) : CellValue();
  }
}

template <typename T>
void FromCell(CellValue cell, T& out) {
  const int64_t number = std::holds_alternative<int64_t>(cell) ? std::get<int64_t>(cell) : 0;
  if constexpr (std::is_same_v<T, std::string>) {
    out = std::holds_alternative<std::string>(cell) ? std::move(std::get<std::string>(cell)) : std::string();
  } else if constexpr (std::is_same_v<T, Date>) {
    out = Date{static_cast<int32_t>(number)};
  } else if constexpr (std::is_same_v<T, bool>) {
    out = number != 0;
  } else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
    out = static_cast<T>(number);
  } else {  // std::optional<Date>, std::optional<int64_t>
    if (IsAbsent(cell)) {
      out.reset();
    } else {
      out.emplace();
      FromCell(std::move(cell), *out);
    }
  }
}

template <typename M>
struct MemberOf;
template <typename R, typename T>
struct MemberOf<T R::*> {
  using Record = R;
};

constexpr bool kRequired = true;
constexpr bool kOptional = false;

// The column `name` held by `member`.
template <auto member>
Column Col(absl::string_view name, ColumnType type, bool required, Sign sign = Sign::kAny,
           std::span<const absl::string_view> choices = {}) {
  using R = typename MemberOf<decltype(member)>::Record;
  return Column{name, type, required, sign, choices,
                [](const Record& record) { return ToCell(std::get<R>(record).*member); },
                [](Record& record, CellValue value) {
                  FromCell(std::move(value), std::get<R>(record).*member);
                  return absl::OkStatus();
                }};
}

template <auto member>
Column Choice(absl::string_view name, bool required, std::span<const absl::string_view> choices) {
  return Col<member>(name, ColumnType::kChoice, required, Sign::kAny, choices);
}

// A line's convention: only a ratable line has one (monthly when absent); any other kind of line
// is refused one, even "monthly".
Column Convention() {
  Column column = Choice<&Line::convention>("convention", kOptional, kConventionNames);
  column.get = [](const Record& record) {
    const Line& line = std::get<Line>(record);
    return line.kind == LineKind::kRatable ? ToCell(line.convention) : CellValue();
  };
  column.set = [](Record& record, CellValue value) {
    Line& line = std::get<Line>(record);
    line.convention = RatableConvention::kMonthly;
    if (IsAbsent(value)) return absl::OkStatus();
    if (line.kind != LineKind::kRatable) {
      return absl::InvalidArgumentError(
          absl::StrCat("only ratable lines have one, this line is ", LineKindName(line.kind)));
    }
    FromCell(std::move(value), line.convention);
    return absl::OkStatus();
  };
  return column;
}

template <typename R>
RecordTable Table(absl::string_view name, absl::string_view file_name, std::vector<Column> columns) {
  RecordTable table{static_cast<RecordKind>(Record(R{}).index()), name, file_name, std::move(columns), {},
                    [] { return Record(R{}); }};
  for (const Column& column : table.columns) table.column_names.push_back(column.name);
  return table;
}

using enum ColumnType;

// SPEC §3.4, file by file.
std::vector<RecordTable> MakeTables() {
  std::vector<RecordTable> tables;
  tables.push_back(Table<Customer>("customer", "customers.csv", {
      Col<&Customer::customer_id>("customer_id", kId, kRequired),
      Col<&Customer::name>("name", kText, kOptional),
      Col<&Customer::segment>("segment", kId, kOptional),
  }));
  tables.push_back(Table<Contract>("contract", "contracts.csv", {
      Col<&Contract::contract_id>("contract_id", kId, kRequired),
      Col<&Contract::customer_id>("customer_id", kId, kRequired),
      Col<&Contract::signed_on>("signed_on", kDate, kRequired),
      Col<&Contract::transaction_price>("transaction_price", kFixed2, kOptional, Sign::kNotNegative),
  }));
  tables.push_back(Table<Line>("line", "lines.csv", {
      Col<&Line::contract_id>("contract_id", kId, kRequired),
      Col<&Line::line_id>("line_id", kId, kRequired),
      Choice<&Line::kind>("kind", kRequired, kLineKindNames),
      Col<&Line::ssp>("ssp", kFixed2, kRequired, Sign::kNotNegative),
      Col<&Line::start_on>("start_on", kDate, kOptional),
      Col<&Line::end_on>("end_on", kDate, kOptional),
      Col<&Line::total_units>("total_units", kCount, kOptional, Sign::kPositive),
      Col<&Line::estimated_hours>("estimated_hours", kFixed2, kOptional, Sign::kPositive),
      Col<&Line::expected_end_on>("expected_end_on", kDate, kOptional),
      Convention(),
  }));
  tables.push_back(Table<Progress>("progress", "progress.csv", {
      Col<&Progress::contract_id>("contract_id", kId, kRequired),
      Col<&Progress::line_id>("line_id", kId, kRequired),
      Col<&Progress::on>("on", kDate, kRequired),
      Col<&Progress::units>("units", kCount, kOptional, Sign::kNotNegative),
      Col<&Progress::hours>("hours", kFixed2, kOptional, Sign::kNotNegative),
      Col<&Progress::estimated_hours>("estimated_hours", kFixed2, kOptional, Sign::kPositive),
      Col<&Progress::complete>("complete", kFlag, kOptional),
  }));
  tables.push_back(Table<Cancellation>("cancellation", "cancellations.csv", {
      Col<&Cancellation::contract_id>("contract_id", kId, kRequired),
      Col<&Cancellation::line_id>("line_id", kId, kRequired),
      Col<&Cancellation::effective_on>("effective_on", kDate, kRequired),
  }));
  tables.push_back(Table<Invoice>("invoice", "invoices.csv", {
      Col<&Invoice::invoice_id>("invoice_id", kId, kRequired),
      Col<&Invoice::contract_id>("contract_id", kId, kRequired),
      Col<&Invoice::issued_on>("issued_on", kDate, kRequired),
      Col<&Invoice::amount>("amount", kFixed2, kRequired, Sign::kNotZero),  // negative: a credit note
      Col<&Invoice::due_on>("due_on", kDate, kOptional),
  }));
  tables.push_back(Table<Payment>("payment", "payments.csv", {
      Col<&Payment::payment_id>("payment_id", kId, kRequired),
      Col<&Payment::invoice_id>("invoice_id", kId, kRequired),
      Col<&Payment::received_on>("received_on", kDate, kRequired),
      Col<&Payment::amount>("amount", kFixed2, kRequired, Sign::kPositive),
  }));
  tables.push_back(Table<Opportunity>("opportunity", "opportunities.csv", {
      Col<&Opportunity::opportunity_id>("opportunity_id", kId, kRequired),
      Col<&Opportunity::segment>("segment", kId, kRequired),
      Col<&Opportunity::amount>("amount", kFixed2, kRequired, Sign::kNotNegative),
      Col<&Opportunity::created_on>("created_on", kDate, kRequired),
      Choice<&Opportunity::status>("status", kRequired, kOpportunityStatusNames),
      Col<&Opportunity::stage>("stage", kId, kOptional),
      Col<&Opportunity::expected_close_on>("expected_close_on", kDate, kOptional),
      Col<&Opportunity::closed_on>("closed_on", kDate, kOptional),
      Col<&Opportunity::customer_id>("customer_id", kId, kOptional),
      Col<&Opportunity::product>("product", kId, kOptional),
  }));
  tables.push_back(Table<Headcount>("headcount", "headcount.csv", {
      Col<&Headcount::team>("team", kId, kRequired),
      Col<&Headcount::month>("month", kMonth, kRequired),
      Col<&Headcount::centi_fte>("fte", kFixed2, kRequired, Sign::kNotNegative),
  }));
  return tables;
}

absl::StatusOr<CellValue> ParseCount(absl::string_view text) {
  int64_t value = 0;
  size_t i = text[0] == '-' ? 1 : 0;
  if (i == text.size() || text.size() > 16) {
    return absl::InvalidArgumentError(absl::StrCat("expected a whole number below 10^15, got ", Quoted(text)));
  }
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return absl::InvalidArgumentError(absl::StrCat("expected a whole number, got ", Quoted(text)));
    }
    value = value * 10 + (text[i] - '0');
  }
  if (value > kMaxAmountCents) return absl::InvalidArgumentError(absl::StrCat("overflows, got ", Quoted(text)));
  return CellValue(text[0] == '-' ? -value : value);
}

std::string FormatNumber(const Column& column, int64_t value) {
  return column.type == kFixed2 ? FormatCents(value) : absl::StrCat(value);
}

absl::Status CheckSign(const Column& column, int64_t value) {
  switch (column.sign) {
    case Sign::kAny: return absl::OkStatus();
    case Sign::kNotNegative:
      if (value >= 0) return absl::OkStatus();
      return absl::InvalidArgumentError(absl::StrCat("must not be negative, got ", FormatNumber(column, value)));
    case Sign::kPositive:
      if (value > 0) return absl::OkStatus();
      return absl::InvalidArgumentError(absl::StrCat("must be positive, got ", FormatNumber(column, value)));
    case Sign::kNotZero:
      if (value != 0) return absl::OkStatus();
      return absl::InvalidArgumentError("must not be zero");
  }
  return absl::OkStatus();
}

absl::Status CheckId(absl::string_view id, bool required) {
  if (id.empty()) return required ? absl::InvalidArgumentError("required") : absl::OkStatus();
  if (id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(id.size(), " bytes, more than the limit of ", kMaxIdBytes));
  }
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x20) return absl::InvalidArgumentError("contains a control character");
  }
  return absl::OkStatus();  // UTF-8: CheckCell checks every text
}

absl::Status CheckNumber(const Column& column, int64_t value) {
  switch (column.type) {
    case kDate:
      if (value < kMinDate.days || value > kMaxDate.days) {
        return absl::InvalidArgumentError("outside years 1900..2999");
      }
      return absl::OkStatus();
    case kMonth:
      if (value < MonthOf(kMinDate) || value > MonthOf(kMaxDate)) {
        return absl::InvalidArgumentError(
            absl::StrCat("outside years 1900..2999, got ", FormatMonth(static_cast<MonthIndex>(value))));
      }
      return absl::OkStatus();
    case kFixed2:
      if (value > kMaxAmountCents || value < -kMaxAmountCents) {
        return absl::InvalidArgumentError("overflows (limit 10000000000000.00)");
      }
      return CheckSign(column, value);
    case kCount:
      if (value > kMaxUnits) return absl::InvalidArgumentError(absl::StrCat("must be at most ", kMaxUnits, ", got ", value));
      return CheckSign(column, value);
    default:
      return absl::OkStatus();
  }
}

}  // namespace

std::string ChoiceList(std::span<const absl::string_view> choices) {
  if (choices.size() < 2) return absl::StrJoin(choices, "");
  return absl::StrCat(absl::StrJoin(choices.first(choices.size() - 1), ", "), " or ", choices.back());
}

const RecordTable& TableOf(RecordKind kind) {
  static const std::vector<RecordTable>* const tables = new std::vector<RecordTable>(MakeTables());
  return (*tables)[static_cast<size_t>(kind)];
}

const Column* RecordTable::Find(absl::string_view column) const {
  for (const Column& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

absl::StatusOr<CellValue> ParseCell(const Column& column, absl::string_view text) {
  if (text.empty()) return CellValue();
  RETURN_IF_ERROR(CheckUtf8(text, column.name));
  switch (column.type) {
    case kId:
    case kText:
      return CellValue(std::string(text));
    case kDate: {
      ASSIGN_OR_RETURN(Date date, ParseDate(text, column.name));
      return CellValue(int64_t{date.days});
    }
    case kMonth: {
      ASSIGN_OR_RETURN(MonthIndex month, ParseMonth(text, column.name));
      return CellValue(int64_t{month});
    }
    case kFixed2: {
      ASSIGN_OR_RETURN(Cents hundredths, ParseCents(text, column.name));
      return CellValue(hundredths);
    }
    case kCount: {
      absl::StatusOr<CellValue> count = ParseCount(text);
      if (!count.ok()) return NameField(count.status(), column.name);
      return count;
    }
    case kFlag:
      if (text == "false") return CellValue();
      if (text == "true") return CellValue(int64_t{1});
      return InvalidFieldError(column.name, absl::StrCat("expected true or false, got ", Quoted(text)));
    case kChoice:
      for (size_t i = 0; i < column.choices.size(); ++i) {
        if (column.choices[i] == text) return CellValue(static_cast<int64_t>(i));
      }
      return InvalidFieldError(column.name,
                               absl::StrCat("expected ", ChoiceList(column.choices), ", got ", Quoted(text)));
  }
  return absl::InternalError(absl::StrCat(column.name, ": unknown column type"));
}

std::string FormatCell(const Column& column, const CellValue& value) {
  if (const std::string* text = std::get_if<std::string>(&value)) return *text;
  const int64_t* number = std::get_if<int64_t>(&value);
  if (number == nullptr) return "";
  switch (column.type) {
    case kDate: return FormatDate(Date{static_cast<int32_t>(*number)});
    case kMonth: return FormatMonth(static_cast<MonthIndex>(*number));
    case kFixed2: return FormatCents(*number);
    case kFlag: return *number != 0 ? "true" : "";
    case kChoice: return std::string(column.choices[static_cast<size_t>(*number)]);
    default: return absl::StrCat(*number);
  }
}

absl::Status CheckCell(const Column& column, const CellValue& value) {
  if (column.type == kId || column.type == kText) {
    const std::string* text = std::get_if<std::string>(&value);
    const absl::string_view view = text == nullptr ? absl::string_view() : absl::string_view(*text);
    if (column.type == kId) {
      RETURN_IF_ERROR(NameField(CheckId(view, column.required), column.name));
    } else {
      RETURN_IF_ERROR(CheckLength(view, kMaxNameBytes, column.name));
    }
    // The API carries records as proto3 strings, which must be UTF-8; free text may hold any
    // character, in UTF-8.
    return CheckUtf8(view, column.name);
  }
  if (const int64_t* number = std::get_if<int64_t>(&value)) {
    return NameField(CheckNumber(column, *number), column.name);
  }
  return absl::OkStatus();
}

absl::StatusOr<Record> BuildRecord(RecordKind kind,
                                   absl::FunctionRef<absl::StatusOr<CellValue>(const Column&)> value_of) {
  const RecordTable& table = TableOf(kind);
  Record record = table.empty();
  for (const Column& column : table.columns) {
    absl::StatusOr<CellValue> value = value_of(column);
    if (!value.ok()) return NameField(value.status(), column.name);
    if (column.required && IsAbsent(*value)) return InvalidFieldError(column.name, "required");
    RETURN_IF_ERROR(NameField(column.set(record, *std::move(value)), column.name));
  }
  RETURN_IF_ERROR(ValidateRecord(record));
  return record;
}

// The API of records.h that reads and writes text, over the table.

absl::string_view KindName(RecordKind kind) { return TableOf(kind).name; }
absl::string_view KindFileName(RecordKind kind) { return TableOf(kind).file_name; }
const std::vector<absl::string_view>& KindColumns(RecordKind kind) { return TableOf(kind).column_names; }

int KindRequiredColumnCount(RecordKind kind) {
  int count = 0;
  for (const Column& column : TableOf(kind).columns) count += column.required;
  return count;
}

absl::StatusOr<Record> ParseRecord(RecordKind kind, const FieldValues& fields) {
  const RecordTable& table = TableOf(kind);
  for (const auto& [name, text] : fields) {
    if (table.Find(name) == nullptr) {
      return InvalidFieldError(name, absl::StrCat("unknown column for ", table.name, " records"));
    }
  }
  return BuildRecord(kind, [&](const Column& column) -> absl::StatusOr<CellValue> {
    for (const auto& [name, text] : fields) {
      if (name == column.name) return ParseCell(column, text);
    }
    return CellValue();
  });
}

std::vector<std::string> FormatRecord(const Record& record) {
  const RecordTable& table = TableOf(KindOf(record));
  std::vector<std::string> cells;
  cells.reserve(table.columns.size());
  for (const Column& column : table.columns) cells.push_back(FormatCell(column, column.get(record)));
  return cells;
}

}  // namespace forecastle
