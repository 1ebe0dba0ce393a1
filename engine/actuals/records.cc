#include "engine/actuals/records.h"

#include "absl/strings/str_cat.h"
#include "engine/actuals/record_table.h"
#include "engine/common/field_error.h"
#include "engine/common/status_macros.h"

namespace forecastle {
namespace {

absl::Status NotBefore(std::optional<Date> later, absl::string_view later_name, Date earlier,
                       absl::string_view earlier_name) {
  if (later && *later < earlier) {
    return InvalidFieldError(later_name, absl::StrCat(FormatDate(*later), " is before ", earlier_name, " ",
                                                      FormatDate(earlier)));
  }
  return absl::OkStatus();
}

// The rules of a kind beyond what each column checks on its own (record_table.cc CheckCell):
// how columns relate to each other.
absl::Status CheckRules(const Customer&) { return absl::OkStatus(); }
absl::Status CheckRules(const Contract&) { return absl::OkStatus(); }
absl::Status CheckRules(const Cancellation&) { return absl::OkStatus(); }
absl::Status CheckRules(const Payment&) { return absl::OkStatus(); }

absl::Status CheckRules(const Line& line) {
  if (line.start_on && line.end_on) {
    RETURN_IF_ERROR(NotBefore(line.end_on, "end_on", *line.start_on, "start_on"));
  }
  switch (line.kind) {
    case LineKind::kRatable:
      if (!line.start_on) return InvalidFieldError("start_on", "required for ratable lines");
      if (!line.end_on) return InvalidFieldError("end_on", "required for ratable lines");
      break;
    case LineKind::kDelivery:
      if (!line.total_units) return InvalidFieldError("total_units", "required for delivery lines");
      break;
    case LineKind::kEffort:
      if (!line.estimated_hours) return InvalidFieldError("estimated_hours", "required for effort lines");
      break;
  }
  return absl::OkStatus();
}

absl::Status CheckRules(const Progress& r) {
  if (!r.units && !r.hours && !r.estimated_hours && !r.complete) {
    return InvalidFieldError("units", "a progress record needs units, hours, estimated_hours or complete");
  }
  return absl::OkStatus();
}

absl::Status CheckRules(const Invoice& r) { return NotBefore(r.due_on, "due_on", r.issued_on, "issued_on"); }

absl::Status CheckRules(const Opportunity& r) {
  RETURN_IF_ERROR(NotBefore(r.closed_on, "closed_on", r.created_on, "created_on"));
  if (r.status != OpportunityStatus::kOpen && !r.closed_on) {
    return InvalidFieldError("closed_on", absl::StrCat("required when status is ", OpportunityStatusName(r.status)));
  }
  return absl::OkStatus();
}

absl::Status CheckRules(const Headcount& r) {
  if (r.centi_fte > kMaxCentiFte) {
    return InvalidFieldError("fte", absl::StrCat("more than ", kMaxCentiFte / 100, " FTE, got ", FormatCents(r.centi_fte)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRecord(const Record& record) {
  for (const Column& column : TableOf(KindOf(record)).columns) {
    RETURN_IF_ERROR(CheckCell(column, column.get(record)));
  }
  return std::visit([](const auto& r) { return CheckRules(r); }, record);
}

RecordKind KindOf(const Record& record) { return static_cast<RecordKind>(record.index()); }

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

absl::string_view LineKindName(LineKind kind) { return kLineKindNames[static_cast<int>(kind)]; }

std::string RecordId(const Record& record) {
  struct Visitor {
    std::string operator()(const Customer& r) { return r.customer_id; }
    std::string operator()(const Contract& r) { return r.contract_id; }
    std::string operator()(const Line& r) { return absl::StrCat(r.contract_id, "/", r.line_id); }
    std::string operator()(const Progress& r) {
      return absl::StrCat(r.contract_id, "/", r.line_id, "/", FormatDate(r.on));
    }
    std::string operator()(const Cancellation& r) { return absl::StrCat(r.contract_id, "/", r.line_id); }
    std::string operator()(const Invoice& r) { return r.invoice_id; }
    std::string operator()(const Payment& r) { return r.payment_id; }
    std::string operator()(const Opportunity& r) { return r.opportunity_id; }
    std::string operator()(const Headcount& r) { return absl::StrCat(r.team, "/", FormatMonth(r.month)); }
  };
  return std::visit(Visitor{}, record);
}

absl::string_view ConventionName(RatableConvention convention) {
  return kConventionNames[static_cast<int>(convention)];
}

absl::string_view OpportunityStatusName(OpportunityStatus status) {
  return kOpportunityStatusNames[static_cast<int>(status)];
}

}  // namespace forecastle
