// Renewals are linked one to one, by customer, kind and term, within the window of SPEC §4.2,
// from what was known at as-of; calibration fits the rate over closed windows and the uplift as a
// ratio of sums; the starting state lets a subscription whose window is still open renew, even
// one that ended on or before as-of.
#include "engine/forecast/renewal_links.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "engine/forecast/calibration.h"
#include "engine/forecast/starting_state.h"
#include "tests/testing/fitted.h"
#include "tests/testing/ledger_builder.h"

namespace forecastle::forecast {
namespace {

using namespace ::forecastle::testing;  // NOLINT

// The index of customer/contract `contract`'s first line among the links.
int64_t IndexOf(const std::vector<Subscription>& subs, const std::string& contract) {
  for (size_t i = 0; i < subs.size(); ++i) {
    if (subs[i].contract->contract.contract_id == contract) return static_cast<int64_t>(i);
  }
  return -2;
}

TEST(RenewalLinks, OneToOneNearestFirstSameTermOnlyWhatWasKnown) {
  Ledger ledger;
  ApplyAll(ledger, {
      Cust("A"), Con("A1", "A", "2024-01-01"), Ratable("A1", "L", "12000.00", "2024-01-01", "2024-12-31"),
      // Two candidates for A1: the nearer one links, the other stays unlinked.
      Con("A2", "A", "2024-12-20"), Ratable("A2", "L", "13200.00", "2025-01-01", "2025-12-31"),
      Con("A3", "A", "2025-02-01"), Ratable("A3", "L", "9000.00", "2025-02-15", "2026-02-14"),
      // Another term (6 months) in the window is not a renewal.
      Cust("B"), Con("B1", "B", "2024-01-01"), Ratable("B1", "L", "12000.00", "2024-01-01", "2024-12-31"),
      Con("B2", "B", "2025-01-05"), Ratable("B2", "L", "6000.00", "2025-01-05", "2025-07-04"),
      // A contract signed after as-of, back-dated into the window: not known at as-of.
      Cust("C"), Con("C1", "C", "2024-01-01"), Ratable("C1", "L", "12000.00", "2024-01-01", "2024-12-31"),
      Con("C2", "C", "2025-04-01"), Ratable("C2", "L", "12000.00", "2025-01-01", "2025-12-31"),
      // Two lines of one contract in a row are one multi-year deal, not a renewal.
      Cust("D"), Con("D1", "D", "2024-01-01"), Ratable("D1", "L1", "12000.00", "2024-01-01", "2024-12-31"),
      Ratable("D1", "L2", "12000.00", "2025-01-01", "2025-12-31"),
  });
  const std::vector<Subscription> subs = LinkRenewals(ledger, D("2025-03-31"));
  ASSERT_EQ(IndexOf(subs, "C2"), -2);  // signed after as-of
  EXPECT_EQ(subs[IndexOf(subs, "A1")].renewed_by, IndexOf(subs, "A2"));
  EXPECT_EQ(subs[IndexOf(subs, "A2")].renews, IndexOf(subs, "A1"));
  EXPECT_EQ(subs[IndexOf(subs, "A3")].renews, -1);
  EXPECT_EQ(subs[IndexOf(subs, "B1")].renewed_by, -1);
  EXPECT_EQ(subs[IndexOf(subs, "C1")].renewed_by, -1);
  EXPECT_EQ(subs[IndexOf(subs, "D1")].renewed_by, -1);
  EXPECT_EQ(subs[IndexOf(subs, "D1") + 1].renews, -1);
  EXPECT_TRUE(subs[IndexOf(subs, "A1")].WindowClosedBy(D("2025-03-31")));
  EXPECT_FALSE(subs[IndexOf(subs, "A2")].WindowClosedBy(D("2025-03-31")));
  // Known later, C2 does renew C1.
  const std::vector<Subscription> later = LinkRenewals(ledger, D("2025-04-30"));
  EXPECT_EQ(later[IndexOf(later, "C1")].renewed_by, IndexOf(later, "C2"));
}

// 20 customers with a subscription of 2024: 12 renew for 2025 at +10% in total (amounts vary),
// 8 do not, and each of those 8 buys an unrelated 6-month subscription in the window; one more
// customer's renewal is signed after as-of. Rate 12/21, uplift Σ R / Σ S - 1.
TEST(RenewalLinks, CalibrationFitsTheLinkedPairsAsARatioOfSums) {
  Ledger ledger;
  Cents from = 0, to = 0;
  for (int i = 0; i < 21; ++i) {
    const std::string c = absl::StrCat("CU", i), s = absl::StrCat("S", i), r = absl::StrCat("R", i);
    const int64_t amount = 1000 + 500 * i;  // currency units
    ApplyAll(ledger, {Cust(c), Con(s, c, "2024-01-01"),
                      Ratable(s, "L", absl::StrCat(amount, ".00"), "2024-01-01", "2024-12-31")});
    if (i < 12) {
      const int64_t renewal = amount + (i % 2 == 0 ? amount / 5 : 0);  // +20% or flat
      ApplyAll(ledger, {Con(r, c, "2024-12-15"), Ratable(r, "L", absl::StrCat(renewal, ".00"), "2025-01-01", "2025-12-31")});
      from += amount * 100;
      to += renewal * 100;
    } else if (i < 20) {
      ApplyAll(ledger, {Con(r, c, "2025-01-10"), Ratable(r, "L", "300.00", "2025-01-10", "2025-07-09")});
    } else {
      ApplyAll(ledger, {Con(r, c, "2025-06-01"), Ratable(r, "L", "5000.00", "2025-01-01", "2025-12-31")});
    }
  }
  auto fit = Calibrate(ledger, D("2025-04-30"), DefaultScenario());
  ASSERT_TRUE(fit.ok()) << fit.status();
  const FittedValue& rate = Find(*fit, "renewals.probability");
  EXPECT_EQ(rate.sample_size, 21);
  EXPECT_NEAR(rate.value, 12.0 / 21, 1e-12);
  const FittedValue& uplift = Find(*fit, "renewals.uplift");
  EXPECT_EQ(uplift.sample_size, 12);
  EXPECT_NEAR(uplift.value, static_cast<double>(to) / static_cast<double>(from) - 1, 1e-12);
}

// A subscription ending on the as-of day, and one that ended earlier in the as-of month, may
// still renew (their windows are open): both are expiring in the first forecast month. One whose
// window closed did not renew and never will.
TEST(RenewalLinks, ASubscriptionEndedInsideItsOpenWindowMayStillRenew) {
  Ledger ledger;
  ApplyAll(ledger, {Cust("A"), Con("A1", "A", "2025-07-01"), Ratable("A1", "L", "1200.00", "2025-07-01", "2026-06-30"),
                    Cust("B"), Con("B1", "B", "2025-06-10"), Ratable("B1", "L", "600.00", "2025-06-10", "2026-06-09"),
                    Cust("C"), Con("C1", "C", "2025-03-01"), Ratable("C1", "L", "900.00", "2025-03-01", "2026-02-28")});
  for (const char* as_of : {"2026-06-29", "2026-06-30"}) {
    auto state = BuildStartingState(ledger, DefaultScenario(), D(as_of), 12);
    ASSERT_TRUE(state.ok()) << state.status();
    EXPECT_EQ(state->expiring[0].amount, 1800) << as_of;  // A (ends 06-30) and B (ended 06-09)
    double total = 0;
    for (const ExpiringSubscriptions& e : state->expiring) total += e.amount;
    EXPECT_EQ(total, 1800) << as_of;  // C's window closed on 2026-04-29
  }
}

}  // namespace
}  // namespace forecastle::forecast
