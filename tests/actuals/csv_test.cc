#include "engine/actuals/csv.h"

#include <filesystem>
#include <fstream>
#include <tuple>

#include <gtest/gtest.h>

#include "engine/common/utf8.h"
#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using ::forecastle::testing::StatusIs;
using ::testing::HasSubstr;

TEST(SplitCsv, QuotesCommasNewlinesAndCrLf) {
  auto rows = SplitCsv("a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\r\n\nlast,,\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].cells, (std::vector<std::string>{"x, y", "he said \"hi\"", "two\nlines"}));
  EXPECT_EQ((*rows)[1].line, 2);
  EXPECT_EQ((*rows)[2].line, 5);
  EXPECT_EQ((*rows)[2].cells, (std::vector<std::string>{"last", "", ""}));
}

TEST(SplitCsv, UnterminatedQuoteNamesTheLine) {
  EXPECT_THAT(SplitCsv("a\n\"open\n"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2")));
}

TEST(ParseCsvFile, ColumnsInAnyOrderBlankMeansAbsent) {
  CsvFolder folder;
  ASSERT_TRUE(ParseCsvFile(RecordKind::kInvoice, "invoices.csv",
               "amount,contract_id,invoice_id,issued_on,due_on\n1200.50,C1,I1,2026-01-05,\n", folder).ok());
  ASSERT_TRUE(folder.errors.empty()) << folder.errors[0].ToString();
  ASSERT_EQ(folder.records.size(), 1u);
  const Invoice& invoice = std::get<Invoice>(folder.records[0].record);
  EXPECT_EQ(invoice.amount, 120050);
  EXPECT_FALSE(invoice.due_on.has_value());
  EXPECT_EQ(folder.records[0].line, 2);
}

TEST(ParseCsvFile, BadRowsNameFileLineAndField) {
  CsvFolder folder;
  ASSERT_TRUE(ParseCsvFile(RecordKind::kInvoice, "invoices.csv",
               "invoice_id,contract_id,issued_on,amount\n"
               "I1,C1,2026-01-05,1.234\n"
               "I2,C1,2026-02-30,1.00\n"
               "I3,C1,2026-01-05\n"
               "I4,C1,2026-01-05,5.00\n",
               folder).ok());
  ASSERT_EQ(folder.errors.size(), 3u);
  EXPECT_EQ(folder.errors[0].ToString(), "invoices.csv:2: amount: has more than 2 decimals, got \"1.234\"");
  EXPECT_EQ(folder.errors[1].field, "issued_on");
  EXPECT_EQ(folder.errors[1].line, 3);
  EXPECT_EQ(folder.errors[2].line, 4);
  EXPECT_EQ(folder.records.size(), 1u);
}

TEST(ParseCsvFile, HeaderProblemsRefuseTheFile) {
  CsvFolder folder;
  ASSERT_TRUE(ParseCsvFile(RecordKind::kPayment, "payments.csv", "payment_id,invoice_id,received_on,amount,memo\nP,I,2026-01-01,1\n", folder).ok());
  ASSERT_EQ(folder.errors.size(), 1u);
  EXPECT_EQ(folder.errors[0].field, "memo");
  EXPECT_THAT(folder.errors[0].message, HasSubstr("unknown column"));
  CsvFolder missing;
  ASSERT_TRUE(ParseCsvFile(RecordKind::kPayment, "payments.csv", "payment_id,invoice_id,amount\n", missing).ok());
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].field, "received_on");
  EXPECT_TRUE(missing.records.empty());
}

TEST(ParseCsvFile, LineKindRequirements) {
  CsvFolder folder;
  ASSERT_TRUE(ParseCsvFile(RecordKind::kLine, "lines.csv",
               "contract_id,line_id,kind,ssp,start_on,end_on,total_units,estimated_hours\n"
               "C,L1,ratable,10,2026-01-01,,,\n"
               "C,L2,delivery,10,,,,\n"
               "C,L3,effort,10,,,,0\n"
               "C,L4,ratable,10,2026-02-01,2026-01-01,,\n"
               "C,L5,service,10,,,,\n",
               folder).ok());
  ASSERT_EQ(folder.errors.size(), 5u);
  EXPECT_EQ(folder.errors[0].field, "end_on");
  EXPECT_EQ(folder.errors[1].field, "total_units");
  EXPECT_EQ(folder.errors[2].field, "estimated_hours");
  EXPECT_EQ(folder.errors[3].ToString(), "lines.csv:5: end_on: 2026-01-01 is before start_on 2026-02-01");
  EXPECT_EQ(folder.errors[4].field, "kind");
}

TEST(ParseCsvFile, ACellThatIsNotUtf8RefusesTheFileNamingLineAndColumn) {
  CsvFolder folder;
  absl::Status status = ParseCsvFile(
      RecordKind::kOpportunity, "opportunities.csv",
      "opportunity_id,segment,amount,created_on,status,stage\n"
      "O1,smb,10,2026-01-05,open,qualify\n"
      "O2,smb,10,2026-01-05,open,Negotiat\xE9\n"
      "O3,smb,10,2026-01-05,open,caf\xC3\xA9\n",
      folder);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               "opportunities.csv:3: stage: not valid UTF-8: byte 0xE9 after \"Negotiat\""
                               " in column 6; the file must be UTF-8"));
  EXPECT_TRUE(folder.records.empty());  // not even O1: the file as a whole is in doubt
  EXPECT_TRUE(folder.errors.empty());
  CsvFolder header;
  EXPECT_THAT(ParseCsvFile(RecordKind::kCustomer, "customers.csv", "customer_id,na\xFFme\n", header),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("customers.csv:1: header: not valid UTF-8")));
}

TEST(ParseRecord, EveryTextFieldMustBeUtf8) {
  EXPECT_THAT(ParseRecord(RecordKind::kCustomer, {{"customer_id", "C1"}, {"name", "Caf\xC3"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "name: not valid UTF-8: byte 0xC3 after \"Caf\""));
  EXPECT_TRUE(ParseRecord(RecordKind::kCustomer, {{"customer_id", "C1"}, {"name", "Caf\xC3\xA9 \xF0\x9F\x93\x88"}}).ok());
}

TEST(Utf8, RefusesOverlongSurrogatesTruncatedAndTooHigh) {
  EXPECT_EQ(FirstInvalidUtf8(""), absl::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x93\x88"), absl::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("ab\xC0\xAF"), 2u);          // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("\xE0\x80\xAF"), 0u);        // overlong, 3 bytes
  EXPECT_EQ(FirstInvalidUtf8("x\xED\xA0\x80"), 1u);       // a surrogate, U+D800
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);   // above U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("ok\xE2\x82"), 2u);          // truncated at the end
  EXPECT_EQ(FirstInvalidUtf8("\x80"), 0u);                 // a continuation byte alone
  EXPECT_EQ(InvalidUtf8Reason("\xE9", 0), "not valid UTF-8: byte 0xE9 at the start");
  EXPECT_EQ(InvalidUtf8Reason("abcdefghijklmnopqrstuvwxyz\xE9", 26),
            "not valid UTF-8: byte 0xE9 after \"...cdefghijklmnopqrstuvwxyz\"");
}

TEST(ReadCsvFolder, AFileThatIsNotUtf8RefusesTheFolder) {
  const std::string dir = ::testing::TempDir() + "/csv_latin1";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/customers.csv") << "customer_id,name\nC1,Fine\n";
  std::ofstream(dir + "/opportunities.csv")
      << "opportunity_id,segment,amount,created_on,status,stage\nO1,smb,10,2026-01-05,open,qualify\n"
         "O2,smb,10,2026-01-05,open,Negotiat\xE9\n";
  EXPECT_THAT(ReadCsvFolder(dir), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("opportunities.csv:3: stage: not valid UTF-8")));
}

// A record built in code (or arriving through the API) is held to the same rule when the ledger
// takes it: ids and free text in UTF-8, naming the field.
TEST(ValidateRecord, TextThatIsNotUtf8IsRefused) {
  Customer latin1;
  latin1.customer_id = "CU-2";
  latin1.name = "Caf\xE9";
  EXPECT_THAT(ValidateRecord(latin1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name: not valid UTF-8")));
  Customer id;
  id.customer_id = "CU-\xFF";
  EXPECT_THAT(ValidateRecord(id), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("customer_id: not valid UTF-8")));
  Customer fine;
  fine.customer_id = "CU-1";
  fine.name = "Caf\xC3\xA9 \xE2\x82\xAC";
  EXPECT_TRUE(ValidateRecord(fine).ok());
}

// headcount.csv (SPEC §3.4): team, month, fte with up to 2 decimals, kept exactly in hundredths.
TEST(ParseRecord, TextAndUnitsAreBounded) {
  // Ids and names are capped, refused naming the length and the cap, never quoting the value.
  EXPECT_THAT(ParseRecord(RecordKind::kCustomer, {{"customer_id", std::string(129, 'c')}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "customer_id: 129 bytes, more than the limit of 128"));
  EXPECT_THAT(ParseRecord(RecordKind::kCustomer, {{"customer_id", "C1"}, {"name", std::string(1001, 'n')}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "name: 1001 bytes, more than the limit of 1000"));
  EXPECT_TRUE(ParseRecord(RecordKind::kCustomer, {{"customer_id", std::string(128, 'c')}, {"name", std::string(1000, 'n')}}).ok());
  // Units: up to 10^12 on a line or a day's progress.
  const FieldValues line = {{"contract_id", "C1"}, {"line_id", "L1"}, {"kind", "delivery"}, {"ssp", "10.00"}};
  FieldValues units = line;
  units.emplace_back("total_units", "1000000000000000");
  EXPECT_THAT(ParseRecord(RecordKind::kLine, units),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("total_units: must be at most 1000000000000")));
  units.back().second = "1000000000000";
  EXPECT_TRUE(ParseRecord(RecordKind::kLine, units).ok());
  EXPECT_THAT(ParseRecord(RecordKind::kProgress,
                          {{"contract_id", "C1"}, {"line_id", "L1"}, {"on", "2026-01-05"}, {"units", "1000000000001"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("units: must be at most 1000000000000")));
  // A value an error quotes is cut to 64 bytes and its length.
  EXPECT_THAT(ParseRecord(RecordKind::kContract, {{"contract_id", "K1"}, {"customer_id", "C1"}, {"signed_on", std::string(5000, '2')}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\xE2\x80\xA6\" (5000 bytes)")));
}

TEST(ParseRecord, HeadcountRoundTripsThroughItsColumns) {
  EXPECT_EQ(KindFileName(RecordKind::kHeadcount), "headcount.csv");
  EXPECT_EQ(KindColumns(RecordKind::kHeadcount), (std::vector<absl::string_view>{"team", "month", "fte"}));
  EXPECT_EQ(KindRequiredColumnCount(RecordKind::kHeadcount), 3);
  for (const auto& [text, centi_fte, formatted] :
       {std::tuple{"12", 1200, "12.00"}, std::tuple{"12.5", 1250, "12.50"}, std::tuple{"12.25", 1225, "12.25"},
        std::tuple{"0", 0, "0.00"}, std::tuple{"1000000", 100'000'000, "1000000.00"}}) {
    auto parsed = ParseRecord(RecordKind::kHeadcount, {{"team", "delivery"}, {"month", "2026-03"}, {"fte", text}});
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    const Headcount& headcount = std::get<Headcount>(*parsed);
    EXPECT_EQ(headcount.team, "delivery");
    EXPECT_EQ(headcount.month, 2026 * 12 + 2);
    EXPECT_EQ(headcount.centi_fte, centi_fte) << text;
    const std::vector<std::string> cells = FormatRecord(*parsed);
    EXPECT_EQ(cells, (std::vector<std::string>{"delivery", "2026-03", formatted}));
    auto again = ParseRecord(RecordKind::kHeadcount, {{"team", cells[0]}, {"month", cells[1]}, {"fte", cells[2]}});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *parsed);
  }
  EXPECT_EQ(RecordKey(Headcount{"delivery", 2026 * 12, 100}), "headcount of delivery in 2026-01");
}

TEST(ParseRecord, HeadcountErrorsNameTheFieldAndTheValue) {
  auto parse = [](absl::string_view team, absl::string_view month, absl::string_view fte) {
    FieldValues fields;
    if (!team.empty()) fields.emplace_back("team", team);
    if (!month.empty()) fields.emplace_back("month", month);
    if (!fte.empty()) fields.emplace_back("fte", fte);
    return ParseRecord(RecordKind::kHeadcount, fields);
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(parse("delivery", "2026-03", "12.345"), StatusIs(kInvalid, "fte: has more than 2 decimals, got \"12.345\""));
  EXPECT_THAT(parse("delivery", "2026-03", "-1"), StatusIs(kInvalid, "fte: must not be negative, got -1.00"));
  EXPECT_THAT(parse("delivery", "2026-03", "1000000.01"),
              StatusIs(kInvalid, "fte: more than 1000000 FTE, got 1000000.01"));
  EXPECT_THAT(parse("delivery", "2026-03", "12 FTE"), StatusIs(kInvalid, "fte: not a decimal number, got \"12 FTE\""));
  EXPECT_THAT(parse("delivery", "2026-03", ""), StatusIs(kInvalid, "fte: required"));
  EXPECT_THAT(parse("", "2026-03", "12"), StatusIs(kInvalid, "team: required"));
  EXPECT_THAT(parse("delivery", "2026-3", "12"),
              StatusIs(kInvalid, "month: expected a month YYYY-MM (years 1900..2999), got \"2026-3\""));
  EXPECT_THAT(parse("delivery", "2026-13", "12"),
              StatusIs(kInvalid, "month: expected a month YYYY-MM (years 1900..2999), got \"2026-13\""));
  EXPECT_THAT(parse("delivery", "2026-03-01", "12"),
              StatusIs(kInvalid, "month: expected a month YYYY-MM (years 1900..2999), got \"2026-03-01\""));
  EXPECT_THAT(parse("delivery", "", "12"), StatusIs(kInvalid, "month: required"));
  EXPECT_THAT(ParseRecord(RecordKind::kHeadcount, {{"team", "delivery"}, {"month", "2026-03"}, {"fte", "1"},
                                                   {"hours", "105"}}),
              StatusIs(kInvalid, "hours: unknown column for headcount records"));
  // A record built in code meets the same rules.
  EXPECT_THAT(ValidateRecord(Headcount{"delivery", 2026 * 12, -5}), StatusIs(kInvalid, "fte: must not be negative, got -0.05"));
  EXPECT_THAT(ValidateRecord(Headcount{"", 2026 * 12, 100}), StatusIs(kInvalid, "team: required"));
  EXPECT_THAT(ValidateRecord(Headcount{"delivery", 3000 * 12, 100}),
              StatusIs(kInvalid, "month: outside years 1900..2999, got 3000-01"));
}

TEST(ParseCsvFile, HeadcountRowsNameFileLineAndField) {
  CsvFolder folder;
  ASSERT_TRUE(ParseCsvFile(RecordKind::kHeadcount, "headcount.csv",
                           "month,fte,team\n2026-01,12.5,delivery\n2026-02,12.505,delivery\n2026-03,13,delivery\n",
                           folder).ok());
  ASSERT_EQ(folder.errors.size(), 1u);
  EXPECT_EQ(folder.errors[0].ToString(), "headcount.csv:3: fte: has more than 2 decimals, got \"12.505\"");
  ASSERT_EQ(folder.records.size(), 2u);
  EXPECT_EQ(std::get<Headcount>(folder.records[1].record), (Headcount{"delivery", 2026 * 12 + 2, 1300}));
  EXPECT_EQ(folder.records[1].line, 4);
}

TEST(ReadCsvFolder, HeadcountIsOneMoreOptionalFile) {
  const std::string dir = ::testing::TempDir() + "/csv_headcount";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/customers.csv") << "customer_id\nC1\n";
  std::ofstream(dir + "/headcount.csv") << "team,month,fte\ndelivery,2026-01,12.25\n";
  auto folder = ReadCsvFolder(dir);
  ASSERT_TRUE(folder.ok()) << folder.status();
  ASSERT_TRUE(folder->errors.empty()) << folder->errors[0].ToString();
  ASSERT_EQ(folder->records.size(), 2u);
  EXPECT_EQ(folder->records[1].file, "headcount.csv");
  EXPECT_EQ(std::get<Headcount>(folder->records[1].record), (Headcount{"delivery", 2026 * 12, 1225}));
  std::filesystem::remove_all(dir);
}

TEST(ReadCsvFolder, UnknownFileNameIsAnError) {
  const std::string dir = ::testing::TempDir() + "/csv_unknown";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/invoice.csv") << "invoice_id\n";
  EXPECT_THAT(ReadCsvFolder(dir), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invoice.csv: unknown file")));
  EXPECT_THAT(ReadCsvFolder(dir + "/nope"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no such folder")));
}

}  // namespace
}  // namespace forecastle
