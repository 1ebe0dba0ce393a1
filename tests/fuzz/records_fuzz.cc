// Fuzzes record parsing and validation for every record kind (engine/actuals/records.*), the
// proto form of records (proto/wire/convert.*) and the ledger's insert (engine/actuals/ledger.*). The
// input is text: a line naming a kind ("invoice") starts a record, "column=value" lines give its
// fields. Beyond "no crash" it asserts:
// - a parsed record validates, and formats (FormatRecord) and reparses equal, also through its
//   proto message (RecordToProto, RecordFromProto); a refused one is INVALID_ARGUMENT about a
//   column, as data (FieldOf) and first in its message;
// - Ledger::Apply: a refused record leaves the ledger unchanged and is about one of the kind's
//   columns, likewise; an accepted one counts once, and applying it again is a no-op;
// - the ledger's sums hold (booked = Σ allocated line amounts = the transaction price, billings and
//   collections sorted and summing to their invoices and payments, invoices never over-collected,
//   progress cumulative, new business = signed on the customer's first day);
// - replaying the accepted records in kind order, as the server rebuilds its ledger from the
//   store, accepts each and rebuilds the same ledger.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/actuals/csv.h"
#include "engine/actuals/ledger.h"
#include "engine/common/field_error.h"
#include "engine/actuals/versions.h"
#include "proto/wire/convert.h"
#include "tests/fuzz/fuzz_check.h"

namespace forecastle {
namespace {

constexpr size_t kMostRecords = 64;

std::string Cells(const Record& record) { return absl::StrJoin(FormatRecord(record), "\x1f"); }
std::string Day(const std::optional<Date>& day) { return day ? FormatDate(*day) : "-"; }

// Everything the ledger holds, as text: two ledgers are the same when these are.
std::string Describe(const Ledger& ledger) {
  std::string out = absl::StrCat("records ", ledger.record_count(), "\n");
  for (const CustomerState& c : ledger.customers()) {
    absl::StrAppend(&out, "customer ", Cells(c.customer), " first ", Day(c.first_signed_on), " contracts ",
                    absl::StrJoin(c.contracts, ","), "\n");
  }
  for (const ContractState& c : ledger.contracts()) {
    absl::StrAppend(&out, "contract ", Cells(c.contract), " of ", c.customer, " booked ", c.booked, " new ",
                    c.new_business, "\n");
    for (const LineState& l : c.lines) {
      absl::StrAppend(&out, "  line ", Cells(l.line), " amount ", l.amount, " cancelled ", Day(l.cancelled_on), "\n");
      for (const Progress& p : l.progress) absl::StrAppend(&out, "    progress ", Cells(p), "\n");
      for (const ProgressPoint& p : l.to_date) {
        absl::StrAppend(&out, "    to date ", FormatDate(p.on), " ", p.units_to_date, " ", p.hours_to_date, " ",
                        p.estimated_hours, " ", p.complete, "\n");
      }
    }
    for (const DatedAmount& b : c.billings) absl::StrAppend(&out, "  billed ", FormatDate(b.on), " ", b.amount, "\n");
    for (const DatedAmount& b : c.collections) absl::StrAppend(&out, "  collected ", FormatDate(b.on), " ", b.amount, "\n");
  }
  for (const InvoiceState& i : ledger.invoices()) {
    absl::StrAppend(&out, "invoice ", Cells(i.invoice), " of ", i.contract, " collected ", i.collected, "\n");
  }
  for (const Payment& p : ledger.payments()) absl::StrAppend(&out, "payment ", Cells(p), "\n");
  for (const Opportunity& o : ledger.opportunities()) absl::StrAppend(&out, "opportunity ", Cells(o), "\n");
  for (const Headcount& h : ledger.headcount()) absl::StrAppend(&out, "headcount ", Cells(h), "\n");
  return out;
}

// Whether `status` is about one of `columns`, as its payload says (FieldOf), and says so first.
bool NamesColumn(const absl::Status& status, const std::vector<absl::string_view>& columns) {
  const FieldOfStatus about = FieldAndReason(status);
  for (absl::string_view column : columns) {
    if (about.field == column && status.message() == absl::StrCat(column, ": ", about.reason)) return true;
  }
  return false;
}

// Parses one record's fields and checks the round trips; the record when it parses.
std::optional<Record> ParseAndRoundTrip(RecordKind kind, const FieldValues& fields) {
  absl::StatusOr<Record> record = ParseRecord(kind, fields);
  if (!record.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(record.status()), record.status());
    std::vector<absl::string_view> named = KindColumns(kind);
    for (const auto& [column, text] : fields) named.push_back(column);
    FUZZ_CHECK(NamesColumn(record.status(), named), "names no column: ", record.status());
    return std::nullopt;
  }
  FUZZ_CHECK(KindOf(*record) == kind, RecordKey(*record));
  FUZZ_CHECK(ValidateRecord(*record).ok(), ValidateRecord(*record));

  const std::vector<std::string> cells = FormatRecord(*record);
  const auto& columns = KindColumns(kind);
  FUZZ_CHECK(cells.size() == columns.size(), cells.size());
  FieldValues formatted;
  for (size_t c = 0; c < cells.size(); ++c) {
    if (!cells[c].empty()) formatted.emplace_back(columns[c], cells[c]);
  }
  absl::StatusOr<Record> again = ParseRecord(kind, formatted);
  FUZZ_CHECK(again.ok(), RecordKey(*record), " formats as ", Cells(*record), " and is then refused: ", again.status());
  FUZZ_CHECK(*again == *record, RecordKey(*record), " changes on the way back: ", Cells(*record), " -> ", Cells(*again));

  const v1::Record message = RecordToProto(*record);
  v1::Record parsed;
  FUZZ_CHECK(parsed.ParseFromString(message.SerializeAsString()), RecordKey(*record));
  absl::StatusOr<Record> from_proto = RecordFromProto(parsed);
  FUZZ_CHECK(from_proto.ok(), RecordKey(*record), " as a proto is refused: ", from_proto.status());
  FUZZ_CHECK(*from_proto == *record, RecordKey(*record), " changes through its proto: ", Cells(*record), " -> ",
             Cells(*from_proto));
  return *record;
}

// Applies one record, checking that a refusal changes nothing and a repeat is a no-op. Returns
// whether it was new or a new version.
bool ApplyChecked(Ledger& ledger, const Record& record) {
  const std::string before = Describe(ledger);
  const uint64_t count = ledger.record_count();
  absl::StatusOr<Applied> applied = ledger.Put(record);
  if (!applied.ok()) {
    const absl::StatusCode code = applied.status().code();
    FUZZ_CHECK(code == absl::StatusCode::kInvalidArgument || code == absl::StatusCode::kFailedPrecondition ||
                   code == absl::StatusCode::kAlreadyExists,
               applied.status());
    FUZZ_CHECK(NamesColumn(applied.status(), KindColumns(KindOf(record))),
               "names no column: ", applied.status());
    FUZZ_CHECK(Describe(ledger) == before, RecordKey(record), " was refused (", applied.status(),
               ") but changed the ledger");
    return false;
  }
  if (*applied == Applied::kUnchanged) {
    FUZZ_CHECK(Describe(ledger) == before, RecordKey(record), " was a no-op but changed the ledger");
    return false;
  }
  // A new version (SPEC §3.5) replaces the one in force: no more records in force.
  FUZZ_CHECK(ledger.record_count() == count + (*applied == Applied::kCreated ? 1 : 0), ledger.record_count());
  const std::string after = Describe(ledger);
  absl::StatusOr<bool> repeated = ledger.Apply(record);
  FUZZ_CHECK(repeated.ok() && !*repeated, RecordKey(record), " applied twice: ", repeated.status());
  FUZZ_CHECK(Describe(ledger) == after, RecordKey(record), " applied twice changed the ledger");
  return true;
}

void CheckSums(const Ledger& ledger) {
  __int128 total_booked = 0, total_invoiced = 0;
  std::vector<Cents> paid(ledger.invoices().size(), 0);
  for (const Payment& p : ledger.payments()) {
    std::optional<uint32_t> invoice = ledger.FindInvoice(p.invoice_id);
    FUZZ_CHECK(invoice.has_value(), RecordKey(p));
    paid[*invoice] += p.amount;
  }
  for (size_t i = 0; i < ledger.invoices().size(); ++i) {
    const InvoiceState& invoice = ledger.invoices()[i];
    FUZZ_CHECK(invoice.collected == paid[i], RecordKey(invoice.invoice), " collected ", invoice.collected);
    FUZZ_CHECK(invoice.collected >= 0 && invoice.collected <= std::max<Cents>(invoice.invoice.amount, 0),
               RecordKey(invoice.invoice), " over-collected: ", invoice.collected);
    total_invoiced += invoice.invoice.amount < 0 ? -invoice.invoice.amount : invoice.invoice.amount;
  }
  FUZZ_CHECK(ledger.PaidThrough(kMaxDate) == paid, "PaidThrough disagrees with the payments");
  FUZZ_CHECK(total_invoiced <= kMaxLedgerTotalCents, "invoices total beyond the limit");

  for (uint32_t k = 0; k < ledger.contracts().size(); ++k) {
    const ContractState& c = ledger.contracts()[k];
    const std::string key = RecordKey(c.contract);
    Cents amounts = 0, ssps = 0;
    for (size_t i = 0; i < c.lines.size(); ++i) {
      const LineState& line = c.lines[i];
      amounts += line.amount;
      ssps += line.line.ssp;
      if (i > 0) FUZZ_CHECK(!LineIdLess(line.line.line_id, c.lines[i - 1].line.line_id), key, " lines out of order");
      FUZZ_CHECK(line.to_date.size() == line.progress.size(), RecordKey(line.line));
      ProgressPoint sum;
      for (size_t p = 0; p < line.progress.size(); ++p) {
        const Progress& progress = line.progress[p];
        if (p > 0) FUZZ_CHECK(line.progress[p - 1].on < progress.on, RecordKey(progress), " out of order");
        sum.units_to_date += progress.units.value_or(0);
        sum.hours_to_date += progress.hours.value_or(0);
        sum.complete = sum.complete || progress.complete;
        const ProgressPoint& point = line.to_date[p];
        FUZZ_CHECK(point.on == progress.on && point.units_to_date == sum.units_to_date &&
                       point.hours_to_date == sum.hours_to_date && point.complete == sum.complete,
                   RecordKey(progress), " is not cumulative");
        FUZZ_CHECK(line.ProgressThrough(progress.on) == &point, RecordKey(progress));
      }
    }
    FUZZ_CHECK(c.booked == amounts, key, " booked ", c.booked, " but its lines hold ", amounts);
    if (!c.lines.empty()) {
      const Cents expected = c.contract.transaction_price.value_or(ssps);
      FUZZ_CHECK(c.booked == expected, key, " booked ", c.booked, ", expected ", expected);
    }
    total_booked += c.booked;
    Cents billed = 0, collected = 0;
    for (size_t i = 0; i < c.billings.size(); ++i) {
      if (i > 0) FUZZ_CHECK(c.billings[i - 1].on <= c.billings[i].on, key, " billings out of order");
      billed += c.billings[i].amount;
    }
    for (size_t i = 0; i < c.collections.size(); ++i) {
      if (i > 0) FUZZ_CHECK(c.collections[i - 1].on <= c.collections[i].on, key, " collections out of order");
      collected += c.collections[i].amount;
    }
    Cents invoiced = 0, paid_in = 0;
    for (size_t i = 0; i < ledger.invoices().size(); ++i) {
      if (ledger.invoices()[i].contract != k) continue;
      invoiced += ledger.invoices()[i].invoice.amount;
      paid_in += paid[i];
    }
    FUZZ_CHECK(billed == invoiced, key, " billings ", billed, " but invoices ", invoiced);
    FUZZ_CHECK(collected == paid_in, key, " collections ", collected, " but payments ", paid_in);
    const CustomerState& customer = ledger.customers()[c.customer];
    FUZZ_CHECK(customer.first_signed_on.has_value() && *customer.first_signed_on <= c.contract.signed_on, key);
    FUZZ_CHECK(c.new_business == (c.contract.signed_on == *customer.first_signed_on), key, " new business ",
               c.new_business);
  }
  FUZZ_CHECK(total_booked <= kMaxLedgerTotalCents, "bookings total beyond the limit");
  for (size_t i = 1; i < ledger.headcount().size(); ++i) {
    const Headcount& a = ledger.headcount()[i - 1];
    const Headcount& b = ledger.headcount()[i];
    FUZZ_CHECK(a.team < b.team || (a.team == b.team && a.month < b.month), RecordKey(b), " out of (team, month) order");
  }
}

// The input's records: a line naming a kind starts one, "column=value" lines are its fields.
struct TextRecord {
  RecordKind kind;
  FieldValues fields;
};

std::vector<TextRecord> SplitRecords(absl::string_view text) {
  std::vector<TextRecord> records;
  bool in_record = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const size_t equals = line.find('=');
    if (equals == absl::string_view::npos) {
      in_record = false;
      for (int k = 0; k < kRecordKindCount; ++k) {
        if (line == KindName(static_cast<RecordKind>(k))) {
          if (records.size() == kMostRecords) return records;
          records.push_back(TextRecord{static_cast<RecordKind>(k), {}});
          in_record = true;
        }
      }
    } else if (in_record) {
      records.back().fields.emplace_back(line.substr(0, equals), line.substr(equals + 1));
    }
  }
  return records;
}

}  // namespace
}  // namespace forecastle

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace forecastle;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  Ledger ledger;
  std::vector<Record> accepted;
  for (const TextRecord& input : SplitRecords(text)) {
    std::optional<Record> record = ParseAndRoundTrip(input.kind, input.fields);
    if (record && ApplyChecked(ledger, *record)) accepted.push_back(*record);
  }
  CheckSums(ledger);

  // The store hands versions back kind by kind, each kind in the order accepted; the fold keeps
  // the latest of each record (SPEC §3.5).
  std::stable_sort(accepted.begin(), accepted.end(),
                   [](const Record& a, const Record& b) { return KindOf(a) < KindOf(b); });
  VersionFold fold;
  for (const Record& record : accepted) fold.Add(record, false);
  const std::vector<Record> in_force = fold.TakeInForce();
  FUZZ_CHECK(ledger.record_count() == in_force.size(), ledger.record_count());
  Ledger replayed;
  for (const Record& record : in_force) {
    absl::StatusOr<Applied> applied = replayed.Put(record);
    FUZZ_CHECK(applied.ok() && *applied == Applied::kCreated, "replay refuses ", RecordKey(record), ": ",
               applied.status());
  }
  FUZZ_CHECK(Describe(replayed) == Describe(ledger), "the replay rebuilds another ledger:\n", Describe(ledger),
             "replayed:\n", Describe(replayed));
  return 0;
}
