#include "engine/actuals/ledger.h"

#include <gtest/gtest.h>

#include "engine/actuals/metrics.h"
#include "tests/testing/ledger_builder.h"
#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using namespace ::forecastle::testing;  // NOLINT
using ::testing::HasSubstr;

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ApplyAll(ledger_, {Cust("A"), Con("C", "A", "2026-01-01", "100.00"),
                       Ratable("C", "L1", "50.00", "2026-01-01", "2026-12-31"),
                       Delivery("C", "L2", "25.00", 10), Effort("C", "L3", "75.00", "10"),
                       Inv("I", "C", "2026-01-05", "60.00")});
  }
  Ledger ledger_;
};

TEST_F(LedgerTest, AllocatesTheTransactionPriceAsLinesArrive) {
  const ContractState& c = ledger_.contracts()[0];
  EXPECT_EQ(c.lines[0].amount, 3333);
  EXPECT_EQ(c.lines[1].amount, 1667);
  EXPECT_EQ(c.lines[2].amount, 5000);
  EXPECT_EQ(c.booked, 10000);
}

TEST_F(LedgerTest, IdenticalRecordIsAnIdempotentNoOp) {
  const uint64_t before = ledger_.version();
  EXPECT_THAT(ledger_.Apply(Inv("I", "C", "2026-01-05", "60.00")), IsOkAndHolds(false));
  EXPECT_THAT(ledger_.Apply(Ratable("C", "L1", "50.00", "2026-01-01", "2026-12-31")), IsOkAndHolds(false));
  EXPECT_EQ(ledger_.version(), before);
}

// SPEC §3.5: a known id with other content is a new version, except a contract's or a line's
// (a contract modification, refused).
TEST_F(LedgerTest, DuplicateIdWithDifferentContentIsANewVersionOrAModification) {
  EXPECT_THAT(ledger_.Put(Inv("I", "C", "2026-01-05", "61.00")), IsOkAndHolds(Applied::kRevised));
  EXPECT_THAT(ledger_.Apply(Con("C", "A", "2026-01-02", "100.00")),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("contract_id")));
  EXPECT_THAT(ledger_.Apply(Units("C", "L2", "2026-02-01", 1)), IsOkAndHolds(true));
  EXPECT_THAT(ledger_.Put(Units("C", "L2", "2026-02-01", 2)), IsOkAndHolds(Applied::kRevised));
  EXPECT_EQ(ledger_.contracts()[0].lines[1].to_date.back().units_to_date, 2);
}

TEST_F(LedgerTest, UnknownReferencesAreRefused) {
  EXPECT_THAT(ledger_.Apply(Inv("I2", "NOPE", "2026-01-05", "1.00")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("contract_id: no contract \"NOPE\"")));
  EXPECT_THAT(ledger_.Apply(Con("C2", "B", "2026-01-01")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("customer_id: no customer \"B\"")));
  EXPECT_THAT(ledger_.Apply(Pay("P", "NOPE", "2026-01-05", "1.00")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("invoice_id")));
  EXPECT_THAT(ledger_.Apply(Units("C", "L9", "2026-01-05", 1)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("line_id")));
  EXPECT_THAT(ledger_.Apply(Cancel("C", "L9", "2026-01-05")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("line_id")));
}

TEST_F(LedgerTest, PaymentLargerThanTheOpenAmountIsRefused) {
  EXPECT_THAT(ledger_.Apply(Pay("P1", "I", "2026-01-10", "50.00")), IsOkAndHolds(true));
  EXPECT_THAT(ledger_.Apply(Pay("P2", "I", "2026-01-11", "10.01")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("amount: 10.01 exceeds the open amount 10.00 of invoice I")));
  EXPECT_THAT(ledger_.Apply(Pay("P2", "I", "2026-01-11", "10.00")), IsOkAndHolds(true));
  EXPECT_EQ(ledger_.contracts()[0].collections.size(), 2u);
}

TEST_F(LedgerTest, PaymentBeforeTheInvoiceIsRefused) {
  EXPECT_THAT(ledger_.Apply(Pay("P1", "I", "2026-01-04", "1.00")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("received_on")));
}

TEST_F(LedgerTest, ProgressMustFitTheLineKind) {
  EXPECT_THAT(ledger_.Apply(Units("C", "L1", "2026-02-01", 1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ratable line")));
  EXPECT_THAT(ledger_.Apply(Hours("C", "L2", "2026-02-01", "1")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("hours: C/L2 is a delivery line")));
  EXPECT_THAT(ledger_.Apply(Units("C", "L3", "2026-02-01", 1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("units: C/L3 is an effort line")));
}

TEST_F(LedgerTest, CancellationBeforeSigningIsRefusedAndASecondDateIsANewVersion) {
  EXPECT_THAT(ledger_.Apply(Cancel("C", "L1", "2025-12-31")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("effective_on")));
  EXPECT_THAT(ledger_.Apply(Cancel("C", "L1", "2026-03-01")), IsOkAndHolds(true));
  EXPECT_THAT(ledger_.Apply(Cancel("C", "L1", "2026-03-01")), IsOkAndHolds(false));
  EXPECT_THAT(ledger_.Put(Cancel("C", "L1", "2026-04-01")), IsOkAndHolds(Applied::kRevised));
  EXPECT_THAT(ledger_.Apply(Cancel("C", "L1", "2025-12-31")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("effective_on")));
  EXPECT_EQ(ledger_.contracts()[0].lines[0].cancelled_on, D("2026-04-01"));
}

TEST_F(LedgerTest, ARefusedRecordChangesNothing) {
  const uint64_t version = ledger_.version();
  const size_t invoices = ledger_.invoices().size();
  EXPECT_FALSE(ledger_.Apply(Pay("P", "I", "2026-01-10", "60.01")).ok());
  EXPECT_FALSE(ledger_.Apply(Inv("I", "D", "2026-01-05", "1.00")).ok());
  EXPECT_EQ(ledger_.version(), version);
  EXPECT_EQ(ledger_.invoices().size(), invoices);
  EXPECT_EQ(ledger_.invoices()[0].collected, 0);
  EXPECT_TRUE(ledger_.payments().empty());
}

TEST_F(LedgerTest, RecordsBuiltInCodeMeetTheSameFieldRulesAsParsedOnes) {
  EXPECT_THAT(ledger_.Apply(Inv("I0", "C", "2026-01-05", "0.00")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount: must not be zero")));
  EXPECT_THAT(ledger_.Apply(Pay("P0", "I", "2026-01-10", "-5.00")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount: must be positive")));
  Line no_estimate = Effort("C", "L9", "1.00", "1");
  no_estimate.estimated_hours.reset();
  EXPECT_THAT(ledger_.Apply(no_estimate),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("estimated_hours: required for effort lines")));
  Invoice huge = Inv("I9", "C", "2026-01-05", "1.00");
  huge.amount = kMaxAmountCents + 1;
  EXPECT_THAT(ledger_.Apply(huge), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount: overflows")));
  EXPECT_THAT(ledger_.Apply(Cust("")), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("customer_id: required")));
}

TEST_F(LedgerTest, HeadcountIsKeptSortedByTeamAndMonthOnePerTeamAndMonth) {
  const uint64_t before = ledger_.version();
  ApplyAll(ledger_, {Heads("delivery", "2026-03", "12.5"), Heads("consulting", "2026-02", "3"),
                     Heads("delivery", "2025-12", "10.25"), Heads("consulting", "2026-01", "2")});
  EXPECT_EQ(ledger_.version(), before + 4);
  EXPECT_EQ(ledger_.record_count(), before + 4);
  EXPECT_EQ(ledger_.headcount(),
            (std::vector<Headcount>{Heads("consulting", "2026-01", "2"), Heads("consulting", "2026-02", "3"),
                                    Heads("delivery", "2025-12", "10.25"), Heads("delivery", "2026-03", "12.5")}));

  // The same (team, month) and fte again is a no-op; with another fte it is a new version.
  EXPECT_THAT(ledger_.Apply(Heads("delivery", "2026-03", "12.50")), IsOkAndHolds(false));
  EXPECT_EQ(ledger_.version(), before + 4);
  EXPECT_THAT(ledger_.Put(Heads("delivery", "2026-03", "13")), IsOkAndHolds(Applied::kRevised));
  EXPECT_EQ(ledger_.version(), before + 5);
  EXPECT_EQ(ledger_.headcount().size(), 4u);
  EXPECT_EQ(ledger_.headcount()[3].centi_fte, 1300);
}

TEST_F(LedgerTest, HeadcountChangesNoMetric) {
  auto metrics = [&] {
    MetricsQuery query;
    query.from = MonthOf(D("2026-01-01"));
    query.to = MonthOf(D("2026-12-01"));
    query.as_of = D("2026-12-31");
    auto tables = ComputeMetrics(ledger_, query);
    EXPECT_TRUE(tables.ok()) << tables.status();
    std::vector<std::vector<Cents>> out;
    for (const PeriodMetrics& p : tables->at(0).periods) {
      out.push_back({p.bookings, p.revenue, p.billings, p.collections, p.backlog, p.unbilled_backlog,
                     p.deferred_revenue, p.accounts_receivable});
    }
    return out;
  };
  ApplyAll(ledger_, {Hours("C", "L3", "2026-01-31", "4")});
  const auto without = metrics();
  ApplyAll(ledger_, {Heads("delivery", "2026-01", "2"), Heads("delivery", "2026-02", "0")});
  EXPECT_EQ(metrics(), without);
}

TEST(LedgerLimits, TotalsThatCouldOverflowAreRefused) {
  // 1,000 contracts of the largest amount reach the ledger-wide limit of 10^18 cents exactly.
  Ledger ledger;
  ApplyAll(ledger, {Cust("A")});
  const std::string max = "10000000000000.00";
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "C" + std::to_string(i);
    ApplyAll(ledger, {Con(id, "A", "2026-01-01", max), Delivery(id, "L", "1.00", 1),
                      Inv("I" + std::to_string(i), id, "2026-01-01", max)});
  }
  ApplyAll(ledger, {Con("C-last", "A", "2026-01-01", max)});
  EXPECT_THAT(ledger.Apply(Delivery("C-last", "L", "1.00", 1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ssp: the ledger's total bookings would overflow")));
  EXPECT_THAT(ledger.Apply(Inv("I-last", "C0", "2026-01-01", "-0.01")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount: the ledger's total billings would overflow")));
  EXPECT_EQ(ledger.contracts().back().lines.size(), 0u);
}

TEST_F(LedgerTest, LinesAreAllocatedInLineNumberOrderWhateverTheirArrival) {
  Ledger shuffled;
  ApplyAll(shuffled, {Cust("A"), Con("C", "A", "2026-01-01", "1.00"), Delivery("C", "L10", "1.00", 1),
                      Delivery("C", "L2", "1.00", 1), Delivery("C", "L1", "1.00", 1)});
  const ContractState& c = shuffled.contracts()[0];
  ASSERT_EQ(c.lines.size(), 3u);
  EXPECT_EQ(c.lines[0].line.line_id, "L1");
  EXPECT_EQ(c.lines[1].line.line_id, "L2");
  EXPECT_EQ(c.lines[2].line.line_id, "L10");
  EXPECT_EQ(c.lines[0].amount, 34);  // the leftover cent goes to the first line by number
  EXPECT_TRUE(LineIdLess("L9", "L10"));
  EXPECT_FALSE(LineIdLess("L10", "L9"));
  EXPECT_TRUE(LineIdLess("A", "B"));
}

TEST_F(LedgerTest, NewBusinessIsTheCustomersFirstSigningDay) {
  ApplyAll(ledger_, {Con("C0", "A", "2026-01-01"), Con("C2", "A", "2026-02-01")});
  EXPECT_TRUE(ledger_.IsNewBusiness(ledger_.contracts()[0]));
  EXPECT_TRUE(ledger_.IsNewBusiness(ledger_.contracts()[1]));  // same first day
  EXPECT_FALSE(ledger_.IsNewBusiness(ledger_.contracts()[2]));
  // An earlier contract recorded later makes the others existing business.
  ApplyAll(ledger_, {Con("C-early", "A", "2025-06-01")});
  EXPECT_FALSE(ledger_.IsNewBusiness(ledger_.contracts()[0]));
  EXPECT_TRUE(ledger_.IsNewBusiness(ledger_.contracts()[3]));
}

}  // namespace
}  // namespace forecastle
