// Properties of the actuals on generated ledgers (10,000 contracts, several seeds): the three
// identities of SPEC §3.3 hold to the cent in every period, nothing recognises more than its
// amount, and the results do not depend on the order records arrive in.
#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "engine/actuals/metrics.h"
#include "engine/actuals/recognition.h"
#include "engine/sample/sample_company.h"

namespace forecastle {
namespace {

constexpr int kContracts = 10000;

std::vector<Record> Generate(uint64_t seed) {
  SampleOptions options;
  options.contracts = kContracts;
  options.seed = seed;
  auto records = GenerateSampleCompany(options);
  EXPECT_TRUE(records.ok()) << records.status();
  return *records;
}

MetricsQuery WholeHistory(GroupBy by = GroupBy::kCompany) {
  MetricsQuery q;
  q.from = *ParseMonth("2022-12", "from");  // before the first event: opening balances are 0
  q.to = *ParseMonth("2027-12", "to");
  q.as_of = *ParseDate("2026-10-31", "as_of");
  q.selection.group_by = by;
  return q;
}

std::vector<std::string> Flatten(const std::vector<MetricsTable>& tables) {
  std::vector<std::string> out;
  for (const MetricsTable& t : tables) {
    for (const PeriodMetrics& m : t.periods) {
      out.push_back(absl::StrCat(t.group, "|", m.period.label, "|", m.partial, "|", m.bookings, "|",
                                 m.bookings_new, "|", m.revenue, "|", m.billings, "|", m.collections,
                                 "|", m.cancellations, "|", m.backlog, "|", m.unbilled_backlog, "|",
                                 m.deferred_revenue, "|", m.contract_assets, "|",
                                 m.accounts_receivable, "|", m.book_to_bill.value_or(-1), "|",
                                 m.backlog_coverage_months.value_or(-1)));
    }
  }
  return out;
}

class PropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(PropertyTest, IdentitiesHoldToTheCentInEveryPeriod) {
  Ledger ledger;
  for (const Record& r : Generate(GetParam())) ASSERT_TRUE(ledger.Apply(r).ok()) << RecordKey(r);
  for (GroupBy by : {GroupBy::kCompany, GroupBy::kSegment}) {
    auto tables = ComputeMetrics(ledger, WholeHistory(by));
    ASSERT_TRUE(tables.ok()) << tables.status();
    for (const MetricsTable& table : *tables) {
      Cents backlog = 0, ar = 0, billed = 0, recognized = 0, revenue_total = 0;
      for (const PeriodMetrics& m : table.periods) {
        SCOPED_TRACE(absl::StrCat(table.group, " ", m.period.label));
        EXPECT_EQ(m.backlog, backlog + m.bookings - m.cancellations - m.revenue);
        EXPECT_EQ(m.accounts_receivable, ar + m.billings - m.collections);
        billed += m.billings;
        recognized += m.revenue;
        EXPECT_EQ(m.deferred_revenue - m.contract_assets, billed - recognized);
        EXPECT_EQ(m.bookings_new + m.bookings_existing, m.bookings);
        EXPECT_GE(m.deferred_revenue, 0);
        EXPECT_GE(m.contract_assets, 0);
        backlog = m.backlog;
        ar = m.accounts_receivable;
        revenue_total += m.revenue;
      }
      if (by == GroupBy::kCompany) {
        EXPECT_GT(revenue_total, 0);  // the ledger is not empty
      }
    }
  }
}

TEST_P(PropertyTest, NothingRecognisesMoreThanItsAmount) {
  Ledger ledger;
  for (const Record& r : Generate(GetParam())) ASSERT_TRUE(ledger.Apply(r).ok());
  int64_t lines = 0, cancelled = 0;
  for (const ContractState& c : ledger.contracts()) {
    Cents allocated = 0;
    for (const LineState& line : c.lines) {
      allocated += line.amount;
      ++lines;
      cancelled += line.cancelled_on.has_value();
      Cents previous_cancelled = 0;
      for (MonthIndex m = *ParseMonth("2022-12", "m"); m <= *ParseMonth("2028-12", "m"); ++m) {
        const Date day = LastDayOfMonth(m);
        const Cents recognized = RecognizedThrough(line, c.contract.signed_on, day);
        const Cents cancelled_amount = CancelledThrough(line, c.contract.signed_on, day);
        ASSERT_GE(recognized, 0);
        ASSERT_LE(recognized + cancelled_amount, line.amount) << c.contract.contract_id;
        ASSERT_GE(cancelled_amount, previous_cancelled);
        previous_cancelled = cancelled_amount;
      }
    }
    if (c.contract.transaction_price && !c.lines.empty()) {
      EXPECT_EQ(allocated, *c.contract.transaction_price) << c.contract.contract_id;
    }
  }
  EXPECT_GT(lines, 2 * kContracts);
  EXPECT_GT(cancelled, 0);
}

TEST_P(PropertyTest, ShuffledArrivalGivesTheSameActuals) {
  const std::vector<Record> records = Generate(GetParam());
  Ledger in_order;
  for (const Record& r : records) ASSERT_TRUE(in_order.Apply(r).ok());

  // Arrive in a random order: a record whose reference has not arrived yet waits for the next
  // round (as a client retrying it would), everything else is applied as it comes.
  std::vector<Record> pending = records;
  std::mt19937_64 rng(GetParam() * 7919);
  std::shuffle(pending.begin(), pending.end(), rng);
  Ledger shuffled;
  int rounds = 0;
  while (!pending.empty()) {
    ASSERT_LT(++rounds, 20);
    std::vector<Record> waiting;
    for (Record& r : pending) {
      auto applied = shuffled.Apply(r);
      if (applied.ok()) continue;
      ASSERT_EQ(applied.status().code(), absl::StatusCode::kFailedPrecondition) << applied.status();
      ASSERT_NE(applied.status().message().find("no "), absl::string_view::npos) << applied.status();
      waiting.push_back(std::move(r));
    }
    pending = std::move(waiting);
  }
  // Applying everything again changes nothing: each record is an idempotent no-op.
  for (const Record& r : records) ASSERT_FALSE(*shuffled.Apply(r));

  EXPECT_GT(rounds, 1);
  EXPECT_EQ(shuffled.record_count(), in_order.record_count());
  for (GroupBy by : {GroupBy::kCompany, GroupBy::kCustomer}) {
    auto a = ComputeMetrics(in_order, WholeHistory(by));
    auto b = ComputeMetrics(shuffled, WholeHistory(by));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(Flatten(*a), Flatten(*b));
  }
  const Date as_of = *ParseDate("2026-10-31", "as_of");
  auto backlog_a = ComputeBacklog(in_order, as_of, Selection{});
  auto backlog_b = ComputeBacklog(shuffled, as_of, Selection{});
  EXPECT_EQ((*backlog_a)[0].crpo, (*backlog_b)[0].crpo);
  EXPECT_EQ((*backlog_a)[0].aging, (*backlog_b)[0].aging);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PropertyTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace forecastle

namespace forecastle {
namespace {

// LineCurve is the fast path of the metrics table: it must equal the reference functions on
// every day, for every kind of line, cancelled or not.
TEST(LineCurveProperty, EqualsRecognizedThroughOnEveryDay) {
  SampleOptions options;
  options.contracts = 1500;
  options.seed = 17;
  const auto records = GenerateSampleCompany(options);
  ASSERT_TRUE(records.ok());
  Ledger ledger;
  for (const Record& r : *records) ASSERT_TRUE(ledger.Apply(r).ok());
  int64_t checked = 0;
  for (const ContractState& c : ledger.contracts()) {
    const Date signed_on = c.contract.signed_on;
    for (const LineState& line : c.lines) {
      const LineCurve curve(line, signed_on);
      for (Date day = signed_on - 40; day <= signed_on + 800; day = day + 3) {
        ASSERT_EQ(curve.RecognizedThrough(day, MonthOf(day)), RecognizedThrough(line, signed_on, day))
            << c.contract.contract_id << "/" << line.line.line_id << " on " << FormatDate(day);
        ASSERT_EQ(curve.CancelledThrough(day), CancelledThrough(line, signed_on, day));
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000000);
}

}  // namespace
}  // namespace forecastle
