#include "engine/actuals/ledger.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "engine/actuals/allocation.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"

namespace forecastle {
namespace {

absl::Status Conflict(absl::string_view field, absl::string_view key) {
  return absl::AlreadyExistsError(
      absl::StrCat(field, ": ", key, " is already recorded with different content"));
}

absl::Status Unknown(absl::string_view field, absl::string_view what, absl::string_view id) {
  return absl::FailedPreconditionError(absl::StrCat(field, ": no ", what, " ", Quoted(id)));
}

void InsertByDay(std::vector<DatedAmount>& flows, DatedAmount flow) {
  auto at = std::upper_bound(flows.begin(), flows.end(), flow.on,
                             [](Date d, const DatedAmount& f) { return d < f.on; });
  flows.insert(at, flow);
}

// Recomputes the cumulative progress of `line` from its recorded progress.
void Accumulate(LineState& line) {
  line.to_date.resize(line.progress.size());
  ProgressPoint point;
  point.estimated_hours = line.line.estimated_hours.value_or(0);
  for (size_t i = 0; i < line.progress.size(); ++i) {
    const Progress& p = line.progress[i];
    point.on = p.on;
    point.units_to_date += p.units.value_or(0);
    point.hours_to_date += p.hours.value_or(0);
    if (p.estimated_hours) point.estimated_hours = *p.estimated_hours;
    point.complete = point.complete || p.complete;
    line.to_date[i] = point;
  }
}

}  // namespace

bool LineIdLess(absl::string_view a, absl::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = a[i] >= '0' && a[i] <= '9', db = b[j] >= '0' && b[j] <= '9';
    if (da && db) {
      size_t ei = i, ej = j;
      while (ei < a.size() && a[ei] >= '0' && a[ei] <= '9') ++ei;
      while (ej < b.size() && b[ej] >= '0' && b[ej] <= '9') ++ej;
      // Compare the digit runs as numbers: by length without leading zeros, then by digits.
      size_t si = i, sj = j;
      while (si + 1 < ei && a[si] == '0') ++si;
      while (sj + 1 < ej && b[sj] == '0') ++sj;
      if (ei - si != ej - sj) return ei - si < ej - sj;
      const int cmp = a.substr(si, ei - si).compare(b.substr(sj, ej - sj));
      if (cmp != 0) return cmp < 0;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;  // same natural key ("L01" vs "L1"): plain order decides
}

std::optional<uint32_t> Ledger::FindInvoice(absl::string_view invoice_id) const {
  auto it = invoice_index_.find(invoice_id);
  if (it == invoice_index_.end()) return std::nullopt;
  return it->second;
}

const ProgressPoint* LineState::ProgressThrough(Date day) const {
  auto after = std::upper_bound(to_date.begin(), to_date.end(), day,
                                [](Date d, const ProgressPoint& p) { return d < p.on; });
  return after == to_date.begin() ? nullptr : &*(after - 1);
}

std::vector<Cents> Ledger::PaidThrough(Date day) const {
  std::vector<Cents> paid(invoices_.size(), 0);
  for (const Payment& p : payments_) {
    if (p.received_on > day) continue;
    if (const std::optional<uint32_t> invoice = FindInvoice(p.invoice_id)) paid[*invoice] += p.amount;
  }
  return paid;
}

std::vector<uint32_t> Ledger::ContractsInIdOrder() const {
  std::vector<uint32_t> order(contracts_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return contracts_[a].contract.contract_id < contracts_[b].contract.contract_id;
  });
  return order;
}

std::vector<uint32_t> Ledger::OpportunitiesInIdOrder() const {
  std::vector<uint32_t> order(opportunities_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return opportunities_[a].opportunity_id < opportunities_[b].opportunity_id;
  });
  return order;
}

std::optional<uint32_t> Ledger::FindContract(absl::string_view contract_id) const {
  auto it = contract_index_.find(contract_id);
  if (it == contract_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> Ledger::FindCustomer(absl::string_view customer_id) const {
  auto it = customer_index_.find(customer_id);
  if (it == customer_index_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<bool> Ledger::Apply(const Record& record) {
  RETURN_IF_ERROR(ValidateRecord(record));
  absl::StatusOr<bool> applied = std::visit(
      [this](const auto& r) -> absl::StatusOr<bool> {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Customer>) return ApplyCustomer(r);
        if constexpr (std::is_same_v<T, Contract>) return ApplyContract(r);
        if constexpr (std::is_same_v<T, Line>) return ApplyLine(r);
        if constexpr (std::is_same_v<T, Progress>) return ApplyProgress(r);
        if constexpr (std::is_same_v<T, Cancellation>) return ApplyCancellation(r);
        if constexpr (std::is_same_v<T, Invoice>) return ApplyInvoice(r);
        if constexpr (std::is_same_v<T, Payment>) return ApplyPayment(r);
        if constexpr (std::is_same_v<T, Opportunity>) return ApplyOpportunity(r);
        if constexpr (std::is_same_v<T, Headcount>) return ApplyHeadcount(r);
      },
      record);
  if (applied.ok() && *applied) ++record_count_;
  return applied;
}

absl::StatusOr<bool> Ledger::ApplyCustomer(const Customer& r) {
  if (auto it = customer_index_.find(r.customer_id); it != customer_index_.end()) {
    if (customers_[it->second].customer == r) return false;
    return Conflict("customer_id", RecordKey(r));
  }
  customer_index_.emplace(r.customer_id, customers_.size());
  customers_.push_back(CustomerState{r, std::nullopt, {}});
  return true;
}

absl::StatusOr<bool> Ledger::ApplyContract(const Contract& r) {
  if (auto it = contract_index_.find(r.contract_id); it != contract_index_.end()) {
    if (contracts_[it->second].contract == r) return false;
    return Conflict("contract_id", RecordKey(r));
  }
  auto customer = FindCustomer(r.customer_id);
  if (!customer) return Unknown("customer_id", "customer", r.customer_id);
  const uint32_t index = static_cast<uint32_t>(contracts_.size());
  ContractState state;
  state.contract = r;
  state.customer = *customer;
  contracts_.push_back(std::move(state));
  contract_index_.emplace(r.contract_id, index);
  CustomerState& owner = customers_[*customer];
  owner.contracts.push_back(index);
  if (!owner.first_signed_on || r.signed_on < *owner.first_signed_on) {
    owner.first_signed_on = r.signed_on;
    // An earlier first signing turns the customer's later contracts into existing business.
    for (uint32_t other : owner.contracts) {
      contracts_[other].new_business = contracts_[other].contract.signed_on == r.signed_on;
    }
  } else {
    contracts_[index].new_business = r.signed_on == *owner.first_signed_on;
  }
  return true;
}

absl::StatusOr<LineState*> Ledger::FindLine(absl::string_view contract_id,
                                            absl::string_view line_id) {
  auto contract = FindContract(contract_id);
  if (!contract) return Unknown("contract_id", "contract", contract_id);
  for (LineState& line : contracts_[*contract].lines) {
    if (line.line.line_id == line_id) return &line;
  }
  return Unknown("line_id", absl::StrCat("line in contract ", contract_id, " with id"), line_id);
}

absl::StatusOr<bool> Ledger::ApplyLine(const Line& r) {
  auto contract = FindContract(r.contract_id);
  if (!contract) return Unknown("contract_id", "contract", r.contract_id);
  ContractState& state = contracts_[*contract];
  for (const LineState& line : state.lines) {
    if (line.line.line_id == r.line_id) {
      if (line.line == r) return false;
      return Conflict("line_id", RecordKey(r));
    }
  }
  __int128 ssp_total = r.ssp;
  for (const LineState& line : state.lines) ssp_total += line.line.ssp;
  if (ssp_total > kMaxAmountCents) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ssp: the contract's total SSP would overflow (limit ", FormatCents(kMaxAmountCents), ")"));
  }
  // The contract's booked amount after this line: T when given, else Σ SSP.
  const Cents booked_after = state.contract.transaction_price.value_or(static_cast<Cents>(ssp_total));
  if (total_booked_ - state.booked + booked_after > kMaxLedgerTotalCents) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ssp: the ledger's total bookings would overflow (limit ", FormatCents(kMaxLedgerTotalCents), ")"));
  }
  LineState line;
  line.line = r;
  // Lines stay in line-number order whatever order they arrive in, so allocation is the same.
  auto at = std::upper_bound(state.lines.begin(), state.lines.end(), r.line_id,
                             [](const std::string& id, const LineState& l) {
                               return LineIdLess(id, l.line.line_id);
                             });
  state.lines.insert(at, std::move(line));
  std::vector<Cents> ssps;
  ssps.reserve(state.lines.size());
  for (const LineState& l : state.lines) ssps.push_back(l.line.ssp);
  std::vector<Cents> amounts = AllocateTransactionPrice(state.contract.transaction_price, ssps);
  total_booked_ -= state.booked;
  state.booked = 0;
  for (size_t i = 0; i < amounts.size(); ++i) {
    state.lines[i].amount = amounts[i];
    state.booked += amounts[i];
  }
  total_booked_ += state.booked;
  return true;
}

absl::StatusOr<bool> Ledger::ApplyProgress(const Progress& r) {
  ASSIGN_OR_RETURN(LineState * line, FindLine(r.contract_id, r.line_id));
  const LineKind kind = line->line.kind;
  if (kind == LineKind::kRatable) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line_id: ", r.contract_id, "/", r.line_id,
        " is a ratable line; it is recognised by its schedule and takes no progress"));
  }
  if (kind == LineKind::kDelivery && (r.hours || r.estimated_hours)) {
    return absl::InvalidArgumentError(absl::StrCat(
        r.hours ? "hours" : "estimated_hours", ": ", r.contract_id, "/", r.line_id,
        " is a delivery line; record units"));
  }
  if (kind == LineKind::kEffort && r.units) {
    return absl::InvalidArgumentError(absl::StrCat("units: ", r.contract_id, "/", r.line_id,
                                                   " is an effort line; record hours"));
  }
  auto at = std::lower_bound(line->progress.begin(), line->progress.end(), r.on,
                             [](const Progress& p, Date d) { return p.on < d; });
  if (at != line->progress.end() && at->on == r.on) {
    if (*at == r) return false;
    return Conflict("on", RecordKey(r));
  }
  const ProgressPoint last = line->to_date.empty() ? ProgressPoint{} : line->to_date.back();
  if (last.units_to_date + r.units.value_or(0) > kMaxLedgerTotalCents ||
      last.hours_to_date + r.hours.value_or(0) > kMaxLedgerTotalCents) {
    return absl::InvalidArgumentError(absl::StrCat(
        r.units ? "units" : "hours", ": the line's total would overflow (limit 10^18)"));
  }
  line->progress.insert(at, r);
  Accumulate(*line);
  return true;
}

absl::StatusOr<bool> Ledger::ApplyCancellation(const Cancellation& r) {
  ASSIGN_OR_RETURN(LineState * line, FindLine(r.contract_id, r.line_id));
  if (line->cancelled_on) {
    if (*line->cancelled_on == r.effective_on) return false;
    return Conflict("effective_on", RecordKey(r));
  }
  const Date signed_on = contracts_[*FindContract(r.contract_id)].contract.signed_on;
  if (r.effective_on < signed_on) {
    return absl::InvalidArgumentError(
        absl::StrCat("effective_on: ", FormatDate(r.effective_on), " is before the contract's signed_on ",
                     FormatDate(signed_on)));
  }
  line->cancelled_on = r.effective_on;
  return true;
}

absl::StatusOr<bool> Ledger::ApplyInvoice(const Invoice& r) {
  if (auto it = invoice_index_.find(r.invoice_id); it != invoice_index_.end()) {
    if (invoices_[it->second].invoice == r) return false;
    return Conflict("invoice_id", RecordKey(r));
  }
  auto contract = FindContract(r.contract_id);
  if (!contract) return Unknown("contract_id", "contract", r.contract_id);
  const Cents magnitude = r.amount < 0 ? -r.amount : r.amount;
  if (total_invoiced_abs_ + magnitude > kMaxLedgerTotalCents) {
    return absl::InvalidArgumentError(absl::StrCat(
        "amount: the ledger's total billings would overflow (limit ", FormatCents(kMaxLedgerTotalCents), ")"));
  }
  total_invoiced_abs_ += magnitude;
  invoice_index_.emplace(r.invoice_id, invoices_.size());
  invoices_.push_back(InvoiceState{r, *contract, 0});
  InsertByDay(contracts_[*contract].billings, DatedAmount{r.issued_on, r.amount});
  return true;
}

absl::StatusOr<bool> Ledger::ApplyPayment(const Payment& r) {
  if (auto it = payment_index_.find(r.payment_id); it != payment_index_.end()) {
    if (payments_[it->second] == r) return false;
    return Conflict("payment_id", RecordKey(r));
  }
  auto it = invoice_index_.find(r.invoice_id);
  if (it == invoice_index_.end()) return Unknown("invoice_id", "invoice", r.invoice_id);
  InvoiceState& invoice = invoices_[it->second];
  if (r.received_on < invoice.invoice.issued_on) {
    return absl::InvalidArgumentError(absl::StrCat(
        "received_on: ", FormatDate(r.received_on), " is before invoice ", r.invoice_id,
        " was issued on ", FormatDate(invoice.invoice.issued_on)));
  }
  const Cents open = invoice.invoice.amount - invoice.collected;
  if (r.amount > open) {
    return absl::FailedPreconditionError(
        absl::StrCat("amount: ", FormatCents(r.amount), " exceeds the open amount ",
                     FormatCents(std::max<Cents>(open, 0)), " of invoice ", r.invoice_id));
  }
  invoice.collected += r.amount;
  payment_index_.emplace(r.payment_id, payments_.size());
  payments_.push_back(r);
  InsertByDay(contracts_[invoice.contract].collections, DatedAmount{r.received_on, r.amount});
  return true;
}

absl::StatusOr<bool> Ledger::ApplyOpportunity(const Opportunity& r) {
  if (auto it = opportunity_index_.find(r.opportunity_id); it != opportunity_index_.end()) {
    if (opportunities_[it->second] == r) return false;
    return Conflict("opportunity_id", RecordKey(r));
  }
  opportunity_index_.emplace(r.opportunity_id, opportunities_.size());
  opportunities_.push_back(r);
  return true;
}

const std::vector<Headcount>& Ledger::headcount() const { return headcount_; }

// Headcount refers to nothing and changes no metric: the ledger only keeps it, one per (team,
// month), for calibration to read.
absl::StatusOr<bool> Ledger::ApplyHeadcount(const Headcount& r) {
  auto at = std::lower_bound(headcount_.begin(), headcount_.end(), r,
                             [](const Headcount& a, const Headcount& b) {
                               return std::tie(a.team, a.month) < std::tie(b.team, b.month);
                             });
  if (at != headcount_.end() && at->team == r.team && at->month == r.month) {
    if (*at == r) return false;
    return Conflict("fte", RecordKey(r));
  }
  headcount_.insert(at, r);
  return true;
}

}  // namespace forecastle
