// Terse constructors of ledger records for tests: dates and amounts as text, as a person writes them.
#ifndef FORECASTLE_TESTS_TESTING_LEDGER_BUILDER_H_
#define FORECASTLE_TESTS_TESTING_LEDGER_BUILDER_H_

#include <gtest/gtest.h>

#include "engine/actuals/ledger.h"

namespace forecastle::testing {

inline Date D(absl::string_view text) { return *ParseDate(text, "date"); }
inline Cents C(absl::string_view text) { return *ParseCents(text, "amount"); }

inline Customer Cust(std::string id, std::string segment = "smb") {
  return Customer{id, "Customer " + id, segment};
}
inline Contract Con(std::string id, std::string customer, absl::string_view signed_on,
                    std::optional<absl::string_view> price = std::nullopt) {
  return Contract{id, customer, D(signed_on), price ? std::optional<Cents>(C(*price)) : std::nullopt};
}
inline Line Ratable(std::string contract, std::string id, absl::string_view ssp, absl::string_view start,
                    absl::string_view end, RatableConvention convention = RatableConvention::kMonthly) {
  Line l;
  l.contract_id = contract;
  l.line_id = id;
  l.kind = LineKind::kRatable;
  l.ssp = C(ssp);
  l.start_on = D(start);
  l.end_on = D(end);
  l.convention = convention;
  return l;
}
inline Line Delivery(std::string contract, std::string id, absl::string_view ssp, int64_t units,
                     std::optional<absl::string_view> expected_end = std::nullopt) {
  Line l;
  l.contract_id = contract;
  l.line_id = id;
  l.kind = LineKind::kDelivery;
  l.ssp = C(ssp);
  l.total_units = units;
  if (expected_end) l.expected_end_on = D(*expected_end);
  return l;
}
inline Line Effort(std::string contract, std::string id, absl::string_view ssp, absl::string_view hours,
                   std::optional<absl::string_view> expected_end = std::nullopt) {
  Line l;
  l.contract_id = contract;
  l.line_id = id;
  l.kind = LineKind::kEffort;
  l.ssp = C(ssp);
  l.estimated_hours = C(hours);
  if (expected_end) l.expected_end_on = D(*expected_end);
  return l;
}
inline Progress At(std::string contract, std::string line, absl::string_view on) {
  Progress p;
  p.contract_id = std::move(contract);
  p.line_id = std::move(line);
  p.on = D(on);
  return p;
}
inline Progress Units(std::string contract, std::string line, absl::string_view on, int64_t units) {
  Progress p = At(contract, line, on);
  p.units = units;
  return p;
}
inline Progress Hours(std::string contract, std::string line, absl::string_view on,
                      absl::string_view hours, std::optional<absl::string_view> estimate = std::nullopt) {
  Progress p = At(contract, line, on);
  p.hours = C(hours);
  if (estimate) p.estimated_hours = C(*estimate);
  return p;
}
inline Progress Complete(std::string contract, std::string line, absl::string_view on) {
  Progress p = At(contract, line, on);
  p.complete = true;
  return p;
}
inline Cancellation Cancel(std::string contract, std::string line, absl::string_view on) {
  return Cancellation{contract, line, D(on)};
}
inline Invoice Inv(std::string id, std::string contract, absl::string_view on, absl::string_view amount) {
  return Invoice{id, contract, D(on), C(amount), std::nullopt};
}
inline Payment Pay(std::string id, std::string invoice, absl::string_view on, absl::string_view amount) {
  return Payment{id, invoice, D(on), C(amount)};
}
inline Headcount Heads(std::string team, absl::string_view month, absl::string_view fte) {
  return Headcount{team, *ParseMonth(month, "month"), C(fte)};
}

// Applies records, failing the test on the first refusal.
inline void ApplyAll(Ledger& ledger, std::initializer_list<Record> records) {
  for (const Record& r : records) {
    auto applied = ledger.Apply(r);
    ASSERT_TRUE(applied.ok()) << RecordKey(r) << ": " << applied.status();
  }
}

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_LEDGER_BUILDER_H_
