#include "engine/actuals/records.h"

#include "absl/strings/str_cat.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"
#include "engine/common/utf8.h"

namespace forecastle {
namespace {

// Looks fields up by column name and parses them, naming the column in every error.
class Fields {
 public:
  Fields(RecordKind kind, const FieldValues& values) : kind_(kind), values_(values) {}

  absl::Status CheckKnown() const {
    const auto& columns = KindColumns(kind_);
    for (const auto& [name, text] : values_) {
      bool known = false;
      for (auto column : columns) known |= column == name;
      if (!known) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": unknown column for ", KindName(kind_), " records"));
      }
    }
    return absl::OkStatus();
  }

  // Every text is UTF-8 (SPEC §3.4), whatever column it is in.
  absl::Status CheckUtf8() const {
    for (const auto& [name, text] : values_) RETURN_IF_ERROR(forecastle::CheckUtf8(text, name));
    return absl::OkStatus();
  }

  absl::string_view Text(absl::string_view name) const {
    for (const auto& [column, text] : values_) {
      if (column == name) return text;
    }
    return {};
  }

  // An id's text; ValidateKind checks it (required, length, characters) with the rest.
  std::string Id(absl::string_view name) const { return std::string(Text(name)); }

  absl::StatusOr<Date> RequiredDate(absl::string_view name) const {
    absl::string_view text = Text(name);
    if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(name, ": required"));
    return ParseDate(text, name);
  }

  absl::StatusOr<MonthIndex> RequiredMonth(absl::string_view name) const {
    absl::string_view text = Text(name);
    if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(name, ": required"));
    return ParseMonth(text, name);
  }

  absl::StatusOr<std::optional<Date>> OptionalDate(absl::string_view name) const {
    absl::string_view text = Text(name);
    if (text.empty()) return std::optional<Date>();
    ASSIGN_OR_RETURN(Date date, ParseDate(text, name));
    return std::optional<Date>(date);
  }

  absl::StatusOr<Cents> RequiredAmount(absl::string_view name) const {
    absl::string_view text = Text(name);
    if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(name, ": required"));
    return ParseCents(text, name);
  }

  // Also used for hours, which are fixed-point with two decimals like money.
  absl::StatusOr<std::optional<int64_t>> OptionalFixed2(absl::string_view name) const {
    absl::string_view text = Text(name);
    if (text.empty()) return std::optional<int64_t>();
    ASSIGN_OR_RETURN(int64_t value, ParseCents(text, name));
    return std::optional<int64_t>(value);
  }

  absl::StatusOr<std::optional<int64_t>> OptionalInteger(absl::string_view name) const {
    absl::string_view text = Text(name);
    if (text.empty()) return std::optional<int64_t>();
    int64_t value = 0;
    size_t i = text[0] == '-' ? 1 : 0;
    if (i == text.size() || text.size() > 16) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": expected a whole number below 10^15, got ", Quoted(text)));
    }
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": expected a whole number, got ", Quoted(text)));
      }
      value = value * 10 + (text[i] - '0');
    }
    if (value > kMaxAmountCents) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": overflows, got ", Quoted(text)));
    }
    return std::optional<int64_t>(text[0] == '-' ? -value : value);
  }

  absl::StatusOr<bool> Bool(absl::string_view name) const {
    absl::string_view text = Text(name);
    if (text.empty() || text == "false") return false;
    if (text == "true") return true;
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": expected true or false, got ", Quoted(text)));
  }

 private:
  RecordKind kind_;
  const FieldValues& values_;
};

absl::Status NotBefore(std::optional<Date> later, absl::string_view later_name, Date earlier,
                       absl::string_view earlier_name) {
  if (later && *later < earlier) {
    return absl::InvalidArgumentError(absl::StrCat(later_name, ": ", FormatDate(*later),
                                                   " is before ", earlier_name, " ",
                                                   FormatDate(earlier)));
  }
  return absl::OkStatus();
}

absl::Status RequirePositive(std::optional<int64_t> value, absl::string_view name, bool allow_zero) {
  if (value && (*value < 0 || (!allow_zero && *value == 0))) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, allow_zero ? ": must not be negative, got " : ": must be positive, got ", *value));
  }
  return absl::OkStatus();
}

// Checks of a single id: required, at most kMaxIdBytes bytes, no control characters, UTF-8.
absl::Status CheckId(absl::string_view id, absl::string_view name, bool required = true) {
  if (id.empty()) {
    return required ? absl::InvalidArgumentError(absl::StrCat(name, ": required")) : absl::OkStatus();
  }
  RETURN_IF_ERROR(CheckLength(id, kMaxIdBytes, name));
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": contains a control character"));
    }
  }
  return CheckUtf8(id, name);  // the API carries records as proto3 strings, which must be UTF-8
}

absl::Status CheckDate(std::optional<Date> date, absl::string_view name) {
  if (date && (*date < kMinDate || *date > kMaxDate)) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": outside years 1900..2999"));
  }
  return absl::OkStatus();
}

absl::Status CheckAmount(std::optional<int64_t> value, absl::string_view name) {
  if (value && (*value > kMaxAmountCents || *value < -kMaxAmountCents)) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": overflows (limit 10000000000000.00)"));
  }
  return absl::OkStatus();
}

absl::Status CheckUnits(std::optional<int64_t> value, absl::string_view name) {
  if (value && *value > kMaxUnits) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": must be at most ", kMaxUnits, ", got ", *value));
  }
  return absl::OkStatus();
}

absl::Status CheckNotNegative(std::optional<int64_t> value, absl::string_view name, bool money) {
  if (value && *value < 0) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": must not be negative, got ",
                                                   money ? FormatCents(*value) : absl::StrCat(*value)));
  }
  return absl::OkStatus();
}

template <typename R>
absl::StatusOr<Record> Validated(R record) {
  RETURN_IF_ERROR(ValidateRecord(record));
  return Record(std::move(record));
}

absl::Status ValidateKind(const Customer& r) {
  RETURN_IF_ERROR(CheckId(r.customer_id, "customer_id"));
  RETURN_IF_ERROR(CheckLength(r.name, kMaxNameBytes, "name"));
  RETURN_IF_ERROR(CheckUtf8(r.name, "name"));  // free text: any characters, in UTF-8
  return CheckId(r.segment, "segment", false);
}

absl::Status ValidateKind(const Contract& r) {
  RETURN_IF_ERROR(CheckId(r.contract_id, "contract_id"));
  RETURN_IF_ERROR(CheckId(r.customer_id, "customer_id"));
  RETURN_IF_ERROR(CheckDate(r.signed_on, "signed_on"));
  RETURN_IF_ERROR(CheckAmount(r.transaction_price, "transaction_price"));
  return CheckNotNegative(r.transaction_price, "transaction_price", true);
}

absl::Status ValidateKind(const Line& line) {
  RETURN_IF_ERROR(CheckId(line.contract_id, "contract_id"));
  RETURN_IF_ERROR(CheckId(line.line_id, "line_id"));
  RETURN_IF_ERROR(CheckAmount(line.ssp, "ssp"));
  RETURN_IF_ERROR(CheckNotNegative(line.ssp, "ssp", true));
  RETURN_IF_ERROR(CheckDate(line.start_on, "start_on"));
  RETURN_IF_ERROR(CheckDate(line.end_on, "end_on"));
  RETURN_IF_ERROR(CheckDate(line.expected_end_on, "expected_end_on"));
  RETURN_IF_ERROR(CheckUnits(line.total_units, "total_units"));
  RETURN_IF_ERROR(CheckAmount(line.estimated_hours, "estimated_hours"));
  if (line.start_on && line.end_on) {
    RETURN_IF_ERROR(NotBefore(line.end_on, "end_on", *line.start_on, "start_on"));
  }
  RETURN_IF_ERROR(RequirePositive(line.total_units, "total_units", false));
  RETURN_IF_ERROR(RequirePositive(line.estimated_hours, "estimated_hours", false));
  switch (line.kind) {
    case LineKind::kRatable:
      if (!line.start_on) return absl::InvalidArgumentError("start_on: required for ratable lines");
      if (!line.end_on) return absl::InvalidArgumentError("end_on: required for ratable lines");
      break;
    case LineKind::kDelivery:
      if (!line.total_units) {
        return absl::InvalidArgumentError("total_units: required for delivery lines");
      }
      break;
    case LineKind::kEffort:
      if (!line.estimated_hours) {
        return absl::InvalidArgumentError("estimated_hours: required for effort lines");
      }
      break;
  }
  return absl::OkStatus();
}

absl::Status ValidateKind(const Progress& r) {
  RETURN_IF_ERROR(CheckId(r.contract_id, "contract_id"));
  RETURN_IF_ERROR(CheckId(r.line_id, "line_id"));
  RETURN_IF_ERROR(CheckDate(r.on, "on"));
  RETURN_IF_ERROR(CheckUnits(r.units, "units"));
  RETURN_IF_ERROR(CheckAmount(r.hours, "hours"));
  RETURN_IF_ERROR(CheckAmount(r.estimated_hours, "estimated_hours"));
  RETURN_IF_ERROR(RequirePositive(r.units, "units", true));
  RETURN_IF_ERROR(RequirePositive(r.hours, "hours", true));
  RETURN_IF_ERROR(RequirePositive(r.estimated_hours, "estimated_hours", false));
  if (!r.units && !r.hours && !r.estimated_hours && !r.complete) {
    return absl::InvalidArgumentError(
        "units: a progress record needs units, hours, estimated_hours or complete");
  }
  return absl::OkStatus();
}

absl::Status ValidateKind(const Cancellation& r) {
  RETURN_IF_ERROR(CheckId(r.contract_id, "contract_id"));
  RETURN_IF_ERROR(CheckId(r.line_id, "line_id"));
  return CheckDate(r.effective_on, "effective_on");
}

absl::Status ValidateKind(const Invoice& r) {
  RETURN_IF_ERROR(CheckId(r.invoice_id, "invoice_id"));
  RETURN_IF_ERROR(CheckId(r.contract_id, "contract_id"));
  RETURN_IF_ERROR(CheckDate(r.issued_on, "issued_on"));
  RETURN_IF_ERROR(CheckDate(r.due_on, "due_on"));
  RETURN_IF_ERROR(CheckAmount(r.amount, "amount"));
  if (r.amount == 0) return absl::InvalidArgumentError("amount: must not be zero");
  return NotBefore(r.due_on, "due_on", r.issued_on, "issued_on");
}

absl::Status ValidateKind(const Payment& r) {
  RETURN_IF_ERROR(CheckId(r.payment_id, "payment_id"));
  RETURN_IF_ERROR(CheckId(r.invoice_id, "invoice_id"));
  RETURN_IF_ERROR(CheckDate(r.received_on, "received_on"));
  RETURN_IF_ERROR(CheckAmount(r.amount, "amount"));
  if (r.amount <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount: must be positive, got ", FormatCents(r.amount)));
  }
  return absl::OkStatus();
}

absl::Status ValidateKind(const Opportunity& r) {
  RETURN_IF_ERROR(CheckId(r.opportunity_id, "opportunity_id"));
  RETURN_IF_ERROR(CheckId(r.segment, "segment"));
  for (const auto& [value, name] : {std::pair{&r.stage, "stage"}, std::pair{&r.customer_id, "customer_id"},
                                    std::pair{&r.product, "product"}}) {
    RETURN_IF_ERROR(CheckId(*value, name, false));
  }
  RETURN_IF_ERROR(CheckDate(r.created_on, "created_on"));
  RETURN_IF_ERROR(CheckDate(r.expected_close_on, "expected_close_on"));
  RETURN_IF_ERROR(CheckDate(r.closed_on, "closed_on"));
  RETURN_IF_ERROR(CheckAmount(r.amount, "amount"));
  RETURN_IF_ERROR(CheckNotNegative(r.amount, "amount", true));
  RETURN_IF_ERROR(NotBefore(r.closed_on, "closed_on", r.created_on, "created_on"));
  if (r.status != OpportunityStatus::kOpen && !r.closed_on) {
    return absl::InvalidArgumentError(
        absl::StrCat("closed_on: required when status is ", OpportunityStatusName(r.status)));
  }
  return absl::OkStatus();
}

absl::Status ValidateKind(const Headcount& r) {
  RETURN_IF_ERROR(CheckId(r.team, "team"));
  if (r.month < MonthOf(kMinDate) || r.month > MonthOf(kMaxDate)) {
    return absl::InvalidArgumentError(
        absl::StrCat("month: outside years 1900..2999, got ", FormatMonth(r.month)));
  }
  RETURN_IF_ERROR(CheckNotNegative(r.centi_fte, "fte", true));
  if (r.centi_fte > kMaxCentiFte) {
    return absl::InvalidArgumentError(absl::StrCat("fte: more than ", kMaxCentiFte / 100,
                                                   " FTE, got ", FormatCents(r.centi_fte)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Record> ParseLine(const Fields& f) {
  Line line;
  line.contract_id = f.Id("contract_id");
  line.line_id = f.Id("line_id");
  absl::string_view kind = f.Text("kind");
  if (kind == "ratable") {
    line.kind = LineKind::kRatable;
  } else if (kind == "delivery") {
    line.kind = LineKind::kDelivery;
  } else if (kind == "effort") {
    line.kind = LineKind::kEffort;
  } else if (kind.empty()) {
    return absl::InvalidArgumentError("kind: required");
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("kind: expected ratable, delivery or effort, got ", Quoted(kind)));
  }
  ASSIGN_OR_RETURN(line.ssp, f.RequiredAmount("ssp"));
  ASSIGN_OR_RETURN(line.start_on, f.OptionalDate("start_on"));
  ASSIGN_OR_RETURN(line.end_on, f.OptionalDate("end_on"));
  ASSIGN_OR_RETURN(line.total_units, f.OptionalInteger("total_units"));
  ASSIGN_OR_RETURN(line.estimated_hours, f.OptionalFixed2("estimated_hours"));
  ASSIGN_OR_RETURN(line.expected_end_on, f.OptionalDate("expected_end_on"));
  absl::string_view convention = f.Text("convention");
  if (convention == "daily") {
    line.convention = RatableConvention::kDaily;
  } else if (!convention.empty() && convention != "monthly") {
    return absl::InvalidArgumentError(
        absl::StrCat("convention: expected monthly or daily, got ", Quoted(convention)));
  }
  if (line.kind != LineKind::kRatable && !convention.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("convention: only ratable lines have one, this line is ",
                     LineKindName(line.kind)));
  }
  RETURN_IF_ERROR(ValidateRecord(line));
  return line;
}

}  // namespace

absl::Status ValidateRecord(const Record& record) {
  return std::visit([](const auto& r) { return ValidateKind(r); }, record);
}

RecordKind KindOf(const Record& record) { return static_cast<RecordKind>(record.index()); }

absl::string_view KindName(RecordKind kind) {
  static constexpr absl::string_view kNames[] = {"customer", "contract",     "line",
                                                 "progress", "cancellation", "invoice",
                                                 "payment",  "opportunity",  "headcount"};
  return kNames[static_cast<int>(kind)];
}

absl::string_view KindFileName(RecordKind kind) {
  static constexpr absl::string_view kNames[] = {
      "customers.csv", "contracts.csv",     "lines.csv",    "progress.csv",
      "cancellations.csv", "invoices.csv", "payments.csv", "opportunities.csv", "headcount.csv"};
  return kNames[static_cast<int>(kind)];
}

const std::vector<absl::string_view>& KindColumns(RecordKind kind) {
  static const std::vector<absl::string_view> kColumns[] = {
      {"customer_id", "name", "segment"},
      {"contract_id", "customer_id", "signed_on", "transaction_price"},
      {"contract_id", "line_id", "kind", "ssp", "start_on", "end_on", "total_units",
       "estimated_hours", "expected_end_on", "convention"},
      {"contract_id", "line_id", "on", "units", "hours", "estimated_hours", "complete"},
      {"contract_id", "line_id", "effective_on"},
      {"invoice_id", "contract_id", "issued_on", "amount", "due_on"},
      {"payment_id", "invoice_id", "received_on", "amount"},
      {"opportunity_id", "segment", "amount", "created_on", "status", "stage",
       "expected_close_on", "closed_on", "customer_id", "product"},
      {"team", "month", "fte"},
  };
  return kColumns[static_cast<int>(kind)];
}

int KindRequiredColumnCount(RecordKind kind) {
  static constexpr int kCounts[] = {1, 3, 4, 3, 3, 4, 4, 5, 3};
  return kCounts[static_cast<int>(kind)];
}

std::string RecordKey(const Record& record) {
  struct Visitor {
    std::string operator()(const Customer& r) { return absl::StrCat("customer ", r.customer_id); }
    std::string operator()(const Contract& r) { return absl::StrCat("contract ", r.contract_id); }
    std::string operator()(const Line& r) {
      return absl::StrCat("line ", r.contract_id, "/", r.line_id);
    }
    std::string operator()(const Progress& r) {
      return absl::StrCat("progress ", r.contract_id, "/", r.line_id, " on ", FormatDate(r.on));
    }
    std::string operator()(const Cancellation& r) {
      return absl::StrCat("cancellation of ", r.contract_id, "/", r.line_id);
    }
    std::string operator()(const Invoice& r) { return absl::StrCat("invoice ", r.invoice_id); }
    std::string operator()(const Payment& r) { return absl::StrCat("payment ", r.payment_id); }
    std::string operator()(const Opportunity& r) {
      return absl::StrCat("opportunity ", r.opportunity_id);
    }
    std::string operator()(const Headcount& r) {
      return absl::StrCat("headcount of ", r.team, " in ", FormatMonth(r.month));
    }
  };
  return std::visit(Visitor{}, record);
}

absl::StatusOr<Record> ParseRecord(RecordKind kind, const FieldValues& values) {
  Fields f(kind, values);
  RETURN_IF_ERROR(f.CheckKnown());
  RETURN_IF_ERROR(f.CheckUtf8());
  switch (kind) {
    case RecordKind::kCustomer: {
      Customer r;
      r.customer_id = f.Id("customer_id");
      r.name = std::string(f.Text("name"));
      r.segment = f.Id("segment");
      return Validated(std::move(r));
    }
    case RecordKind::kContract: {
      Contract r;
      r.contract_id = f.Id("contract_id");
      r.customer_id = f.Id("customer_id");
      ASSIGN_OR_RETURN(r.signed_on, f.RequiredDate("signed_on"));
      ASSIGN_OR_RETURN(r.transaction_price, f.OptionalFixed2("transaction_price"));
      return Validated(std::move(r));
    }
    case RecordKind::kLine:
      return ParseLine(f);
    case RecordKind::kProgress: {
      Progress r;
      r.contract_id = f.Id("contract_id");
      r.line_id = f.Id("line_id");
      ASSIGN_OR_RETURN(r.on, f.RequiredDate("on"));
      ASSIGN_OR_RETURN(r.units, f.OptionalInteger("units"));
      ASSIGN_OR_RETURN(r.hours, f.OptionalFixed2("hours"));
      ASSIGN_OR_RETURN(r.estimated_hours, f.OptionalFixed2("estimated_hours"));
      ASSIGN_OR_RETURN(r.complete, f.Bool("complete"));
      return Validated(std::move(r));
    }
    case RecordKind::kCancellation: {
      Cancellation r;
      r.contract_id = f.Id("contract_id");
      r.line_id = f.Id("line_id");
      ASSIGN_OR_RETURN(r.effective_on, f.RequiredDate("effective_on"));
      return Validated(std::move(r));
    }
    case RecordKind::kInvoice: {
      Invoice r;
      r.invoice_id = f.Id("invoice_id");
      r.contract_id = f.Id("contract_id");
      ASSIGN_OR_RETURN(r.issued_on, f.RequiredDate("issued_on"));
      ASSIGN_OR_RETURN(r.amount, f.RequiredAmount("amount"));
      ASSIGN_OR_RETURN(r.due_on, f.OptionalDate("due_on"));
      return Validated(std::move(r));
    }
    case RecordKind::kPayment: {
      Payment r;
      r.payment_id = f.Id("payment_id");
      r.invoice_id = f.Id("invoice_id");
      ASSIGN_OR_RETURN(r.received_on, f.RequiredDate("received_on"));
      ASSIGN_OR_RETURN(r.amount, f.RequiredAmount("amount"));
      return Validated(std::move(r));
    }
    case RecordKind::kOpportunity: {
      Opportunity r;
      r.opportunity_id = f.Id("opportunity_id");
      r.segment = f.Id("segment");
      ASSIGN_OR_RETURN(r.amount, f.RequiredAmount("amount"));
      ASSIGN_OR_RETURN(r.created_on, f.RequiredDate("created_on"));
      absl::string_view status = f.Text("status");
      if (status == "open") {
        r.status = OpportunityStatus::kOpen;
      } else if (status == "won") {
        r.status = OpportunityStatus::kWon;
      } else if (status == "lost") {
        r.status = OpportunityStatus::kLost;
      } else if (status.empty()) {
        return absl::InvalidArgumentError("status: required");
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("status: expected open, won or lost, got ", Quoted(status)));
      }
      r.stage = f.Id("stage");
      ASSIGN_OR_RETURN(r.expected_close_on, f.OptionalDate("expected_close_on"));
      ASSIGN_OR_RETURN(r.closed_on, f.OptionalDate("closed_on"));
      r.customer_id = f.Id("customer_id");
      r.product = f.Id("product");
      return Validated(std::move(r));
    }
    case RecordKind::kHeadcount: {
      Headcount r;
      r.team = f.Id("team");
      ASSIGN_OR_RETURN(r.month, f.RequiredMonth("month"));
      ASSIGN_OR_RETURN(r.centi_fte, f.RequiredAmount("fte"));  // two decimals, like money
      return Validated(std::move(r));
    }
  }
  return absl::InvalidArgumentError("unknown record kind");
}

namespace {
std::string Opt(const std::optional<Date>& d) { return d ? FormatDate(*d) : std::string(); }
std::string OptFixed2(const std::optional<int64_t>& v) { return v ? FormatCents(*v) : std::string(); }
std::string OptInt(const std::optional<int64_t>& v) { return v ? absl::StrCat(*v) : std::string(); }
}  // namespace

std::vector<std::string> FormatRecord(const Record& record) {
  struct Visitor {
    std::vector<std::string> operator()(const Customer& r) {
      return {r.customer_id, r.name, r.segment};
    }
    std::vector<std::string> operator()(const Contract& r) {
      return {r.contract_id, r.customer_id, FormatDate(r.signed_on),
              OptFixed2(r.transaction_price)};
    }
    std::vector<std::string> operator()(const Line& r) {
      return {r.contract_id,
              r.line_id,
              std::string(LineKindName(r.kind)),
              FormatCents(r.ssp),
              Opt(r.start_on),
              Opt(r.end_on),
              OptInt(r.total_units),
              OptFixed2(r.estimated_hours),
              Opt(r.expected_end_on),
              r.kind == LineKind::kRatable ? std::string(ConventionName(r.convention)) : ""};
    }
    std::vector<std::string> operator()(const Progress& r) {
      return {r.contract_id,         r.line_id,
              FormatDate(r.on),      OptInt(r.units),
              OptFixed2(r.hours),    OptFixed2(r.estimated_hours),
              r.complete ? "true" : ""};
    }
    std::vector<std::string> operator()(const Cancellation& r) {
      return {r.contract_id, r.line_id, FormatDate(r.effective_on)};
    }
    std::vector<std::string> operator()(const Invoice& r) {
      return {r.invoice_id, r.contract_id, FormatDate(r.issued_on), FormatCents(r.amount),
              Opt(r.due_on)};
    }
    std::vector<std::string> operator()(const Payment& r) {
      return {r.payment_id, r.invoice_id, FormatDate(r.received_on), FormatCents(r.amount)};
    }
    std::vector<std::string> operator()(const Opportunity& r) {
      return {r.opportunity_id,
              r.segment,
              FormatCents(r.amount),
              FormatDate(r.created_on),
              std::string(OpportunityStatusName(r.status)),
              r.stage,
              Opt(r.expected_close_on),
              Opt(r.closed_on),
              r.customer_id,
              r.product};
    }
    std::vector<std::string> operator()(const Headcount& r) {
      return {r.team, FormatMonth(r.month), FormatCents(r.centi_fte)};
    }
  };
  return std::visit(Visitor{}, record);
}

absl::string_view LineKindName(LineKind kind) {
  switch (kind) {
    case LineKind::kRatable: return "ratable";
    case LineKind::kDelivery: return "delivery";
    case LineKind::kEffort: return "effort";
  }
  return "ratable";
}

absl::string_view ConventionName(RatableConvention convention) {
  return convention == RatableConvention::kDaily ? "daily" : "monthly";
}

absl::string_view OpportunityStatusName(OpportunityStatus status) {
  switch (status) {
    case OpportunityStatus::kOpen: return "open";
    case OpportunityStatus::kWon: return "won";
    case OpportunityStatus::kLost: return "lost";
  }
  return "open";
}

}  // namespace forecastle
