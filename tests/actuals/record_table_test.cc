// The record tables (engine/actuals/record_table.h): every kind's columns as SPEC §3.4 lists them,
// and every column read, written, checked and named in errors by the one loop over them.
#include "engine/actuals/record_table.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/actuals/csv.h"
#include "tests/testing/every_column.h"
#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using ::forecastle::testing::FieldErrorIs;
using ::forecastle::testing::RecordsWithEveryColumn;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

RecordKind Kind(int k) { return static_cast<RecordKind>(k); }

// A record's cells as ParseRecord takes them; `replace` swaps one column's text ("" drops it).
std::vector<std::pair<std::string, std::string>> Cells(const Record& record, absl::string_view column = "",
                                                       absl::string_view replace = "") {
  std::vector<std::pair<std::string, std::string>> cells;
  const std::vector<std::string> texts = FormatRecord(record);
  const auto& columns = KindColumns(KindOf(record));
  for (size_t c = 0; c < columns.size(); ++c) {
    const std::string text = columns[c] == column ? std::string(replace) : texts[c];
    if (!text.empty()) cells.emplace_back(columns[c], text);
  }
  return cells;
}

absl::StatusOr<Record> Parse(RecordKind kind, const std::vector<std::pair<std::string, std::string>>& cells) {
  FieldValues values;
  for (const auto& [column, text] : cells) values.emplace_back(column, text);
  return ParseRecord(kind, values);
}

// SPEC §3.4's table, required columns first: the engine's tables say the same.
TEST(RecordTable, EveryKindHasTheColumnsOfTheSpec) {
  const std::vector<std::tuple<RecordKind, std::string, std::string, int>> spec = {
      {RecordKind::kCustomer, "customers.csv", "customer_id,name,segment", 1},
      {RecordKind::kContract, "contracts.csv", "contract_id,customer_id,signed_on,transaction_price", 3},
      {RecordKind::kLine, "lines.csv",
       "contract_id,line_id,kind,ssp,start_on,end_on,total_units,estimated_hours,expected_end_on,convention", 4},
      {RecordKind::kProgress, "progress.csv", "contract_id,line_id,on,units,hours,estimated_hours,complete", 3},
      {RecordKind::kCancellation, "cancellations.csv", "contract_id,line_id,effective_on", 3},
      {RecordKind::kInvoice, "invoices.csv", "invoice_id,contract_id,issued_on,amount,due_on", 4},
      {RecordKind::kPayment, "payments.csv", "payment_id,invoice_id,received_on,amount", 4},
      {RecordKind::kOpportunity, "opportunities.csv",
       "opportunity_id,segment,amount,created_on,status,stage,expected_close_on,closed_on,customer_id,product", 5},
      {RecordKind::kHeadcount, "headcount.csv", "team,month,fte", 3},
  };
  ASSERT_EQ(spec.size(), static_cast<size_t>(kRecordKindCount));
  for (const auto& [kind, file, columns, required] : spec) {
    const RecordTable& table = TableOf(kind);
    EXPECT_EQ(table.kind, kind);
    EXPECT_EQ(KindFileName(kind), file);
    EXPECT_EQ(absl::StrJoin(KindColumns(kind), ","), columns);
    EXPECT_EQ(KindRequiredColumnCount(kind), required) << file;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      EXPECT_EQ(table.columns[c].required, static_cast<int>(c) < required) << file << " " << table.columns[c].name;
    }
    EXPECT_EQ(KindOf(table.empty()), kind);
  }
}

TEST(RecordTable, EveryColumnOfEveryKindRoundTripsThroughText) {
  const auto records = RecordsWithEveryColumn();
  ASSERT_EQ(records.size(), static_cast<size_t>(kRecordKindCount));
  for (int k = 0; k < kRecordKindCount; ++k) {
    const Record& record = records[k].record;
    ASSERT_EQ(KindOf(record), Kind(k));
    const std::vector<std::string> texts = FormatRecord(record);
    for (size_t c = 0; c < texts.size(); ++c) {
      EXPECT_FALSE(texts[c].empty()) << KindName(Kind(k)) << " " << KindColumns(Kind(k))[c];
    }
    absl::StatusOr<Record> back = Parse(Kind(k), Cells(record));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, record) << KindName(Kind(k));
  }
}

TEST(RecordTable, EveryKindRoundTripsThroughACsvFolder) {
  const std::string dir = ::testing::TempDir() + "/record_table_every_column";
  std::filesystem::remove_all(dir);
  std::vector<Record> records;
  for (const auto& every : RecordsWithEveryColumn()) records.push_back(every.record);
  ASSERT_TRUE(WriteCsvFolder(dir, records).ok());
  absl::StatusOr<CsvFolder> folder = ReadCsvFolder(dir);
  ASSERT_TRUE(folder.ok()) << folder.status();
  ASSERT_TRUE(folder->errors.empty()) << folder->errors[0].ToString();
  ASSERT_EQ(folder->records.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(folder->records[i].record, records[i]) << folder->records[i].file;
    EXPECT_EQ(folder->records[i].line, 2);
  }
}

// A bad text of each column type, and what the error then says after "column: ".
std::optional<std::pair<std::string, std::string>> BadText(const Column& column) {
  switch (column.type) {
    case ColumnType::kId: return std::pair{std::string(129, 'x'), "129 bytes, more than the limit of 128"};
    case ColumnType::kText: return std::pair{std::string(1001, 'x'), "1001 bytes, more than the limit of 1000"};
    case ColumnType::kDate: return std::pair{"2026-02-30", "no such day (years 1900..2999), got \"2026-02-30\""};
    case ColumnType::kMonth:
      return std::pair{"2026-13", "expected a month YYYY-MM (years 1900..2999), got \"2026-13\""};
    case ColumnType::kFixed2: return std::pair{"1.234", "has more than 2 decimals, got \"1.234\""};
    case ColumnType::kCount: return std::pair{"12x", "expected a whole number, got \"12x\""};
    case ColumnType::kFlag: return std::pair{"yes", "expected true or false, got \"yes\""};
    case ColumnType::kChoice:
      return std::pair{"other", absl::StrCat("expected ", ChoiceList(column.choices), ", got \"other\"")};
  }
  return std::nullopt;
}

TEST(RecordTable, EveryBadCellIsRefusedNamingItsColumnAndValue) {
  int checked = 0;
  for (const auto& every : RecordsWithEveryColumn()) {
    const RecordKind kind = KindOf(every.record);
    for (const Column& column : TableOf(kind).columns) {
      const auto bad = BadText(column);
      ASSERT_TRUE(bad.has_value());
      EXPECT_THAT(Parse(kind, Cells(every.record, column.name, bad->first)),
                  FieldErrorIs(kInvalid, std::string(column.name), bad->second))
          << KindName(kind) << "." << column.name;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 49);  // every column of SPEC §3.4
}

TEST(RecordTable, EveryRequiredColumnIsRequired) {
  for (const auto& every : RecordsWithEveryColumn()) {
    const RecordKind kind = KindOf(every.record);
    for (const Column& column : TableOf(kind).columns) {
      absl::StatusOr<Record> parsed = Parse(kind, Cells(every.record, column.name, ""));
      if (column.required) {
        EXPECT_THAT(parsed, FieldErrorIs(kInvalid, std::string(column.name), "required")) << column.name;
      } else if (!parsed.ok()) {
        // Only a rule between columns may need an optional one: a ratable line's dates, a won
        // opportunity's closing day.
        EXPECT_THAT(parsed.status().message(), HasSubstr("required ")) << KindName(kind) << "." << column.name;
      }
    }
  }
}

TEST(RecordTable, SignsAreRefusedWithTheValueAsTheColumnWritesIt) {
  const auto records = RecordsWithEveryColumn();
  auto parse = [&](RecordKind kind, absl::string_view column, absl::string_view text) {
    return Parse(kind, Cells(records[static_cast<int>(kind)].record, column, text));
  };
  EXPECT_THAT(parse(RecordKind::kProgress, "hours", "-1.5"),
              FieldErrorIs(kInvalid, "hours", "must not be negative, got -1.50"));
  EXPECT_THAT(parse(RecordKind::kProgress, "units", "-3"), FieldErrorIs(kInvalid, "units", "must not be negative, got -3"));
  EXPECT_THAT(parse(RecordKind::kProgress, "estimated_hours", "0"),
              FieldErrorIs(kInvalid, "estimated_hours", "must be positive, got 0.00"));
  EXPECT_THAT(parse(RecordKind::kLine, "total_units", "0"), FieldErrorIs(kInvalid, "total_units", "must be positive, got 0"));
  EXPECT_THAT(parse(RecordKind::kLine, "ssp", "-0.01"), FieldErrorIs(kInvalid, "ssp", "must not be negative, got -0.01"));
  EXPECT_THAT(parse(RecordKind::kInvoice, "amount", "0"), FieldErrorIs(kInvalid, "amount", "must not be zero"));
  EXPECT_THAT(parse(RecordKind::kPayment, "amount", "-2"), FieldErrorIs(kInvalid, "amount", "must be positive, got -2.00"));
  EXPECT_THAT(parse(RecordKind::kHeadcount, "fte", "-1"), FieldErrorIs(kInvalid, "fte", "must not be negative, got -1.00"));
  EXPECT_THAT(parse(RecordKind::kLine, "total_units", "1000000000001"),
              FieldErrorIs(kInvalid, "total_units", "must be at most 1000000000000, got 1000000000001"));
  EXPECT_THAT(parse(RecordKind::kContract, "transaction_price", "99999999999999"),
              FieldErrorIs(kInvalid, "transaction_price", "overflows (limit 10000000000000.00), got \"99999999999999\""));
}

TEST(RecordTable, RulesBetweenColumnsNameTheColumnTheyRefuse) {
  FieldValues line = {{"contract_id", "C"}, {"line_id", "L"}, {"kind", "delivery"}, {"ssp", "1"},
                      {"total_units", "2"}, {"convention", "monthly"}};
  EXPECT_THAT(ParseRecord(RecordKind::kLine, line),
              FieldErrorIs(kInvalid, "convention", "only ratable lines have one, this line is delivery"));
  line.pop_back();
  absl::StatusOr<Record> parsed = ParseRecord(RecordKind::kLine, line);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(FormatRecord(*parsed).back(), "");  // no convention written for a delivery line
  EXPECT_THAT(ParseRecord(RecordKind::kLine, {{"contract_id", "C"}, {"line_id", "L"}, {"kind", "ratable"},
                                              {"ssp", "1"}, {"start_on", "2026-02-01"}, {"end_on", "2026-01-31"}}),
              FieldErrorIs(kInvalid, "end_on", "2026-01-31 is before start_on 2026-02-01"));
  EXPECT_THAT(ParseRecord(RecordKind::kProgress, {{"contract_id", "C"}, {"line_id", "L"}, {"on", "2026-01-05"}}),
              FieldErrorIs(kInvalid, "units", StartsWith("a progress record needs units")));
  EXPECT_THAT(ParseRecord(RecordKind::kCustomer, {{"customer_id", "C"}, {"memo", "x"}}),
              FieldErrorIs(kInvalid, "memo", "unknown column for customer records"));
  EXPECT_THAT(ParseRecord(RecordKind::kCustomer, {{"customer_id", "C\x01"}}),
              FieldErrorIs(kInvalid, "customer_id", "contains a control character"));
}

// A record built in code meets every column's checks too (Ledger::Apply runs ValidateRecord).
TEST(RecordTable, ValidateRecordChecksEveryColumnOfATypedRecord) {
  Contract contract{"C-1", "CU-1", Date{kMaxDate.days + 1}, std::nullopt};
  EXPECT_THAT(ValidateRecord(contract), FieldErrorIs(kInvalid, "signed_on", "outside years 1900..2999"));
  Progress progress{"C-1", "L-1", Date{20000}, std::nullopt, -150, std::nullopt, false};
  EXPECT_THAT(ValidateRecord(progress), FieldErrorIs(kInvalid, "hours", "must not be negative, got -1.50"));
  Opportunity won{"O", "smb", 0, Date{20000}, OpportunityStatus::kLost, "", std::nullopt, std::nullopt, "", ""};
  EXPECT_THAT(ValidateRecord(won), FieldErrorIs(kInvalid, "closed_on", "required when status is lost"));
}

}  // namespace
}  // namespace forecastle
