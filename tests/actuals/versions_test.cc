// Versions of records (SPEC §3.5): a changed record is a new version, a record can be voided, and
// a ledger replayed from the fold of its versions equals the one the versions were written to.
#include "engine/actuals/versions.h"

#include <gtest/gtest.h>

#include <random>

#include "engine/actuals/ledger.h"
#include "engine/actuals/metrics.h"
#include "engine/sample/sample_company.h"
#include "tests/testing/ledger_builder.h"
#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using namespace ::forecastle::testing;  // NOLINT
using ::testing::HasSubstr;

Opportunity Opp(std::string id, std::string stage, absl::string_view amount, absl::string_view close) {
  Opportunity o;
  o.opportunity_id = std::move(id);
  o.segment = "smb";
  o.amount = C(amount);
  o.created_on = D("2026-01-10");
  o.stage = std::move(stage);
  o.expected_close_on = D(close);
  return o;
}

class VersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ApplyAll(ledger_, {Cust("A"), Con("C", "A", "2026-01-01", "100.00"),
                       Ratable("C", "L1", "100.00", "2026-01-01", "2026-12-31"),
                       Inv("I", "C", "2026-01-05", "60.00"), Pay("P", "I", "2026-02-01", "40.00")});
  }
  Ledger ledger_;
};

TEST_F(VersionsTest, AChangedOpportunityIsANewVersionAndAnIdenticalOneANoOp) {
  EXPECT_THAT(ledger_.Put(Opp("O", "develop", "1000.00", "2026-06-30")), IsOkAndHolds(Applied::kCreated));
  const uint64_t records = ledger_.record_count(), version = ledger_.version();
  EXPECT_THAT(ledger_.Put(Opp("O", "develop", "1000.00", "2026-06-30")), IsOkAndHolds(Applied::kUnchanged));
  EXPECT_EQ(ledger_.version(), version);
  EXPECT_THAT(ledger_.Put(Opp("O", "propose", "1200.00", "2026-07-31")), IsOkAndHolds(Applied::kRevised));
  EXPECT_EQ(ledger_.record_count(), records);
  EXPECT_EQ(ledger_.version(), version + 1);
  ASSERT_EQ(ledger_.opportunities().size(), 1u);
  EXPECT_EQ(ledger_.opportunities()[0].stage, "propose");
  EXPECT_EQ(ledger_.opportunities()[0].amount, C("1200.00"));
}

TEST_F(VersionsTest, AContractOrLineChangeIsAModificationAndRefused) {
  EXPECT_THAT(ledger_.Put(Con("C", "A", "2026-02-01", "100.00")),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("contract modification")));
  EXPECT_THAT(ledger_.Put(Ratable("C", "L1", "120.00", "2026-01-01", "2026-12-31")),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("line_id: line C/L1")));
  EXPECT_THAT(ledger_.Void(Con("C", "A", "2026-01-01")), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

TEST_F(VersionsTest, AnInvoiceCorrectionMovesBillingsAndKeepsItsPaymentsInside) {
  EXPECT_THAT(ledger_.Put(Inv("I", "C", "2026-01-05", "30.00")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("less than the 40.00 already collected")));
  EXPECT_THAT(ledger_.Put(Inv("I", "C", "2026-02-05", "60.00")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("after payment P was received")));
  EXPECT_THAT(ledger_.Put(Inv("I", "C2", "2026-01-05", "60.00")), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(ledger_.Put(Inv("I", "C", "2026-01-20", "80.00")), IsOkAndHolds(Applied::kRevised));
  const ContractState& c = ledger_.contracts()[0];
  ASSERT_EQ(c.billings.size(), 1u);
  EXPECT_EQ(c.billings[0].on, D("2026-01-20"));
  EXPECT_EQ(c.billings[0].amount, C("80.00"));
}

TEST_F(VersionsTest, APaymentCorrectionStaysWithinItsInvoice) {
  EXPECT_THAT(ledger_.Put(Pay("P", "I", "2026-02-01", "70.00")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("exceeds the open amount 60.00")));
  EXPECT_THAT(ledger_.Put(Pay("P", "I", "2026-02-03", "60.00")), IsOkAndHolds(Applied::kRevised));
  EXPECT_EQ(ledger_.invoices()[0].collected, C("60.00"));
  EXPECT_EQ(ledger_.contracts()[0].collections[0].on, D("2026-02-03"));
}

TEST_F(VersionsTest, VoidsTakeARecordOutAndRefuseWhatOthersReferTo) {
  EXPECT_THAT(ledger_.Void(Invoice{.invoice_id = "I"}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("has payment P")));
  EXPECT_THAT(ledger_.Void(Customer{.customer_id = "A"}), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(ledger_.Void(Payment{.payment_id = "nope"}), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  const uint64_t records = ledger_.record_count();
  ASSERT_TRUE(ledger_.Void(Payment{.payment_id = "P"}).ok());
  ASSERT_TRUE(ledger_.Void(Invoice{.invoice_id = "I"}).ok());
  EXPECT_EQ(ledger_.record_count(), records - 2);
  EXPECT_TRUE(ledger_.invoices().empty());
  EXPECT_TRUE(ledger_.contracts()[0].billings.empty());
  EXPECT_TRUE(ledger_.contracts()[0].collections.empty());
  // A voided id may be recorded again.
  EXPECT_THAT(ledger_.Put(Inv("I", "C", "2026-03-01", "10.00")), IsOkAndHolds(Applied::kCreated));
}

TEST(IdentityTest, KeysNameTheIdentityColumns) {
  EXPECT_THAT(IdentityRecord(RecordKind::kProgress, {"C", "L"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                                         HasSubstr("contract_id, line_id, on")));
  auto progress = IdentityRecord(RecordKind::kProgress, {"C", "L", "2026-01-05"});
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ(RecordIdentity(*progress), RecordIdentity(Units("C", "L", "2026-01-05", 3)));
  EXPECT_NE(RecordIdentity(Cust("ab")), RecordIdentity(Cust("a")));
}

std::vector<MetricsTable> Metrics(const Ledger& ledger) {
  MetricsQuery query;
  query.from = MonthOf(D("2024-01-01"));
  query.to = MonthOf(D("2028-12-01"));
  query.as_of = D("2028-12-31");
  query.selection.group_by = GroupBy::kSegment;
  return *ComputeMetrics(ledger, query);
}

// Random corrections and voids written to one ledger in place, against the fold of the same
// versions replayed into a fresh one: the same records in force, the same metrics to the cent.
TEST(VersionFoldTest, ReplayingTheFoldEqualsTheLedgerWrittenInPlace) {
  for (uint64_t seed : {1, 2, 3}) {
    SampleOptions options;
    options.contracts = 300;
    options.seed = seed;
    auto records = GenerateSampleCompany(options);
    ASSERT_TRUE(records.ok());
    Ledger written;
    std::vector<std::pair<Record, bool>> log;  // every version, in the order recorded
    for (const Record& r : *records) {
      if (written.Put(r).ok()) log.emplace_back(r, false);
    }
    std::mt19937_64 rng(seed);
    for (int step = 0; step < 2000; ++step) {
      Record candidate;
      const int what = static_cast<int>(rng() % 4);
      if (what == 0 && !written.opportunities().empty()) {
        Opportunity o = written.opportunities()[rng() % written.opportunities().size()];
        o.amount += static_cast<Cents>(rng() % 1000) - 500;
        o.stage = o.stage == "propose" ? "negotiate" : "propose";
        candidate = o;
      } else if (what == 1 && !written.payments().empty()) {
        Payment p = written.payments()[rng() % written.payments().size()];
        p.amount = std::max<Cents>(1, p.amount - static_cast<Cents>(rng() % 5000));
        p.received_on = p.received_on + static_cast<int32_t>(rng() % 10);
        candidate = p;
      } else if (what == 2 && !written.invoices().empty()) {
        Invoice i = written.invoices()[rng() % written.invoices().size()].invoice;
        i.amount += static_cast<Cents>(rng() % 3000);
        candidate = i;
      } else if (!written.payments().empty()) {
        const Payment p = written.payments()[rng() % written.payments().size()];
        auto voided = written.Void(p);
        ASSERT_TRUE(voided.ok()) << voided.status();
        log.emplace_back(*voided, true);
        continue;
      } else {
        continue;
      }
      absl::StatusOr<Applied> applied = written.Put(candidate);
      if (applied.ok() && *applied != Applied::kUnchanged) log.emplace_back(candidate, false);
    }
    // The store keeps kinds apart; the fold runs kind by kind in the order recorded.
    Ledger replayed;
    for (int k = 0; k < kRecordKindCount; ++k) {
      VersionFold fold;
      for (const auto& [record, voided] : log) {
        if (static_cast<int>(KindOf(record)) == k) fold.Add(record, voided);
      }
      for (const Record& r : fold.TakeInForce()) ASSERT_TRUE(replayed.Put(r).ok()) << RecordKey(r);
    }
    EXPECT_EQ(replayed.record_count(), written.record_count());
    EXPECT_EQ(replayed.payments(), written.payments());
    EXPECT_EQ(replayed.opportunities(), written.opportunities());
    const std::vector<MetricsTable> a = Metrics(written), b = Metrics(replayed);
    ASSERT_EQ(a.size(), b.size());
    for (size_t t = 0; t < a.size(); ++t) {
      ASSERT_EQ(a[t].periods.size(), b[t].periods.size());
      for (size_t p = 0; p < a[t].periods.size(); ++p) {
        EXPECT_EQ(a[t].periods[p].billings, b[t].periods[p].billings);
        EXPECT_EQ(a[t].periods[p].collections, b[t].periods[p].collections);
        EXPECT_EQ(a[t].periods[p].accounts_receivable, b[t].periods[p].accounts_receivable);
        EXPECT_EQ(a[t].periods[p].deferred_revenue, b[t].periods[p].deferred_revenue);
        EXPECT_EQ(a[t].periods[p].backlog, b[t].periods[p].backlog);
      }
    }
  }
}

}  // namespace
}  // namespace forecastle
