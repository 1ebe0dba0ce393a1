#include "engine/actuals/ledger.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "engine/actuals/allocation.h"
#include "engine/common/field_error.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"

namespace forecastle {
namespace {

absl::Status Unknown(absl::string_view field, absl::string_view what, absl::string_view id) {
  return FieldReasonError(absl::StatusCode::kFailedPrecondition, field, absl::StrCat("no ", what, " ", Quoted(id)));
}

void InsertByDay(std::vector<DatedAmount>& flows, DatedAmount flow) {
  auto at = std::upper_bound(flows.begin(), flows.end(), flow.on,
                             [](Date d, const DatedAmount& f) { return d < f.on; });
  flows.insert(at, flow);
}

// Takes one flow of that day and amount out (a revised or voided invoice or payment).
void EraseByDay(std::vector<DatedAmount>& flows, DatedAmount flow) {
  auto at = std::find_if(flows.begin(), flows.end(),
                         [&](const DatedAmount& f) { return f.on == flow.on && f.amount == flow.amount; });
  if (at != flows.end()) flows.erase(at);
}

// Erases element `index` of `items`, keeping `by_id` (id -> index) pointing at the same items.
template <typename T>
void EraseIndexed(std::vector<T>& items, absl::flat_hash_map<std::string, uint32_t>& by_id,
                  absl::string_view id, uint32_t index) {
  items.erase(items.begin() + index);
  by_id.erase(id);
  for (auto& [key, at] : by_id) {
    if (at > index) --at;
  }
}

absl::Status NotChangeable(absl::string_view field, absl::string_view key) {
  return FieldReasonError(absl::StatusCode::kAlreadyExists, field,
                          absl::StrCat(key, " is already recorded with different content; a contract or a line "
                                            "changes only by a contract modification (SPEC §3.5), which this "
                                            "server does not take yet"));
}

absl::Status NotInForce(absl::string_view key) {
  return FieldReasonError(absl::StatusCode::kNotFound, "key", absl::StrCat("no ", key, " is in force to void"));
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
  ASSIGN_OR_RETURN(Applied applied, Put(record));
  return applied != Applied::kUnchanged;
}

absl::StatusOr<Applied> Ledger::Put(const Record& record) {
  RETURN_IF_ERROR(ValidateRecord(record));
  absl::StatusOr<Applied> applied = std::visit(
      [this](const auto& r) -> absl::StatusOr<Applied> {
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
  if (applied.ok() && *applied != Applied::kUnchanged) {
    ++change_count_;
    if (*applied == Applied::kCreated) ++record_count_;
  }
  return applied;
}

absl::StatusOr<Applied> Ledger::ApplyCustomer(const Customer& r) {
  if (auto it = customer_index_.find(r.customer_id); it != customer_index_.end()) {
    if (customers_[it->second].customer == r) return Applied::kUnchanged;
    customers_[it->second].customer = r;  // a name or segment corrected
    return Applied::kRevised;
  }
  customer_index_.emplace(r.customer_id, customers_.size());
  customers_.push_back(CustomerState{r, std::nullopt, {}});
  return Applied::kCreated;
}

absl::StatusOr<Applied> Ledger::ApplyContract(const Contract& r) {
  if (auto it = contract_index_.find(r.contract_id); it != contract_index_.end()) {
    if (contracts_[it->second].contract == r) return Applied::kUnchanged;
    return NotChangeable("contract_id", RecordKey(r));
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
  return Applied::kCreated;
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

absl::StatusOr<Applied> Ledger::ApplyLine(const Line& r) {
  auto contract = FindContract(r.contract_id);
  if (!contract) return Unknown("contract_id", "contract", r.contract_id);
  ContractState& state = contracts_[*contract];
  for (const LineState& line : state.lines) {
    if (line.line.line_id == r.line_id) {
      if (line.line == r) return Applied::kUnchanged;
      return NotChangeable("line_id", RecordKey(r));
    }
  }
  __int128 ssp_total = r.ssp;
  for (const LineState& line : state.lines) ssp_total += line.line.ssp;
  if (ssp_total > kMaxAmountCents) {
    return InvalidFieldError(
        "ssp", absl::StrCat("the contract's total SSP would overflow (limit ", FormatCents(kMaxAmountCents), ")"));
  }
  // The contract's booked amount after this line: T when given, else Σ SSP.
  const Cents booked_after = state.contract.transaction_price.value_or(static_cast<Cents>(ssp_total));
  if (total_booked_ - state.booked + booked_after > kMaxLedgerTotalCents) {
    return InvalidFieldError("ssp", absl::StrCat("the ledger's total bookings would overflow (limit ",
                                                 FormatCents(kMaxLedgerTotalCents), ")"));
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
  return Applied::kCreated;
}

absl::StatusOr<Applied> Ledger::ApplyProgress(const Progress& r) {
  ASSIGN_OR_RETURN(LineState * line, FindLine(r.contract_id, r.line_id));
  const LineKind kind = line->line.kind;
  if (kind == LineKind::kRatable) {
    return InvalidFieldError("line_id", absl::StrCat(r.contract_id, "/", r.line_id,
                                                     " is a ratable line; it is recognised by its schedule and "
                                                     "takes no progress"));
  }
  if (kind == LineKind::kDelivery && (r.hours || r.estimated_hours)) {
    return InvalidFieldError(r.hours ? "hours" : "estimated_hours",
                             absl::StrCat(r.contract_id, "/", r.line_id, " is a delivery line; record units"));
  }
  if (kind == LineKind::kEffort && r.units) {
    return InvalidFieldError("units",
                             absl::StrCat(r.contract_id, "/", r.line_id, " is an effort line; record hours"));
  }
  auto at = std::lower_bound(line->progress.begin(), line->progress.end(), r.on,
                             [](const Progress& p, Date d) { return p.on < d; });
  const bool revised = at != line->progress.end() && at->on == r.on;
  if (revised && *at == r) return Applied::kUnchanged;
  // A revision takes the day's earlier version out of the totals it adds to.
  const Progress replaced = revised ? *at : Progress{};
  const ProgressPoint last = line->to_date.empty() ? ProgressPoint{} : line->to_date.back();
  if (last.units_to_date - replaced.units.value_or(0) + r.units.value_or(0) > kMaxLedgerTotalCents ||
      last.hours_to_date - replaced.hours.value_or(0) + r.hours.value_or(0) > kMaxLedgerTotalCents) {
    return InvalidFieldError(r.units ? "units" : "hours", "the line's total would overflow (limit 10^18)");
  }
  if (revised) {
    *at = r;
  } else {
    line->progress.insert(at, r);
  }
  Accumulate(*line);
  return revised ? Applied::kRevised : Applied::kCreated;
}

absl::StatusOr<Applied> Ledger::ApplyCancellation(const Cancellation& r) {
  ASSIGN_OR_RETURN(LineState * line, FindLine(r.contract_id, r.line_id));
  if (line->cancelled_on && *line->cancelled_on == r.effective_on) return Applied::kUnchanged;
  const Date signed_on = contracts_[*FindContract(r.contract_id)].contract.signed_on;
  if (r.effective_on < signed_on) {
    return InvalidFieldError("effective_on", absl::StrCat(FormatDate(r.effective_on),
                                                          " is before the contract's signed_on ",
                                                          FormatDate(signed_on)));
  }
  const Applied applied = line->cancelled_on ? Applied::kRevised : Applied::kCreated;
  line->cancelled_on = r.effective_on;
  return applied;
}

absl::StatusOr<Applied> Ledger::ApplyInvoice(const Invoice& r) {
  if (auto it = invoice_index_.find(r.invoice_id); it != invoice_index_.end()) {
    if (invoices_[it->second].invoice == r) return Applied::kUnchanged;
    return ReviseInvoice(invoices_[it->second], r);
  }
  auto contract = FindContract(r.contract_id);
  if (!contract) return Unknown("contract_id", "contract", r.contract_id);
  const Cents magnitude = r.amount < 0 ? -r.amount : r.amount;
  if (total_invoiced_abs_ + magnitude > kMaxLedgerTotalCents) {
    return InvalidFieldError("amount", absl::StrCat("the ledger's total billings would overflow (limit ",
                                                    FormatCents(kMaxLedgerTotalCents), ")"));
  }
  total_invoiced_abs_ += magnitude;
  invoice_index_.emplace(r.invoice_id, invoices_.size());
  invoices_.push_back(InvoiceState{r, *contract, 0});
  InsertByDay(contracts_[*contract].billings, DatedAmount{r.issued_on, r.amount});
  return Applied::kCreated;
}

// An invoice keyed wrong: its day, amount or due day corrected. Its payments must still fit in it
// (received on or after the issue day, at most its amount); another contract is another invoice.
absl::StatusOr<Applied> Ledger::ReviseInvoice(InvoiceState& state, const Invoice& r) {
  const Invoice& old = state.invoice;
  if (old.contract_id != r.contract_id) {
    return FieldReasonError(absl::StatusCode::kFailedPrecondition, "contract_id", absl::StrCat(
        "invoice ", r.invoice_id, " is recorded for contract ", old.contract_id,
        "; void it and record an invoice of another id for ", r.contract_id));
  }
  if (state.collected > r.amount) {
    return FieldReasonError(absl::StatusCode::kFailedPrecondition, "amount", absl::StrCat("", FormatCents(r.amount), " is less than the ",
                                                      FormatCents(state.collected), " already collected on invoice ",
                                                      r.invoice_id));
  }
  if (state.collected != 0 && r.issued_on > old.issued_on) {
    for (const Payment& p : payments_) {
      if (p.invoice_id == r.invoice_id && p.received_on < r.issued_on) {
        return FieldReasonError(absl::StatusCode::kInvalidArgument, "issued_on", absl::StrCat("", FormatDate(r.issued_on),
                                                       " is after payment ", p.payment_id, " was received on ",
                                                       FormatDate(p.received_on)));
      }
    }
  }
  const Cents old_magnitude = old.amount < 0 ? -old.amount : old.amount;
  const Cents magnitude = r.amount < 0 ? -r.amount : r.amount;
  if (total_invoiced_abs_ - old_magnitude + magnitude > kMaxLedgerTotalCents) {
    return FieldReasonError(absl::StatusCode::kInvalidArgument, "amount", absl::StrCat(
        "the ledger's total billings would overflow (limit ", FormatCents(kMaxLedgerTotalCents), ")"));
  }
  total_invoiced_abs_ += magnitude - old_magnitude;
  std::vector<DatedAmount>& billings = contracts_[state.contract].billings;
  EraseByDay(billings, DatedAmount{old.issued_on, old.amount});
  InsertByDay(billings, DatedAmount{r.issued_on, r.amount});
  state.invoice = r;
  return Applied::kRevised;
}

absl::StatusOr<Applied> Ledger::ApplyPayment(const Payment& r) {
  if (auto it = payment_index_.find(r.payment_id); it != payment_index_.end()) {
    if (payments_[it->second] == r) return Applied::kUnchanged;
    return RevisePayment(it->second, r);
  }
  auto it = invoice_index_.find(r.invoice_id);
  if (it == invoice_index_.end()) return Unknown("invoice_id", "invoice", r.invoice_id);
  InvoiceState& invoice = invoices_[it->second];
  if (r.received_on < invoice.invoice.issued_on) {
    return InvalidFieldError("received_on", absl::StrCat(FormatDate(r.received_on), " is before invoice ",
                                                         r.invoice_id, " was issued on ",
                                                         FormatDate(invoice.invoice.issued_on)));
  }
  const Cents open = invoice.invoice.amount - invoice.collected;
  if (r.amount > open) {
    return FieldReasonError(absl::StatusCode::kFailedPrecondition, "amount",
                      absl::StrCat(FormatCents(r.amount), " exceeds the open amount ",
                                   FormatCents(std::max<Cents>(open, 0)), " of invoice ", r.invoice_id));
  }
  invoice.collected += r.amount;
  payment_index_.emplace(r.payment_id, payments_.size());
  payments_.push_back(r);
  InsertByDay(contracts_[invoice.contract].collections, DatedAmount{r.received_on, r.amount});
  return Applied::kCreated;
}

// A payment keyed wrong: its day or amount corrected, still within its invoice; a payment of
// another invoice is another payment.
absl::StatusOr<Applied> Ledger::RevisePayment(uint32_t index, const Payment& r) {
  const Payment old = payments_[index];
  if (old.invoice_id != r.invoice_id) {
    return FieldReasonError(absl::StatusCode::kFailedPrecondition, "invoice_id", absl::StrCat(
        "payment ", r.payment_id, " is recorded against invoice ", old.invoice_id,
        "; void it and record a payment of another id against ", r.invoice_id));
  }
  InvoiceState& invoice = invoices_[invoice_index_.at(r.invoice_id)];
  if (r.received_on < invoice.invoice.issued_on) {
    return FieldReasonError(absl::StatusCode::kInvalidArgument, "received_on", absl::StrCat(
        "", FormatDate(r.received_on), " is before invoice ", r.invoice_id,
        " was issued on ", FormatDate(invoice.invoice.issued_on)));
  }
  const Cents open = invoice.invoice.amount - (invoice.collected - old.amount);
  if (r.amount > open) {
    return absl::FailedPreconditionError(
        absl::StrCat("amount: ", FormatCents(r.amount), " exceeds the open amount ",
                     FormatCents(std::max<Cents>(open, 0)), " of invoice ", r.invoice_id));
  }
  invoice.collected += r.amount - old.amount;
  std::vector<DatedAmount>& collections = contracts_[invoice.contract].collections;
  EraseByDay(collections, DatedAmount{old.received_on, old.amount});
  InsertByDay(collections, DatedAmount{r.received_on, r.amount});
  payments_[index] = r;
  return Applied::kRevised;
}

absl::StatusOr<Applied> Ledger::ApplyOpportunity(const Opportunity& r) {
  if (auto it = opportunity_index_.find(r.opportunity_id); it != opportunity_index_.end()) {
    if (opportunities_[it->second] == r) return Applied::kUnchanged;
    opportunities_[it->second] = r;  // the CRM moved its stage, amount or dates
    return Applied::kRevised;
  }
  opportunity_index_.emplace(r.opportunity_id, opportunities_.size());
  opportunities_.push_back(r);
  return Applied::kCreated;
}

const std::vector<Headcount>& Ledger::headcount() const { return headcount_; }

// Headcount refers to nothing and changes no metric: the ledger only keeps it, one per (team,
// month), for calibration to read.
absl::StatusOr<Applied> Ledger::ApplyHeadcount(const Headcount& r) {
  auto at = std::lower_bound(headcount_.begin(), headcount_.end(), r,
                             [](const Headcount& a, const Headcount& b) {
                               return std::tie(a.team, a.month) < std::tie(b.team, b.month);
                             });
  if (at != headcount_.end() && at->team == r.team && at->month == r.month) {
    if (*at == r) return Applied::kUnchanged;
    *at = r;
    return Applied::kRevised;
  }
  headcount_.insert(at, r);
  return Applied::kCreated;
}

absl::StatusOr<Record> Ledger::Void(const Record& identity) {
  const std::string key = RecordKey(identity);
  absl::StatusOr<Record> voided = std::visit(
      [&](const auto& r) -> absl::StatusOr<Record> {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Customer>) {
          auto it = customer_index_.find(r.customer_id);
          if (it == customer_index_.end()) return NotInForce(key);
          const uint32_t index = it->second;
          if (!customers_[index].contracts.empty()) {
            return FieldReasonError(absl::StatusCode::kFailedPrecondition, "key", absl::StrCat(
                "", key, " has ", customers_[index].contracts.size(), " contracts; it cannot be voided"));
          }
          Record content = customers_[index].customer;
          EraseIndexed(customers_, customer_index_, r.customer_id, index);
          for (ContractState& c : contracts_) {
            if (c.customer > index) --c.customer;
          }
          return content;
        } else if constexpr (std::is_same_v<T, Contract> || std::is_same_v<T, Line>) {
          return FieldReasonError(absl::StatusCode::kFailedPrecondition, "key", absl::StrCat(
              "", key, " cannot be voided: a contract or a line ends by a cancellation or a contract "
              "modification (SPEC §3.5)"));
        } else if constexpr (std::is_same_v<T, Progress>) {
          ASSIGN_OR_RETURN(LineState * line, FindLine(r.contract_id, r.line_id));
          auto at = std::find_if(line->progress.begin(), line->progress.end(),
                                 [&](const Progress& p) { return p.on == r.on; });
          if (at == line->progress.end()) return NotInForce(key);
          Record content = *at;
          line->progress.erase(at);
          Accumulate(*line);
          return content;
        } else if constexpr (std::is_same_v<T, Cancellation>) {
          ASSIGN_OR_RETURN(LineState * line, FindLine(r.contract_id, r.line_id));
          if (!line->cancelled_on) return NotInForce(key);
          Record content = Cancellation{r.contract_id, r.line_id, *line->cancelled_on};
          line->cancelled_on.reset();
          return content;
        } else if constexpr (std::is_same_v<T, Invoice>) {
          auto it = invoice_index_.find(r.invoice_id);
          if (it == invoice_index_.end()) return NotInForce(key);
          const uint32_t index = it->second;
          const InvoiceState& state = invoices_[index];
          for (const Payment& p : payments_) {
            if (p.invoice_id == r.invoice_id) {
              return FieldReasonError(absl::StatusCode::kFailedPrecondition, "key", absl::StrCat(
                  "", key, " has payment ", p.payment_id, "; void its payments first"));
            }
          }
          Record content = state.invoice;
          EraseByDay(contracts_[state.contract].billings, DatedAmount{state.invoice.issued_on, state.invoice.amount});
          total_invoiced_abs_ -= state.invoice.amount < 0 ? -state.invoice.amount : state.invoice.amount;
          EraseIndexed(invoices_, invoice_index_, r.invoice_id, index);
          return content;
        } else if constexpr (std::is_same_v<T, Payment>) {
          auto it = payment_index_.find(r.payment_id);
          if (it == payment_index_.end()) return NotInForce(key);
          const Payment payment = payments_[it->second];
          InvoiceState& invoice = invoices_[invoice_index_.at(payment.invoice_id)];
          invoice.collected -= payment.amount;
          EraseByDay(contracts_[invoice.contract].collections, DatedAmount{payment.received_on, payment.amount});
          EraseIndexed(payments_, payment_index_, r.payment_id, it->second);
          return Record(payment);
        } else if constexpr (std::is_same_v<T, Opportunity>) {
          auto it = opportunity_index_.find(r.opportunity_id);
          if (it == opportunity_index_.end()) return NotInForce(key);
          Record content = opportunities_[it->second];
          EraseIndexed(opportunities_, opportunity_index_, r.opportunity_id, it->second);
          return content;
        } else {
          static_assert(std::is_same_v<T, Headcount>);
          auto at = std::find_if(headcount_.begin(), headcount_.end(),
                                 [&](const Headcount& h) { return h.team == r.team && h.month == r.month; });
          if (at == headcount_.end()) return NotInForce(key);
          Record content = *at;
          headcount_.erase(at);
          return content;
        }
      },
      identity);
  if (voided.ok()) {
    ++change_count_;
    --record_count_;
  }
  return voided;
}

}  // namespace forecastle
