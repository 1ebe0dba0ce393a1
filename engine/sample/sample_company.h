// A seeded generator of a plausible services + subscription company's CRM/ERP exports (SPEC §3.4),
// for demos, tests and benchmarks: the same options always give the same records, on every
// platform, and every record is one the ledger accepts when applied in the returned order.
#ifndef FORECASTLE_ENGINE_SAMPLE_SAMPLE_COMPANY_H_
#define FORECASTLE_ENGINE_SAMPLE_SAMPLE_COMPANY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/calendar.h"
#include "engine/actuals/records.h"

namespace forecastle {

struct SampleOptions {
  // Number of contracts, 1..1,000,000 (a tiny company: 10, a large one: 100,000).
  int contracts = 1000;
  uint64_t seed = 1;
  // The exports cover signings from history_start; history_end is their "as of": no event
  // (signing, progress, cancellation, invoice, payment, opportunity created or closed) is dated
  // after it. Subscriptions may run past it: that is backlog. Sales cycles, and some services
  // and subscriptions, begin before a contract is signed, so a little before history_start too.
  Date history_start = DateFromCivil(2023, 1, 1);
  Date history_end = DateFromCivil(2026, 10, 31);
  // Open opportunities in the pipeline at history_end; -1: about 1% of contracts, at least 5.
  int open_opportunities = -1;
};

// Generates the company: customers in three segments ("enterprise", "mid-market", "smb") who sign
// again over time; contracts of 1..5 lines signed with growth and a Q4 bump (ratable
// subscriptions, mostly monthly and some daily, some starting before signing; effort services with
// estimate revisions and completion; delivery of goods by units), some with a discounted
// transaction price, a few cancelled; invoices (subscriptions annually upfront, services monthly
// in arrears, goods on delivery, credit notes for disputes and cancellations); payments after a
// random delay (some partial, some never); opportunities: closed won and lost history and an
// open pipeline; and the headcount of team "delivery", staffed for its services hours (each
// month's FTE is the hours of that month and the two before, averaged, over 84, at least 1; the
// story is in sample_company.cc). Stages are "qualify", "develop", "propose", "negotiate"; a
// closed opportunity's stage is the last one it reached. Products are "subscription", "services",
// "goods".
//
// Records come in kind order (customers, contracts, lines, progress, cancellations, invoices,
// payments, opportunities, headcount); ids number each kind chronologically ("CU-000001",
// "CT-000001", "INV-000001", "PAY-000001", "OPP-000001"; lines "L1".."L5"). About 2.9 lines and
// 12 records per contract (100,000 contracts: about 1.2 million records). INVALID_ARGUMENT for
// options out of range.
absl::StatusOr<std::vector<Record>> GenerateSampleCompany(const SampleOptions& options);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_SAMPLE_SAMPLE_COMPANY_H_
