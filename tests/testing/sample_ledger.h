// The sample company (engine/sample) of `contracts` contracts and `seed`, applied to a ledger:
// what tests that forecast, calibrate or backtest a realistic company start from. A record the
// generator makes that the ledger refuses fails the test.
#ifndef FORECASTLE_TESTS_TESTING_SAMPLE_LEDGER_H_
#define FORECASTLE_TESTS_TESTING_SAMPLE_LEDGER_H_

#include <cstdint>

#include <gtest/gtest.h>

#include "engine/actuals/ledger.h"
#include "engine/sample/sample_company.h"

namespace forecastle::testing {

inline Ledger SampleLedger(int contracts, uint64_t seed = 1) {
  SampleOptions options;
  options.contracts = contracts;
  options.seed = seed;
  Ledger ledger;
  auto records = GenerateSampleCompany(options);
  EXPECT_TRUE(records.ok()) << records.status();
  if (!records.ok()) return ledger;
  for (const Record& r : *records) EXPECT_TRUE(ledger.Apply(r).ok()) << RecordKey(r);
  return ledger;
}

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_SAMPLE_LEDGER_H_
