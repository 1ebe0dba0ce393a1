// One record of each kind with every column of its table set (record_table.h), and the same as a
// CSV row: the fixtures of the table-driven round trips (tests/actuals/record_table_test.cc,
// tests/proto/wire/convert_test.cc).
#ifndef FORECASTLE_TESTS_TESTING_EVERY_COLUMN_H_
#define FORECASTLE_TESTS_TESTING_EVERY_COLUMN_H_

#include <string>
#include <vector>

#include "engine/actuals/records.h"
#include "tests/testing/ledger_builder.h"

namespace forecastle::testing {

struct EveryColumn {
  Record record;
  std::string row;  // the record's CSV row, its columns in KindColumns order
};

// In RecordKind order, one a kind.
inline std::vector<EveryColumn> RecordsWithEveryColumn() {
  Line line = Ratable("C-1", "L-1", "1200.50", "2026-01-01", "2026-12-31", RatableConvention::kDaily);
  line.total_units = 12;
  line.estimated_hours = C("7.25");
  line.expected_end_on = D("2027-01-31");
  return {
      {Customer{"CU-1", "Caf\xC3\xA9 \"Nord\", Ltd", "enterprise"}, "CU-1,\"Caf\xC3\xA9 \"\"Nord\"\", Ltd\",enterprise"},
      {Contract{"C-1", "CU-1", D("2026-01-15"), C("12000")}, "C-1,CU-1,2026-01-15,12000.00"},
      {line, "C-1,L-1,ratable,1200.50,2026-01-01,2026-12-31,12,7.25,2027-01-31,daily"},
      {Progress{"C-1", "L-2", D("2026-02-03"), 4, C("6.5"), C("120"), true},
       "C-1,L-2,2026-02-03,4,6.50,120.00,true"},
      {Cancellation{"C-1", "L-3", D("2026-03-01")}, "C-1,L-3,2026-03-01"},
      {Invoice{"I-1", "C-1", D("2026-01-31"), C("-50.05"), D("2026-03-02")}, "I-1,C-1,2026-01-31,-50.05,2026-03-02"},
      {Payment{"P-1", "I-2", D("2026-02-20"), C("0.01")}, "P-1,I-2,2026-02-20,0.01"},
      {Opportunity{"O-1", "smb", C("900"), D("2025-11-02"), OpportunityStatus::kWon, "negotiate", D("2026-01-10"),
                   D("2026-01-12"), "CU-1", "subscription"},
       "O-1,smb,900.00,2025-11-02,won,negotiate,2026-01-10,2026-01-12,CU-1,subscription"},
      {Headcount{"delivery", 2026 * 12 + 2, 1225}, "delivery,2026-03,12.25"},
  };
}

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_EVERY_COLUMN_H_
