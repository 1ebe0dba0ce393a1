// bench/README.md's standard scenario, shared by the forecast benchmarks: the 100,000-contract
// sample company (seed 1) as of 2026-10-31, ~1,000 open opportunities in 3 segments, two delivery
// teams, 36 months. bench/standard_scenario.json is the same scenario for the server.
#ifndef FORECASTLE_BENCH_STANDARD_SCENARIO_H_
#define FORECASTLE_BENCH_STANDARD_SCENARIO_H_

#include <vector>

#include "engine/forecast/forecast.h"
#include "engine/sample/sample_company.h"

namespace forecastle::forecast {

inline Scenario StandardScenario() {
  Scenario s = DefaultScenario();
  s.name = "standard";
  // Two teams: services (effort) and logistics (goods), sized to the sample company's backlog.
  s.teams = {Team{"delivery", 400, 140, 0.75, 3, 0.01, 12000}, Team{"logistics", 60, 150, 0.8, 2, 0.015, 9000}};
  s.products[2].team = "logistics";
  s.hiring_plan = {Hire{"delivery", 24322, 10}, Hire{"logistics", 24325, 5}};  // 2026-11 and 2027-02
  return s;
}

// Built once per process (generating and applying 1.2 million records takes seconds).
inline const StartingState& StandardState() {
  static const StartingState state = [] {
    SampleOptions options;
    options.contracts = 100000;
    auto records = GenerateSampleCompany(options);
    Ledger ledger;
    for (const Record& r : *records) (void)ledger.Apply(r);
    return *BuildStartingState(ledger, StandardScenario(), *ParseDate("2026-10-31", "as_of"), 36);
  }();
  return state;
}

// The standard scenario and four variations of it that between them take every billing term on
// every kind of product, renewals and win rates changed, and no effort overrun: a change to any
// branch of the path model shows in one of them (bench/path_dump, tests/forecast/golden_test.cc).
inline std::vector<Scenario> StandardVariations() {
  std::vector<Scenario> out;
  out.push_back(StandardScenario());
  Scenario s = StandardScenario();
  s.products[0].billing = BillingTerms::kQuarterlyUpfront;
  s.products[1].billing = BillingTerms::kAnnualUpfront;
  s.products[2].billing = BillingTerms::kMonthlyUpfront;
  s.renewals.probability = 0.9;
  s.win_rate_multiplier = 1.3;
  out.push_back(s);
  s = StandardScenario();
  s.products[0].billing = BillingTerms::kMonthlyUpfront;
  s.products[0].term_months = 7;
  s.products[1].billing = BillingTerms::kOnDelivery;
  s.products[2].billing = BillingTerms::kMonthlyInArrears;
  out.push_back(s);
  s = StandardScenario();
  s.products[0].billing = BillingTerms::kMonthlyInArrears;
  s.products[0].lead_time_months = 2;
  s.products[0].term_months = 24;
  s.effort_overrun_sigma = 0;
  s.products[2].hours_per_unit_value = 0;
  out.push_back(s);
  s = StandardScenario();
  s.products[0].billing = BillingTerms::kOnDelivery;
  s.products[1].lead_time_months = 3;
  out.push_back(s);
  return out;
}

}  // namespace forecastle::forecast

#endif  // FORECASTLE_BENCH_STANDARD_SCENARIO_H_
