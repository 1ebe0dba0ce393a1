// The ledger: every recorded event, validated and indexed in memory so that balances at any date
// can be computed quickly. Applying a record either applies it whole or changes nothing.
#ifndef FORECASTLE_ENGINE_ACTUALS_LEDGER_H_
#define FORECASTLE_ENGINE_ACTUALS_LEDGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/actuals/records.h"

namespace forecastle {

// Progress of a line accumulated through one progress day.
struct ProgressPoint {
  Date on;
  int64_t units_to_date = 0;
  CentiHours hours_to_date = 0;
  CentiHours estimated_hours = 0;  // the estimate in force from this day (effort lines)
  bool complete = false;           // once complete, always complete
};

struct LineState {
  Line line;
  Cents amount = 0;                    // allocated transaction price (SPEC §3.1)
  std::vector<Progress> progress;      // as recorded, sorted by day
  std::vector<ProgressPoint> to_date;  // cumulative, one per progress record
  std::optional<Date> cancelled_on;

  // The cumulative progress known at the end of `day` (the last point on or before it), or
  // nullptr when none was recorded by then.
  const ProgressPoint* ProgressThrough(Date day) const;
};

// An amount on a day: an invoice issued or a payment received.
struct DatedAmount {
  Date on;
  Cents amount;
};

struct ContractState {
  Contract contract;
  uint32_t customer = 0;              // index into Ledger::customers()
  std::vector<LineState> lines;       // in LineIdLess order ("L2" before "L10"); allocation
                                      // ties go to the earlier line in this order
  std::vector<DatedAmount> billings;     // sorted by day
  std::vector<DatedAmount> collections;  // sorted by day
  Cents booked = 0;                   // Σ line amounts
  bool new_business = false;          // the customer had no contract signed on an earlier day
};

struct CustomerState {
  Customer customer;
  std::optional<Date> first_signed_on;  // earliest signed_on of the customer's contracts
  std::vector<uint32_t> contracts;
};

struct InvoiceState {
  Invoice invoice;
  uint32_t contract = 0;
  Cents collected = 0;
};

// What a write did: stored a new record, a new version of a recorded one, or nothing.
enum class Applied { kUnchanged, kCreated, kRevised };

// Orders line ids as people number them: digit runs compare as numbers ("L2" < "L10").
bool LineIdLess(absl::string_view a, absl::string_view b);

class Ledger {
 public:
  // Validates `record` against what is recorded and applies it. Returns true when it was new,
  // false when an identical record was already there (an idempotent no-op). Errors:
  // FAILED_PRECONDITION for an unknown reference or an over-payment, ALREADY_EXISTS for a known
  // identity with different content, INVALID_ARGUMENT for a record that contradicts what it refers
  // to. On error nothing changes. Messages name the field.
  absl::StatusOr<bool> Apply(const Record& record);

  // Applies `record` as the version in force of its identity (SPEC §3.5): kCreated when the
  // identity is new, kUnchanged when the same content is in force, kRevised when the content
  // replaces the one in force. Only kinds that may change are revised (README "Decisions":
  // customers, opportunities, invoices and payments within their references, progress,
  // cancellations, headcount); a contract or a line with other content is ALREADY_EXISTS, as it
  // is a contract modification. A revision is checked as a new record would be (over-payment,
  // dates, overflow) against the others in force. On error nothing changes.
  absl::StatusOr<Applied> Put(const Record& record);

  // Voids the record in force with the identity of `identity` (its other fields are ignored) and
  // returns the content it had. NOT_FOUND when none is in force; FAILED_PRECONDITION when others
  // refer to it (a paid invoice, a customer with contracts) or it is a contract or a line (those
  // end by cancellation or modification). On error nothing changes.
  absl::StatusOr<Record> Void(const Record& identity);

  const std::vector<CustomerState>& customers() const { return customers_; }
  const std::vector<ContractState>& contracts() const { return contracts_; }
  const std::vector<InvoiceState>& invoices() const { return invoices_; }
  const std::vector<Payment>& payments() const { return payments_; }
  const std::vector<Opportunity>& opportunities() const { return opportunities_; }
  // Headcount records, sorted by (team, month), one per (team, month).
  const std::vector<Headcount>& headcount() const;

  // Indices into contracts() (opportunities()) in the order of their ids: how a forecast or a
  // calibration visits them, so that no sum of theirs depends on the order records arrived in.
  std::vector<uint32_t> ContractsInIdOrder() const;
  std::vector<uint32_t> OpportunitiesInIdOrder() const;

  // What each invoice (by index into invoices()) had been paid by the end of `day`.
  std::vector<Cents> PaidThrough(Date day) const;

  std::optional<uint32_t> FindContract(absl::string_view contract_id) const;
  std::optional<uint32_t> FindCustomer(absl::string_view customer_id) const;
  std::optional<uint32_t> FindInvoice(absl::string_view invoice_id) const;  // index into invoices()

  // Whether a contract is new business: its customer had no contract signed on an earlier day.
  bool IsNewBusiness(const ContractState& contract) const { return contract.new_business; }

  // Counts every accepted change (a new record, a new version, a void): changes whenever the
  // ledger does.
  uint64_t version() const { return change_count_; }
  // Records in force.
  uint64_t record_count() const { return record_count_; }

 private:
  absl::StatusOr<Applied> ApplyCustomer(const Customer& r);
  absl::StatusOr<Applied> ApplyContract(const Contract& r);
  absl::StatusOr<Applied> ApplyLine(const Line& r);
  absl::StatusOr<Applied> ApplyProgress(const Progress& r);
  absl::StatusOr<Applied> ApplyCancellation(const Cancellation& r);
  absl::StatusOr<Applied> ApplyInvoice(const Invoice& r);
  absl::StatusOr<Applied> ApplyPayment(const Payment& r);
  absl::StatusOr<Applied> ApplyOpportunity(const Opportunity& r);
  absl::StatusOr<Applied> ApplyHeadcount(const Headcount& r);
  absl::StatusOr<Applied> ReviseInvoice(InvoiceState& state, const Invoice& r);
  absl::StatusOr<Applied> RevisePayment(uint32_t index, const Payment& r);
  absl::StatusOr<LineState*> FindLine(absl::string_view contract_id, absl::string_view line_id);

  std::vector<CustomerState> customers_;
  std::vector<ContractState> contracts_;
  std::vector<InvoiceState> invoices_;
  std::vector<Payment> payments_;
  std::vector<Opportunity> opportunities_;
  std::vector<Headcount> headcount_;  // sorted by (team, month): the order is the index
  absl::flat_hash_map<std::string, uint32_t> customer_index_;
  absl::flat_hash_map<std::string, uint32_t> contract_index_;
  absl::flat_hash_map<std::string, uint32_t> invoice_index_;
  absl::flat_hash_map<std::string, uint32_t> payment_index_;
  absl::flat_hash_map<std::string, uint32_t> opportunity_index_;
  uint64_t record_count_ = 0;
  uint64_t change_count_ = 0;
  Cents total_booked_ = 0;         // Σ booked over contracts (<= kMaxLedgerTotalCents)
  Cents total_invoiced_abs_ = 0;   // Σ |invoice amount| (<= kMaxLedgerTotalCents)
};

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_LEDGER_H_
